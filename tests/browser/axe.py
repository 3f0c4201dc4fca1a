"""assert_no_axe_violations(page): axe-core's WCAG 2.x A/AA rules run in the page, a readable failure."""

import weakref
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_pages_without_javascript: "weakref.WeakSet[Page]" = weakref.WeakSet()


def mark_without_javascript(page: Page) -> None:
    """Tell the helper this page's context has JavaScript off (conftest's page_without_js does)."""
    _pages_without_javascript.add(page)


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def _run_axe(page: Page, tags: list[str]) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
    return list(page.evaluate("options => axe.run(document, options)", options)["violations"])


# The page's DOM as it is, without its scripts, and with a <base> so its styles and fonts still load.
SNAPSHOT = """() => {
  const root = document.documentElement.cloneNode(true);
  root.querySelectorAll("script").forEach(script => script.remove());
  const base = document.createElement("base");
  base.href = document.baseURI;
  root.querySelector("head").prepend(base);
  return "<!DOCTYPE html>" + root.outerHTML;
}"""


def assert_no_axe_violations(page: Page, *, tags: list[str] | None = None) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now and fail on any violation.

    The script is read from node_modules and evaluated directly, so it works whatever the page loads.
    axe needs timers, which never fire in a page without JavaScript; such a page's DOM is copied, without
    its scripts, into a scratch page with JavaScript on and checked there.
    """
    tags = tags or WCAG_TAGS
    browser = page.context.browser
    if page in _pages_without_javascript and browser is not None:
        scratch = browser.new_page(viewport=page.viewport_size)
        try:
            scratch.set_content(page.evaluate(SNAPSHOT))
            violations = _run_axe(scratch, tags)
        finally:
            scratch.context.close()
    else:
        violations = _run_axe(page, tags)
    assert not violations, f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n" + (
        format_violations(violations)
    )
