"""The form asks about the right person, in Chromium: a witness and a reporter for someone
else are asked about the person it happened to (in English and in Welsh, on a computer and on
a phone), a reporter for themselves about themselves; the review page repeats the questions
as they were asked; the case page shows a screener the questions as the reporter saw them.

Every step is screenshotted and checked with axe-core (`checkpoint`); every request must stay
on the web server's origin (the `page` fixture asserts it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.form import Checkpoint, current_step, open_form, wait_for_step_change
from tests.browser.portal import sign_in
from tests.e2e.reports import wait_for_screening, wait_for_triage
from tests.e2e.running import RunningStack
from tests.factories import contact, named_submission

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SCREENER = "ss-screener"


def answer_and_continue(page: Page, question: str, option: str) -> str:
    """Choose `option` on the current step (question `question`); the next step."""
    assert current_step(page) == question
    page.locator(f"main #{question}-{option}").check()
    page.locator("main [data-form] button[type=submit]").click()
    return wait_for_step_change(page, question)


def continue_to(page: Page, step: str) -> None:
    """Continue (leaving optional steps unanswered) until the form shows `step`."""
    for _ in range(20):
        if current_step(page) == step:
            return
        before = current_step(page)
        page.locator("main [data-form] button[type=submit]").click()
        wait_for_step_change(page, before)
    raise AssertionError(f"the form never reached {step}")


def start_as(page: Page, reporter_role: str, reporting_for: str) -> None:
    """From the start page, answer who the reporter is and whom they report for."""
    page.get_by_role("button", name="Start").click()
    answer_and_continue(page, "reporter_role", reporter_role)
    answer_and_continue(page, "reporting_for", reporting_for)


def legend(page: Page) -> str:
    return page.locator("main h1").inner_text().strip()


# --- a witness -------------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["computer", "phone"])
def test_a_witness_is_asked_about_the_person_it_happened_to_in_english_and_welsh(
    open_page: Callable[..., Page], checkpoint: Checkpoint, device: str
) -> None:
    # Given a student who saw it happen
    page = open_page(**PHONE, phone=True) if device == "phone" else open_page()
    open_form(page)
    start_as(page, "student", "witness")

    # Then they are asked whether the person it happened to is under 18, not whether they are
    assert current_step(page) == "under_18"
    expect(page.locator("main h1")).to_have_text("Is the person it happened to under 18?")
    expect(page.locator("main")).not_to_contain_text("Are you under 18?")
    expect(page.locator("main")).to_contain_text("If you do not know, you can leave this question.")
    checkpoint(page, "under-18-for-a-witness")

    # And in Welsh too, with the answer in the question's own verb ("Ydy", not "Ydw")
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("main h1")).to_have_text("Ydy'r person a gafodd ei effeithio o dan 18 oed?")
    expect(page.locator("main label[for=under_18-yes]")).to_have_text("Ydy")
    expect(page.locator("main")).not_to_contain_text("Ydych chi o dan 18 oed?")
    checkpoint(page, "under-18-for-a-witness-welsh")
    page.get_by_role("button", name="English").click()
    expect(page.locator("main h1")).to_have_text("Is the person it happened to under 18?")

    # And next they are asked the role of the person it happened to
    step = answer_and_continue(page, "under_18", "yes")
    assert step == "affected_role"
    expect(page.locator("main h1")).to_have_text("Which best describes the person it happened to?")
    expect(page.locator("main #affected_role-not_sure")).to_be_visible()
    checkpoint(page, "affected-role")


def test_a_witness_reviews_the_questions_as_asked_and_is_not_asked_about_themselves(
    page: Page, checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given a student witness to harassment of a member of staff
    open_form(page)
    start_as(page, "student", "witness")
    answer_and_continue(page, "under_18", "no")
    answer_and_continue(page, "affected_role", "staff")
    answer_and_continue(page, "what_happened", "bullying")
    answer_and_continue(page, "when", "last_week")
    answer_and_continue(page, "where", "off_campus")
    continue_to(page, "immediate_danger")
    answer_and_continue(page, "immediate_danger", "no")
    continue_to(page, "mode")

    # Then no step asked for their own demographics
    steps = page.evaluate("() => JSON.parse(sessionStorage.getItem('report:draft')).visited")
    assert "demographics" not in steps, steps
    assert "narrative" in steps, steps

    # And the review page repeats the questions as they were asked
    answer_and_continue(page, "mode", "anonymous")
    continue_to(page, "review")  # past the optional way back in (a receipt code), unanswered
    review = page.locator("main")
    expect(review).to_contain_text("Is the person it happened to under 18?")
    expect(review).to_contain_text("Which best describes the person it happened to?")
    expect(review).not_to_contain_text("Are you under 18?")
    expect(review.locator("h2", has_text="About you")).to_have_count(0)
    checkpoint(page, "review")
    page.get_by_role("button", name="Cymraeg").click()
    expect(review).to_contain_text("Ydy'r person a gafodd ei effeithio o dan 18 oed?")
    expect(review).to_contain_text("Pa un sy'n disgrifio orau'r person a gafodd ei effeithio?")
    page.get_by_role("button", name="English").click()

    # And once sent, the report goes to the team of the person it happened to (staff: HR)
    page.locator("main [data-send]").click()
    expect(page.locator("main [data-step=confirmation]")).to_be_visible()
    reference = page.locator("[data-testid=reference]").inner_text().strip()
    stored = wait_for_triage(stack, reference)
    assert stored["team_id"]["S"] == "human_resources"
    assert stored["team_id"]["S"] != "student_support"
    assert stored["answers"]["M"]["affected_role"]["S"] == "staff"


# --- reporting for someone else ----------------------------------------------------------------


def test_reporting_for_someone_else_the_demographic_questions_are_about_them(
    page: Page, checkpoint: Checkpoint
) -> None:
    # Given a member of staff reporting for a student
    open_form(page)
    start_as(page, "staff", "someone_else")
    expect(page.locator("main h1")).to_have_text("Is the person you are reporting for under 18?")
    answer_and_continue(page, "under_18", "yes")
    expect(page.locator("main h1")).to_have_text(
        "Which best describes the person you are reporting for?"
    )
    answer_and_continue(page, "affected_role", "student")
    answer_and_continue(page, "what_happened", "bullying")
    answer_and_continue(page, "when", "last_week")
    answer_and_continue(page, "where", "off_campus")
    continue_to(page, "immediate_danger")
    answer_and_continue(page, "immediate_danger", "no")
    continue_to(page, "demographics")

    # Then the demographic questions ask about the person they report for
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("About the person you are reporting for (optional)")
    expect(main).to_contain_text("Answer only what they have told you")
    expect(main).to_contain_text("What is their gender?")
    expect(main).not_to_contain_text("What is your gender?")
    expect(main.locator("label[for=demographics-gender-prefer_not_to_say]")).to_have_text(
        "They would prefer not to say"
    )
    checkpoint(page, "demographics-about-them")
    page.get_by_role("button", name="Cymraeg").click()
    expect(main.locator("h1")).to_have_text(
        "Am y person rydych chi'n rhoi gwybod ar ei ran (dewisol)"
    )
    expect(main).to_contain_text("Beth yw eu rhywedd?")
    checkpoint(page, "demographics-about-them-welsh")
    page.get_by_role("button", name="English").click()

    # And the review page says whose answers they are
    page.locator("main #demographics-gender-woman").check()
    continue_to(page, "mode")
    answer_and_continue(page, "mode", "anonymous")
    continue_to(page, "review")
    expect(main.locator("h2", has_text="About the person you are reporting for")).to_be_visible()
    expect(main).to_contain_text("What is their gender?")
    expect(main.locator("h2", has_text="About you")).to_have_count(0)


# --- reporting for myself ---------------------------------------------------------------------


@pytest.mark.parametrize("device", ["computer", "phone"])
def test_reporting_for_myself_i_am_asked_about_me_even_after_first_saying_witness(
    open_page: Callable[..., Page], checkpoint: Checkpoint, device: str
) -> None:
    # Given a student who first says they saw it happen, then goes back: it happened to them
    page = open_page(**PHONE, phone=True) if device == "phone" else open_page()
    open_form(page)
    start_as(page, "student", "witness")
    expect(page.locator("main h1")).to_have_text("Is the person it happened to under 18?")
    page.get_by_role("button", name="Back").click()
    answer_and_continue(page, "reporting_for", "myself")

    # Then the question is about them, in English and in Welsh
    expect(page.locator("main h1")).to_have_text("Are you under 18?")
    expect(page.locator("main")).not_to_contain_text("the person")
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("main h1")).to_have_text("Ydych chi o dan 18 oed?")
    expect(page.locator("main label[for=under_18-yes]")).to_have_text("Ydw")
    page.get_by_role("button", name="English").click()
    checkpoint(page, "under-18-for-myself")

    # And no question about the person affected follows; the demographics are about them
    step = answer_and_continue(page, "under_18", "no")
    assert step == "what_happened"
    answer_and_continue(page, "what_happened", "bullying")
    answer_and_continue(page, "when", "last_week")
    answer_and_continue(page, "where", "off_campus")
    continue_to(page, "immediate_danger")
    answer_and_continue(page, "immediate_danger", "no")
    continue_to(page, "demographics")
    expect(page.locator("main h1")).to_have_text("About you (optional)")
    expect(page.locator("main")).to_contain_text("What is your gender?")
    expect(page.locator("main")).not_to_contain_text("What is their gender?")
    checkpoint(page, "demographics-about-me")


# --- the case page ------------------------------------------------------------------------------


def test_the_case_page_shows_the_screener_the_questions_as_the_reporter_was_asked(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    # Given a member of staff's named report for a student under 18 (the student team's case)
    tag = uuid.uuid4().hex[:8]
    body = named_submission(
        answers={
            "reporter_role": "staff",
            "reporting_for": "someone_else",
            "affected_role": "student",
            "under_18": "yes",
        },
        contact=contact(name="Dana Hughes", email=f"dana.hughes.{tag}@example.ac.uk"),
    )
    answer = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    reference = answer.json()["reference"]
    stored = wait_for_screening(stack, reference)
    assert stored["team_id"]["S"] == "student_support"
    assert stored["priority"]["S"] == "urgent"

    # When the student team's screener opens the case
    page = open_page()
    sign_in(page, checkpoint, SCREENER)
    page.goto(f"/portal/#/cases/{reference}")
    expect(page.locator("main h1")).to_have_text(f"Case {reference}")

    # Then the answers read as the reporter was asked them: about the person reported for
    answers = page.locator("main")
    expect(answers).to_contain_text("Is the person you are reporting for under 18?")
    expect(answers).to_contain_text("Which best describes the person you are reporting for?")
    expect(answers).not_to_contain_text("Are you under 18?")
    expect(answers).to_contain_text("Which best describes you?")  # the reporter's own role
    checkpoint(page, "case-answers-as-asked")
