"""The staff portal in Chromium: a screener signs in and assigns a named report; the advisor
signs in, reveals the contact details, logs first contact and closes the case.

The report is sent through the web server's `/api` (as the reporter form sends it); each
member of staff works in their own browser context, as on their own machine. Every page is
screenshotted and checked with axe-core; every request must stay on the web server's origin.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.form import Checkpoint
from tests.browser.portal import PORTAL_PATH, expect_banner, section_links, sign_in, sign_out
from tests.e2e.reports import report_with_reference, wait_for_screening
from tests.e2e.running import RunningStack
from tests.factories import anonymous_submission, contact, named_submission

pytestmark = pytest.mark.browser

SCREENER = "ss-screener"
ADVISOR = "ss-advisor-1"
ADVISOR_NAME = "Rhian Evans"


@dataclass(frozen=True)
class NamedReport:
    reference: str
    name: str
    email: str


@pytest.fixture
def named_report(stack: RunningStack) -> NamedReport:
    """A student's named report, sent through the web server's API proxy and triaged."""
    tag = uuid.uuid4().hex[:8]
    details = contact(name="Morgan Price", email=f"morgan.price.{tag}@example.ac.uk")
    people = [{"name": "Riley Example"}, {"name_unknown": True}]
    body = named_submission(
        answers={"reporter_role": "student", "involved_names": people}, contact=details
    )
    answer = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    reference = answer.json()["reference"]
    wait_for_screening(stack, reference)
    return NamedReport(reference, details["name"], details["email"])


def queue_row(page: Page, reference: str) -> Locator:
    """A case's row in the queue, reading on page by page as a screener would (the shared
    stack's queue outgrows one page of 25 cases)."""
    expect(page.locator("table#queue caption")).not_to_be_empty()
    row = page.locator(f'table#queue tr[data-reference="{reference}"]')
    more = page.get_by_role("button", name="More cases")
    while not row.count() and more.count():
        more.click()
        expect(page.get_by_role("button", name="Loading more cases…")).to_have_count(0)
    return row


def open_case(page: Page, checkpoint: Checkpoint, reference: str, queue_title: str) -> None:
    """From the queue, open a case by its reference."""
    expect(page.locator("main h1")).to_have_text(queue_title)
    link = queue_row(page, reference).locator("a").first
    expect(link).to_be_visible()
    checkpoint(page, "queue")
    link.click()
    expect(page.locator("main h1")).to_have_text(f"Case {reference}")


def test_a_screener_assigns_and_the_advisor_works_the_case_to_closure(
    open_page: Callable[..., Page],
    checkpoint: Checkpoint,
    stack: RunningStack,
    named_report: NamedReport,
) -> None:
    reference = named_report.reference

    # The screener: sign in, find the case in the queue, assign it.
    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)
    open_case(screener, checkpoint, reference, "Screening queue")
    expect(screener.locator("main")).not_to_contain_text(named_report.email)
    expect(screener.locator("main")).not_to_contain_text("Riley Example")  # sealed until revealed
    checkpoint(screener, "case-for-the-screener")
    assign = screener.locator("#assign-form")
    assign.get_by_label(ADVISOR_NAME, exact=True).check()
    assign.get_by_label("Reason").fill("Student Support case; advisor has capacity")
    assign.get_by_role("button", name="Assign").click()
    expect_banner(screener, f"Case assigned to {ADVISOR_NAME}.")
    checkpoint(screener, "assigned")
    # The queue and the case name the advisor; the member id is not what staff read.
    screener.get_by_role("link", name="Back to the queue").click()
    row = queue_row(screener, reference)
    expect(row).to_contain_text(ADVISOR_NAME)
    expect(row).not_to_contain_text(ADVISOR)
    open_case(screener, checkpoint, reference, "Screening queue")
    expect(screener.locator("#summary dt:text-is('Advisor') + dd")).to_have_text(ADVISOR_NAME)
    sign_out(screener)

    # The advisor, on their own machine: sign in, open the case, reveal the contact details.
    advisor = open_page()
    sign_in(advisor, checkpoint, ADVISOR)
    open_case(advisor, checkpoint, reference, "Your cases")
    checkpoint(advisor, "case-for-the-advisor")
    advisor.get_by_label("Why do you need to see them?").fill("To make first contact")
    advisor.get_by_role("button", name="Reveal contact details").click()
    expect(advisor.get_by_test_id("contact-email")).to_have_text(named_report.email)
    # the people involved, one each, as the reporter gave them
    people = advisor.get_by_test_id("people").get_by_role("listitem")
    expect(people).to_have_text(["Riley Example", "Name not known"])
    checkpoint(advisor, "contact-details-revealed")

    # First contact: by email, reached.
    log = advisor.locator("#contact-form")
    log.get_by_label("Email", exact=True).check()
    log.get_by_label("Reached the reporter").check()
    log.get_by_role("button", name="Log contact").click()
    expect_banner(advisor, "Contact logged: the reporter was reached.")
    checkpoint(advisor, "first-contact-logged")

    # Close the case with an outcome.
    close = advisor.locator("#move-closed")
    close.get_by_label("Informal resolution").check()
    close.get_by_label("Reason").fill("Support agreed and given; the reporter is satisfied")
    close.get_by_role("button", name="Close case").click()
    expect_banner(advisor, "Case closed.")
    checkpoint(advisor, "closed")
    sign_out(advisor)

    stored = report_with_reference(stack, reference)
    assert stored is not None
    assert stored["status"]["S"] == "closed"
    assert stored["advisor_id"]["S"] == ADVISOR
    assert stored["first_contact_met"]["BOOL"] is True
    assert stored["outcome"]["S"] == "informal_resolution"


