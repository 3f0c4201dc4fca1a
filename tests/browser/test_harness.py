"""The harness itself: axe-core must be able to fail, with and without JavaScript in the page."""

import pytest
from playwright.sync_api import Page

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

INACCESSIBLE = """<!DOCTYPE html><html><head><title>Bad</title></head><body><main>
<img src="/static/govuk/assets/images/favicon.svg">
<p style="color:#aaa;background:#fff">Low contrast</p>
</main></body></html>"""


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_axe_reports_each_violation_readably(request: pytest.FixtureRequest, javascript: bool) -> None:
    target: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    target.set_content(INACCESSIBLE)

    with pytest.raises(AssertionError) as raised:
        assert_no_axe_violations(target)

    report = str(raised.value)
    assert "axe-core found 3 accessibility violation(s)" in report
    assert "- image-alt (critical): Images must have alternative text" in report
    assert "- color-contrast (serious): Elements must meet minimum color contrast ratio thresholds" in report
    assert "- html-has-lang (serious)" in report
    assert "    at img" in report
