"""assert_no_axe_violations(page): axe-core's WCAG 2.x A/AA rules run in the page, a readable failure."""

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


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

    The script is added from node_modules rather than the server, so it also works on a page of another
    origin, and is evaluated directly so it runs even in a context with JavaScript disabled.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": tags or WCAG_TAGS}, "resultTypes": ["violations"]}
    results = page.evaluate("options => axe.run(document, options)", options)
    violations = results["violations"]
    assert not violations, f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n" + (
        format_violations(violations)
    )