def test_a_screener_files_a_report_whose_reporter_asked_to_talk_only_by_saying_why(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    body = named_submission(answers={"desired_outcome": ["talk_to_someone"]})
    answer = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    reference = answer.json()["reference"]
    wait_for_screening(stack, reference)

    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)
    open_case(screener, checkpoint, reference, "Screening queue")
    filing = screener.locator("#move-filed")
    expect(filing).to_contain_text("The reporter asked to talk to someone.")
    filing.get_by_label("Reason").fill("Nothing to act on")
    filing.get_by_role("button", name="File case").click()
    # refused: the form says what is missing and why
    expect(filing.get_by_role("alert")).to_contain_text(
        "Why no one will contact the reporter is required: the reporter asked to talk to someone"
    )
    checkpoint(screener, "filing-refused")
    stored = report_with_reference(stack, reference)
    assert stored is not None and stored["status"]["S"] == "awaiting_screening"

    filing.get_by_label("Why no one will contact the reporter").fill(
        "The reporter phoned: they want no contact now"
    )
    filing.get_by_role("button", name="File case").click()
    expect_banner(screener, "Case filed for analysis.")
    checkpoint(screener, "filed-with-override")
    stored = report_with_reference(stack, reference)
    assert stored is not None and stored["status"]["S"] == "filed"


def test_an_anonymous_report_shows_its_screening_deadline_in_the_queue_and_on_the_case(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    answer = requests.post(f"{stack.web}/api/reports", json=anonymous_submission(), timeout=10)
    assert answer.status_code == 201, answer.text
    reference = answer.json()["reference"]
    wait_for_screening(stack, reference)

    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)
    row = queue_row(screener, reference)
    expect(row).to_contain_text("Screen by")
    expect(row).not_to_contain_text("Contact by")
    expect(row).not_to_contain_text("No deadline")
    open_case(screener, checkpoint, reference, "Screening queue")
    screening = screener.locator("main dt", has_text="Screening")
    expect(screening).to_have_count(1)
    expect(screener.locator("main")).not_to_contain_text("No deadline (anonymous report)")
    sign_out(screener)


def _report_asking_for(stack: RunningStack, *preferences: str) -> str:
    body = named_submission(
        answers={"reporter_role": "student"},
        contact=contact(advisor_preferences=list(preferences)),
    )
    answer = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    reference = str(answer.json()["reference"])
    wait_for_screening(stack, reference)
    return reference


def test_the_assign_control_shows_who_meets_the_reporters_preferences_first(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given a student asking for a woman who speaks Welsh, and another asking for a man
    # (Student Support's advisors: Rhian Evans, a woman who speaks Welsh; Imran Shah, a man)
    both = _report_asking_for(stack, "woman", "welsh_speaking")
    man = _report_asking_for(stack, "man")
    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)

    # When the screener opens the first case
    open_case(screener, checkpoint, both, "Screening queue")

    # Then the control says what was asked, and who meets how much of it, best first
    assign = screener.locator("#assign-form")
    expect(screener.get_by_test_id("advisor-preference")).to_contain_text(
        "The reporter asked for: A woman and Someone who speaks Welsh."
    )
    expect(assign.locator(".radios__label")).to_have_text(["Rhian Evans", "Imran Shah"])
    hints = assign.locator(".radios__hint")
    expect(hints.nth(0)).to_contain_text("Meets 2 of 2: A woman and Someone who speaks Welsh.")
    expect(hints.nth(1)).to_contain_text("Meets 0 of 2.")
    expect(hints.nth(1)).not_to_contain_text("Meets 2")
    checkpoint(screener, "assign-by-preferences")

    # And for the reporter asking for a man, Imran comes first; Rhian is still offered
    screener.get_by_role("link", name="Back to the queue").click()
    open_case(screener, checkpoint, man, "Screening queue")
    expect(assign.locator(".radios__label")).to_have_text(["Imran Shah", "Rhian Evans"])
    expect(hints.nth(0)).to_contain_text("Meets 1 of 1: A man.")
    expect(hints.nth(1)).to_contain_text("Meets 0 of 1.")
    sign_out(screener)


