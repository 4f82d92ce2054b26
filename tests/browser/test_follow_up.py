"""Anonymous follow-up in Chromium (issue 14), from the reporter's side: asking for a way back
in on the form, the receipt code shown once on the confirmation (copied, never stored), and
the follow-up page (`/report/follow-up.html`) opened with it: the copy of the report, its
status in plain words, the refusals for a malformed and an unknown code, a wait when the
failure budget is spent, Sign out and quick exit forgetting the code, Welsh, a phone, and a
message sent to staff.

Every state is screenshotted and checked with axe-core (`checkpoint`); every request must stay
on the web server's origin (the `page` fixture asserts it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.form import (
    EXIT_PATH,
    Checkpoint,
    choose_radio,
    continue_by_keyboard,
    open_form,
    persistent_storage,
    session_storage,
    tab_to,
    tick,
    walk,
)
from tests.e2e.reports import submit
from tests.e2e.running import RunningStack
from tests.factories import anonymous_submission

pytestmark = pytest.mark.browser

FOLLOW_UP_PATH = "/report/follow-up.html"
#: Five groups of four characters of the reference alphabet, joined by "-".
CODE = re.compile(r"^[23456789BCDFGHJKMNPQRSTWXZ]{4}(-[23456789BCDFGHJKMNPQRSTWXZ]{4}){4}$")
#: Where the follow-up page keeps the code of the open report (this tab only).
SESSION_KEY = "report:follow-up"
PHONE = {"width": 390, "height": 844}
NARRATIVE = "He waited outside the seminar room every Tuesday."
NOT_FOUND = "No report matches this code. Check it, or the report may no longer exist."


def report_with_code(stack: RunningStack, **overrides: Any) -> tuple[str, str]:
    """An anonymous report asking for follow-up, sent as the form sends it: (reference, code)."""
    response = submit(stack, anonymous_submission(follow_up=True, narrative=NARRATIVE, **overrides))
    assert response.status_code == 201, response.text
    body = response.json()
    return body["reference"], body["follow_up"]["receipt_code"]


def open_follow_up(page: Page) -> None:
    page.goto(FOLLOW_UP_PATH)
    expect(page.locator("html")).to_have_attribute("data-ready", "true")


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Your code").fill(code)
    page.get_by_role("button", name="Open my report").click()


def expect_nothing_kept(page: Page) -> None:
    """Nothing of the follow-up in this tab's storage, nor anywhere beyond the tab."""
    assert SESSION_KEY not in session_storage(page), session_storage(page)
    assert persistent_storage(page) == (0, "")


def the_code_is_nowhere_stored(page: Page, code: str) -> None:
    plain = code.replace("-", "")
    stored = json.dumps(session_storage(page))
    assert code not in stored and plain not in stored, "the receipt code was kept in the tab"
    assert persistent_storage(page) == (0, ""), "something was stored beyond the tab"


# --- the form, the confirmation and the way back in, by keyboard ----------------------------

#: A student reporting anonymously who asks for a way back in.
PLAN: dict[str, tuple[str, str]] = {
    "reporter_role": ("radio", "student"),
    "reporting_for": ("radio", "myself"),
    "what_happened": ("tick", "verbal_harassment"),
    "when": ("radio", "last_week"),
    "where": ("radio", "online"),
    "immediate_danger": ("radio", "no"),
    "narrative": ("type", NARRATIVE),
    "mode": ("radio", "anonymous"),
    "follow_up": ("radio", "yes"),
}


def _answer_by_keyboard(page: Page) -> Callable[[str], None]:
    def answer(step: str) -> None:
        if step not in PLAN:
            return
        how, value = PLAN[step]
        if how == "tick":
            tick(page, step, value)
        elif how == "radio":
            choose_radio(page, step, value)
        else:
            tab_to(page, f"textarea#{step}")
            page.keyboard.type(value)

    return answer


