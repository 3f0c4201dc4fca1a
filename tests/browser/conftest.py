"""The browser test harness: the platform as a real server, driven by headless Chromium.

Fixtures, for any test marked `@pytest.mark.browser`:
  base_url        the live server's address (pytest-django's live_server: a real HTTP server on a free
                  loopback port, serving static files; the test's database is shared with it)
  browser         one Chromium for the whole session (Debian's /usr/bin/chromium, never downloaded)
  context / page  a fresh browser context (cookies, storage) and page per test, JavaScript on
  page_without_js the same with JavaScript off, to prove a page works without it
  sign_in         sign_in(context, user): the browser is signed in as user, without the sign-in form
The helper `assert_no_axe_violations(page)` is in tests/browser/axe.py (`from .axe import ...`).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from .axe import mark_without_javascript

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path(os.environ.get("PRACHA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STYLESHEET = ROOT / "pracha" / "static" / "build" / "pracha.css"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    if not STYLESHEET.exists():
        pytest.fail(f"{STYLESHEET.relative_to(ROOT)} is missing: run `npm run build:css` (or `make setup`)")
    # Playwright's sync API keeps an asyncio loop running in this thread, which makes Django refuse
    # database calls from the test ("cannot call this from an async context"). The test code is plain
    # synchronous code, so allow it for as long as Playwright runs, and only then.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def base_url(live_server: Any) -> str:
    """The running platform; requesting it gives the test a transactional database the server shares."""
    return str(live_server.url)


def _new_context(browser: Browser, **options: Any) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    context = _new_context(browser, base_url=base_url)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def page_without_js(browser: Browser, base_url: str) -> Iterator[Page]:
    context = _new_context(browser, base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    mark_without_javascript(page)
    yield page
    context.close()


@pytest.fixture
def sign_in(base_url: str) -> Callable[[BrowserContext, Any], None]:
    """Sign a browser context in as a user by giving it a session made by Django's test client.

    For tests about what signed-in people see; the sign-in form itself is tested through the form.
    """

    def sign_in(context: BrowserContext, user: Any) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])

    return sign_in


@pytest.fixture
def new_page_without_js(browser: Browser, base_url: str) -> Iterator[Callable[[], Page]]:
    """new_page_without_js(): one more page with JavaScript off, in a context of its own (its own cookies),
    for tests where two people take turns, each in their own browser."""
    contexts: list[BrowserContext] = []

    def new_page() -> Page:
        context = _new_context(browser, base_url=base_url, java_script_enabled=False)
        contexts.append(context)
        page = context.new_page()
        mark_without_javascript(page)
        return page

    yield new_page
    for context in contexts:
        context.close()