def test_a_screener_sees_the_reports_naming_the_same_person(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    person = f"Linkedperson {uuid.uuid4().hex[:8]}"
    references = []
    for spelling in (person, f"Dr. {person.upper()}"):
        body = named_submission(
            answers={
                "reporter_role": "student",
                "involved_names": [{"name": spelling}],
                "involved_department": "social_sciences",
            }
        )
        answer = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)
        assert answer.status_code == 201, answer.text
        references.append(answer.json()["reference"])
        wait_for_screening(stack, references[-1])
    first, second = references

    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)
    open_case(screener, checkpoint, second, "Screening queue")

    main = screener.locator("main")
    expect(main).to_contain_text("Names someone named in another report")
    expect(main).to_contain_text("Reports naming the same person")
    expect(main.get_by_role("link", name=first, exact=True)).to_have_attribute(
        "href", f"#/cases/{first}"
    )
    expect(main).not_to_contain_text(person)
    expect(main).not_to_contain_text(person.lower())
    checkpoint(screener, "case-with-linked-reports")
    sign_out(screener)


@pytest.mark.parametrize(
    ("username", "sections"),
    [
        ("ss-screener", ["Screening queue"]),
        ("ss-advisor-1", ["Your cases"]),
        (
            "dpo-admin",
            ["Find a case", "Rights requests", "Retention log", "Content", "Staff directory"],
        ),
        ("di-analyst", ["Insights"]),
    ],
)
def test_the_navigation_links_only_the_pages_a_role_may_use(
    page: Page, checkpoint: Checkpoint, username: str, sections: list[str]
) -> None:
    sign_in(page, checkpoint, username)

    expect(page.locator("nav#section-nav")).to_be_visible()
    assert section_links(page) == sections
    expect(page.locator('nav#section-nav a[aria-current="page"]')).to_have_count(1)
    checkpoint(page, "home")


def test_a_screener_cannot_reach_insights_or_rights(page: Page, checkpoint: Checkpoint) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    sign_in(page, checkpoint, SCREENER)
    expect(page.locator("main h1")).to_have_text("Screening queue")

    for address in [
        "#/insights",
        "#/insights?from=2026-01&to=2026-02",
        "#/rights",
        "#/rights/abc",
        "#/records?month=2026-10",
    ]:
        page.goto(f"{PORTAL_PATH}{address}")
        expect(page.locator("main h1")).to_have_text("No access to this page")
        checkpoint(page, f"no-access-{address}")

    assert "Insights" not in section_links(page)
    assert "Rights requests" not in section_links(page)
    assert "Retention log" not in section_links(page)
    assert not [
        url
        for url in asked
        if "/staff/insights" in url or "/staff/rights" in url or "/staff/records" in url
    ]


def test_the_case_page_offers_exactly_the_actions_the_server_allows(
    open_page: Callable[..., Page], checkpoint: Checkpoint, named_report: NamedReport
) -> None:
    """The page holds no rule of its own: it draws a control for each action the case
    answer's `allowed_actions` and `allowed_transitions` name, and for nothing else."""
    reference = named_report.reference
    screener = open_page()
    sign_in(screener, checkpoint, SCREENER)

    # Given the screener's own team's new case, as the server answers it
    open_case(screener, checkpoint, reference, "Screening queue")
    # Then assigning, filing and changing priority are offered
    expect(screener.locator("#assign-form")).to_have_count(1)
    expect(screener.locator("#move-filed")).to_have_count(1)
    expect(screener.locator("#priority-form")).to_have_count(1)
    expect(screener.locator("#move-closed")).to_have_count(1)

    # When the server's answer withholds those rights (as it does for a role without them)
    withheld = {"list_advisors", "assign", "file", "set_priority"}

    def without_screening_rights(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        body["allowed_actions"] = [a for a in body["allowed_actions"] if a not in withheld]
        body["allowed_transitions"] = [m for m in body["allowed_transitions"] if m != "filed"]
        route.fulfill(response=answer, json=body)

    screener.route(f"**/staff/cases/{reference}", without_screening_rights)
    screener.get_by_role("link", name="Back to the queue").click()
    open_case(screener, checkpoint, reference, "Screening queue")

    # Then no control for them is drawn, while closing (still allowed) is
    expect(screener.locator("#move-closed")).to_have_count(1)
    expect(screener.locator("#assign-form")).to_have_count(0)
    expect(screener.locator("#move-filed")).to_have_count(0)
    expect(screener.locator("#priority-form")).to_have_count(0)
    checkpoint(screener, "case-without-screening-rights")