def test_an_anonymous_reporter_keeps_a_way_back_in_and_opens_it_with_the_keyboard_only(
    open_page: Callable[..., Page], checkpoint: Checkpoint
) -> None:
    # Given a reporter who sends an anonymous report by keyboard
    page = open_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_form(page)
    seen = walk(
        page,
        checkpoint,
        _answer_by_keyboard(page),
        lambda: continue_by_keyboard(page),
        until="review",
    )

    # Then choosing anonymous offered a way back in, explained, with nothing chosen for them
    assert seen[seen.index("mode") + 1] == "follow_up", seen
    # and the review shows the choice
    row = page.locator("main .summary__row").filter(has_text="A way back in (a code)")
    expect(row.locator(".summary__value")).to_have_text("Yes, give me a code")

    # When they send it
    with page.expect_request("**/api/reports") as sent:
        continue_by_keyboard(page)
    assert sent.value.post_data_json["follow_up"] is True

    # Then the confirmation shows the code once, large and grouped, with how to keep it safe
    expect(page.locator("main [data-step=confirmation]")).to_be_visible()
    shown = page.locator("[data-testid=receipt-code]")
    expect(shown).to_have_text(CODE)
    code = shown.inner_text().strip()
    expect(shown.locator(".receipt-code__group")).to_have_count(5)
    receipt = page.locator("[data-receipt=shown]")
    expect(receipt).to_contain_text("This is the only time we will show you this code.")
    expect(receipt).to_contain_text("Write it down somewhere only you can see.")
    expect(receipt).to_contain_text("Do not save it on a shared device")
    expect(receipt).to_contain_text("Anyone with the code can read your report")
    expect(receipt).to_contain_text("If you lose it, we cannot give it back to you.")
    expect(receipt.locator("[data-look-again]")).to_have_text(
        re.compile(
            r"^Look again from (Monday|Tuesday|Wednesday|Thursday|Friday),? \d{1,2} \w+ \d{4}"
        )
    )
    checkpoint(page, "confirmation-with-a-code")
    reference = page.locator("main [data-testid=reference]").inner_text().strip()

    # And Copy, reached and pressed by keyboard, copies it and says so politely
    tab_to(page, "main [data-copy]")
    page.keyboard.press("Enter")
    expect(receipt.locator("[data-copied]")).to_have_text("Copied")
    expect(page.locator("[data-announcer]")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == code

    # And the code is in neither this tab's storage nor beyond it
    the_code_is_nowhere_stored(page, code)

    # And reloaded, the confirmation no longer shows it
    page.reload()
    expect(page.locator("main [data-step=confirmation]")).to_be_visible()
    expect(page.locator("[data-testid=receipt-code]")).to_have_count(0)
    expect(page.locator("[data-receipt=shown-before]")).to_contain_text("it is not shown again")
    assert code not in page.content()

    # When they follow the link to the follow-up page and type the code, spaced and in
    # lower case
    tab_to(page, f'main a[href="{FOLLOW_UP_PATH}"]')
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("main h1")).to_have_text("Follow up on your report")
    field = page.locator("#receipt-code")
    expect(field).to_have_attribute("autocomplete", "off")
    checkpoint(page, "follow-up-code-form")
    tab_to(page, "#receipt-code")
    page.keyboard.type(code.replace("-", " ").lower())
    page.keyboard.press("Enter")

    # Then their report opens: the reference, the date, the status in plain words, the
    # answers and their account
    expect(page.locator("main h1")).to_have_text("Your report")
    expect(page.locator("main h1")).to_be_focused()
    expect(page.locator("main [data-testid=reference]")).to_have_text(reference)
    expect(page.locator("main [data-status=received]")).to_contain_text("Received")
    expect(page.locator("main [data-status=received]")).to_contain_text(
        "The team that screens reports will read it"
    )
    expect(page.locator("main [data-narrative]")).to_have_text(NARRATIVE)
    expect(page.locator("main [data-answers]")).to_contain_text("Online")
    expect(page.locator("main [data-thread-empty]")).to_have_text("There are no messages yet.")
    checkpoint(page, "follow-up-report")
    # and the code is kept for this tab only, as typed by no one else
    assert session_storage(page)[SESSION_KEY] == json.dumps(code.replace("-", ""))
    assert persistent_storage(page) == (0, "")

    # And Sign out, by keyboard, forgets it
    tab_to(page, "main [data-sign-out]")
    page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("Follow up on your report")
    expect(page.locator("main [data-signed-out]")).to_be_visible()
    expect_nothing_kept(page)
    checkpoint(page, "signed-out")


