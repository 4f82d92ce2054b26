"""What the staff API tells each caller they may do: a case's `allowed_actions` and
`allowed_transitions`, the member's `allowed_staff_actions` (`GET /staff/me`) (all from
`chalicelib.cases.policy`), and the words for the institution's teams and risk flags
(`GET /staff/labels`).

The portal draws a control for each allowed action and for nothing else, so these answers
must differ by role and by relation to the case exactly as the policy table says.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.shared_stack import Stack
from tests.factories import named_submission

SCREENER, ADVISOR, OTHER_ADVISOR = "ss-screener", "ss-advisor-1", "ss-advisor-2"
ADMIN = "dpo-admin"


@pytest.fixture(autouse=True)
def _fresh_tables(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def assigned_case(stack: Stack) -> str:
    """A student support case assigned to ss-advisor-1."""
    reference = stack.submit(named_submission(answers={"desired_outcome": ["record_only"]}))
    version = stack.call("get", f"/staff/cases/{reference}", SCREENER).json_body["version"]
    assigned = stack.call(
        "post",
        f"/staff/cases/{reference}/assignment",
        SCREENER,
        {"advisor_id": ADVISOR, "reason": "Best placed", "version": version},
    )
    assert assigned.status_code == 200, assigned.json_body
    return reference


def allowed(stack: Stack, reference: str, user: str) -> tuple[list[str], list[str]]:
    response = stack.call("get", f"/staff/cases/{reference}", user)
    assert response.status_code == 200, response.json_body
    return response.json_body["allowed_actions"], response.json_body["allowed_transitions"]


def test_the_teams_screener_may_route_and_work_the_case(stack: Stack) -> None:
    # Given a case of the screener's team, assigned to an advisor
    reference = assigned_case(stack)
    # When the screener reads it
    actions, moves = allowed(stack, reference, SCREENER)
    # Then every screening action is theirs, and the moves of an assigned case
    assert actions == [
        "view",
        "see_linked_reports",
        "reveal",
        "read_timeline",
        "add_to_timeline",
        "list_advisors",
        "assign",
        "transition",
        "set_priority",
        "escalate",
        "set_legal_hold",
        "flag_malicious",
        "read_audit",
        "redact_text",
    ]
    assert moves == ["contacted", "closed"]


def test_the_cases_advisor_may_work_it_but_not_route_it(stack: Stack) -> None:
    # Given a case assigned to the advisor
    reference = assigned_case(stack)
    # When the advisor reads it
    actions, moves = allowed(stack, reference, ADVISOR)
    # Then they may work it (reveal, timeline, move on, escalate, flags)
    assert actions == [
        "view",
        "reveal",
        "read_timeline",
        "add_to_timeline",
        "transition",
        "escalate",
        "set_legal_hold",
        "flag_malicious",
    ]
    assert moves == ["contacted", "closed"]
    # But not assign, reprioritise, read the audit, see linked reports or cut the text
    for screening in (
        "assign",
        "set_priority",
        "read_audit",
        "see_linked_reports",
        "redact_text",
    ):
        assert screening not in actions


def test_the_admin_may_read_and_hold_the_case_and_nothing_else(stack: Stack) -> None:
    # Given the same case
    reference = assigned_case(stack)
    # When the data protection admin reads it
    actions, moves = allowed(stack, reference, ADMIN)
    # Then they may view it, read its audit and set a legal hold: no work, no moves
    assert actions == ["view", "set_legal_hold", "read_audit"]
    assert moves == []


def test_a_change_answers_with_what_the_caller_may_do_next(stack: Stack) -> None:
    # Given an assigned case the screener closes
    reference = assigned_case(stack)
    version = stack.call("get", f"/staff/cases/{reference}", SCREENER).json_body["version"]
    closed = stack.call(
        "post",
        f"/staff/cases/{reference}/transitions",
        SCREENER,
        {
            "to": "closed",
            "outcome": "no_further_action",
            "reason": "Nothing more",
            "version": version,
        },
    )
    assert closed.status_code == 200, closed.json_body
    # Then the answer says the screener may now reopen it, and no longer assign or escalate
    assert closed.json_body["allowed_transitions"] == ["reopened"]
    assert "reopen" in closed.json_body["allowed_actions"]
    assert "assign" not in closed.json_body["allowed_actions"]
    assert "escalate" not in closed.json_body["allowed_actions"]
    # And the case's advisor may not reopen it (a screening decision)
    actions, moves = allowed(stack, reference, ADVISOR)
    assert moves == []
    assert "reopen" not in actions
    assert "add_to_timeline" in actions


#: Each demo member's roles, and the staff actions without a case they may do, in order.
STAFF_ACTIONS_OF = [
    ("ss-screener", ["screener"], ["work_queue", "find_case"]),
    ("ss-advisor-1", ["advisor"], ["work_queue", "find_case"]),
    ("di-screener", ["advisor", "screener"], ["work_queue", "find_case"]),
    (
        "dpo-admin",
        ["admin"],
        [
            "find_case",
            "handle_rights_requests",
            "read_records",
            "manage_directory",
            "manage_content",
            "read_admin_trail",
        ],
    ),
    ("di-analyst", ["analyst"], ["read_insights"]),
]


@pytest.mark.parametrize(("user", "roles", "staff_actions"), STAFF_ACTIONS_OF)
def test_me_names_the_staff_actions_the_member_may_do(
    stack: Stack, user: str, roles: list[str], staff_actions: list[str]
) -> None:
    # When a member asks who they are
    response = stack.call("get", "/staff/me", user)
    # Then the answer names their roles and exactly the pages without a case they may use
    assert response.status_code == 200, response.json_body
    assert response.json_body["roles"] == roles
    assert response.json_body["allowed_staff_actions"] == staff_actions


def labels(stack: Stack, user: str, query: str = "") -> Any:
    return stack.call("get", f"/staff/labels{query}", user)


def test_labels_name_the_institutions_teams_and_risk_flags(stack: Stack) -> None:
    # When an advisor asks for the labels
    response = labels(stack, ADVISOR)
    # Then the teams have their directory names and the flags their configured labels
    assert response.status_code == 200, response.json_body
    assert response.json_body["language"] == "en"
    assert response.json_body["teams"] == {
        "diversity_inclusion": "Diversity and Inclusion",
        "human_resources": "Human Resources",
        "student_support": "Student Support",
    }
    assert response.json_body["risk_flags"] == {
        "immediate_danger": "Immediate danger",
        "under_18": "Under 18",
        "sexual_assault": "Sexual assault",
        "physical_violence": "Physical violence",
        "ongoing": "Still happening",
        "position_of_trust": "Position of trust",
        "repeat_location": "Repeated at this place",
        "repeat_concern": "Names someone named in another report",
    }


def test_labels_come_in_welsh_when_asked(stack: Stack) -> None:
    welsh = labels(stack, ADMIN, "?lang=cy")
    assert welsh.status_code == 200, welsh.json_body
    assert welsh.json_body["language"] == "cy"
    assert welsh.json_body["risk_flags"]["under_18"] == "O dan 18 oed"
    assert welsh.json_body["risk_flags"]["repeat_concern"] == (
        "Yn enwi rhywun a enwyd mewn adroddiad arall"
    )


def test_labels_refuse_an_unknown_language_or_query_naming_each(stack: Stack) -> None:
    response = labels(stack, SCREENER, "?lang=fr&colour=red")
    assert response.status_code == 400, response.json_body
    fields = sorted(problem["field"] for problem in response.json_body["errors"])
    assert fields == ["colour", "lang"]
    assert labels(stack, SCREENER, "?lang=en").status_code == 200
