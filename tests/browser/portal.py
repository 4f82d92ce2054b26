"""Driving the staff portal (`/portal/`) in the browser tests: signing in and out, the status
banner, the section navigation, and what a page reports about its Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import requests
from playwright.sync_api import ConsoleMessage, Page, expect

from devstack.demo import DEMO_PASSWORD
from tests.browser.form import Checkpoint, persistent_storage, session_storage
from tests.e2e.running import RunningStack

PORTAL_PATH = "/portal/"
#: Seconds a staff API call from a test may take.
API_TIMEOUT_SECONDS = 10


def sign_in(page: Page, checkpoint: Checkpoint, username: str) -> None:
    """Open the portal and sign in with the local stack's password flow."""
    page.goto(PORTAL_PATH)
    expect(page.locator("main h1")).to_have_text("Sign in")
    checkpoint(page, f"sign-in-{username}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signed-in-as")).to_contain_text(username)
    assert persistent_storage(page) == (0, ""), "tokens were kept beyond the tab"


def sign_out(page: Page) -> None:
    """Sign out; the tokens must be gone from the tab."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("main h1")).to_have_text("Sign in")
    assert not [key for key in session_storage(page) if "session" in key], session_storage(page)


def expect_banner(page: Page, text: str) -> None:
    """The status region's banner says `text`."""
    expect(page.get_by_test_id("status-banner")).to_contain_text(text)


def section_links(page: Page) -> list[str]:
    """The names of the links in the portal's section navigation, in order."""
    nav = page.locator("nav#section-nav")
    if nav.is_hidden():
        return []
    return [text.strip() for text in nav.get_by_role("link").all_inner_texts()]


class CspWatch:
    """Collects the Content-Security-Policy violations a page reports to its console.

    Chromium writes one console error per refused script, style, eval or connection.
    """

    def __init__(self, page: Page) -> None:
        self.violations: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)


def staff_call(
    stack: RunningStack, token: str, method: str, path: str, body: Any = None
) -> requests.Response:
    """One staff API request over the web server's `/api` proxy, as the portal makes it."""
    return requests.request(
        method,
        f"{stack.web}/api{path}",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=API_TIMEOUT_SECONDS,
    )
