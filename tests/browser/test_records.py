"""Retention as staff see it in Chromium: the date a closed case's personal data will be
redacted; a redacted case (labelled, dated, its refused actions gone); and, once it is
deleted, the signed record of its deletion that an admin finds by reference — verified, and
shown as not verified once someone edits it. The admin's retention log lists the redaction
in its month, then, once the case is deleted, the deletion in its own month instead.

The stack's own sweep runs on the real clock, which never reaches a case due months or
years ahead, so these tests run the real retention code in this process against the stack's
moto server with the clock moved to the due time (`tests.browser.retention`). Its view of the
`retention_due` index is narrowed to this test's case, so the other browser tests' cases are
left as they are.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect

from chalicelib.cases.retention_schedule import add_years
from chalicelib.clock import iso
from chalicelib.months import add_months
from chalicelib.storage.retention_items import DUE_INDEX as INDEX
from tests.browser.form import Checkpoint
from tests.browser.portal import expect_banner, sign_in, staff_call
from tests.browser.retention import retention_at, tombstone_key
from tests.e2e.reports import REPORTS, report_with_reference, wait_for_screening
from tests.e2e.running import RunningStack
from tests.factories import contact, named_submission

pytestmark = pytest.mark.browser

SCREENER = "ss-screener"
ADMIN = "dpo-admin"
#: The institution's time zone: the portal shows every date in it.
ZONE = ZoneInfo("Europe/London")
#: The portal's `dateOnly` format (web/portal/js/format.js), evaluated in the page.
DATE_ONLY = """iso => new Intl.DateTimeFormat("en-GB", {weekday: "short", day: "numeric",
    month: "short", year: "numeric", timeZone: "Europe/London"}).format(new Date(iso))"""
NOTHING = {"redacted": 0, "deleted": 0, "deferred": 0, "skipped": 0}


@dataclass(frozen=True)
class NamedReport:
    reference: str
    report_id: str
    name: str
    email: str


class OnlyTheseDue:
    """The stack's DynamoDB client, except that the sweep's index shows only these reports
    (everything else, reads and writes, goes to the stack as it is)."""

    def __init__(self, client: Any, report_ids: set[str]) -> None:
        self._client, self._keys = client, {f"REPORT#{rid}" for rid in report_ids}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def query(self, **request: Any) -> Any:
        page = self._client.query(**request)
        if request.get("IndexName") == INDEX:
            page = {**page, "Items": [i for i in page["Items"] if i["pk"]["S"] in self._keys]}
        return page


def sweep(stack: RunningStack, report: NamedReport, moment: datetime) -> dict[str, int]:
    """The daily retention sweep at `moment`, seeing only this report in its index."""
    retention = retention_at(stack, moment)
    retention.client = OnlyTheseDue(retention.client, {report.report_id})
    return retention.sweep()


def day(moment: datetime) -> str:
    """How the portal writes the day of `moment` (e.g. "20 May 2027"; the weekday aside)."""
    local = moment.astimezone(ZONE)
    return f"{local.day} {local:%b %Y}"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def named_report(stack: RunningStack) -> NamedReport:
    """A student's named report, sent through the web server's API and triaged."""
    tag = uuid.uuid4().hex[:8]
    details = contact(name=f"Alexis Retentiontest {tag}", email=f"alexis.{tag}@example.ac.uk")
    body = named_submission(answers={"reporter_role": "student"}, contact=details)
    answer = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    reference = str(answer.json()["reference"])
    item = wait_for_screening(stack, reference)
    return NamedReport(reference, item["report_id"]["S"], details["name"], details["email"])


def open_by_reference(page: Page, reference: str) -> None:
    """Find a case from the first page by its reference (the queue's or the admin's form)."""
    form = page.locator("form#find-case")
    form.get_by_label("Case reference").fill(reference)
    form.get_by_role("button", name="Open case").click()


def close_through_the_api(stack: RunningStack, reference: str) -> dict[str, Any]:
    token = stack.access_token(SCREENER)
    case = staff_call(stack, token, "GET", f"/staff/cases/{reference}").json()
    closed = staff_call(
        stack,
        token,
        "POST",
        f"/staff/cases/{reference}/transitions",
        {
            "to": "closed",
            "outcome": "no_further_action",
            "reason": "Reporter asked for no further action",
            "version": case["version"],
        },
    )
    assert closed.status_code == 200, closed.text
    return dict(closed.json())


def test_closing_a_case_shows_when_its_personal_data_will_be_redacted(
    page: Page, checkpoint: Checkpoint, stack: RunningStack, named_report: NamedReport
) -> None:
    reference = named_report.reference
    sign_in(page, checkpoint, SCREENER)
    open_by_reference(page, reference)
    expect(page.locator("main h1")).to_have_text(f"Case {reference}")
    expect(page.get_by_test_id("retention")).to_have_count(0)  # open: nothing scheduled

    close = page.locator("#move-closed")
    close.get_by_label("No further action").check()
    close.get_by_label("Reason").fill("Reporter asked for no further action")
    close.get_by_role("button", name="Close case").click()
    expect_banner(page, "Case closed.")

    stored = report_with_reference(stack, reference)
    assert stored is not None
    due = add_months(utc(stored["closed_at"]["S"]), 6)
    assert stored["retention_due_at"]["S"] == iso(due)
    expect(page.get_by_test_id("retention-due")).to_have_text(
        f"Personal data will be redacted on {page_day(page, due)}."
    )
    checkpoint(page, "closed-with-redaction-date")


def page_day(page: Page, moment: datetime) -> str:
    """The portal's words for the day of `moment` (its `dateOnly`, as the page formats it),
    checked against the day in the institution's zone."""
    shown = str(page.evaluate(DATE_ONLY, iso(moment)))
    assert day(moment) in shown, (day(moment), shown)
    return shown


