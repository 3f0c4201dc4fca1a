import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from pracha.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
)


@pytest.mark.parametrize(
    ("error_class", "code", "status", "message"),
    [
        (DomainError, "error", 400, "The request could not be completed."),
        (
            InvalidInput,
            "invalid_input",
            400,
            "Some of the information given is not valid. Please check and try again.",
        ),
        (NotAuthenticated, "not_authenticated", 401, "Please sign in first."),
        (PermissionDenied, "permission_denied", 403, "You do not have permission to do this."),
        (NotFound, "not_found", 404, "We could not find what you asked for."),
        (Conflict, "conflict", 409, "This cannot be done in the record's current state."),
        (RateLimited, "rate_limited", 429, "Too many attempts. Please wait a while and try again."),
    ],
)
def test_each_error_has_a_stable_code_status_and_default_message(error_class, code, status, message):
    error = error_class()
    assert error.status == status
    with translation.override("en"):
        assert error.as_dict() == {"code": code, "message": message, "fields": {}}
        assert str(error) == message
    assert issubclass(error_class, DomainError)


def test_as_dict_gives_plain_strings_for_lazy_messages_and_fields():
    error = InvalidInput(
        gettext_lazy("Please sign in first."),
        fields={"national_id": [gettext_lazy("This field is required."), "Second problem"]},
    )
    with translation.override("en"):
        result = error.as_dict()
    assert result == {
        "code": "invalid_input",
        "message": "Please sign in first.",
        "fields": {"national_id": ["This field is required.", "Second problem"]},
    }
    assert type(result["message"]) is str
    assert all(type(m) is str for m in result["fields"]["national_id"])  # type: ignore[index]


def test_a_custom_message_replaces_the_default():
    error = NotFound("No application with that reference.")
    assert error.as_dict() == {
        "code": "not_found",
        "message": "No application with that reference.",
        "fields": {},
    }
    assert error.fields == {}
