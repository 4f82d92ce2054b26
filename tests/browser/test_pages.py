"""Both front ends load from the web server's root, in English, and reflow at 400 % zoom.

A 1280-pixel-wide window zoomed to 400 % lays a page out in 320 CSS pixels (WCAG 2.2,
1.4.10 Reflow): nothing may need scrolling sideways there.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.form import Checkpoint, open_form

pytestmark = pytest.mark.browser

#: 1280 x 1024 CSS pixels at 400 % zoom.
ZOOMED = {"width": 320, "height": 256}


def expect_no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls {overflow}px sideways at 320 CSS pixels"


def test_the_root_address_opens_the_reporter_form(page: Page) -> None:
    page.goto("/")

    page.wait_for_url("**/report/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("data-ready", "true")


def test_the_reporter_pages_reflow_at_400_percent_zoom(
    open_page: Callable[..., Page], checkpoint: Checkpoint
) -> None:
    page = open_page(**ZOOMED)
    open_form(page)
    expect_no_sideways_scrolling(page)
    checkpoint(page, "start")

    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Continue").click()  # nothing chosen: an error
    expect(page.locator("main [data-error-summary]")).to_be_visible()
    expect_no_sideways_scrolling(page)
    checkpoint(page, "question-with-an-error")

    for path in [
        "/report/resources.html",
        "/report/privacy.html",
        "/report/policies.html",
        "/report/follow-up.html",
        "/report/exit.html",
    ]:
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        expect_no_sideways_scrolling(page)
        checkpoint(page, path.rsplit("/", 1)[1])


def test_the_portal_sign_in_reflows_at_400_percent_zoom(
    open_page: Callable[..., Page], checkpoint: Checkpoint
) -> None:
    page = open_page(**ZOOMED)
    page.goto("/portal/")

    expect(page.locator("main h1")).to_have_text("Sign in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect_no_sideways_scrolling(page)
    checkpoint(page, "sign-in")
