"""The reporter pages hold still while their scripts draw them: Cumulative Layout Shift (CLS)
at most 0.1 on every page, on a desktop window and a phone, as Chromium measures it.

A frightened reporter reaching for "Start" or "Quick exit" must not have it move. Chromium
reports each movement of a visible element as a `layout-shift` performance entry; CLS sums
their `value`s, leaving out shifts that follow the person's own input within 500 ms
(`hadRecentInput`): a page that grows under a click is expected to move. The observer is
registered before any of the page's own scripts run (`add_init_script`), with `buffered: true`
so it also gets the shifts of the first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.form import FORM_PATH, REFERENCE, current_step, open_form, walk

pytestmark = pytest.mark.browser

#: Google's "good" threshold for Cumulative Layout Shift (web.dev/articles/cls).
GOOD_CLS = 0.1
DESKTOP = {"width": 1280, "height": 900}
#: Lighthouse's mobile emulation (a Moto G Power): the first screen most reporters see.
PHONE = {"width": 412, "height": 823}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])

#: Runs in every document before its scripts: sums the shifts not caused by input, and keeps
#: which elements moved, for the failure message.
OBSERVE_LAYOUT_SHIFTS = """
(() => {
  const shifts = { total: 0, moved: [] };
  window.__layoutShifts = shifts;
  const describe = (node) => {
    if (!node || node.nodeType !== 1) return String(node && node.nodeName);
    const id = node.id ? `#${node.id}` : "";
    const cls = node.className && typeof node.className === "string"
      ? `.${node.className.trim().split(/\\s+/).join(".")}` : "";
    return `${node.tagName.toLowerCase()}${id}${cls}`;
  };
  const record = (entries) => {
    for (const entry of entries) {
      if (entry.hadRecentInput) continue;
      shifts.total += entry.value;
      shifts.moved.push({
        value: entry.value,
        nodes: (entry.sources || []).map((source) => describe(source.node)),
      });
    }
  };
  const observer = new PerformanceObserver((list) => record(list.getEntries()));
  observer.observe({ type: "layout-shift", buffered: true });
  shifts.flush = () => record(observer.takeRecords());
})();
"""

#: Resolves after two frames: whatever was laid out has been painted.
NEXT_FRAMES = """
() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
"""

#: Waits two frames (so the last layout is done and its entries are queued), then reads.
READ_LAYOUT_SHIFTS = """
async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const shifts = window.__layoutShifts;
  shifts.flush();
  return { total: shifts.total, moved: shifts.moved };
}
"""

#: A witness reporting for someone else, anonymously: one answer per required question.
ANSWERS: dict[str, str] = {
    "reporter_role": "staff",
    "reporting_for": "someone_else",
    "affected_role": "student",
    "what_happened": "verbal_harassment",
    "when": "last_week",
    "where": "online",
    "immediate_danger": "no",
    "mode": "anonymous",
}


def observed_page(open_page: Callable[..., Page], viewport: dict[str, int]) -> Page:
    """A fresh page whose every document counts its layout shifts from the first paint."""
    page = open_page(**viewport)
    page.add_init_script(OBSERVE_LAYOUT_SHIFTS)
    return page


def open_painted_before_scripts(page: Page, path: str) -> None:
    """Open `path` as a slow network delivers it: the HTML and the stylesheet are on screen
    before the page's scripts arrive, so whatever the scripts then draw or translate is
    drawn over a page the reporter already sees. (On this machine the scripts would
    otherwise often run before the first paint and hide a shift a phone would show.)"""
    held: list[Route] = []

    def hold(route: Route) -> None:
        if held_back:
            held.append(route)
        else:
            route.continue_()

    held_back = True
    page.route("**/report/*.js", hold)
    with page.expect_request("**/report/*.js"):
        page.goto(path, wait_until="commit")
    expect(page.locator("main").first).to_be_visible()
    page.evaluate(NEXT_FRAMES)  # painted, and the script's request is held
    assert held, "the page's script was not held back"
    held_back = False
    for route in held:
        route.continue_()


def layout_shift(page: Page) -> dict[str, Any]:
    """The page's CLS so far (shifts not caused by input) and what moved."""
    shifts: dict[str, Any] = page.evaluate(READ_LAYOUT_SHIFTS)
    return shifts


