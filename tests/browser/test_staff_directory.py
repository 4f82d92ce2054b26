"""The staff directory page of the portal in Chromium: an admin adds a member (a refused
entry is shown beside its field first), finds them in their team's table, deactivates them
with a reason and reads the change in the recent changes; a screener has no way there.

Every page is screenshotted and checked with axe-core; every request must stay on the web
server's origin.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.form import Checkpoint
from tests.browser.portal import PORTAL_PATH, expect_banner, section_links, sign_in

pytestmark = pytest.mark.browser

ADMIN = "dpo-admin"
SCREENER = "ss-screener"


def test_an_admin_adds_a_member_and_deactivates_them(page: Page, checkpoint: Checkpoint) -> None:
    member_id = f"browser-{uuid.uuid4().hex[:8]}"
    sign_in(page, checkpoint, ADMIN)
    assert "Staff directory" in section_links(page)
    page.get_by_role("link", name="Staff directory").click()
    expect(page.locator("main h1")).to_have_text("Staff directory")
    expect(page.locator('section[data-team="student_support"] h2')).to_have_text("Student Support")
    checkpoint(page, "directory")

    form = page.locator("form#add-member")
    form.get_by_label("Member id").fill(member_id)
    form.get_by_label("Team").select_option("student_support")
    form.get_by_label("Name").fill("Gwen Thomas")
    form.get_by_label("Email address").fill("not an address")
    form.get_by_label("advisor").check()
    form.get_by_label("Languages").fill("en, cy")
    form.get_by_label("Reason").fill("Joined the advice team")
    form.get_by_role("button", name="Add member").click()
    # The server's refusal, beside the field it names; nothing was added.
    expect(form.locator("#new-email-error")).to_contain_text("Email address must be")
    expect(page.locator(f'tr[data-member="{member_id}"]')).to_have_count(0)
    checkpoint(page, "refused-email")

    form.get_by_label("Email address").fill(f"{member_id}@example.ac.uk")
    form.get_by_role("button", name="Add member").click()
    expect_banner(page, "Gwen Thomas was added to Student Support")
    row = page.locator(f'section[data-team="student_support"] tr[data-member="{member_id}"]')
    expect(row).to_contain_text("Gwen Thomas")
    expect(row).to_contain_text("English and Welsh")
    checkpoint(page, "added")

    row.get_by_role("link", name="Gwen Thomas").click()
    expect(page.locator("main h1")).to_have_text("Gwen Thomas")
    checkpoint(page, "member")
    leaving = page.locator("form#deactivate-member")
    leaving.get_by_label("Reason").fill("Left the university")
    leaving.get_by_role("button", name="Deactivate").click()
    expect_banner(page, "Gwen Thomas was deactivated")
    expect(page.locator("#leaver-cases")).to_contain_text("They held no open cases.")
    expect(page.locator(".summary-list")).to_contain_text("Deactivated")
    expect(page.locator("form#reactivate-member")).to_be_visible()
    checkpoint(page, "deactivated")

    page.get_by_role("link", name="Staff directory").first.click()
    expect(page.locator(f'tr[data-member="{member_id}"]')).to_have_attribute("data-active", "false")
    page.get_by_role("button", name="Show recent changes").click()
    changes = page.locator("#changes-list")
    expect(changes.locator("li").first).to_contain_text(f"Member deactivated — {member_id}")
    expect(changes).to_contain_text(f"Member added — {member_id}")
    expect(changes).to_contain_text("Reason: Left the university")
    checkpoint(page, "recent-changes")


def test_the_directory_works_at_a_phone_width(
    open_page: Callable[..., Page], checkpoint: Checkpoint
) -> None:
    page = open_page(390, 844, phone=True)
    sign_in(page, checkpoint, ADMIN)
    page.goto(f"{PORTAL_PATH}#/directory")
    expect(page.locator("main h1")).to_have_text("Staff directory")
    expect(page.locator("form#add-member")).to_be_visible()

    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )

    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    checkpoint(page, "phone")


def test_a_screener_has_no_staff_directory(page: Page, checkpoint: Checkpoint) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    sign_in(page, checkpoint, SCREENER)
    expect(page.locator("main h1")).to_have_text("Screening queue")

    assert "Staff directory" not in section_links(page)
    assert "Screening queue" in section_links(page)
    page.goto(f"{PORTAL_PATH}#/directory")
    expect(page.locator("main h1")).to_have_text("No access to this page")
    page.goto(f"{PORTAL_PATH}#/directory/ss-advisor-1")
    expect(page.locator("main h1")).to_have_text("No access to this page")
    checkpoint(page, "no-access")
    assert not [url for url in asked if "/staff/admin/" in url]
