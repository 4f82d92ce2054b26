"""Driving the reporter form (`/report/`) as a person would: by keyboard or by pointer.

The form draws one step at a time into `<main>`; `[data-step]` names the step (a question
id, or `start`, `narrative`, `demographics`, `mode`, `contact`, `review`, `confirmation`),
`html[data-ready]` says the form data has loaded, and a choice's input has the id
`<question>-<option>` (see `web/README.md`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

FORM_PATH = "/report/"
EXIT_PATH = "/report/exit.html"
REFERENCE = re.compile(r"^RS-[23456789BCDFGHJKMNPQRSTWXZ]{4}-[23456789BCDFGHJKMNPQRSTWXZ]{4}$")
#: More Tab presses than any page of the form has stops: a target not reached is missing.
MAX_TABS = 80
#: Steps a report passes through before the review page, at most (about 15 questions, plus
#: the conditional ones, narrative, demographics, mode and contact).
MAX_STEPS = 30

Checkpoint = Callable[[Page, str], None]


def open_form(page: Page) -> None:
    """Load the form and wait until it has drawn its first step."""
    page.goto(FORM_PATH)
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("main [data-step]")).to_be_visible()


def current_step(page: Page) -> str:
    """The step the form shows now."""
    step = page.locator("main [data-step]").first.get_attribute("data-step")
    assert step, "the form shows no step"
    return step


def wait_for_step_change(page: Page, before: str) -> str:
    """The step after `before`, once the form has drawn it."""
    expect(page.locator("main [data-step]").first).not_to_have_attribute("data-step", before)
    return current_step(page)


# --- keyboard only -------------------------------------------------------------------------


def focused_matches(page: Page, selector: str) -> bool:
    """Whether the focused element matches a CSS selector."""
    return bool(
        page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        )
    )


def focused_description(page: Page) -> str:
    """The focused element, briefly (for failure messages)."""
    return str(
        page.evaluate(
            """() => {
                const e = document.activeElement;
                if (!e) return "nothing";
                const id = e.id ? ` id=${e.id}` : "";
                const name = e.name ? ` name=${e.name}` : "";
                const text = (e.textContent || "").trim().slice(0, 40);
                return `<${e.tagName.toLowerCase()}${id}${name}> ${text}`;
            }"""
        )
    )


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches `selector` (fails if it never does)."""
    for _ in range(MAX_TABS):
        if focused_matches(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(
        f"{MAX_TABS} Tab presses never reached {selector}; focus is on {focused_description(page)}"
    )


def choose_radio(page: Page, name: str, value: str) -> None:
    """Tab into a radio group and select `value` with the arrow keys and Space."""
    tab_to(page, f'input[type=radio][name="{name}"]')
    for _ in range(MAX_TABS):
        if focused_matches(page, f'input[type=radio][value="{value}"]'):
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError(f"the arrow keys never reached {name}={value}")
    if not focused_matches(page, ":checked"):
        page.keyboard.press("Space")
    expect(page.locator(f'input[name="{name}"][value="{value}"]')).to_be_checked()


def tick(page: Page, name: str, value: str) -> None:
    """Tab to a checkbox and tick it with Space."""
    selector = f'input[type=checkbox][name="{name}"][value="{value}"]'
    tab_to(page, selector)
    page.keyboard.press("Space")
    expect(page.locator(selector)).to_be_checked()


def continue_by_keyboard(page: Page) -> None:
    """Tab to the step's submit button (Continue, Start or Send) and press Enter."""
    tab_to(page, "main [data-form] button[type=submit]")
    page.keyboard.press("Enter")


# --- the draft -----------------------------------------------------------------------------


def session_storage(page: Page) -> dict[str, str]:
    """Everything this tab holds in sessionStorage for the page's origin."""
    stored: dict[str, str] = page.evaluate(
        "() => Object.fromEntries(Object.entries(window.sessionStorage))"
    )
    return stored


def persistent_storage(page: Page) -> tuple[int, str]:
    """How many localStorage entries there are, and the cookies the page can see."""
    found: list[object] = page.evaluate("() => [window.localStorage.length, document.cookie]")
    return int(str(found[0])), str(found[1])


# --- walking through the steps -------------------------------------------------------------


def expect_safety_within_reach(page: Page) -> None:
    """Quick exit and the emergency contacts are on the page (the help panel may be folded)."""
    expect(page.locator("[data-action=quick-exit]")).to_be_visible()
    expect(page.locator("[data-help-body]")).to_contain_text("999")
    expect(page.locator("[data-help-body] a[href='/report/resources.html']")).to_have_count(1)


def advance(page: Page, before: str, press_continue: Callable[[], None]) -> str:
    """Continue from step `before`; the next step, or a failure naming the errors shown."""
    press_continue()
    moved = page.locator(f'main [data-step]:not([data-step="{before}"])')
    summary = page.locator("main [data-error-summary]")
    expect(moved.or_(summary).first).to_be_visible()
    if summary.is_visible():
        raise AssertionError(f"step {before!r} refused to continue: {summary.inner_text()}")
    return current_step(page)


def walk(
    page: Page,
    checkpoint: Checkpoint,
    answer: Callable[[str], None],
    press_continue: Callable[[], None],
    *,
    until: str,
) -> list[str]:
    """From the start page, answer each step (`answer(step)`) and continue, checking every
    step on the way, until the form shows step `until`; returns the steps seen."""
    step = current_step(page)
    assert step == "start", step
    seen = [step]
    checkpoint(page, step)
    step = advance(page, step, press_continue)
    for _ in range(MAX_STEPS):
        seen.append(step)
        expect_safety_within_reach(page)
        checkpoint(page, step)
        if step == until:
            return seen
        answer(step)
        step = advance(page, step, press_continue)
    raise AssertionError(f"the form never reached {until!r} in {MAX_STEPS} steps: {seen}")


# --- history and quick exit ------------------------------------------------------------------


def entry_state(page: Page) -> object:
    """The state of the tab's current history entry (what Back and Forward restore)."""
    return page.evaluate("() => window.history.state")


def back_through_the_form(page: Page) -> list[str]:
    """Press Back until the tab leaves the form's page; the step each form entry showed."""
    shown: list[str] = []
    for _ in range(MAX_STEPS + 5):
        page.go_back()
        if not page.url.endswith(FORM_PATH):
            return shown
        expect(page.locator("html")).to_have_attribute("data-ready", "true")
        shown.append(current_step(page))
    raise AssertionError(f"Back never left the form: {shown}")
