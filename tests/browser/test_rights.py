"""Rights requests in Chromium, as the data protection officer (role admin) answers them.

Two people made named reports: the first two reports by one address, the third by another.
The admin logs a subject access request for the first address and downloads the export
(exactly that person's reports); rectifies the phone number on one of them; logs erasure
requests — refused for the second person while their case is under legal hold (the page
names the case; nothing is erased), and done for the first.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.form import Checkpoint
from tests.browser.portal import CspWatch, expect_banner, section_links, sign_in, staff_call
from tests.e2e.reports import report_with_reference, wait_for_screening
from tests.e2e.running import RunningStack
from tests.factories import contact, named_submission

pytestmark = pytest.mark.browser

ADMIN = "dpo-admin"
RECEIVED_ON = "2026-01-31"


@dataclass(frozen=True)
class Person:
    email: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class People:
    first: Person
    second: Person


def send_named(stack: RunningStack, email: str, phone: str) -> str:
    """A named report by `email`, sent through the web server's API and triaged."""
    body = named_submission(contact=contact(name="Jordan Ellis", email=email, phone=phone))
    answer = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    reference = str(answer.json()["reference"])
    wait_for_screening(stack, reference)
    return reference


@pytest.fixture
def people(stack: RunningStack) -> People:
    """Two reports by one address, one by another; the other's case under legal hold."""
    tag = uuid.uuid4().hex[:8]
    first = f"jordan.ellis.{tag}@example.ac.uk"
    second = f"sam.okafor.{tag}@example.ac.uk"
    first_references = (
        send_named(stack, first, "+44 7700 900111"),
        send_named(stack, first, "+44 7700 900111"),
    )
    held = send_named(stack, second, "+44 7700 900222")

    token = stack.access_token(ADMIN)
    case = staff_call(stack, token, "GET", f"/staff/cases/{held}")
    assert case.status_code == 200, case.text
    hold = {
        "flag": "legal_hold",
        "value": True,
        "reason": "Litigation notice received",
        "version": case.json()["version"],
    }
    placed = staff_call(stack, token, "POST", f"/staff/cases/{held}/flags", hold)
    assert placed.status_code == 200, placed.text
    return People(Person(first, first_references), Person(second, (held,)))


def sealed_fields(stack: RunningStack, reference: str) -> set[str]:
    """The names of the sealed fields a report item still holds."""
    item = report_with_reference(stack, reference)
    assert item is not None, reference
    return set(item.get("sealed", {}).get("M", {}))


def log_request(page: Page, checkpoint: Checkpoint, kind: str, email: str) -> None:
    """From the list, log a request; the request's page opens."""
    page.locator("nav#section-nav").get_by_role("link", name="Rights requests").click()
    expect(page.locator("main h1")).to_have_text("Rights requests")
    form = page.locator("#log-request")
    form.get_by_label(kind, exact=True).check()
    form.get_by_label("Their email address").fill(email)
    form.get_by_label("Date received").fill(RECEIVED_ON)
    checkpoint(page, f"log-{kind}")
    form.get_by_role("button", name="Log request").click()
    expect(page.locator("main h1")).to_contain_text(f"{kind} request")
    expect_banner(page, f"{kind} request logged.")


def found_references(page: Page) -> list[str]:
    """The references the request page lists as found."""
    items = page.locator('[data-testid="references"] li[data-reference]')
    return sorted(item.get_attribute("data-reference") or "" for item in items.all())


def test_an_admin_answers_access_rectification_and_erasure_requests(
    open_page: Callable[..., Page],
    checkpoint: Checkpoint,
    stack: RunningStack,
    people: People,
) -> None:
    page = open_page()
    csp = CspWatch(page)
    sign_in(page, checkpoint, ADMIN)
    assert section_links(page) == [
        "Find a case",
        "Rights requests",
        "Retention log",
        "Content",
        "Staff directory",
    ]

    # Subject access: the export holds exactly the first person's reports.
    log_request(page, checkpoint, "Subject access", people.first.email)
    assert found_references(page) == sorted(people.first.references)
    assert people.first.email not in page.locator("main").inner_text()
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download subject access export").click()
    exported = downloading.value.path().read_text(encoding="utf-8")
    document = json.loads(exported)
    for reference in people.first.references:
        assert reference in exported
    assert people.second.references[0] not in exported
    assert people.first.email in exported
    assert people.second.email not in exported
    assert document["subject_email"] == people.first.email
    checkpoint(page, "access-exported")
    close = page.locator("#close-request")
    close.get_by_label("Completed").check()
    close.get_by_label("Reason").fill("Export reviewed and sent to the person")
    close.get_by_role("button", name="Close request").click()
    expect_banner(page, "Request closed as completed.")
    expect(page.locator("#request-summary")).to_have_attribute("data-status", "completed")

    # Rectification: a new phone number on the first report.
    log_request(page, checkpoint, "Rectification", people.first.email)
    form = page.locator("#rectification")
    form.get_by_label(people.first.references[0], exact=True).check()
    form.get_by_label("Phone number").fill("+44 7700 900999")
    form.get_by_label("Reason").fill("The reporter changed their phone number")
    form.get_by_role("button", name="Correct contact details").click()
    expect_banner(page, f"Contact details corrected on {people.first.references[0]}.")
    checkpoint(page, "rectified")

    # The open rectification request is listed, overdue (received 31 Jan, due 28 Feb).
    page.locator("nav#section-nav").get_by_role("link", name="Rights requests").click()
    overdue = page.locator('table#rights-requests tr[data-overdue="true"]')
    expect(overdue.first).to_be_visible()
    expect(page.locator("table#rights-requests")).to_contain_text("Sat, 28 Feb 2026")
    checkpoint(page, "open-requests")

    # Erasure for the second person: refused, the case on hold named, nothing erased.
    log_request(page, checkpoint, "Erasure", people.second.email)
    held = people.second.references[0]
    page.locator("#erasure").get_by_label("Reason").fill("The person asked for erasure")
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.locator("#erasure-confirmation")).to_contain_text(held)
    checkpoint(page, "erasure-confirmation")
    page.get_by_role("button", name="Yes, erase personal data").click()
    refusal = page.get_by_test_id("legal-hold-refusal")
    expect(refusal).to_contain_text("Erasure refused: a legal hold is in place")
    expect(refusal.locator(f'li[data-reference="{held}"]')).to_be_visible()
    expect(page.locator("#request-summary")).to_have_attribute("data-status", "refused")
    checkpoint(page, "erasure-refused")
    assert sealed_fields(stack, held), "a refused erasure erased something"

    # Erasure for the first person: confirmed and done.
    log_request(page, checkpoint, "Erasure", people.first.email)
    page.locator("#erasure").get_by_label("Reason").fill("The person asked for erasure")
    page.get_by_role("button", name="Erase personal data").click()
    page.get_by_role("button", name="Yes, erase personal data").click()
    expect_banner(page, "Personal data erased from")
    checkpoint(page, "erased")
    for reference in people.first.references:
        assert not sealed_fields(stack, reference), f"{reference} still holds sealed data"

    assert not csp.violations, csp.violations