def expect_steady(page: Page, moment: str) -> None:
    """The page's layout shift so far is within the good threshold."""
    shifts = layout_shift(page)
    assert shifts["total"] <= GOOD_CLS, (
        f"{page.url} {moment}: CLS {shifts['total']:.3f} > {GOOD_CLS}; moved: {shifts['moved']}"
    )


@VIEWPORTS
def test_the_form_holds_still_while_its_first_step_is_drawn(
    open_page: Callable[..., Page], viewport: dict[str, int]
) -> None:
    page = observed_page(open_page, viewport)

    open_painted_before_scripts(page, FORM_PATH)

    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report and get support")
    expect(page.get_by_role("button", name="Start")).to_be_visible()
    expect_steady(page, "once the start page is drawn")


@VIEWPORTS
def test_the_form_in_welsh_holds_still_while_its_first_step_is_drawn(
    open_page: Callable[..., Page], viewport: dict[str, int]
) -> None:
    page = observed_page(open_page, viewport)

    # The page arrives in English; the script translates it.
    open_painted_before_scripts(page, f"{FORM_PATH}?lang=cy")

    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rhoi gwybod a chael cymorth")
    expect(page.get_by_role("button", name="Dechrau")).to_be_visible()
    expect_steady(page, "once the start page is drawn in Welsh")


@VIEWPORTS
def test_the_form_reopened_mid_report_holds_still(
    open_page: Callable[..., Page], viewport: dict[str, int]
) -> None:
    page = observed_page(open_page, viewport)
    open_form(page)
    page.get_by_role("button", name="Start").click()
    expect(page.locator("main [data-step=reporter_role]")).to_be_visible()

    # A fresh document in the same tab: the script draws the saved step into the page.
    open_painted_before_scripts(page, FORM_PATH)

    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    assert current_step(page) == "reporter_role"
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    expect_steady(page, "once the saved step is drawn")


def test_the_form_holds_still_through_every_step_to_the_confirmation(
    open_page: Callable[..., Page],
) -> None:
    page = observed_page(open_page, PHONE)
    open_painted_before_scripts(page, FORM_PATH)
    expect(page.locator("main [data-step=start]")).to_be_visible()

    def answer(step: str) -> None:
        if step in ANSWERS:
            page.locator(f'input[name="{step}"][value="{ANSWERS[step]}"]').check()

    walk(
        page,
        lambda shown, step: expect_steady(shown, f"at step {step!r}"),
        answer,
        lambda: page.locator("main [data-form] button[type=submit]").click(),
        until="review",
    )
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("[data-testid=reference]")).to_have_text(REFERENCE)
    expect_steady(page, "once the confirmation is drawn")

    # A fresh document in the same tab: the confirmation drawn from this tab's receipt.
    open_painted_before_scripts(page, FORM_PATH)

    expect(page.locator("[data-testid=reference]")).to_have_text(REFERENCE)
    expect_steady(page, "once the reloaded confirmation is drawn")


@VIEWPORTS
@pytest.mark.parametrize(
    ("path", "drawn"),
    [
        ("/report/resources.html", "main .resource-list"),
        ("/report/privacy.html", "main .lead"),
        ("/report/policies.html", "main [data-policies]"),
        ("/report/follow-up.html", "main #receipt-code"),
    ],
    ids=["resources", "privacy", "policies", "follow-up"],
)
def test_the_support_privacy_policies_and_follow_up_pages_hold_still_while_drawn(
    open_page: Callable[..., Page], viewport: dict[str, int], path: str, drawn: str
) -> None:
    page = observed_page(open_page, viewport)

    open_painted_before_scripts(page, path)

    expect(page.locator(drawn).first).to_be_visible()
    expect(page.locator("main h1")).to_be_visible()
    expect_steady(page, "once drawn")
