"""Domain errors: a stable machine-readable code, a translated message and the fields at fault.

Views render them as an accessible error summary; the API returns them as {"code", "message", "fields"}.
"""

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FieldErrors = Mapping[str, Sequence[str | Promise]]


class DomainError(Exception):
    code = "error"
    status = 400
    default_message: str | Promise = _("The request could not be completed.")

    def __init__(self, message: str | Promise | None = None, *, fields: FieldErrors | None = None) -> None:
        self.message = message if message is not None else self.default_message
        given = fields or {}
        self.fields: dict[str, list[str | Promise]] = {name: list(errors) for name, errors in given.items()}
        super().__init__(str(self.message))

    def __str__(self) -> str:
        # Translated when shown, not when raised: the language may change in between.
        return str(self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {name: [str(m) for m in messages] for name, messages in self.fields.items()},
        }


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 400
    default_message = _("Some of the information given is not valid. Please check and try again.")


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    default_message = _("Please sign in first.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("We could not find what you asked for.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("This cannot be done in the record's current state.")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many attempts. Please wait a while and try again.")
