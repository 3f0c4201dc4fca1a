from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pracha.accounts import services
from pracha.accounts.models import ApiToken, Business, BusinessAuthorisation, User
from pracha.core.errors import DomainError


def _admin(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


PERSONAL_FIELDS = [
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
]


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    """People sign up and correct their own details; here administrators see them and switch access."""

    list_display = ["national_id", "first_name_th", "last_name_th", "email", "assurance_level", "is_active"]
    list_filter = ["assurance_level", "is_active", "is_staff"]
    search_fields = ["national_id", "first_name_th", "last_name_th", "first_name_en", "last_name_en", "email"]
    # The password hash is never shown, not even in its hashed form.
    fields = [*PERSONAL_FIELDS, "is_active", "is_staff", "is_superuser"]
    readonly_fields = PERSONAL_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Deleting a person would orphan what the audit log says about them; deactivate instead.
        return False


class BusinessAuthorisationInline(admin.TabularInline[BusinessAuthorisation, Business]):
    model = BusinessAuthorisation
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "revoked_at"]


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin[Business]):
    list_display = ["juristic_number", "name_th", "name_en"]
    search_fields = ["juristic_number", "name_th", "name_en"]
    readonly_fields = ["public_id"]
    inlines = [BusinessAuthorisationInline]


@admin.register(BusinessAuthorisation)
class BusinessAuthorisationAdmin(admin.ModelAdmin[BusinessAuthorisation]):
    list_display = ["business", "user", "role", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["business__name_th", "business__juristic_number", "user__national_id"]
    autocomplete_fields = ["business", "user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are made and revoked through the services: the key is shown once, only its hash is kept."""

    list_display = ["name", "prefix", "user", "agency", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["agency"]
    search_fields = ["name", "prefix", "user__national_id"]
    readonly_fields = [
        "public_id",
        "name",
        "prefix",
        "user",
        "agency",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return ("name", "agency") if obj is None else tuple(self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return [] if obj is None else list(self.readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Administrators may mint a token for any agency; officers use their account page.
        return bool(getattr(request.user, "is_superuser", False))

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: ModelForm[ApiToken], change: bool
    ) -> None:
        token, key = services.api_token_create(
            actor=_admin(request), name=obj.name, agency_code=obj.agency.code if obj.agency else ""
        )
        # The admin goes on to log and link the object it was given; point it at the one the service made.
        obj.pk, obj.public_id, obj.prefix, obj.user = token.pk, token.public_id, token.prefix, token.user
        messages.warning(
            request,
            _("The key of the token “%(name)s” is %(key)s — copy it now: it will not be shown again.")
            % {"name": token.name, "key": key},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = _admin(request)
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                services.api_token_revoke(actor=actor, token_public_id=token.public_id)
            except DomainError as error:
                self.message_user(request, f"{token}: {error.message}", messages.ERROR)
            else:
                revoked += 1
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": revoked}, messages.SUCCESS)