# --- the follow-up page -------------------------------------------------------------------------


def test_a_reload_keeps_the_report_open_and_sign_out_forgets_it(
    page: Page, checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given a report opened on the follow-up page, having come from the start page
    reference, code = report_with_code(stack)
    open_form(page)
    page.locator(f'main a[href="{FOLLOW_UP_PATH}"]').click()
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    enter_code(page, code)
    expect(page.locator("main [data-testid=reference]")).to_have_text(reference)

    # When the page is reloaded, the report is still open
    page.reload()
    expect(page.locator("main [data-testid=reference]")).to_have_text(reference)

    # When they sign out
    page.get_by_role("button", name="Sign out").click()

    # Then the code is forgotten: storage empty, the code form shown
    expect(page.locator("#receipt-code")).to_be_visible()
    expect(page.locator("#receipt-code")).to_have_value("")
    expect_nothing_kept(page)
    assert reference not in page.content()
    # and Back, then Forward again, shows the code form, never the report
    page.go_back()
    page.wait_for_url("**/report/")
    page.go_forward()
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("#receipt-code")).to_be_visible()
    expect(page.locator("main [data-testid=reference]")).to_have_count(0)
    # and a reload too
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("#receipt-code")).to_be_visible()
    checkpoint(page, "after-sign-out")


@pytest.mark.parametrize("how", ["button", "escape-twice"])
def test_quick_exit_from_the_follow_up_page_forgets_the_code(
    page: Page, stack: RunningStack, how: str
) -> None:
    # Given a report open on the follow-up page, reached from the start page
    reference, code = report_with_code(stack)
    open_form(page)
    open_follow_up(page)
    enter_code(page, code)
    expect(page.locator("main [data-testid=reference]")).to_have_text(reference)
    assert SESSION_KEY in session_storage(page)

    # When they leave with quick exit
    if how == "button":
        page.get_by_role("button", name="Quick exit").click()
    else:
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")

    # Then the neutral page is shown and nothing is kept
    page.wait_for_url(f"**{EXIT_PATH}")
    expect(page.locator("h1")).to_have_text("Weather forecast")
    assert session_storage(page) == {}, "quick exit left something in sessionStorage"
    assert persistent_storage(page) == (0, "")
    # and Back goes to the page before it (the follow-up page was replaced), and the
    # follow-up page opened again asks for the code
    page.go_back()
    page.wait_for_url("**/report/")
    open_follow_up(page)
    expect(page.locator("#receipt-code")).to_be_visible()
    expect(page.locator("main [data-testid=reference]")).to_have_count(0)


