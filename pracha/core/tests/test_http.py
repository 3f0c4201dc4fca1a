"""core.http: serving a private file, domain errors on forms or as the 404/403 pages, and the decorators
of signed-in pages and officers' desks."""

from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from pracha.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pracha.core.http import desk_page, private_file_response, show_on_form, signed_in_page
from pracha.core.storage import private_storage


@pytest.fixture
def stored(settings: Any, tmp_path: Any) -> str:
    settings.PRACHA_PRIVATE_ROOT = tmp_path
    return private_storage().save("files/report.pdf", ContentFile(b"%PDF-1.7 private"))


def test_a_private_file_is_streamed_from_storage_as_an_uncached_attachment(stored, tmp_path):
    response = private_file_response(stored, filename="ใบอนุญาต-th.pdf", content_type="application/pdf")
    assert response.streaming is True
    # Streamed from the open file on disk, not from a copy read into memory.
    assert response.file_to_stream.name == str(tmp_path / "files" / "report.pdf")
    assert dict(response.items()) == {
        "Content-Type": "application/pdf",
        "Content-Length": "16",
        "Content-Disposition": "attachment; filename*=utf-8''%E0%B9%83%E0%B8%9A%E0%B8%AD%E0%B8%99%E0%B8%B8"
        "%E0%B8%8D%E0%B8%B2%E0%B8%95-th.pdf",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    assert b"".join(response.streaming_content) == b"%PDF-1.7 private"
    # Not response.close(): that signals the end of a request, which touches the database.
    response.file_to_stream.close()


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def test_a_refusal_people_can_act_on_goes_on_the_form():
    form = NoteForm(data={"note": "x"})
    assert form.is_valid()
    show_on_form(form, InvalidInput(fields={"note": ["Too short."]}))
    show_on_form(form, Conflict("Already done."))
    assert form.errors == {"note": ["Too short."], "__all__": ["Already done."]}


@pytest.mark.parametrize("error", [NotFound("No such thing."), PermissionDenied("Not yours.")])
def test_not_found_and_not_allowed_are_raised_for_the_404_and_403_pages(error):
    with pytest.raises(type(error)):
        show_on_form(NoteForm(data={}), error)


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def request_by(user: Any, method: str = "get") -> HttpRequest:
    request = getattr(RequestFactory(), method)("/desk/")
    request.user = user
    return request


class Officer:
    is_authenticated = True
    may_use_desk = True


def test_a_signed_in_page_sends_anonymous_people_to_sign_in_and_is_never_cached():
    view = signed_in_page("GET")(ok)
    assert view(request_by(AnonymousUser())).status_code == 302
    response = view(request_by(Officer()))
    assert (response.status_code, response["Cache-Control"]) == (
        200,
        "max-age=0, no-cache, no-store, must-revalidate, private",
    )
    assert view(request_by(Officer(), "post")).status_code == 405


def test_a_desk_page_is_only_for_whom_it_allows():
    view = desk_page("GET", allowed=lambda user: user.may_use_desk, refusal="Only officers.")(ok)
    assert view(request_by(Officer())).status_code == 200
    refused = Officer()
    refused.may_use_desk = False
    with pytest.raises(HttpForbidden, match=r"^Only officers\.$"):
        view(request_by(refused))
    assert view(request_by(AnonymousUser())).status_code == 302
