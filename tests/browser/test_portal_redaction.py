"""A screener removes words from an anonymous reporter's account in the portal, in Chromium:
by selecting them in the revealed text (the second of two places the name stands, after
emoji), and by keyboard alone, typing the words; each time with a reason and a
confirmation. The page then shows the text with "[removed by screener]" where the words
were, and the server's own copy, revealed again, is the same text. Every step is checked
with axe-core.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.form import Checkpoint, tab_to
from tests.browser.portal import expect_banner, sign_in, sign_out
from tests.browser.test_portal import SCREENER, open_case
from tests.e2e.reports import wait_for_screening
from tests.e2e.running import RunningStack
from tests.factories import anonymous_submission

pytestmark = pytest.mark.browser

API_TIMEOUT_SECONDS = 10
MARKER = "[removed by screener]"
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"


def _report(stack: RunningStack, narrative: str) -> str:
    body = anonymous_submission()
    body["narrative"] = narrative
    answer = requests.post(f"{stack.web}/api/reports", json=body, timeout=API_TIMEOUT_SECONDS)
    assert answer.status_code == 201, answer.text
    reference = str(answer.json()["reference"])
    wait_for_screening(stack, reference)
    return reference


def _select(page: Page, words: str, place: int) -> None:
    """Select the `place`-th (1-based) occurrence of `words` in the shown account, as a
    mouse drag would, and let go of the mouse."""
    page.get_by_test_id("narrative").evaluate(
        """(element, [words, place]) => {
            const text = element.firstChild;
            let at = -1;
            for (let n = 0; n < place; n += 1) at = text.data.indexOf(words, at + 1);
            const range = document.createRange();
            range.setStart(text, at);
            range.setEnd(text, at + words.length);
            const selection = document.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            element.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
        }""",
        [words, place],
    )


def _reveal(page: Page, purpose: str) -> None:
    page.get_by_label("Why do you need to see them?").fill(purpose)
    page.get_by_role("button", name="Reveal the account").click()
    expect(page.get_by_test_id("narrative")).to_be_visible()


def test_a_screener_removes_a_name_by_selecting_it_and_another_by_keyboard(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given an anonymous account naming its author twice (a Welsh name, its circumflex one
    # character), the second time after two emoji (two and eight UTF-16 units)
    tag = uuid.uuid4().hex[:8]
    narrative = f"Fe wnaeth Siân Jones \U0001f642 weiddi arna i {tag}. {FAMILY} Siân was there too."
    reference = _report(stack, narrative)
    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)
    open_case(screener, checkpoint, reference, "Screening queue")
    _reveal(screener, "Screening the report")
    expect(screener.get_by_test_id("narrative")).to_have_text(narrative)
    removing = screener.locator("#redact-form-details")
    expect(removing.locator("summary")).to_have_text("Remove words from this text")

    # When the screener selects the second "Siân" and opens the form
    _select(screener, "Siân", 2)
    removing.locator("summary").click()

    # Then the words are filled in, and of the two places the second is chosen
    expect(screener.get_by_label("Words to remove")).to_have_value("Siân")
    places = screener.locator("#redact-which input[type=radio]")
    expect(places).to_have_count(2)
    expect(places.nth(1)).to_be_checked()
    checkpoint(screener, "words-selected")

    # When they press "Remove these words" without a reason, they are asked for one
    screener.get_by_role("button", name="Remove these words").click()
    expect(screener.locator("#redact-form [data-error-summary]")).to_contain_text("Give a reason")
    checkpoint(screener, "reason-missing")

    # And with a reason, they are asked to confirm, shown what goes and what stays
    screener.locator("#redact-reason").fill("The reporter named themselves")
    screener.get_by_role("button", name="Remove these words").click()
    confirm = screener.locator("#redact-confirmation")
    expect(confirm.get_by_role("heading", name="Are you sure?")).to_be_focused()
    expect(confirm).to_contain_text(f"{MARKER} was there too.")
    checkpoint(screener, "confirm")
    confirm.get_by_role("button", name="Yes, remove these words").click()

    # Then the account shows the marker in the second place, the first name still there
    once = f"Fe wnaeth Siân Jones \U0001f642 weiddi arna i {tag}. {FAMILY} {MARKER} was there too."
    expect_banner(screener, "Words removed from “Their account”.")
    expect(screener.get_by_test_id("narrative")).to_have_text(once)
    checkpoint(screener, "removed")

    # When they remove the first name with the keyboard alone, typing it
    tab_to(screener, "#redact-form-details summary")
    screener.keyboard.press("Enter")
    tab_to(screener, "#redact-text")
    screener.keyboard.type("Siân Jones \U0001f642")
    tab_to(screener, "#redact-reason")
    screener.keyboard.type("The reporter named themselves")
    tab_to(screener, "#redact-form button[type=submit]")
    screener.keyboard.press("Enter")
    expect(screener.get_by_role("heading", name="Are you sure?")).to_be_focused()
    tab_to(screener, "#redact-confirmation button.button--warning")
    screener.keyboard.press("Enter")

    # Then both are gone from the page
    twice = f"Fe wnaeth {MARKER} weiddi arna i {tag}. {FAMILY} {MARKER} was there too."
    expect(screener.get_by_test_id("narrative")).to_have_text(twice)
    checkpoint(screener, "removed-twice")

    # And the stored text, revealed again, is exactly what the page showed
    screener.get_by_role("button", name="Hide the account").click()
    _reveal(screener, "Checking the removal")
    expect(screener.get_by_test_id("narrative")).to_have_text(twice)
    sign_out(screener)
