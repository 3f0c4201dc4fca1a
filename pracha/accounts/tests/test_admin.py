"""The admin shows people, businesses and tokens; every change it offers goes through an audited service."""

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from conftest import with_totp
from pracha.accounts import services
from pracha.accounts.models import ApiToken, User
from pracha.accounts.tests.factories import BusinessAuthorisationFactory, BusinessFactory, UserFactory
from pracha.audit.public import AuditEntry
from pracha.core.errors import PermissionDenied


@pytest.fixture
def superuser(db: Any) -> User:
    return with_totp(
        User.objects.create_superuser("1999900000016", "admin@example.test", "an-admin-password-2569")
    )


@pytest.fixture
def admin_client_en(superuser: User) -> Client:
    client = Client()
    client.cookies["pracha_language"] = "en"
    client.force_login(superuser)
    return client


def audited(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


@pytest.mark.django_db
def test_the_person_page_never_shows_the_password_hash(
    admin_client_en: Client, people: dict[str, Any]
) -> None:
    owner = people["owner"]

    response = admin_client_en.get(reverse("admin:accounts_user_change", args=[owner.pk]))

    assert response.status_code == 200
    assert owner.national_id in response.content.decode()
    assert owner.password not in response.content.decode()
    assert "md5$" not in response.content.decode()


@pytest.mark.django_db
def test_access_flags_cannot_be_changed_in_the_admin(admin_client_en: Client, people: dict[str, Any]) -> None:
    owner = people["owner"]
    url = reverse("admin:accounts_user_change", args=[owner.pk])

    page = admin_client_en.get(url).content.decode()
    response = admin_client_en.post(url, {"is_active": "", "is_staff": "on", "is_superuser": "on"})

    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    assert response.status_code == 403
    owner.refresh_from_db()
    assert (owner.is_active, owner.is_staff, owner.is_superuser) == (True, False, False)


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["user", "business", "businessauthorisation", "apitoken"])
def test_nothing_is_added_changed_or_deleted_directly(
    admin_client_en: Client, people: dict[str, Any], model: str
) -> None:
    authorisation = BusinessAuthorisationFactory.create(user=people["owner"])
    token, _key = services.api_token_create(actor=people["owner"], name="Script")
    obj = {
        "user": people["owner"],
        "business": authorisation.business,
        "businessauthorisation": authorisation,
        "apitoken": token,
    }[model]
    before = AuditEntry.objects.count()

    added = admin_client_en.post(reverse(f"admin:accounts_{model}_add"), {"name": "x", "user": obj.pk})
    changed = admin_client_en.post(
        reverse(f"admin:accounts_{model}_change", args=[obj.pk]), {"role": "delegate"}
    )
    deleted = admin_client_en.post(reverse(f"admin:accounts_{model}_delete", args=[obj.pk]), {"post": "yes"})

    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert ApiToken.objects.count() == 1
    authorisation.refresh_from_db()
    assert (authorisation.role, authorisation.revoked_at) == ("director", None)
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_the_business_page_shows_its_authorisations_read_only(
    admin_client_en: Client, people: dict[str, Any]
) -> None:
    business = BusinessFactory.create()
    BusinessAuthorisationFactory.create(business=business, user=people["owner"])

    page = admin_client_en.get(reverse("admin:accounts_business_change", args=[business.pk])).content.decode()

    assert people["owner"].full_name in page
    assert 'name="authorisations-0-role"' not in page
    assert 'name="name_th"' not in page


@pytest.mark.django_db
def test_the_token_revoke_action_revokes_through_the_service(
    admin_client_en: Client, people: dict[str, Any]
) -> None:
    token, _key = services.api_token_create(actor=people["owner"], name="Script")

    admin_client_en.post(
        reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert audited("accounts.api_token_revoke") == 1


@pytest.mark.django_db
def test_the_authorisation_revoke_action_revokes_through_the_service(
    admin_client_en: Client, superuser: User, people: dict[str, Any]
) -> None:
    authorisation = BusinessAuthorisationFactory.create(user=people["owner"])

    admin_client_en.post(
        reverse("admin:accounts_businessauthorisation_changelist"),
        {"action": "revoke", "_selected_action": [authorisation.pk]},
    )

    authorisation.refresh_from_db()
    assert authorisation.revoked_at is not None
    entry = AuditEntry.objects.get(action="accounts.business_authorisation_revoke")
    assert (entry.actor_id, entry.target_id) == (str(superuser.public_id), str(people["owner"].public_id))
    assert entry.payload == {"business": authorisation.business.juristic_number, "role": "director"}


@pytest.mark.django_db
def test_closing_and_reopening_accounts_goes_through_the_service(
    admin_client_en: Client, superuser: User, people: dict[str, Any]
) -> None:
    owner = people["owner"]
    changelist = reverse("admin:accounts_user_changelist")

    admin_client_en.post(changelist, {"action": "deactivate", "_selected_action": [owner.pk, superuser.pk]})

    owner.refresh_from_db()
    superuser.refresh_from_db()
    assert (owner.is_active, superuser.is_active) == (False, True)  # nobody closes their own account
    assert AuditEntry.objects.get(action="accounts.user_deactivate").target_id == str(owner.public_id)

    admin_client_en.post(changelist, {"action": "reactivate", "_selected_action": [owner.pk]})

    owner.refresh_from_db()
    assert owner.is_active
    assert audited("accounts.user_reactivate") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "officer_with", "plain_staff"])
def test_only_administrators_with_the_permission_use_these_services(people: dict[str, Any], who: str) -> None:
    actor = UserFactory.create(is_staff=True) if who == "plain_staff" else people[who]
    authorisation = BusinessAuthorisationFactory.create(user=people["other_citizen"])

    with pytest.raises(PermissionDenied):
        services.business_authorisation_revoke(actor=actor, authorisation_id=authorisation.pk)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=actor, user_public_id=people["other_citizen"].public_id, active=False)

    authorisation.refresh_from_db()
    people["other_citizen"].refresh_from_db()
    assert authorisation.revoked_at is None
    assert people["other_citizen"].is_active
    assert not AuditEntry.objects.filter(
        action__in=["accounts.business_authorisation_revoke", "accounts.user_deactivate"]
    ).exists()


@pytest.mark.django_db
def test_staff_with_the_permission_close_citizens_accounts_but_not_a_superusers(
    superuser: User, people: dict[str, Any]
) -> None:
    staff = UserFactory.create(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="accounts", codename="change_user")
    )
    staff = User.objects.get(pk=staff.pk)  # permissions are cached per instance

    services.user_set_active(actor=staff, user_public_id=people["owner"].public_id, active=False)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=staff, user_public_id=superuser.public_id, active=False)

    superuser.refresh_from_db()
    people["owner"].refresh_from_db()
    assert (people["owner"].is_active, superuser.is_active) == (False, True)
    assert audited("accounts.user_deactivate") == 1
