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
from playwright.sync_api import Page, Route, expect

from tests.browser.form import (
    EXIT_PATH,
    FORM_PATH,
    REFERENCE,
    Checkpoint,
    back_through_the_form,
    choose_radio,
    continue_by_keyboard,
    current_step,
    entry_state,
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
    with page.expect_request("**/api/reports") as sent:
        page.get_by_role("button", name="Send report").click()
    # A named report is never offered a way back in, and never asks for one
    assert "follow_up" not in sent.value.post_data_json

    expect(page.locator("main [data-step=confirmation]")).to_be_visible()
    reference = _reference(page)
    expect(page.locator("main")).to_contain_text("2 working days")
    expect(page.locator("main [data-receipt]")).to_have_count(0)
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


# --- advisor preferences: several at once, "No preference" on its own -------------------------


def test_a_named_reporter_asks_for_a_woman_who_speaks_welsh_and_the_review_lists_both(
    page: Page, checkpoint: Checkpoint, stack: RunningStack
) -> None:
    open_form(page)

    def press_continue() -> None:
        page.locator("main [data-form] button[type=submit]").click()

    walk(page, checkpoint, _answer_by_pointer(page, NAMED_STAFF), press_continue, until="contact")
    page.get_by_label("Your name").fill("Dana Hughes")
    page.get_by_label("Email address").fill(f"dana.hughes.{uuid.uuid4().hex[:8]}@example.ac.uk")
    page.locator("main #contact-preferred_contact_method-email").check()
    boxes = {
        option: page.locator(f"main #contact-advisor_preferences-{option}")
        for option in ("no_preference", "woman", "welsh_speaking", "man")
    }

    # "No preference" first, then a woman: ticking a preference clears "No preference"
    boxes["no_preference"].check()
    boxes["woman"].check()
    expect(boxes["no_preference"]).not_to_be_checked()
    expect(boxes["woman"]).to_be_checked()
    # ticking "No preference" again clears the preferences; ticking them again clears it
    boxes["no_preference"].check()
    expect(boxes["woman"]).not_to_be_checked()
    expect(boxes["no_preference"]).to_be_checked()
    boxes["woman"].check()
    boxes["welsh_speaking"].check()
    expect(boxes["no_preference"]).not_to_be_checked()
    expect(boxes["woman"]).to_be_checked()
    expect(boxes["welsh_speaking"]).to_be_checked()
    expect(boxes["man"]).not_to_be_checked()
    checkpoint(page, "contact-two-preferences")
    press_continue()

    # The review lists both preferences, and only those
    expect(page.locator("main [data-step=review]")).to_be_visible()
    row = page.locator("main .summary__row").filter(
        has_text="Would you prefer a particular advisor?"
    )
    expect(row.locator(".summary__value li")).to_have_text(["A woman", "Someone who speaks Welsh"])
    expect(row).not_to_contain_text("No preference")
    checkpoint(page, "review-two-preferences")

    # In Welsh too
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    row = page.locator("main .summary__row").filter(
        has_text="Oes gennych chi ffafriaeth o ran cynghorydd?"
    )
    expect(row.locator(".summary__value li")).to_have_text(["Menyw", "Rhywun sy'n siarad Cymraeg"])
    checkpoint(page, "review-two-preferences-welsh")
    page.get_by_role("button", name="English").click()

    page.get_by_role("button", name="Send report").click()
    expect(page.locator("main [data-step=confirmation]")).to_be_visible()
    stored = wait_for_triage(stack, _reference(page))
    assert stored["preferences"]["M"]["advisor_preferences"] == {
        "L": [{"S": "woman"}, {"S": "welsh_speaking"}]
    }


# --- quick exit leaves nothing, from any step and any field ----------------------------------


def _answer_every_step(page: Page) -> Callable[[str], None]:
    """A named report through every kind of step: questions (radios, checkboxes, a text box),
    the narrative, demographics, mode, contact and review."""
    by_pointer = _answer_by_pointer(page, NAMED_STAFF)

    def answer(step: str) -> None:
        if step == "demographics":
            page.locator("main #demographics-age_band-25_34").check()
        elif step == "contact":
            page.locator("#contact-name").fill("Dana Hughes")
            page.locator("#contact-email").fill("dana.hughes@example.ac.uk")
            page.locator("main #contact-preferred_contact_method-email").check()
        else:
            by_pointer(step)

    return answer


def _entry_holds_no_answer(page: Page, step: str) -> None:
    """Checkpoint on the way: the history entry of every step is a bare id and number."""
    state = entry_state(page)
    assert isinstance(state, dict) and sorted(state) == ["at", "form"], (step, state)
    assert isinstance(state["at"], int) and re.fullmatch(r"[0-9a-f-]{36}", state["form"]), state


#: (step, the field focused there, what is put in it: "type" a sentinel, "check" it, or
#: "focus" only, and how the reporter leaves: "escape" twice from the field, or the "button").
QUICK_EXITS = [
    ("start", "main [data-form] button[type=submit]", "focus", "escape"),
    ("reporter_role", "main #reporter_role-visitor", "check", "escape"),
    ("what_happened", "main #what_happened-sexual_harassment", "check", "escape"),
    ("involved_names", "main #involved_names-0-name", "type", "escape"),
    ("narrative", "main textarea#narrative", "type", "escape"),
    ("narrative", "main textarea#narrative", "type", "button"),
    ("demographics", "main #demographics-gender-woman", "check", "escape"),
    ("mode", "main #mode-anonymous", "check", "escape"),
    ("contact", "main #contact-name", "type", "escape"),
    ("contact", "main #contact-email", "type", "escape"),
    ("contact", "main #contact-phone", "type", "escape"),
    ("contact", "main #contact-safe_times", "type", "escape"),
    ("contact", "main #contact-preferred_contact_method-phone", "check", "escape"),
    ("contact", "main #contact-advisor_preferences-woman", "check", "escape"),
    ("review", "main [data-send]", "focus", "escape"),
]


@pytest.mark.parametrize(("step", "field", "put", "how"), QUICK_EXITS)
def test_quick_exit_from_any_field_leaves_no_word_in_the_tab(
    page: Page, step: str, field: str, put: str, how: str
) -> None:
    # Given a named report in progress, at `step`, with focus in one of its fields
    open_form(page)

    def press_continue() -> None:
        page.locator("main [data-form] button[type=submit]").click()

    seen = ["start"]
    if step != "start":
        seen = walk(
            page, _entry_holds_no_answer, _answer_every_step(page), press_continue, until=step
        )
    sentinel = f"Sentinel{uuid.uuid4().hex[:10]}"
    control = page.locator(field)
    if put == "type":
        control.click()
        typed = "07700 900 982" if field.endswith("phone") else sentinel
        if field.endswith("email"):
            control.fill("")
            typed = f"{sentinel}@example.ac.uk"
        page.keyboard.type(typed)
        expect(control).to_have_value(typed)
    elif put == "check":
        control.check()
        expect(control).to_be_checked()
    control.focus()
    expect(control).to_be_focused()
    assert "report:draft" in session_storage(page)
    _entry_holds_no_answer(page, step)

    # When the reporter leaves with quick exit, without leaving the field first
    if how == "escape":
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
    else:
        page.locator("[data-action=quick-exit]").click()

    # Then the neutral page is shown, and nothing of the report is left in the tab
    page.wait_for_url(f"**{EXIT_PATH}")
    expect(page.locator("h1")).to_have_text("Weather forecast")
    assert session_storage(page) == {}, "quick exit left something in sessionStorage"
    assert persistent_storage(page) == (0, "")
    assert entry_state(page) is None
    # and each of the form's entries Back returns to opens the form afresh, with no answer
    # (one entry for each step before this one: the steps were history entries)
    assert back_through_the_form(page) == ["start"] * (len(seen) - 1)
    # and the form opened again in the tab starts afresh
    open_form(page)
    assert "Sentinel" not in page.content() and "Dana" not in page.content()
    draft = json.loads(session_storage(page)["report:draft"])
    assert (draft["answers"], draft["contact"], draft["mode"]) == ({}, {}, None), draft
    assert draft["narrative"] == "" and draft["step"] == "start", draft
    page.get_by_role("button", name="Start").click()
    expect(page.locator("main [data-step=reporter_role]")).to_be_visible()
    expect(page.locator("main input:checked")).to_have_count(0)


def _until_held(page: Page, held: dict[str, Route], name: str) -> None:
    """Wait until the request `name` is held by its route (the page has sent it)."""
    for _ in range(400):
        if name in held:
            return
        page.wait_for_timeout(25)  # lets Playwright deliver the route to its handler
    raise AssertionError(f"the page never sent the {name} request")


def test_quick_exit_while_the_report_is_sending_keeps_no_receipt(page: Page) -> None:
    # Given an anonymous report on its way: the API has not answered yet
    open_form(page)

    def press_continue() -> None:
        page.locator("main [data-form] button[type=submit]").click()

    plan = {**NAMED_STAFF, "mode": "anonymous"}
    answer = _answer_by_pointer(page, plan)
    walk(page, _entry_holds_no_answer, answer, press_continue, until="review")
    held: dict[str, Route] = {}
    page.route("**/reports", lambda route: held.__setitem__("report", route))
    page.route(f"**{EXIT_PATH}", lambda route: held.__setitem__("exit", route))
    page.get_by_role("button", name="Send report").click()
    _until_held(page, held, "report")

    # When the reporter leaves with quick exit, and the API's answer comes before the
    # neutral page does
    # (not waiting for the neutral page: it is held back until the API has answered)
    page.get_by_role("button", name="Quick exit").click(no_wait_after=True)
    _until_held(page, held, "exit")
    with page.expect_event("requestfinished", lambda r: r.url.endswith("/reports")):
        held["report"].continue_()
    # The page's script gets a moment with the answer before the neutral page arrives (the
    # page cannot be asked while it is being left; a shorter moment only makes this easier).
    page.wait_for_timeout(300)
    held["exit"].continue_()

    # Then the tab keeps neither the answers nor the receipt, and Back shows neither
    page.wait_for_url(f"**{EXIT_PATH}")
    expect(page.locator("h1")).to_have_text("Weather forecast")
    assert session_storage(page) == {}, "quick exit left something in sessionStorage"
    shown = back_through_the_form(page)
    assert shown and shown == ["start"] * len(shown), shown
    page.go_forward()
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("main [data-step=start]")).to_be_visible()
    expect(page.locator("[data-testid=reference]")).to_have_count(0)


