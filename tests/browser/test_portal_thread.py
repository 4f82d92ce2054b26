"""The staff portal's side of the thread with an anonymous reporter who kept a receipt code,
in Chromium: the queue says a reply is owed, the case page reads the messages on request and
sends a reply by keyboard, and the reporter reads it with their code.

The reporter's side is driven through the web server's `/api` (as the follow-up page sends
it); the screener works in their own browser context. Every page is checked with axe-core.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import Page, Route, expect

from tests.browser.form import Checkpoint, tab_to
from tests.browser.portal import expect_banner, sign_in, sign_out
from tests.browser.test_portal import SCREENER, open_case, queue_row
from tests.e2e.reports import wait_for_screening
from tests.e2e.running import RunningStack
from tests.factories import anonymous_submission

pytestmark = pytest.mark.browser

#: Seconds a reporter's API call from a test may take.
API_TIMEOUT_SECONDS = 10


def _anonymous_report(stack: RunningStack, *, follow_up: bool) -> tuple[str, str | None]:
    """An anonymous report sent through the web server's API and triaged: (reference, code)."""
    body = anonymous_submission(follow_up=True) if follow_up else anonymous_submission()
    answer = requests.post(f"{stack.web}/api/reports", json=body, timeout=API_TIMEOUT_SECONDS)
    assert answer.status_code == 201, answer.text
    reference = str(answer.json()["reference"])
    code = answer.json()["follow_up"]["receipt_code"] if follow_up else None
    wait_for_screening(stack, reference)
    return reference, code


def test_a_screener_reads_the_reporters_message_and_replies_by_keyboard(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given an anonymous reporter who kept a receipt code and wrote with it, over two lines
    # and with something that looks like markup
    reference, code = _anonymous_report(stack, follow_up=True)
    tag = uuid.uuid4().hex[:8]
    first_line = f"It happened again on Tuesday {tag}."
    second_line = "<b>Please</b> tell me what happens next."
    written = requests.post(
        f"{stack.web}/api/reports/follow-up/messages",
        json={"receipt_code": code, "text": f"{first_line}\n{second_line}"},
        timeout=API_TIMEOUT_SECONDS,
    )
    assert written.status_code == 201, written.text

    # When the screener signs in, the queue says a reply is owed (not yet late)
    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)
    expect(screener.locator("main h1")).to_have_text("Screening queue")
    row = queue_row(screener, reference)
    expect(row.get_by_test_id("reply-due")).to_contain_text("Reply by")
    expect(row).not_to_contain_text("Reply overdue")

    # And the case shows the thread's section: anonymous, nothing emailed, the reply owed,
    # the messages not yet read
    open_case(screener, checkpoint, reference, "Screening queue")
    messages = screener.locator("section#messages")
    expect(messages.get_by_role("heading", name="Messages with the reporter")).to_be_visible()
    expect(messages).to_contain_text("nothing is emailed to them")
    expect(messages.get_by_test_id("reply-due")).to_contain_text("Reply by")
    expect(messages).to_contain_text("reading them is recorded in the case's audit trail")
    expect(screener.locator("main")).not_to_contain_text(tag)

    # When they show the messages
    messages.get_by_role("button", name="Show messages").click()

    # Then the reporter's message is shown as written: line breaks kept, markup as text
    entries = messages.get_by_test_id("thread").locator("li")
    expect(entries).to_have_count(1)
    expect(entries.nth(0).locator("h3")).to_have_text("Reporter")
    text = entries.nth(0).get_by_test_id("message-text")
    assert text.inner_text() == f"{first_line}\n{second_line}"
    expect(text.locator("b")).to_have_count(0)
    expect_banner(screener, "Messages shown: 1 message.")
    checkpoint(screener, "thread-open")

    # When they send an empty reply, by keyboard: the form says what is missing, and nothing
    # is sent
    tab_to(screener, "#reply-text")
    tab_to(screener, "#reply-form button[type=submit]")
    screener.keyboard.press("Enter")
    summary = screener.locator("#reply-form [data-error-summary]")
    expect(summary).to_contain_text("Write your reply")
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(entries).to_have_count(1)
    checkpoint(screener, "empty-reply-refused")

    # And then write the reply and send it, by keyboard
    reply = f"Thank you for telling us {tag}.\nAn advisor will look at this today."
    tab_to(screener, "#reply-text")
    screener.keyboard.type(reply)
    tab_to(screener, "#reply-form button[type=submit]")
    screener.keyboard.press("Enter")

    # Then the reply is in the thread, from the screener; no reply is owed any more
    expect_banner(screener, "Reply sent.")
    expect(entries).to_have_count(2)
    expect(entries.nth(1).locator("h3")).to_have_text(f"Staff: You ({SCREENER})")
    assert entries.nth(1).get_by_test_id("message-text").inner_text() == reply
    expect(messages.get_by_test_id("reply-due")).to_have_count(0)
    expect(screener.locator("#reply-text")).to_have_value("")
    checkpoint(screener, "replied")

    # And the queue no longer says a reply is owed
    screener.get_by_role("link", name="Back to the queue").click()
    expect(queue_row(screener, reference).get_by_test_id("reply-due")).to_have_count(0)
    expect(queue_row(screener, reference)).to_contain_text("Screen by")
    sign_out(screener)

    # And the reporter reads the reply with their code
    opened = requests.post(
        f"{stack.web}/api/reports/follow-up",
        json={"receipt_code": code},
        timeout=API_TIMEOUT_SECONDS,
    )
    assert opened.status_code == 200, opened.text
    thread = [(m["from"], m["text"]) for m in opened.json()["messages"]]
    assert thread == [("reporter", f"{first_line}\n{second_line}"), ("staff", reply)]


