"""axe-core run inside the page: no serious or critical WCAG 2 A/AA violation.

axe-core is a test dependency pinned in package.json (`make install` runs `npm ci`). Its
source goes in through the DevTools protocol (Playwright's evaluate), which the page's
Content-Security-Policy does not govern, so the CSP real users get stays as strict as it is.
"""

import pytest

from tests.browser.conftest import ROOT, assert_no_sideways_scroll

AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
# The partner's phones: the common 375 px and the narrowest still in use, 320 px.
PHONE_SIZES = {"375": (375, 812), "320": (320, 640)}

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """Every WCAG 2 A/AA violation axe finds on the page as it is now."""
    if not AXE_SOURCE.is_file():
        pytest.fail("axe-core is not installed (node_modules is missing): run `make install`.")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text())
    return page.evaluate(_RUN_AXE, WCAG_TAGS)


def describe(violations: list[dict]) -> str:
    lines = []
    for found in violations:
        lines.append(f"- {found['rule']} ({found['impact']}): {found['help']}")
        lines += [f"    {target}" for target in found["targets"][:8]]
    return "\n".join(lines)


def assert_accessible(page, what: str) -> None:
    """Fails with a readable list of the serious and critical violations on the page."""
    failing = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"{what}: accessibility violations\n{describe(failing)}"


def check_on_phones(page, what: str, screenshot=None) -> None:
    """At 375 and 320 px wide: accessible and no sideways scrolling; `screenshot(size)` names
    the file to save each size to, if given. The page's own viewport is restored after."""
    before = page.viewport_size
    for size, (width, height) in PHONE_SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        assert_no_sideways_scroll(page, f"{what} at {size} px")
        assert_accessible(page, f"{what} at {size} px")
        if screenshot is not None:
            page.screenshot(path=screenshot(size), full_page=True)
    page.set_viewport_size(before)
