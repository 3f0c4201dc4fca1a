"""The topics a person follows (/account/subscriptions/): agencies' announcements and life events, saved
as notification topics. The authorization matrix: anonymous people are sent to sign in; everyone signed
in, officers too, sees and changes only their own topics."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from pracha.accounts.tests.conftest import client_for
from pracha.agencies.public import Agency, agency_tree
from pracha.audit.public import AuditEntry
from pracha.documents.tests.conftest import gettext_in, login_redirect
from pracha.notifications.public import Message, subscription_add, subscriptions_for
from pracha.portal.context_processors import portal

URL = reverse("portal:subscriptions")
# The life events of the demo services (open-a-restaurant: the food-shop permits, commercial and VAT
# registration; move-house: the change of address), by the catalogue's names for them.
LIFE_EVENTS = {"move-house": "Moving house", "open-a-restaurant": "Opening a restaurant"}


@pytest.fixture
def world(service_world: dict[str, Any]) -> dict[str, Any]:
    return service_world


def checkbox(name: str, value: str, *, checked: bool = False) -> str:
    """The start of a box of the page, as includes/field.html draws it (ids are Django's)."""
    return f'name="{name}" type="checkbox" value="{value}"{" checked" if checked else ""}>'


def agency_names() -> list[tuple[str, str]]:
    return [(agency.code, agency.name_en) for agency in Agency.objects.all()]


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_people_are_sent_to_sign_in(world, method):
    response = getattr(client_for(world["anonymous"]), method)(
        URL, {"agencies": ["dga"]} if method == "post" else None
    )
    assert response.status_code == 302
    assert response["Location"] == login_redirect(URL)


def test_the_page_offers_every_agency_and_the_life_events_of_the_services(world):
    response = client_for(world["applicant"]).get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Topics you follow</h1>' in html
    assert [code for code, _name in response.context["form"].fields["agencies"].choices] == [
        agency.code for agency, _depth in agency_tree()
    ]
    for code, name in agency_names():
        assert checkbox("agencies", code) in html
        assert f">{escape(name)}</label>" in html
    for code, label in LIFE_EVENTS.items():
        assert checkbox("life_events", code) in html
        assert f">{label}</label>" in html
    # No complaints service yet: no complaint categories to offer.
    assert "complaints" not in html.lower().split("<main", 1)[1]


def test_following_agencies_and_a_life_event(world):
    applicant = world["applicant"]
    client = client_for(applicant)
    response = client.post(URL, {"agencies": ["dga", "bma-bang-rak"], "life_events": ["move-house"]})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert sorted(subscriptions_for(user=applicant)) == [
        "agency:bma-bang-rak",
        "agency:dga",
        "life-event:move-house",
    ]
    assert subscriptions_for(user=world["other_citizen"]) == []

    page = client.get(URL).content.decode()
    assert "Your topics have been saved." in page
    assert checkbox("agencies", "dga", checked=True) in page
    assert checkbox("agencies", "bma-bang-rak", checked=True) in page
    assert checkbox("agencies", "rtp") in page
    assert checkbox("life_events", "move-house", checked=True) in page
    assert checkbox("life_events", "open-a-restaurant") in page


def test_unticking_stops_following_and_keeps_topics_the_page_does_not_offer(world):
    applicant = world["applicant"]
    for topic in ("agency:dga", "agency:rtp", "life-event:move-house", "complaints:roads:bang-rak"):
        subscription_add(actor=applicant, topic=topic)
    response = client_for(applicant).post(URL, {"agencies": ["rtp"], "life_events": ["open-a-restaurant"]})
    assert response.status_code == 302
    assert sorted(subscriptions_for(user=applicant)) == [
        "agency:rtp",
        "complaints:roads:bang-rak",
        "life-event:open-a-restaurant",
    ]


def test_ticking_nothing_stops_following_everything_offered(world):
    applicant = world["applicant"]
    subscription_add(actor=applicant, topic="agency:dga")
    response = client_for(applicant).post(URL, {})
    assert response.status_code == 302
    assert subscriptions_for(user=applicant) == []


def test_saving_the_same_choices_changes_nothing(world):
    applicant = world["applicant"]
    subscription_add(actor=applicant, topic="agency:dga")
    client = client_for(applicant)
    before = AuditEntry.objects.count()
    response = client.post(URL, {"agencies": ["dga"]})
    assert response.status_code == 302
    assert subscriptions_for(user=applicant) == ["agency:dga"]
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"agencies": ["dga", "no-such-agency"]}, "agencies", "Choose agencies from the list."),
        ({"life_events": ["win-the-lottery"]}, "life_events", "Choose life events from the list."),
    ],
)
def test_a_choice_not_offered_is_refused_and_nothing_changes(world, data, field, error):
    applicant = world["applicant"]
    subscription_add(actor=applicant, topic="agency:rtp")
    response = client_for(applicant).post(URL, data)
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].errors[field]] == [error]
    html = response.content.decode()
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert error in html
    assert subscriptions_for(user=applicant) == ["agency:rtp"]


@pytest.mark.parametrize("who", ["other_citizen", "reviewer", "officer_other_agency"])
def test_everyone_changes_only_their_own_topics(world, who):
    applicant = world["applicant"]
    subscription_add(actor=applicant, topic="agency:dga")
    person = world[who]
    page = client_for(person).get(URL).content.decode()
    assert checkbox("agencies", "dga") in page  # not ticked: it is the applicant's
    response = client_for(person).post(URL, {"agencies": ["rtp"]})
    assert response.status_code == 302
    assert subscriptions_for(user=person) == ["agency:rtp"]
    assert subscriptions_for(user=applicant) == ["agency:dga"]


def test_the_page_in_thai(world):
    response = client_for(world["applicant"], language="th").get(URL)
    html = response.content.decode()
    assert '<html lang="th"' in html
    assert f'<h1 class="govuk-heading-l">{gettext_in("th", "Topics you follow")}</h1>' in html
    assert ">สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)</label>" in html
    assert f">{gettext_in('th', 'Announcements from agencies')}</legend>" in html


def test_my_account_links_the_topics_and_the_message_preferences(world):
    html = client_for(world["applicant"]).get(reverse("accounts:my-account")).content.decode()
    assert f'<a class="govuk-link" href="{URL}">Choose the topics you follow</a>' in html
    assert f'<a class="govuk-link" href="{reverse("notifications:preferences")}">' in html


# --- the header's unread count (the portal's context processor) ----------------------------------------


def test_the_unread_count_costs_one_query_and_none_for_anonymous_people(
    people, rf, django_assert_num_queries
):
    owner = people["owner"]
    Message.objects.create(
        kind="document_ready", channel="inapp", recipient=owner, language="en", subject="Ready", body="Ready",
        agency_code="home-agency", status=Message.Status.DELIVERED,
    )  # fmt: skip
    request = rf.get("/")
    request.user = owner
    context = portal(request)
    with django_assert_num_queries(1):
        assert str(context["unread_count"]) == "1"
    anonymous = rf.get("/")
    anonymous.user = people["anonymous"]
    with django_assert_num_queries(0):
        assert not portal(anonymous)["unread_count"]
