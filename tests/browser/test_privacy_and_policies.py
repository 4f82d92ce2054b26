"""The full privacy notice (with the retention periods the settings give), the limits of
confidentiality shown before the reporter chooses anonymous or named, and the policies page,
one link away from every step without losing the draft."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.form import Checkpoint, advance, current_step, open_form, walk

pytestmark = pytest.mark.browser

PRIVACY_PATH = "/report/privacy.html"
POLICIES_PATH = "/report/policies.html"
PHONE = {"width": 390, "height": 844}

SECTIONS_EN = [
    "Who is responsible for your data",
    "Our Data Protection Officer",
    "Why we are allowed to use your data",
    "What we keep, and for how long",
    "Who sees what",
    "When we may share what you tell us",
    "Your rights, and how to use them",
    "If you are unhappy",
]
SECTIONS_CY = [
    "Pwy sy'n gyfrifol am eich data",
    "Ein Swyddog Diogelu Data",
    "Pam y cawn ni ddefnyddio eich data",
    "Beth rydyn ni'n ei gadw, ac am ba hyd",
    "Pwy sy'n gweld beth",
    "Pryd y gallen ni rannu'r hyn rydych chi'n ei ddweud wrthon ni",
    "Eich hawliau, a sut i'w defnyddio",
    "Os ydych chi'n anhapus",
]

PLAN: dict[str, str] = {
    "reporter_role": "student",
    "reporting_for": "myself",
    "what_happened": "verbal_harassment",
    "when": "last_week",
    "where": "online",
    "immediate_danger": "no",
}


def _answer(page: Page, plan: dict[str, str]) -> Callable[[str], None]:
    def answer(step: str) -> None:
        if step in plan:
            page.locator(f"main #{step}-{plan[step]}").check()

    return answer


def _press_continue(page: Page) -> None:
    page.locator("main [data-form] button[type=submit]").click()


def _no_check(page: Page, step: str) -> None:
    """The steps on the way are checked by the other form tests."""


# --- the privacy notice ------------------------------------------------------------------------


def test_the_privacy_notice_shows_every_section_in_english_and_welsh(
    page: Page, checkpoint: Checkpoint
) -> None:
    page.goto(PRIVACY_PATH)

    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("Privacy notice")
    expect(main.locator("h2")).to_have_text(SECTIONS_EN)
    expect(main).to_contain_text("Example University is the data controller")
    expect(main.get_by_role("link", name="dataprotection@example.ac.uk")).to_have_attribute(
        "href", "mailto:dataprotection@example.ac.uk"
    )
    expect(main).to_contain_text("UK GDPR Article 6(1)(e)")
    expect(main.locator("[data-retention=named]")).to_contain_text(
        "deleted 6 months after your case is closed"
    )
    expect(main.locator("[data-retention=anonymised]")).to_contain_text(
        "deleted 3 years after the report was sent"
    )
    expect(main).to_contain_text("Any group of fewer than 5 people is hidden")
    # a witness or someone reporting for another person is told how that person is protected
    expect(main).to_contain_text("A report may hold information about other people")
    expect(main).to_contain_text("Safeguarding: if a child (under 18)")
    expect(main).to_contain_text("your reference lets us find your report")
    expect(main).to_contain_text("Information Commissioner's Office")
    checkpoint(page, "privacy-en")

    page.locator("[data-action=language]").click()

    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(main.locator("h1")).to_have_text("Hysbysiad preifatrwydd")
    expect(main.locator("h2")).to_have_text(SECTIONS_CY)
    expect(main.locator("[data-retention=named]")).to_contain_text("eu dileu 6 o fisoedd")
    expect(main.locator("[data-retention=anonymised]")).to_contain_text("3 o flynyddoedd")
    expect(main).to_contain_text("Prifysgol Enghreifftiol yw'r rheolydd data")
    checkpoint(page, "privacy-cy")


def test_the_privacy_notice_states_the_periods_the_served_settings_give(page: Page) -> None:
    # Given an institution whose retention settings are 9 months and 4 years (the API serves
    # them from the settings: tests/api/test_form_privacy_and_policies.py)
    def other_settings(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        body["privacy_notice"]["retention"] = {
            "redact_named_after_months": 9,
            "delete_anonymised_after_years": 4,
        }
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/api/form", other_settings)

    page.goto(PRIVACY_PATH)

    main = page.locator("main")
    expect(main.locator("[data-retention=named]")).to_contain_text(
        "deleted 9 months after your case is closed"
    )
    expect(main.locator("[data-retention=anonymised]")).to_contain_text(
        "deleted 4 years after the report was sent"
    )
    expect(main.locator("[data-retention]").first).not_to_contain_text("6 months")


def test_the_mode_step_shows_the_limits_of_confidentiality_before_the_choice(
    page: Page, checkpoint: Checkpoint
) -> None:
    open_form(page)
    walk(page, _no_check, _answer(page, PLAN), lambda: _press_continue(page), until="mode")

    limits = page.locator("main [data-confidentiality]")
    expect(limits).to_be_visible()
    expect(limits).to_contain_text("when we may have to share what you tell us")
    expect(limits).to_contain_text("if someone's life or safety is at risk")
    before_the_choice = page.evaluate(
        """() => {
            const limits = document.querySelector("main [data-confidentiality]");
            const first = document.querySelector("main input[name=mode]");
            return !!(limits.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert before_the_choice, "the limits of confidentiality come after the choice"
    described_by = page.locator("main fieldset").get_attribute("aria-describedby") or ""
    assert "mode-hint" in described_by.split(), described_by
    checkpoint(page, "mode-with-the-limits-of-confidentiality")

    page.locator("main #mode-named").check()
    limits.get_by_role("link", name="When we may share information").click()

    page.wait_for_url(f"**{PRIVACY_PATH}#confidentiality")
    expect(page.locator("#confidentiality")).to_be_in_viewport()
    page.go_back()
    expect(page.locator("main [data-step=mode]")).to_be_visible()
    expect(page.locator("main #mode-named")).to_be_checked()


# --- policies and procedures, one link away ----------------------------------------------------


def _to_the_policies_and_back(page: Page, checkpoint: Checkpoint, step: str) -> None:
    page.locator(f'footer a[href="{POLICIES_PATH}"]').tap()
    page.wait_for_url(f"**{POLICIES_PATH}")
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("Policies and procedures")
    expect(main.locator("[data-policies] h2")).to_contain_text(
        ["Dignity at Work and Study Policy", "Sexual Misconduct Policy"]
    )
    expect(main.get_by_role("link", name="How to make a formal complaint")).to_have_attribute(
        "href", "https://www.example.ac.uk/complaints"
    )
    expect(page.locator("[data-action=quick-exit]")).to_be_in_viewport()
    checkpoint(page, f"policies-from-{step}")
    page.go_back()
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator(f"main [data-step={step}]")).to_be_visible()


def test_the_policies_are_one_link_from_every_step_and_back_keeps_the_answers(
    open_page: Callable[..., Page], checkpoint: Checkpoint
) -> None:
    page = open_page(**PHONE, phone=True)
    open_form(page)
    plan = {**PLAN, "mode": "named"}
    walk(page, _no_check, _answer(page, plan), lambda: _press_continue(page), until="when")

    # From a question step
    page.locator("main #when-last_week").check()
    _to_the_policies_and_back(page, checkpoint, "when")
    expect(page.locator("main #when-last_week")).to_be_checked()

    # From the contact step, with what was typed
    step = "when"
    while step != "contact":
        step = advance(page, step, lambda: _press_continue(page))
        _answer(page, plan)(step)
        if step == "narrative":
            page.locator("#narrative").fill("After the lecture, in the corridor.")
    page.get_by_label("Your name").fill("Rhiannon Jones")
    page.get_by_label("Email address").fill("rhiannon.jones@example.ac.uk")
    _to_the_policies_and_back(page, checkpoint, "contact")
    expect(page.get_by_label("Your name")).to_have_value("Rhiannon Jones")
    expect(page.get_by_label("Email address")).to_have_value("rhiannon.jones@example.ac.uk")

    # From the review step, every answer still there
    page.locator("main #contact-preferred_contact_method-email").check()
    advance(page, "contact", lambda: _press_continue(page))
    assert current_step(page) == "review"
    _to_the_policies_and_back(page, checkpoint, "review")
    review = page.locator("main")
    expect(review).to_contain_text("After the lecture, in the corridor.")
    expect(review).to_contain_text("Rhiannon Jones")

    # The page's own link back to the form lands on the same step too
    page.locator(f'footer a[href="{POLICIES_PATH}"]').tap()
    page.get_by_role("link", name="Back to the report form").tap()
    expect(page.locator("main [data-step=review]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Rhiannon Jones")