def month_of(moment: datetime) -> str:
    """The log's month of `moment`: the institution's."""
    return moment.astimezone(ZONE).strftime("%Y-%m")


def open_log(page: Page, month: str) -> None:
    """The admin's retention log for `month`, from the navigation and the month picker."""
    page.locator("nav#section-nav").get_by_role("link", name="Retention log").click()
    expect(page.locator("main h1")).to_have_text("Retention log")
    month_input = page.locator("form#log-month").get_by_label("Month", exact=True)
    # Without a month the log is the current one's (the picker says which, once loaded).
    expect(month_input).to_have_value(datetime.now(ZONE).strftime("%Y-%m"))
    month_input.fill(month)
    page.locator("form#log-month").get_by_role("button", name="Show month").click()
    name = datetime.strptime(month, "%Y-%m").strftime("%B %Y")
    expect(page.locator("#redactions-caption")).to_contain_text(f"Redacted in {name}")


def test_a_redacted_case_and_then_the_record_of_its_deletion(
    open_page: Callable[..., Page],
    checkpoint: Checkpoint,
    stack: RunningStack,
    named_report: NamedReport,
) -> None:
    reference = named_report.reference
    closed = close_through_the_api(stack, reference)
    redact_at = utc(closed["retention_due_at"])
    delete_at = add_years(utc(closed["submitted_at"]), 3)

    # Six months after closure: the real sweep code redacts it.
    assert sweep(stack, named_report, redact_at) == {**NOTHING, "redacted": 1}

    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)
    open_by_reference(screener, reference)
    main = screener.locator("main")
    expect(main.locator("h1")).to_have_text(f"Case {reference}")
    expect(main.locator(".case-tags")).to_contain_text("Redacted")
    expect(screener.get_by_test_id("redacted-on")).to_contain_text(
        f"Redacted on {page_day(screener, redact_at)}."
    )
    expect(screener.get_by_test_id("retention-due")).to_have_text(
        f"This record will be deleted on {page_day(screener, delete_at)}."
    )
    # What a redacted case refuses is not offered: no moves, nothing new on the timeline,
    # nothing sealed left to reveal; the timeline can still be read (its notes are gone).
    for refused in ("Reopen case", "Close case", "Add note", "Log contact", "Assign"):
        expect(main.get_by_role("button", name=refused, exact=True)).to_have_count(0)
    expect(main.get_by_role("button", name="Reveal contact details")).to_have_count(0)
    expect(main.locator("section#add-to-timeline")).to_have_count(0)
    expect(main.locator("section#workflow")).to_have_count(0)
    expect(main.get_by_role("button", name="Show timeline")).to_be_visible()
    expect(main).not_to_contain_text(named_report.email)
    checkpoint(screener, "redacted-case")

    # The data protection officer's retention log lists the redaction in its month.
    admin = open_page()
    sign_in(admin, checkpoint, ADMIN)
    open_log(admin, month_of(redact_at))
    redacted_row = admin.locator(f'table#redactions tr[data-reference="{reference}"]')
    expect(redacted_row).to_have_attribute("data-by", "sweep")
    expect(redacted_row).to_contain_text("The retention schedule (system:retention)")
    expect(redacted_row).to_contain_text("Named cases are redacted 6 months after they are closed")
    expect(admin.locator("main")).not_to_contain_text(named_report.email)
    checkpoint(admin, "retention-log-redaction")

    # Three years after submission: deleted, leaving its tombstone.
    assert sweep(stack, named_report, delete_at) == {**NOTHING, "deleted": 1}
    assert report_with_reference(stack, reference) is None

    # The log: gone from the redaction's month, listed (verified) in the deletion's month.
    open_log(admin, month_of(redact_at))
    expect(admin.locator(f'tr[data-reference="{reference}"]')).to_have_count(0)
    open_log(admin, month_of(delete_at))
    deleted_row = admin.locator(f'table#deletions tr[data-reference="{reference}"]')
    expect(deleted_row).to_have_attribute("data-verified", "true")
    expect(deleted_row).to_contain_text("Anonymised records are deleted 3 years after submission")
    expect(admin.locator(f'table#redactions tr[data-reference="{reference}"]')).to_have_count(0)
    checkpoint(admin, "retention-log-deletion")

    admin.locator("nav#section-nav").get_by_role("link", name="Find a case").click()
    expect(admin.locator("main h1")).to_have_text("Find a case")
    open_by_reference(admin, reference)
    expect(admin.locator("main h1")).to_have_text(f"Case {reference} was deleted")
    tombstone = admin.locator("section#tombstone")
    expect(tombstone).to_have_attribute("data-verified", "true")
    expect(admin.get_by_test_id("tombstone-verification")).to_contain_text(
        "Verified: this record of deletion is signed with the audit key"
    )
    expect(tombstone).to_contain_text(page_day(admin, delete_at))
    expect(tombstone).to_contain_text("Anonymised records are deleted 3 years after submission")
    expect(tombstone).to_contain_text("The retention schedule (system:retention)")
    expect(tombstone).not_to_contain_text(named_report.name)
    checkpoint(admin, "tombstone-verified")

    # Someone with write access to the table (but not the audit key) backdates it.
    dynamodb = stack.client("dynamodb")
    item = dynamodb.get_item(TableName=REPORTS, Key=tombstone_key(reference))["Item"]
    item["deleted_at"] = {"S": iso(redact_at)}
    dynamodb.put_item(TableName=REPORTS, Item=item)
    admin.reload()
    expect(admin.locator("section#tombstone")).to_have_attribute("data-verified", "false")
    expect(admin.get_by_test_id("tombstone-verification")).to_contain_text(
        "Not verified: this record of deletion does not match its signature"
    )
    checkpoint(admin, "tombstone-not-verified")
    open_log(admin, month_of(delete_at))
    expect(admin.locator(f'table#deletions tr[data-reference="{reference}"]')).to_have_attribute(
        "data-verified", "false"
    )
    checkpoint(admin, "retention-log-not-verified")

    # A screener is told only that there is no such case (and never asks for the record).
    asked: list[str] = []
    screener.on("request", lambda request: asked.append(request.url))
    screener.reload()  # (still at #/cases/<reference>, as the screener left it)
    expect(screener.locator("main h1")).to_have_text("Case not found")
    assert not [url for url in asked if "/staff/records" in url]
