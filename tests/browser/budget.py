"""Page weight: what a page costs to load, for people on slow or metered mobile connections.

Bodies are counted uncompressed (the test server does not compress; production's whitenoise and nginx
do, to about a third), every request of the page including styles, script and fonts, on a cold cache.
"""

from playwright.sync_api import Page, Request

# The budget per page, in kilobytes of uncompressed bodies. Today the home page is about 205 KB:
# 110 KB of CSS, 47 KB of design-system script, 42 KB of Thai and Latin fonts and the HTML.
PAGE_BUDGET_KB = 250


def page_weight(page: Page, path: str) -> dict[str, int]:
    """Open path in a fresh page and return the body size of every request it made, by URL."""
    sizes: dict[str, int] = {}

    def record(request: Request) -> None:
        sizes[request.url] = request.sizes()["responseBodySize"]

    page.on("requestfinished", record)
    page.goto(path)
    page.evaluate("() => document.fonts.ready")
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", record)
    return sizes
