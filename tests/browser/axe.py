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
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, *, tags: list[str] | None = None) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now and fail on any violation.

    The script is read from node_modules and evaluated directly, so it works whatever the page loads.
    axe needs timers, which do not run while scripting is off; for a page without JavaScript scripting is
    switched on just for the check (the page's own scripts, skipped when it was parsed, stay unrun).
    """
    without_javascript = page in _pages_without_javascript
    cdp = page.context.new_cdp_session(page) if without_javascript else None
    if cdp is not None:
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
    try:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
        options = {"runOnly": {"type": "tag", "values": tags or WCAG_TAGS}, "resultTypes": ["violations"]}
        results = page.evaluate("options => axe.run(document, options)", options)
    finally:
        if cdp is not None:
            cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
            cdp.detach()
    violations = results["violations"]
    assert not violations, f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n" + (
        format_violations(violations)
    )
