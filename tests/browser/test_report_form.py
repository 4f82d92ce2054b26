"""The reporter form in Chromium: an anonymous report sent keyboard-only, a named report with
a mistake fixed on the way, quick exit, and the Welsh switch.

Every step is screenshotted and checked with axe-core (`checkpoint`); every request must stay
on the web server's origin (the `page` fixture asserts it).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.form import (
    EXIT_PATH,
    FORM_PATH,
    REFERENCE,
    Checkpoint,
    choose_radio,
    continue_by_keyboard,
    current_step,
    open_form,
    persistent_storage,
    session_storage,
    tab_to,
    tick,
    walk,
)
from tests.e2e.reports import wait_for_triage
from tests.e2e.running import RunningStack

pytestmark = pytest.mark.browser


def _reference(page: Page) -> str:
    reference = page.locator("[data-testid=reference]")
    expect(reference).to_have_text(REFERENCE)
    return reference.inner_text().strip()


# --- an anonymous report, keyboard only ------------------------------------------------------

#: A student reporting online harassment anonymously: only some optional questions answered.
ANONYMOUS_STUDENT: dict[str, tuple[str, str | list[str]]] = {
    "reporter_role": ("radio", "student"),
    "reporting_for": ("radio", "myself"),
    "what_happened": ("tick", ["verbal_harassment", "online_harassment"]),
    "when": ("radio", "last_month"),
    "where": ("radio", "online"),
    "online_platform": ("radio", "messaging_app"),
    "ongoing": ("radio", "yes"),
    "immediate_danger": ("radio", "no"),
    "narrative": ("type", "Messages in a group chat after the lecture, every evening."),
    "mode": ("radio", "anonymous"),
}


def _answer_by_keyboard(
    page: Page, plan: dict[str, tuple[str, str | list[str]]]
) -> Callable[[str], None]:
    def answer(step: str) -> None:
        if step not in plan:
            return  # optional: left unanswered
        how, value = plan[step]
        if how == "radio":
            choose_radio(page, step, str(value))
        elif how == "tick":
            for each in value:
                tick(page, step, each)
        else:
            tab_to(page, f"textarea#{step}, input#{step}")
            page.keyboard.type(str(value))

    return answer


def _focus_is_visible(page: Page) -> bool:
    return bool(
        page.evaluate(
            """() => {
                const style = getComputedStyle(document.activeElement);
                return style.outlineStyle !== "none" || style.boxShadow !== "none";
            }"""
        )
    )


def test_a_student_reports_anonymously_with_the_keyboard_only(
    page: Page, checkpoint: Checkpoint, stack: RunningStack
) -> None:
    open_form(page)
    # The help panel opens from the keyboard: emergency contacts before anything else.
    tab_to(page, "#help summary")
    page.keyboard.press("Enter")
    expect(page.locator("[data-help-body]")).to_be_visible()
    expect(page.locator("[data-help-body]").get_by_role("link", name="Call 999")).to_be_visible()

    def press_continue() -> None:
        tab_to(page, "main [data-form] button[type=submit]")
        assert _focus_is_visible(page), "the focused button shows no focus indicator"
        page.keyboard.press("Enter")

    seen = walk(
        page,
        checkpoint,
        _answer_by_keyboard(page, ANONYMOUS_STUDENT),
        press_continue,
        until="review",
    )

    assert "online_platform" in seen and "campus_area" not in seen, seen
    assert "contact" not in seen, "an anonymous report asked for contact details"
    review = page.locator("main")
    expect(review).to_contain_text("Messages in a group chat after the lecture")
    continue_by_keyboard(page)  # Send report

    expect(page.locator("main [data-step=confirmation]")).to_be_visible()
    reference = _reference(page)
    expect(page.locator("main h1")).to_be_focused()
    checkpoint(page, "confirmation")
    assert "report:draft" not in session_storage(page), "the sent draft was kept"
    assert persistent_storage(page) == (0, ""), "something was stored beyond the tab"

    # The support pages, reached from the footer by keyboard.
    tab_to(page, 'footer a[href="/report/resources.html"]')
    page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("Support and emergency contacts")
    expect(page.locator("main")).to_contain_text("999")
    checkpoint(page, "resources")
    tab_to(page, 'footer a[href="/report/privacy.html"]')
    page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("Privacy notice")
    checkpoint(page, "privacy")

    stored = wait_for_triage(stack, reference)
    assert stored["mode"]["S"] == "anonymous"
    assert stored["answers"]["M"]["online_platform"]["S"] == "messaging_app"


# --- a named report, with a mistake fixed on the way --------------------------------------------

NAMED_STAFF: dict[str, str | list[str]] = {
    "reporter_role": "staff",
    "reporting_for": "myself",
    "what_happened": ["bullying"],
    "when": "last_week",
    "where": "on_campus",
    "campus_area": "office_or_workplace",
    "ongoing": "yes",
    "immediate_danger": "no",
    "mode": "named",
}


def _answer_by_pointer(page: Page, plan: dict[str, str | list[str]]) -> Callable[[str], None]:
    def answer(step: str) -> None:
        value = plan.get(step)
        for each in [value] if isinstance(value, str) else value or []:
            page.locator(f"main #{step}-{each}").check()

    return answer


def test_a_member_of_staff_reports_with_their_name_and_fixes_a_mistake(
    page: Page, checkpoint: Checkpoint, stack: RunningStack
) -> None:
    email = f"dana.hughes.{uuid.uuid4().hex[:8]}@example.ac.uk"
    open_form(page)

    def press_continue() -> None:
        page.locator("main [data-form] button[type=submit]").click()

    walk(page, checkpoint, _answer_by_pointer(page, NAMED_STAFF), press_continue, until="contact")

    page.get_by_label("Your name").fill("Dana Hughes")
    page.get_by_label("Email address").fill("dana.hughes@example")  # no domain: a mistake
    page.locator("main #contact-preferred_contact_method-email").check()
    press_continue()

    summary = page.locator("main [data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    link = summary.get_by_role("link", name="Enter an email address in the correct format")
    expect(link).to_have_attribute("href", "#contact-email")
    field = page.locator("#contact-email")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#contact-email-error")).to_be_visible()
    checkpoint(page, "contact-with-an-error")

    link.click()
    expect(field).to_be_focused()
    field.fill(email)
    press_continue()

    expect(page.locator("main [data-step=review]")).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)
    expect(page.locator("main [data-error-summary]")).to_have_count(0)
    checkpoint(page, "review")
    page.get_by_role("button", name="Send report").click()

    expect(page.locator("main [data-step=confirmation]")).to_be_visible()
    reference = _reference(page)
    expect(page.locator("main")).to_contain_text("2 working days")
    checkpoint(page, "confirmation")

    stored = wait_for_triage(stack, reference)
    assert stored["mode"]["S"] == "named"
    assert stored["answers"]["M"]["reporter_role"]["S"] == "staff"
    assert email not in repr(stored), "the email address was stored in clear"


# --- quick exit -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["button", "escape-twice"])
def test_quick_exit_leaves_for_a_neutral_page_and_forgets_the_draft(
    page: Page, checkpoint: Checkpoint, how: str
) -> None:
    open_form(page)
    page.get_by_role("button", name="Start").click()
    page.locator("main #reporter_role-student").check()
    page.locator("main [data-form] button[type=submit]").click()
    page.locator("main #reporting_for-witness").check()
    # Over to the support page and back: the form's page is twice in this tab's history.
    page.locator("footer").get_by_role("link", name="Support services").click()
    page.get_by_role("link", name="Back to the report form").click()
    expect(page.locator("main #reporting_for-witness")).to_be_checked()
    assert "report:draft" in session_storage(page)
    checkpoint(page, "a-draft-in-progress")

    if how == "button":
        page.get_by_role("button", name="Quick exit").click()
    else:
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")

    page.wait_for_url(f"**{EXIT_PATH}")
    expect(page.locator("h1")).to_have_text("Weather forecast")
    expect(page).to_have_title("Weather forecast")
    expect(page.locator("body")).not_to_contain_text("report", ignore_case=True)
    assert session_storage(page) == {}, "quick exit left something in sessionStorage"
    assert persistent_storage(page) == (0, "")
    checkpoint(page, "neutral-page")

    # Back: the page the form replaced is gone; the support page is next.
    page.go_back()
    page.wait_for_url("**/report/resources.html")
    # Back again, to the form's first visit: it opens afresh, with no answers.
    page.go_back()
    page.wait_for_url(f"**{FORM_PATH}")
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    assert current_step(page) == "start"
    draft = json.loads(session_storage(page).get("report:draft", "{}"))
    assert not draft.get("answers"), draft
    page.get_by_role("button", name="Start").click()
    expect(page.locator("main input:checked")).to_have_count(0)


# --- Welsh --------------------------------------------------------------------------------------


def test_the_welsh_switch_translates_the_form_and_keeps_the_answers(
    page: Page, checkpoint: Checkpoint
) -> None:
    open_form(page)
    page.get_by_role("button", name="Start").click()
    page.locator("main #reporter_role-student").check()
    page.locator("main [data-form] button[type=submit]").click()
    page.locator("main #reporting_for-witness").check()
    english_heading = page.locator("main h1").inner_text()
    checkpoint(page, "english")

    page.get_by_role("button", name="Cymraeg").click()

    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("main h1")).not_to_have_text(english_heading)
    expect(page.get_by_role("button", name="Gadael yn gyflym")).to_be_visible()
    expect(page.locator("main #reporting_for-witness")).to_be_checked()
    checkpoint(page, "welsh")

    page.get_by_role("button", name="Parhau").click()
    expect(page.locator("main [data-step]")).not_to_have_attribute("data-step", "reporting_for")
    checkpoint(page, "welsh-next-step")
    page.get_by_role("button", name="Yn ôl").click()
    expect(page.locator("main #reporting_for-witness")).to_be_checked()
    page.get_by_role("button", name="Yn ôl").click()
    expect(page.locator("main #reporter_role-student")).to_be_checked()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main #reporter_role-student")).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main h1")).to_have_text(english_heading)
    expect(page.locator("main #reporting_for-witness")).to_be_checked()