def test_only_a_case_whose_reporter_kept_a_code_has_a_messages_section(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given two anonymous reports: one whose reporter kept a receipt code, one who did not
    without_code, _ = _anonymous_report(stack, follow_up=False)
    with_code, _ = _anonymous_report(stack, follow_up=True)

    # When the screener opens the one without a code
    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)
    open_case(screener, checkpoint, without_code, "Screening queue")

    # Then the case is shown, with no thread to read or answer
    expect(screener.locator("section#summary")).to_have_count(1)
    expect(screener.locator("section#messages")).to_have_count(0)
    expect(screener.get_by_role("button", name="Show messages")).to_have_count(0)
    expect(screener.get_by_role("link", name="Messages with the reporter")).to_have_count(0)

    # And the one with a code has the section (listed on the page), with no reply owed yet
    screener.get_by_role("link", name="Back to the queue").click()
    open_case(screener, checkpoint, with_code, "Screening queue")
    messages = screener.locator("section#messages")
    expect(messages).to_have_count(1)
    expect(screener.get_by_role("link", name="Messages with the reporter")).to_have_count(1)
    expect(messages.get_by_role("button", name="Show messages")).to_have_count(1)
    expect(messages.get_by_test_id("reply-due")).to_have_count(0)
    sign_out(screener)


def test_a_reply_past_its_time_is_marked_overdue_in_the_queue_and_on_the_case(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given a case whose reporter wrote with their code (a reply owed, not yet late)
    reference, code = _anonymous_report(stack, follow_up=True)
    written = requests.post(
        f"{stack.web}/api/reports/follow-up/messages",
        json={"receipt_code": code, "text": "Is anyone reading this?"},
        timeout=API_TIMEOUT_SECONDS,
    )
    assert written.status_code == 201, written.text
    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)
    on_time = queue_row(screener, reference)
    expect(on_time.get_by_test_id("reply-due")).to_contain_text("Reply by")
    expect(on_time.get_by_test_id("reply-due")).not_to_contain_text("Reply overdue")
    expect(on_time).not_to_have_class(re.compile(r"table__row--overdue"))

    # When the server says the reply was due in the past (as it will, once time passes)
    late = "2026-01-05T17:00:00Z"

    def reply_due_passed(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        rows = body.get("cases", [body])
        for row in rows:
            if row["reference"] == reference:
                row["reply_due"] = late
        route.fulfill(response=answer, json=body)

    screener.route("**/staff/queue*", reply_due_passed)
    screener.route(f"**/staff/cases/{reference}", reply_due_passed)
    screener.reload()

    # Then its queue row is marked overdue, with the time it was due
    row = queue_row(screener, reference)
    expect(row.get_by_test_id("reply-due")).to_have_text(
        "Reply overdue Reply by Mon, 5 Jan 2026, 17:00"
    )
    expect(row).to_have_class(re.compile(r"table__row--overdue"))

    # And so is the case's Messages section
    open_case(screener, checkpoint, reference, "Screening queue")
    due = screener.locator("section#messages").get_by_test_id("reply-due")
    expect(due).to_have_text("Reply overdue Reply by Mon, 5 Jan 2026, 17:00")
    checkpoint(screener, "reply-overdue")
    sign_out(screener)
