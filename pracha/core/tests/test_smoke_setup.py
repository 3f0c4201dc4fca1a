import pytest


@pytest.mark.django_db
def test_people_fixture_builds_the_authorization_matrix(people):
    assert people["officer_with"].memberships.get().agency.code == "home-agency"
    assert people["owner"].memberships.count() == 0