def test_a_malformed_and_an_unknown_code_are_refused_clearly(
    page: Page, checkpoint: Checkpoint, stack: RunningStack
) -> None:
    reference, code = report_with_code(stack)
    open_follow_up(page)

    # A blank code: asked for
    page.get_by_role("button", name="Open my report").click()
    summary = page.locator("main [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your code")

    # A code that cannot be one (too short, and a vowel): said beside the field
    enter_code(page, "BCDF-2345-GHJK-MNPQ-RSTA")
    expect(summary).to_be_focused()
    expect(page.locator("#receipt-code-error")).to_have_text(
        "Error: Enter the code as it was shown to you: 20 letters and numbers"
    )
    expect(page.locator("#receipt-code")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_title(re.compile(r"^Error: "))
    checkpoint(page, "malformed-code")
    summary.get_by_role("link").click()
    expect(page.locator("#receipt-code")).to_be_focused()

    # A well-formed code that opens nothing: the API's one answer, in the page's words
    wrong = code[:-1] + ("B" if code[-1] != "B" else "C")
    enter_code(page, wrong)
    expect(page.locator("#receipt-code-error")).to_have_text(f"Error: {NOT_FOUND}")
    expect_nothing_kept(page)
    checkpoint(page, "unknown-code")

    # And the right code still opens the report
    enter_code(page, code)
    expect(page.locator("main [data-testid=reference]")).to_have_text(reference)


def test_a_spent_failure_budget_asks_calmly_to_wait(page: Page, checkpoint: Checkpoint) -> None:
    # Given the API answers that too many codes have failed (the budget spends only on a
    # flood, so the answer is stood in for here)
    def too_many(route: Route) -> None:
        route.fulfill(
            status=429,
            headers={"Retry-After": "270", "Content-Type": "application/json"},
            body=json.dumps({"error": "too_many_attempts", "message": "Too many."}),
        )

    page.route("**/api/reports/follow-up", too_many)
    open_follow_up(page)

    # When a code is entered
    enter_code(page, "BCDF-2345-GHJK-MNPQ-RSTW")

    # Then the page asks them to wait, and says for how long, without blaming them
    notice = page.locator("main [data-notice]")
    expect(notice).to_be_focused()
    expect(notice).to_contain_text("Please wait before trying again")
    expect(notice).to_contain_text("This is not because of anything you did.")
    expect(notice).to_contain_text("Please try again in 5 minutes.")
    expect(page.locator("main [data-error-summary]")).to_have_count(0)
    checkpoint(page, "wait")


def test_the_follow_up_page_in_welsh_on_a_phone(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given a reporter on a phone, reading in Welsh
    reference, code = report_with_code(stack)
    page = open_page(**PHONE, phone=True)
    page.goto(f"{FOLLOW_UP_PATH}?lang=cy")
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("main h1")).to_have_text("Dilyn eich adroddiad")
    expect(page.locator("footer")).to_contain_text("Wedi rhoi gwybod yn barod?")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls {overflow}px sideways on a phone"
    checkpoint(page, "welsh-code-form")

    # When they open their report
    page.get_by_label("Eich cod").fill(code)
    page.get_by_role("button", name="Agor fy adroddiad").tap()

    # Then it is in Welsh, the status in plain Welsh words
    expect(page.locator("main h1")).to_have_text("Eich adroddiad")
    expect(page.locator("main [data-testid=reference]")).to_have_text(reference)
    expect(page.locator("main [data-status=received]")).to_contain_text("Wedi dod i law")
    expect(page.get_by_role("button", name="Allgofnodi")).to_be_visible()
    expect(page.get_by_role("button", name="Gadael yn gyflym")).to_be_visible()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the report scrolls {overflow}px sideways on a phone"
    checkpoint(page, "welsh-report")

    # And switching to English keeps it open
    page.get_by_role("button", name="English").tap()
    expect(page.locator("main h1")).to_have_text("Your report")
    expect(page.locator("main [data-testid=reference]")).to_have_text(reference)


# --- a message to staff ---------------------------------------------------------------------------


def test_a_reporter_sends_a_message_and_sees_it_in_the_thread(
    page: Page, checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given a report open on the follow-up page
    reference, code = report_with_code(stack)
    open_follow_up(page)
    enter_code(page, code)
    expect(page.locator("main [data-testid=reference]")).to_have_text(reference)
    field = page.get_by_label("Send a message to the staff handling your report")
    count = page.locator("#message-count")
    expect(count).to_have_text("You can enter up to 5000 characters.")

    # An empty message is refused beside the field
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#message-error")).to_have_text("Error: Enter a message")
    checkpoint(page, "empty-message")

    # One over the limit, as the API counts it (an emoji is one character), is refused too
    field.fill("😀" * 5001)
    expect(count).to_have_text("You have 1 character too many")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#message-error")).to_have_text(
        "Error: This must be 5000 characters or fewer"
    )

    # When they send a message
    text = "I can come in to talk on Thursday afternoon."
    field.fill(text)
    with page.expect_request("**/api/reports/follow-up/messages") as sent:
        page.get_by_role("button", name="Send message").click()
    assert sent.value.post_data_json == {"receipt_code": code.replace("-", ""), "text": text}

    # Then it is in the thread, from them, and the field is empty again
    message = page.locator("main [data-thread] [data-message]").last
    expect(message).to_contain_text(text)
    expect(message.locator(".thread__meta")).to_contain_text("You")
    expect(field).to_have_value("")
    expect(page.locator("[data-announcer]")).to_have_text("Message sent")
    checkpoint(page, "message-sent")

    # And the report opened again shows it from the server
    page.reload()
    expect(page.locator("main [data-thread] [data-message]").last).to_contain_text(text)
