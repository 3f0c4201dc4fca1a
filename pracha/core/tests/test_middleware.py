"""LanguageMiddleware (Thai first, English by cookie) and RequestContextMiddleware (channel, client IP)."""

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import translation

from pracha.core.context import RequestContext, current_context, use_context
from pracha.core.middleware import LanguageMiddleware, RequestContextMiddleware, client_ip

COOKIE = settings.LANGUAGE_COOKIE_NAME


class Recorder:
    """A view that notes what the middleware set up while the request was being handled."""

    def __init__(self) -> None:
        self.language: str | None = None
        self.context: RequestContext | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.language = translation.get_language()
        self.context = current_context()
        return HttpResponse("ok")


@pytest.fixture
def rf() -> RequestFactory:
    return RequestFactory()


def test_the_cookie_name_is_the_one_the_language_switch_sets():
    assert COOKIE == "pracha_language"


@pytest.mark.parametrize("accept_language", ["", "en", "en-US,en;q=0.9", "th"])
def test_thai_by_default_whatever_the_browser_asks_for(rf, accept_language):
    view = Recorder()
    request = rf.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    response = LanguageMiddleware(view)(request)
    assert view.language == "th"
    assert request.LANGUAGE_CODE == "th"  # type: ignore[attr-defined]
    assert response.headers["Content-Language"] == "th"


def test_english_when_the_person_chose_it(rf):
    view = Recorder()
    request = rf.get("/", HTTP_ACCEPT_LANGUAGE="th")
    request.COOKIES[COOKIE] = "en"
    response = LanguageMiddleware(view)(request)
    assert view.language == "en"
    assert request.LANGUAGE_CODE == "en"  # type: ignore[attr-defined]
    assert response.headers["Content-Language"] == "en"


@pytest.mark.parametrize("cookie", ["fr", "EN", "en-us", "", "th;en", "<script>"])
def test_an_unknown_cookie_value_falls_back_to_thai(rf, cookie):
    view = Recorder()
    request = rf.get("/", HTTP_ACCEPT_LANGUAGE="en")
    request.COOKIES[COOKIE] = cookie
    response = LanguageMiddleware(view)(request)
    assert view.language == "th"
    assert response.headers["Content-Language"] == "th"


def test_the_language_does_not_leak_into_the_next_request(rf):
    english = rf.get("/")
    english.COOKIES[COOKIE] = "en"
    LanguageMiddleware(Recorder())(english)
    view = Recorder()
    LanguageMiddleware(view)(rf.get("/"))
    assert view.language == "th"


def test_a_content_language_set_by_the_view_is_kept(rf):
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("ok")
        response.headers["Content-Language"] = "en"
        return response

    assert LanguageMiddleware(view)(rf.get("/")).headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_through_the_whole_stack_the_browser_language_is_ignored(client):
    # The API health check is served by the project itself, so this does not depend on any page.
    response = client.get("/api/v1/health", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "th"
    client.cookies[COOKIE] = "en"
    assert client.get("/api/v1/health").headers["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("path", "channel"), [("/", "web"), ("/accounts/login/", "web"), ("/api/v1/x", "api")]
)
def test_the_channel_follows_the_path(rf, path, channel):
    view = Recorder()
    RequestContextMiddleware(view)(rf.get(path, REMOTE_ADDR="203.0.113.9"))
    assert view.context == RequestContext(channel=channel, client_ip="203.0.113.9", on_behalf_of="")


def test_the_context_is_reset_after_the_request(rf):
    RequestContextMiddleware(Recorder())(rf.get("/api/v1/x", REMOTE_ADDR="203.0.113.9"))
    assert current_context() == RequestContext(channel="system", client_ip=None, on_behalf_of="")


def test_the_context_is_reset_even_when_the_view_fails(rf):
    def failing(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        RequestContextMiddleware(failing)(rf.get("/"))
    assert current_context() == RequestContext()


@override_settings(PRACHA_TRUST_X_REAL_IP=False)
def test_x_real_ip_is_ignored_unless_the_proxy_is_trusted(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="198.51.100.7")
    assert client_ip(request) == "10.0.0.5"


@override_settings(PRACHA_TRUST_X_REAL_IP=True)
def test_x_real_ip_is_used_behind_the_trusted_proxy(rf):
    view = Recorder()
    RequestContextMiddleware(view)(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.7"))
    assert view.context is not None
    assert view.context.client_ip == "198.51.100.7"
    # Without the header, the socket address is still recorded.
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


def test_no_address_at_all_gives_none(rf):
    request = rf.get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) is None


def test_use_context_nests_and_restores():
    outer = RequestContext(channel="web", client_ip="192.0.2.1")
    inner = RequestContext(channel="system", on_behalf_of="นางสาวสมหญิง ใจดี")
    assert current_context() == RequestContext()
    with use_context(outer) as given:
        assert given is outer
        assert current_context() is outer
        with use_context(inner):
            assert current_context() is inner
        assert current_context() is outer
    assert current_context() == RequestContext()


def test_default_context_is_the_system_channel():
    assert RequestContext() == RequestContext(channel="system", client_ip=None, on_behalf_of="")


def test_responses_vary_on_the_cookie_that_carries_the_language():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from pracha.core.middleware import LanguageMiddleware

    response = LanguageMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))

    assert response.headers["Vary"] == "Cookie"