# --- Back and Forward move between the steps ---------------------------------------------------


def test_back_and_forward_move_between_steps_and_keep_the_answers(
    page: Page, checkpoint: Checkpoint
) -> None:
    # Given a reporter two questions in
    open_form(page)
    page.get_by_role("button", name="Start").click()
    page.locator("main #reporter_role-student").check()
    page.locator("main [data-form] button[type=submit]").click()
    page.locator("main #reporting_for-witness").check()
    page.locator("main [data-form] button[type=submit]").click()
    expect(page.locator("main [data-step=under_18]")).to_be_visible()

    # When they press the browser's Back button twice
    page.go_back()
    # Then each Back shows the step before, with its answer, and the form stays on its page
    expect(page.locator("main [data-step=reporting_for]")).to_be_visible()
    expect(page.locator("main #reporting_for-witness")).to_be_checked()
    expect(page.locator("main h1")).to_be_focused()
    page.go_back()
    expect(page.locator("main [data-step=reporter_role]")).to_be_visible()
    expect(page.locator("main #reporter_role-student")).to_be_checked()
    assert page.url.endswith(FORM_PATH), page.url
    checkpoint(page, "back-twice")

    # And an answer changed there is kept when Forward returns to the later steps
    page.locator("main #reporter_role-staff").check()
    page.go_forward()
    expect(page.locator("main #reporting_for-witness")).to_be_checked()
    page.go_forward()
    expect(page.locator("main [data-step=under_18]")).to_be_visible()
    page.get_by_role("button", name="Back").click()
    page.get_by_role("button", name="Back").click()
    expect(page.locator("main #reporter_role-staff")).to_be_checked()
    expect(page.locator("main #reporter_role-student")).not_to_be_checked()

    # And one more Back reaches the start page, still in the form
    page.go_back()
    expect(page.locator("main [data-step=start]")).to_be_visible()
    assert page.url.endswith(FORM_PATH), page.url


