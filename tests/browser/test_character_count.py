"""The form counts text as the API does (code points of the trimmed text: an emoji is one
character, not two), lets the reporter type past a limit without cutting anything, shows a
live count near the limit, and refuses one character too many with the API's own words."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.form import (
    REFERENCE,
    Checkpoint,
    advance,
    current_step,
    open_form,
    walk,
)
from tests.e2e.reports import submit
from tests.e2e.running import RunningStack
from tests.factories import anonymous_submission, contact, named_submission

pytestmark = pytest.mark.browser

EMOJI = "😀"  # one code point, two UTF-16 units
LIMIT = 20_000  # the default institution's narrative_max_length
TOO_LONG = "This must be 20000 characters or fewer"
#: An anonymous report, answering only what it must to reach the narrative and the review.
PLAN: dict[str, str] = {
    "reporter_role": "student",
    "reporting_for": "myself",
    "what_happened": "verbal_harassment",
    "when": "last_week",
    "where": "online",
    "immediate_danger": "no",
    "mode": "anonymous",
}


def _answer(page: Page) -> Callable[[str], None]:
    def answer(step: str) -> None:
        if step in PLAN:
            page.locator(f"main #{step}-{PLAN[step]}").check()

    return answer


def _press_continue(page: Page) -> None:
    page.locator("main [data-form] button[type=submit]").click()


def _to_the_narrative(page: Page, checkpoint: Checkpoint) -> None:
    open_form(page)
    walk(page, checkpoint, _answer(page), lambda: _press_continue(page), until="narrative")


def _no_check(page: Page, step: str) -> None:
    """Steps on the way are checked by the other form tests; these check the narrative."""


def test_emoji_up_to_the_limit_are_counted_as_the_api_counts_them_and_nothing_is_cut(
    page: Page, checkpoint: Checkpoint
) -> None:
    _to_the_narrative(page, _no_check)
    field = page.locator("#narrative")
    count = page.locator("#narrative-count")
    status = page.locator("main [data-count-status]")
    expect(count).to_have_text("You can enter up to 20000 characters.")
    expect(field).not_to_have_attribute("maxlength", str(LIMIT))

    field.fill(EMOJI * 14_999)  # under three quarters of the limit: no count yet
    expect(count).to_have_text("You can enter up to 20000 characters.")

    field.fill(EMOJI * 15_000)
    expect(count).to_have_text("You have 5000 characters remaining")

    field.fill(f"  {EMOJI * LIMIT}\n")  # white space at the ends is not counted
    expect(count).to_have_text("You have 0 characters remaining")
    expect(status).to_have_text("You have 0 characters remaining")  # once typing pauses
    expect(status).to_have_attribute("aria-live", "polite")
    checkpoint(page, "narrative-at-the-limit")

    field.fill(EMOJI * (LIMIT + 1))
    expect(count).to_have_text("You have 1 character too many")
    expect(count).to_have_class("hint character-count character-count--over")
    assert field.evaluate("(f) => f.value.length") == 2 * (LIMIT + 1), "the text was cut"
    _press_continue(page)

    expect(page.locator("main [data-error-summary]")).to_contain_text(TOO_LONG)
    expect(page.locator("#narrative-error")).to_contain_text(TOO_LONG)
    assert current_step(page) == "narrative"
    checkpoint(page, "narrative-one-over")


def test_the_api_refuses_one_emoji_more_with_the_message_the_page_shows(
    page: Page, checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # The API itself: the limit in emoji is accepted, one more is refused, naming the field.
    at_limit = submit(stack, anonymous_submission(narrative=EMOJI * LIMIT))
    one_over = submit(stack, anonymous_submission(narrative=EMOJI * (LIMIT + 1)))
    assert at_limit.status_code == 201, at_limit.text
    assert one_over.status_code == 400
    assert one_over.json()["errors"] == [
        {"field": "narrative", "message": f"must be at most {LIMIT} characters"}
    ]

    # The page sends the limit; on the way, one emoji more is slipped in: the API's refusal
    # reads as the page's own.
    _to_the_narrative(page, _no_check)
    page.locator("#narrative").fill(EMOJI * LIMIT)
    step = "narrative"
    while step != "review":  # on through demographics (left out) and mode (anonymous)
        step = advance(page, step, lambda: _press_continue(page))
        _answer(page)(step)

    def one_more(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        body["narrative"] += EMOJI
        route.continue_(post_data=json.dumps(body))

    page.route("**/reports", one_more)
    page.get_by_role("button", name="Send report").click()
    summary = page.locator("main [data-error-summary]")
    expect(summary).to_contain_text(TOO_LONG)
    checkpoint(page, "review-refused-by-the-api")

    page.unroute("**/reports")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("[data-testid=reference]")).to_have_text(REFERENCE)


def test_a_name_of_emoji_up_to_its_limit_is_accepted_and_one_more_refused_by_both(
    page: Page, checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # The API: 200 emoji as a name are accepted, 201 refused.
    at_limit = submit(stack, named_submission(contact=contact(name=EMOJI * 200)))
    one_over = submit(stack, named_submission(contact=contact(name=EMOJI * 201)))
    assert at_limit.status_code == 201, at_limit.text
    assert one_over.json()["errors"] == [
        {"field": "contact.name", "message": "must be at most 200 characters"}
    ]

    # The page, on the contact step of a named report.
    open_form(page)
    plan = {**PLAN, "mode": "named"}

    def answer(step: str) -> None:
        if step in plan:
            page.locator(f"main #{step}-{plan[step]}").check()

    walk(page, _no_check, answer, lambda: _press_continue(page), until="contact")
    name = page.get_by_label("Your name")
    page.get_by_label("Email address").fill("a.person@example.ac.uk")
    page.locator("main #contact-preferred_contact_method-email").check()

    name.fill(EMOJI * 201)
    expect(page.locator("#contact-name-count")).to_have_text("You have 1 character too many")
    _press_continue(page)
    expect(page.locator("#contact-name-error")).to_contain_text(
        "This must be 200 characters or fewer"
    )
    checkpoint(page, "contact-name-one-over")

    name.fill(EMOJI * 200)
    expect(page.locator("#contact-name-count")).to_have_text("You have 0 characters remaining")
    advance(page, "contact", lambda: _press_continue(page))
    assert current_step(page) == "review"
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("[data-testid=reference]")).to_have_text(REFERENCE)
