"""A named reporter may ask for several things of their advisor at once (a woman who speaks
Welsh); the screener assigning the case sees which advisors meet which.

All tests of this module share one mocked stack (see `tests.api.shared_stack`). The demo
directory's Student Support advisors, whom a student's report is routed to, are Rhian Evans
(`ss-advisor-1`: a woman, speaks English and Welsh, specialism sexual violence) and Imran
Shah (`ss-advisor-2`: a man, speaks English and Urdu, specialisms faith-based harassment
and hate incidents).
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from tests.api.conftest import post_json
from tests.api.shared_stack import Stack
from tests.api.test_case_workflow import SCREENER, view
from tests.factories import contact, named_submission

PREFERENCES = "contact.advisor_preferences"


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def asking_for(*preferences: str) -> dict[str, Any]:
    return named_submission(contact=contact(advisor_preferences=list(preferences)))


def offered(stack: Stack, reference: str) -> dict[str, Any]:
    response = stack.call("get", f"/staff/cases/{reference}/advisors", SCREENER)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def stored_reports(stack: Stack) -> list[dict[str, Any]]:
    items = services.dynamodb().scan(TableName=stack.settings.reports_table)["Items"]
    return [item for item in items if item["sk"]["S"] == "REPORT"]


def test_a_reporter_asking_for_a_woman_who_speaks_welsh_is_heard_on_both(stack: Stack) -> None:
    # When a named reporter ticks two preferences
    reference = stack.submit(asking_for("woman", "welsh_speaking"))

    # Then the case keeps both, in the order ticked
    assert view(stack, reference)["preferences"] == {
        "preferred_contact_method": "email",
        "advisor_preferences": ["woman", "welsh_speaking"],
    }


def test_advisor_preferences_are_stored_in_clear_beside_the_sealed_contact(stack: Stack) -> None:
    # Given a reporter asking for someone trained in sexual violence support
    reference = stack.submit(asking_for("sexual_violence_trained"))

    # Then the preference is an option id in clear (the screener assigns by it before anyone
    # opens the contact details), as the single preference was, and the contact is sealed
    item = stack.case_item(reference)
    assert item["preferences"]["M"]["advisor_preferences"] == {
        "L": [{"S": "sexual_violence_trained"}]
    }
    assert set(item["sealed"]["M"]) == {"contact", "narrative", "submission_digest"}
    assert "advisor_preferences" not in item["answers"]["M"]


def test_the_screener_sees_who_meets_every_preference_first(stack: Stack) -> None:
    reference = stack.submit(asking_for("woman", "welsh_speaking"))

    choices = offered(stack, reference)

    assert choices["advisor_preferences"] == ["woman", "welsh_speaking"]
    assert choices["advisors"] == [
        {
            "member_id": "ss-advisor-1",
            "name": "Rhian Evans",
            "shared_gender": "woman",
            "specialisms": ["sexual_violence"],
            "languages": ["en", "cy"],
            "capacity": 8,
            "open_cases": 0,
            "preferences_met": ["woman", "welsh_speaking"],
            "preferences_missed": [],
            "fits_all": True,
        },
        {
            "member_id": "ss-advisor-2",
            "name": "Imran Shah",
            "shared_gender": "man",
            "specialisms": ["faith_based_harassment", "hate_incidents"],
            "languages": ["en", "ur"],
            "capacity": 10,
            "open_cases": 0,
            "preferences_met": [],
            "preferences_missed": ["woman", "welsh_speaking"],
            "fits_all": False,
        },
    ]


def test_an_advisor_meeting_the_preference_comes_first_and_the_others_stay(
    stack: Stack,
) -> None:
    # Given a reporter asking for a man (Imran Shah is second in the directory)
    reference = stack.submit(asking_for("man"))

    choices = offered(stack, reference)

    # Then Imran comes first, and Rhian is still offered, marked as not meeting it
    assert [
        (a["member_id"], a["preferences_met"], a["preferences_missed"], a["fits_all"])
        for a in choices["advisors"]
    ] == [
        ("ss-advisor-2", ["man"], [], True),
        ("ss-advisor-1", [], ["man"], False),
    ]


def test_with_no_preference_every_advisor_fits_and_none_is_marked(stack: Stack) -> None:
    reference = stack.submit(asking_for("no_preference"))

    choices = offered(stack, reference)

    assert choices["advisor_preferences"] == []
    assert [(a["member_id"], a["fits_all"]) for a in choices["advisors"]] == [
        ("ss-advisor-1", True),
        ("ss-advisor-2", True),
    ]
    assert {a["preferences_missed"] == [] for a in choices["advisors"]} == {True}


@pytest.mark.parametrize(
    ("preferences", "problem"),
    [
        (["no_preference", "woman"], "no_preference cannot be combined with another preference"),
        (["woman", "woman"], "must not repeat an option"),
        (
            ["woman", "a_wizard"],
            "must be one of: man, no_preference, sexual_violence_trained, welsh_speaking, woman",
        ),
        ([], "must list at least one option (no_preference for none)"),
        ("woman", "must be a list of option ids"),
        ([["woman"]], "must be a list of option ids"),
    ],
    ids=["no-preference-and-another", "repeated", "unknown", "empty", "not-a-list", "nested"],
)
def test_bad_advisor_preferences_are_refused_naming_the_field_and_nothing_is_stored(
    stack: Stack, preferences: Any, problem: str
) -> None:
    body = named_submission(contact=contact(advisor_preferences=preferences))

    response = post_json(stack.client, "/reports", body)

    assert response.status_code == 400, response.json_body
    assert response.json_body["errors"] == [{"field": PREFERENCES, "message": problem}]
    assert stored_reports(stack) == []
    # while the same report with a good preference is accepted
    accepted = post_json(stack.client, "/reports", asking_for("woman"))
    assert accepted.status_code == 201, accepted.json_body