# --- on a phone ------------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
KEYS_HINT = "To leave this site quickly, select Quick exit or press Escape twice."
TOUCH_HINT = "To leave this site quickly, select Quick exit."


@pytest.mark.parametrize("path", [FORM_PATH, "/report/resources.html"])
def test_on_a_phone_quick_exit_stays_in_reach_at_the_bottom_of_the_page(
    open_page: Callable[..., Page], checkpoint: Checkpoint, path: str
) -> None:
    # Given a phone showing a page longer than its screen
    page = open_page(**PHONE, phone=True)
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_be_visible()
    exit_button = page.locator("[data-action=quick-exit]")
    expect(exit_button).to_be_in_viewport()
    checkpoint(page, "top")

    # When the reporter scrolls to the very bottom
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(page.locator("footer")).to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") > 0, "the page did not scroll"

    # Then Quick exit is still on the screen, and a tap on it leaves
    expect(exit_button).to_be_in_viewport(ratio=1)
    checkpoint(page, "bottom")
    exit_button.tap()
    page.wait_for_url(f"**{EXIT_PATH}")
    expect(page.locator("h1")).to_have_text("Weather forecast")


def test_the_escape_shortcut_is_mentioned_only_where_there_is_a_keyboard(
    open_page: Callable[..., Page],
) -> None:
    # Given the form on a phone and on a computer
    phone = open_page(**PHONE, phone=True)
    computer = open_page()
    for page in (phone, computer):
        open_form(page)

    # Then the phone names the button only, in English and in Welsh
    expect(phone.locator("footer").get_by_text(TOUCH_HINT, exact=True)).to_be_visible()
    expect(phone.get_by_text("Escape")).to_have_count(2)  # in the page, hidden
    for hidden in phone.get_by_text("Escape").all():
        expect(hidden).to_be_hidden()
    phone.get_by_role("button", name="Cymraeg").click()
    expect(phone.locator("footer")).to_contain_text("dewiswch “Gadael yn gyflym”.")
    expect(phone.locator("footer p:visible", has_text="Escape")).to_have_count(0)
    # And the computer says Escape twice works, on the start page and in the footer
    expect(computer.locator("footer").get_by_text(KEYS_HINT, exact=True)).to_be_visible()
    expect(computer.locator("main").get_by_text("press Escape twice")).to_be_visible()
    expect(computer.locator("footer").get_by_text(TOUCH_HINT, exact=True)).to_be_hidden()
    computer.get_by_role("button", name="Cymraeg").click()
    expect(computer.locator("footer p:visible", has_text="Escape ddwywaith")).to_have_count(1)
