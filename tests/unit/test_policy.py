"""Who may do what to a case: the policy table, written out here cell by cell.

`TABLE` is the rule as the service applies it (and `docs/architecture.md`
shows the same table, held to the code by `test_the_architecture_doc_shows_this_table`):
for each action and role, the relation to the case the role needs, or "-" for never.
The API's authorization matrix (tests/api/test_authorization_matrix.py) reads the policy
to drive every route; this test keeps the policy itself honest, literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.errors import TransitionRefused

ROOT = Path(__file__).resolve().parents[2]

#: own_team: the case is the member's team's; assigned: the case is assigned to them;
#: triaged: any case past triage; "-": never. The state column: where the action may be done.
TABLE = """
action              screener  advisor   admin    analyst  states
view                own_team  assigned  triaged  -        any
see_linked_reports  own_team  -         -        -        any
reveal              own_team  assigned  -        -        any
read_timeline       own_team  assigned  -        -        any
add_to_timeline     own_team  assigned  -        -        not_redacted
list_advisors       own_team  -         -        -        any
assign              own_team  -         -        -        open
transition          own_team  assigned  -        -        moves
file                own_team  -         -        -        moves
reopen              own_team  -         -        -        moves
set_priority        own_team  -         -        -        any
escalate            own_team  assigned  -        -        open
set_legal_hold      own_team  assigned  triaged  -        any
flag_malicious      own_team  assigned  -        -        any
read_audit          own_team  -         triaged  -        any
"""
ROLES = ["screener", "advisor", "admin", "analyst"]
OPEN = ["awaiting_screening", "assigned", "contacted", "in_support", "reopened"]
FINISHED = ["closed", "filed", "redacted"]


def _table() -> dict[str, dict[str, str]]:
    _header, *rows = TABLE.strip().splitlines()
    return {
        action: dict(zip([*ROLES, "states"], cells, strict=True))
        for action, *cells in (row.split() for row in rows)
    }


def screener(team: str = "student_support") -> Principal:
    return Principal("ss-screener", team, frozenset({"screener"}))


def advisor(member_id: str = "ss-advisor-1") -> Principal:
    return Principal(member_id, "student_support", frozenset({"advisor"}))


ADMIN = Principal("dpo-admin", "diversity_inclusion", frozenset({"admin"}))
ANALYST = Principal("di-analyst", "diversity_inclusion", frozenset({"analyst"}))


@dataclass(frozen=True)
class Seen:
    """What the policy reads of a case (`policy.Relations`)."""

    team_id: str | None
    advisor_id: str | None
    status: str


def case(status: str = "assigned") -> Seen:
    return Seen(team_id="student_support", advisor_id="ss-advisor-1", status=status)


def test_the_table_names_every_action_the_policy_knows() -> None:
    assert sorted(_table()) == sorted(policy.CASE_POLICY)
    assert sorted(policy.CASE_ACTIONS) == sorted(policy.CASE_POLICY)


@pytest.mark.parametrize("action", sorted(_table()))
def test_each_role_needs_the_relation_the_table_gives(action: str) -> None:
    row = _table()[action]
    wanted = {role: row[role] for role in ROLES if row[role] != "-"}
    assert dict(policy.CASE_POLICY[action].who) == wanted


def test_the_state_bound_actions_are_bound_as_the_table_says() -> None:
    # Given every state a case may be in
    for status in [*OPEN, *FINISHED]:
        # Then assignment and escalation are for a case still being worked
        assert policy.state_allows("assign", status) == (status in OPEN), status
        assert policy.state_allows("escalate", status) == (status in OPEN), status
        # And only a redacted case takes nothing new on its timeline
        assert policy.state_allows("add_to_timeline", status) == (status != "redacted"), status
        # And the others care for no state
        assert policy.state_allows("set_priority", status), status
        assert policy.state_allows("set_legal_hold", status), status


def test_a_state_that_refuses_the_action_names_the_moves_allowed() -> None:
    with pytest.raises(TransitionRefused) as refused:
        policy.check_state("assign", "closed", "assigned")
    assert refused.value.allowed == ["reopened"]
    policy.check_state("assign", "reopened", "assigned")


def test_staff_actions_without_a_case_need_only_a_role() -> None:
    roles = {action: sorted(roles) for action, roles in policy.STAFF_ACTIONS.items()}
    assert roles == {
        "work_queue": ["advisor", "screener"],
        "handle_rights_requests": ["admin"],
        "read_records": ["admin"],
        "read_insights": ["analyst"],
    }


# --- what a caller may do on one case, spot-checked --------------------------------------

#: (who, the case's status) -> the actions, and the moves, they may make now.
SPOT_CHECKS: list[tuple[str, Principal, str, list[str], list[str]]] = [
    (
        "the team's screener, assigned case",
        screener(),
        "assigned",
        [
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
        ],
        ["contacted", "closed"],
    ),
    (
        "the case's advisor, assigned case",
        advisor(),
        "assigned",
        [
            "view",
            "reveal",
            "read_timeline",
            "add_to_timeline",
            "transition",
            "escalate",
            "set_legal_hold",
            "flag_malicious",
        ],
        ["contacted", "closed"],
    ),
    (
        "the team's screener, new case",
        screener(),
        "awaiting_screening",
        [
            "view",
            "see_linked_reports",
            "reveal",
            "read_timeline",
            "add_to_timeline",
            "list_advisors",
            "assign",
            "transition",
            "file",
            "set_priority",
            "escalate",
            "set_legal_hold",
            "flag_malicious",
            "read_audit",
        ],
        ["filed", "closed"],
    ),
    (
        "the case's advisor, closed case",
        advisor(),
        "closed",
        [
            "view",
            "reveal",
            "read_timeline",
            "add_to_timeline",
            "set_legal_hold",
            "flag_malicious",
        ],
        [],
    ),
    (
        "the team's screener, closed case",
        screener(),
        "closed",
        [
            "view",
            "see_linked_reports",
            "reveal",
            "read_timeline",
            "add_to_timeline",
            "list_advisors",
            "reopen",
            "set_priority",
            "set_legal_hold",
            "flag_malicious",
            "read_audit",
        ],
        ["reopened"],
    ),
    (
        "the team's screener, redacted case",
        screener(),
        "redacted",
        [
            "view",
            "see_linked_reports",
            "reveal",
            "read_timeline",
            "list_advisors",
            "set_priority",
            "set_legal_hold",
            "flag_malicious",
            "read_audit",
        ],
        [],
    ),
    ("the admin", ADMIN, "assigned", ["view", "set_legal_hold", "read_audit"], []),
    ("another team's screener", screener("human_resources"), "assigned", [], []),
    ("another advisor", advisor("ss-advisor-2"), "assigned", [], []),
    ("an analyst", ANALYST, "assigned", [], []),
]


@pytest.mark.parametrize(
    ("who", "principal", "status", "actions", "moves"),
    SPOT_CHECKS,
    ids=[f"{who} ({status})" for who, _, status, _, _ in SPOT_CHECKS],
)
def test_a_caller_may_do_exactly_what_the_table_allows_on_a_case(
    who: str, principal: Principal, status: str, actions: list[str], moves: list[str]
) -> None:
    # Given a case of student support, assigned to ss-advisor-1, in this status
    given = case(status)
    # When the policy says what this caller may do
    # Then it is exactly these actions, and these moves
    assert policy.allowed_actions(principal, given) == actions, who
    assert policy.allowed_transitions(principal, given) == moves, who


def test_an_admin_reads_no_report_still_waiting_for_triage() -> None:
    # Given a report not yet triaged (no team, no advisor)
    waiting = Seen(team_id=None, advisor_id=None, status="awaiting_triage")
    # Then the admin may not even view it, though they view a triaged one
    assert policy.allowed_actions(ADMIN, waiting) == []
    assert policy.reaches(ADMIN, case("awaiting_screening"), "view")


def test_the_architecture_doc_shows_this_table() -> None:
    """The doc's copy of the table (docs/architecture.md) is the code's, cell by cell."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", doc, flags=re.MULTILINE)
    shown = {
        action: [cell.strip().strip("`") for cell in cells.split("|")]
        for action, cells in rows
        if action in policy.CASE_POLICY
    }
    expected = {
        action: [row[role] for role in ROLES] + [row["states"]] for action, row in _table().items()
    }
    assert shown == expected
