"""The people involved, asked one by one: on a phone, with the keyboard only.

Given a reporter on a phone-sized screen who uses only the keyboard, when they add people,
mark one as "I don't know their name" and remove another, then each person is a fieldset
with its own legend, focus follows the person added or the one now in the removed one's
place, the review lists the people (with "Name not known"), and the report stored holds the
entries sealed: no name in clear, and the name not known never linked.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.form import (
    Checkpoint,
    advance,
    choose_radio,
    continue_by_keyboard,
    current_step,
    open_form,
    tab_to,
    tick,
    walk,
)
from tests.e2e.reports import wait_for_screening
from tests.e2e.running import RunningStack

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: The required questions, and the department of the people involved.
PLAN: dict[str, tuple[str, list[str]]] = {
    "reporter_role": ("radio", ["student"]),
    "reporting_for": ("radio", ["myself"]),
    "what_happened": ("tick", ["bullying"]),
    "when": ("radio", ["last_month"]),
    "where": ("radio", ["off_campus"]),
    "involved_department": ("radio", ["social_sciences"]),
    "immediate_danger": ("radio", ["no"]),
    "mode": ("radio", ["anonymous"]),
}


def _answer(page: Page) -> Callable[[str], None]:
    def answer(step: str) -> None:
        how, values = PLAN.get(step, ("skip", []))
        for value in values:
            if how == "radio":
                choose_radio(page, step, value)
            else:
                tick(page, step, value)

    return answer


def _focused_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def _fits_the_screen(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_people_are_added_marked_unknown_and_removed_by_keyboard_on_a_phone(
    open_page: Callable[..., Page], checkpoint: Checkpoint, stack: RunningStack
) -> None:
    tag = uuid.uuid4().hex[:8]
    first, leaving = f"Jo Peoplebloggs {tag}", f"Sam Peopleleaving {tag}"
    page = open_page(**PHONE, phone=True)
    open_form(page)
    walk(
        page, checkpoint, _answer(page), lambda: continue_by_keyboard(page), until="involved_names"
    )

    # One person to start with: a fieldset with its legend, a name and the checkbox.
    people = page.locator("main [data-person]")
    expect(people).to_have_count(1)
    expect(people.first.locator("legend")).to_have_text("Person 1")
    expect(page.locator("main [data-remove-person]")).to_have_count(0)
    tab_to(page, "#involved_names-0-name")
    page.keyboard.type(first)

    # Add another person: focus moves to the new person's name.
    tab_to(page, "main [data-add-person]")
    page.keyboard.press("Enter")
    expect(people).to_have_count(2)
    expect(page.locator("#involved_names-1-name")).to_be_focused()
    expect(page.locator("[data-announcer]")).to_have_text("Person 2 added.")
    page.keyboard.type(leaving)

    # A third, whose name the reporter does not know: the name field greys out.
    tab_to(page, "main [data-add-person]")
    page.keyboard.press("Enter")
    expect(page.locator("#involved_names-2-name")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#involved_names-2-unknown")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#involved_names-2-unknown")).to_be_checked()
    expect(page.locator("#involved_names-2-name")).to_be_disabled()
    expect(people.nth(2).locator("legend")).to_have_text("Person 3")
    expect(page.get_by_role("group", name="Person 3")).to_be_visible()
    assert _fits_the_screen(page), "the people's fields are wider than a phone's screen"
    checkpoint(page, "three-people")

    # Remove the second: focus goes to the person now in its place (the unknown one, whose
    # name field is disabled, so its checkbox).
    tab_to(page, 'main [data-remove-person="1"]')
    expect(page.locator('main [data-remove-person="1"]')).to_have_text("Remove person 2")
    page.keyboard.press("Enter")
    expect(people).to_have_count(2)
    expect(page.locator("#involved_names-1-unknown")).to_be_focused()
    expect(page.locator("#involved_names-1-unknown")).to_be_checked()
    expect(page.locator("#involved_names-0-name")).to_have_value(first)
    expect(page.locator("[data-announcer]")).to_have_text("Person 2 removed.")
    expect(page.locator("main")).not_to_contain_text(leaving)
    checkpoint(page, "after-removing")

    # On to the review: the people are listed, the one not known as "Name not known".
    step = current_step(page)
    for _ in range(10):
        step = advance(page, step, lambda: continue_by_keyboard(page))
        if step == "review":
            break
        _answer(page)(step)
    assert step == "review", step
    row = page.locator("main .summary__row", has_text="who was involved")
    expect(row.locator("li")).to_have_text([first, "Name not known"])
    expect(page.locator("main")).not_to_contain_text(leaving)
    assert _fits_the_screen(page)
    checkpoint(page, "review")

    continue_by_keyboard(page)  # Send report
    expect(page.locator("main [data-step=confirmation]")).to_be_visible()
    reference = page.locator("[data-testid=reference]").inner_text().strip()
    stored = wait_for_screening(stack, reference)
    assert "answer.involved_names" in stored["sealed"]["M"]
    assert "involved_names" not in stored["answers"]["M"]
    assert len(stored["concern_macs"]["L"]) == 1, "only the real name is indexed"
    assert first not in repr(stored) and first.lower() not in repr(stored)


def test_the_people_step_speaks_welsh(
    open_page: Callable[..., Page], checkpoint: Checkpoint
) -> None:
    page = open_page(**PHONE, phone=True)
    open_form(page)
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.get_by_role("button", name="Dechrau").click()
    for _ in range(20):
        step = current_step(page)
        if step == "involved_names":
            break
        for value in PLAN.get(step, ("skip", []))[1]:
            page.locator(f"main #{step}-{value}").check()
        page.get_by_role("button", name="Parhau").click()
        expect(page.locator("main [data-step]").first).not_to_have_attribute("data-step", step)

    expect(page.locator("main [data-person] legend")).to_have_text("Person 1")
    expect(page.get_by_label("Dw i ddim yn gwybod eu henw")).to_be_visible()
    expect(page.get_by_role("button", name="Ychwanegu person arall")).to_be_visible()
    expect(page.get_by_label("Eu henw", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ychwanegwch bob person ar wahân")
    expect(page.locator("main")).not_to_contain_text("Add another person")
    checkpoint(page, "welsh")
