"""What administrators see of people, businesses and API tokens.

Read-only: every change to these goes through a service, which checks who may make it and writes the
audit record. The few changes offered here are actions that call those services.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pracha.accounts import selectors, services
from pracha.accounts.models import ApiToken, Business, BusinessAuthorisation, User
from pracha.core.admin import ReadOnlyAdmin
from pracha.core.errors import DomainError

PERSONAL_FIELDS = (
    "public_id",
    "national_id",
    "first_name_th",
    "last_name_th",
    "first_name_en",
    "last_name_en",
    "date_of_birth",
    "phone",
    "email",
    "assurance_level",
    "verified_at",
    "date_joined",
    "last_login",
)
ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser")


def _run(
    admin_site: admin.ModelAdmin[Any],
    request: HttpRequest,
    items: QuerySet[Any],
    change: Callable[[Any], object],
    done: str,
) -> None:
    """Call a service for each selected object; report each refusal and how many went through."""
    count = 0
    for item in items:
        try:
            change(item)
        except DomainError as error:
            admin_site.message_user(request, f"{item}: {error.message}", messages.ERROR)
        else:
            count += 1
    admin_site.message_user(request, done % {"count": count}, messages.SUCCESS)


@admin.register(User)
class UserAdmin(ReadOnlyAdmin[User]):
    """People sign up and correct their own details; here administrators see them and close or reopen
    accounts through the audited service. Who is staff or superuser is not changed here."""

    list_display = ["national_id", "first_name_th", "last_name_th", "email", "assurance_level", "is_active"]
    list_filter = ["assurance_level", "is_active", "is_staff"]
    search_fields = ["national_id", "first_name_th", "last_name_th", "first_name_en", "last_name_en", "email"]
    # The password hash is never shown, not even in its hashed form.
    fields = readonly_fields = (*PERSONAL_FIELDS, *ACCESS_FIELDS)
    actions = ["deactivate", "reactivate"]

    @admin.action(description=_("Close the selected accounts"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=False, done=str(_("%(count)d accounts closed.")))

    @admin.action(description=_("Reopen the selected accounts"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=True, done=str(_("%(count)d accounts reopened.")))

    def _set_active(self, request: HttpRequest, queryset: QuerySet[User], *, active: bool, done: str) -> None:
        actor = selectors.signed_in_person(request.user)
        _run(
            self,
            request,
            queryset,
            lambda person: services.user_set_active(
                actor=actor, user_public_id=person.public_id, active=active
            ),
            done,
        )


class BusinessAuthorisationInline(admin.TabularInline[BusinessAuthorisation, Business]):
    model = BusinessAuthorisation
    extra = 0
    fields = readonly_fields = ("user", "role", "created_at", "revoked_at")

    def has_add_permission(self, request: HttpRequest, obj: Business | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Business)
class BusinessAdmin(ReadOnlyAdmin[Business]):
    list_display = ["juristic_number", "name_th", "name_en"]
    search_fields = ["juristic_number", "name_th", "name_en"]
    fields = readonly_fields = ("public_id", "juristic_number", "name_th", "name_en")
    inlines = [BusinessAuthorisationInline]


@admin.register(BusinessAuthorisation)
class BusinessAuthorisationAdmin(ReadOnlyAdmin[BusinessAuthorisation]):
    """Who may act for which business. Granting happens elsewhere; here an administrator can revoke."""

    list_display = ["business", "user", "role", "created_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["business__name_th", "business__juristic_number", "user__national_id"]
    fields = readonly_fields = ("business", "user", "role", "created_at", "revoked_at")
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected authorisations"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[BusinessAuthorisation]) -> None:
        actor = selectors.signed_in_person(request.user)
        _run(
            self,
            request,
            queryset.filter(revoked_at__isnull=True),
            lambda item: services.business_authorisation_revoke(actor=actor, authorisation_id=item.pk),
            str(_("%(count)d authorisations revoked.")),
        )


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin[ApiToken]):
    """Tokens are created on the account page, the only place their key is ever shown; here they can be
    seen and revoked through the service."""

    list_display = ["name", "prefix", "user", "agency", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["agency"]
    search_fields = ["name", "prefix", "user__national_id"]
    fields = readonly_fields = (
        "public_id",
        "name",
        "prefix",
        "user",
        "agency",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = selectors.signed_in_person(request.user)
        _run(
            self,
            request,
            queryset.filter(revoked_at__isnull=True),
            lambda token: services.api_token_revoke(actor=actor, token_public_id=token.public_id),
            str(_("%(count)d tokens revoked.")),
        )
