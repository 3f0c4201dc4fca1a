"""The home page, the layout every page shares, the language switch and the error pages."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from pracha.accounts.models import Business
from pracha.portal.views import server_error

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_home_is_in_thai_by_default(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "th"
    html = response.content.decode()
    assert '<html lang="th" class="govuk-template">' in html
    assert (
        '<button type="submit" name="language" value="th" lang="th" class="pracha-link-button" '
        'aria-current="true">ไทย</button>'
    ) in html
    assert (
        '<button type="submit" name="language" value="en" lang="en" class="pracha-link-button">'
        "English</button>"
    ) in html


def test_home_is_in_english_after_choosing_english(client: Client) -> None:
    response = english(client).get("/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en" class="govuk-template">' in html
    assert "<title>Government services in one place – Pracha</title>" in html
    assert '<h1 class="govuk-heading-xl">Pracha</h1>' in html
    assert 'aria-current="true">English</button>' in html


def test_home_offers_sign_in_sign_up_and_the_directory_to_anonymous_people(client: Client) -> None:
    html = english(client).get("/").content.decode()

    assert '<a href="/accounts/login/" role="button" draggable="false" class="govuk-button"' in html
    assert '<a class="govuk-link" href="/accounts/signup/">Create an account</a>' in html
    assert '<a class="govuk-link" href="/agencies/">Directory of government agencies</a>' in html
    assert '<a class="govuk-service-navigation__link" href="/accounts/login/">Sign in</a>' in html
    assert '<a class="govuk-service-navigation__link" href="/accounts/signup/">Sign up</a>' in html
    assert "Sign out" not in html


def test_signed_in_people_get_a_sign_out_button_not_sign_in(client: Client, people: dict) -> None:
    client.force_login(people["owner"])

    html = english(client).get("/").content.decode()

    assert '<form method="post" action="/accounts/logout/">' in html
    assert (
        '<button type="submit" class="pracha-link-button govuk-service-navigation__link">Sign out</button>'
        in html
    )
    assert "/accounts/login/" not in html
    assert "/accounts/signup/" not in html


def test_the_sign_out_button_signs_out(client: Client, people: dict) -> None:
    client.force_login(people["owner"])

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_current_page_is_marked_in_the_navigation(client: Client) -> None:
    html = english(client).get("/agencies/").content.decode()

    assert '<a class="govuk-service-navigation__link" href="/agencies/" aria-current="page">' in html
    assert '<strong class="govuk-service-navigation__active-fallback">Agencies</strong>' in html


def test_every_page_has_skip_link_phase_banner_official_domain_and_licence(client: Client) -> None:
    html = english(client).get("/").content.decode()

    assert '<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert '<strong class="govuk-tag govuk-phase-banner__content__tag">Alpha</strong>' in html
    assert f"Genuine Pracha pages and messages only come from {settings.PRACHA_OFFICIAL_DOMAIN}" in html
    assert 'href="https://www.apache.org/licenses/LICENSE-2.0" rel="license">Apache License 2.0</a>' in html
    assert '<link rel="stylesheet" href="/static/build/pracha.css">' in html
    assert 'import { initAll } from "/static/govuk/govuk-frontend.min.js";' in html


@override_settings(PRACHA_OFFICIAL_DOMAIN="pracha.go.th")
def test_official_domain_comes_from_settings(client: Client) -> None:
    html = english(client).get("/").content.decode()

    assert "Genuine Pracha pages and messages only come from pracha.go.th" in html


def test_language_switch_posts_back_to_the_same_page(client: Client) -> None:
    html = client.get("/agencies/?page=2").content.decode()
    assert '<form class="pracha-language-switch" method="post" action="/i18n/setlang/" aria-label="' in html
    assert '<input type="hidden" name="next" value="/agencies/?page=2">' in html

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/agencies/?page=2"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/agencies/?page=2"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/").headers["Content-Language"] == "en"


def test_language_switch_refuses_to_redirect_off_site(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_messages_are_shown_in_notification_banners(client: Client, people: dict) -> None:
    # Signing out adds a message in allauth; it is shown on the next page.
    client.force_login(people["owner"])
    response = english(client).post("/accounts/logout/", follow=True)

    html = response.content.decode()
    assert 'class="govuk-notification-banner govuk-notification-banner--success" role="alert"' in html
    assert '<h2 class="govuk-notification-banner__title" id="message-1-title">Success</h2>' in html


def test_acting_for_banner_names_the_business(rf: RequestFactory) -> None:
    business = Business(
        juristic_number="0105550000001", name_th="บริษัท ทดสอบ จำกัด", name_en="Test Company Limited"
    )
    request = rf.get("/")
    request.acting_for = business  # type: ignore[attr-defined]  # what ActingForMiddleware attaches

    with translation.override("en"):
        html = render_to_string("portal/home.html", request=request)

    assert '<div class="govuk-notification-banner" role="region" aria-labelledby="acting-for-title">' in html
    assert '<p class="govuk-notification-banner__heading">You are acting for Test Company Limited</p>' in html


def test_no_acting_for_banner_without_a_business(client: Client) -> None:
    assert "acting-for-title" not in client.get("/").content.decode()


def test_not_found_page_in_thai_and_english(client: Client) -> None:
    thai = client.get("/no-such-page/")
    assert thai.status_code == 404
    assert '<html lang="th" class="govuk-template">' in thai.content.decode()

    response = english(client).get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en" class="govuk-template">' in html
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert 'You can start again from the <a class="govuk-link" href="/">home page</a>.' in html


@override_settings(ROOT_URLCONF="pracha.portal.tests.urls_failing")
def test_permission_denied_page(client: Client) -> None:
    response = english(client).get("/denied/")

    assert response.status_code == 403
    assert '<h1 class="govuk-heading-l">You cannot see this page</h1>' in response.content.decode()


@override_settings(ROOT_URLCONF="pracha.portal.tests.urls_failing")
def test_bad_request_page(client: Client) -> None:
    response = english(client).get("/bad/")

    assert response.status_code == 400
    assert (
        '<h1 class="govuk-heading-l">Sorry, there is a problem with the request</h1>'
        in response.content.decode()
    )


@override_settings(ROOT_URLCONF="pracha.portal.tests.urls_failing")
def test_server_error_page_in_the_persons_language(client: Client) -> None:
    client.raise_request_exception = False

    response = english(client).get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="en" class="govuk-template">' in html
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>' in html
    assert "Genuine Pracha pages and messages only come from" in html
    # Nothing that needs the request, the session or the user: no CSRF token, no language form.
    assert "csrfmiddlewaretoken" not in html


def test_server_error_page_renders_from_a_bare_request(rf: RequestFactory) -> None:
    # No session, no user, no middleware at all: the handler must still answer.
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "<title>" in response.content.decode()


def test_home_url_name() -> None:
    assert reverse("portal:home") == "/"
