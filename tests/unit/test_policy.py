"""Who may do what to a case: the policy table, written out here cell by cell.

`TABLE` is the rule as the service applies it (and `docs/architecture.md`
shows the same table, held to the code by `test_the_architecture_doc_shows_this_table`):
for each action and role, the relation to the case the role needs, or "-" for never.
The API's authorization matrix (tests/api/test_authorization_matrix.py) reads the policy
to drive every route; this test keeps the policy itself honest, literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.errors import CaseLacks, TransitionRefused

ROOT = Path(__file__).resolve().parents[2]

#: own_team: the case is the member's team's; assigned: the case is assigned to them;
#: triaged: any case past triage; "-": never. The state column: where the action may be done
#: (`follow_up_not_redacted`: on a case whose reporter kept a receipt code, not redacted).
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
read_thread         own_team  assigned  -        -        follow_up_not_redacted
reply_to_reporter   own_team  assigned  -        -        follow_up_not_redacted
redact_text         own_team  -         -        -        not_redacted
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
    follow_up: bool = False


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
        # And only a redacted case takes nothing new on its timeline, nor has text to cut
        assert policy.state_allows("add_to_timeline", status) == (status != "redacted"), status
        assert policy.state_allows("redact_text", status) == (status != "redacted"), status
        # And the others care for no state
        assert policy.state_allows("set_priority", status), status
        assert policy.state_allows("set_legal_hold", status), status


def test_the_thread_needs_a_receipt_code_and_a_case_not_redacted() -> None:
    # Given every state a case may be in, with and without a reporter who kept a code
    for status in [*OPEN, *FINISHED]:
        kept = replace(case(status), follow_up=True)
        for action in ("read_thread", "reply_to_reporter"):
            # Then the thread is open on a case with a receipt code until it is redacted
            assert policy.case_allows(action, kept) == (status != "redacted"), status
            # And never on a case without one
            assert not policy.case_allows(action, case(status)), status


def test_a_case_without_a_receipt_code_is_refused_the_thread_naming_what_it_lacks() -> None:
    # Given an assigned case whose reporter kept no receipt code
    with pytest.raises(CaseLacks) as refused:
        policy.check_case("reply_to_reporter", case("assigned"), "reply_to_reporter")
    # Then it is refused as a state refuses (409), naming the moves and what is lacking
    assert isinstance(refused.value, TransitionRefused)
    assert refused.value.lacking == ["follow_up"]
    assert refused.value.allowed == ["closed", "contacted"]
    assert str(refused.value) == (
        "a case without follow_up cannot reply_to_reporter; allowed: closed, contacted"
    )
    # And a case that kept one is not
    policy.check_case("reply_to_reporter", replace(case("assigned"), follow_up=True), "reply")


def test_a_redacted_case_is_refused_the_thread_by_its_state() -> None:
    redacted = replace(case("redacted"), follow_up=True)
    with pytest.raises(TransitionRefused) as refused:
        policy.check_case("read_thread", redacted, "read_thread")
    assert not isinstance(refused.value, CaseLacks)
    assert refused.value.current == "redacted"
    policy.check_case("read_thread", replace(case("closed"), follow_up=True), "read_thread")


def test_a_state_that_refuses_the_action_names_the_moves_allowed() -> None:
    with pytest.raises(TransitionRefused) as refused:
        policy.check_state("assign", "closed", "assigned")
    assert refused.value.allowed == ["reopened"]
    policy.check_state("assign", "reopened", "assigned")


def test_staff_actions_without_a_case_need_only_a_role() -> None:
    roles = {action: sorted(roles) for action, roles in policy.STAFF_ACTIONS.items()}
    assert roles == {
        "work_queue": ["advisor", "screener"],
        "find_case": ["admin", "advisor", "screener"],
        "handle_rights_requests": ["admin"],
        "read_records": ["admin"],
        "read_insights": ["analyst"],
        "manage_directory": ["admin"],
        "manage_content": ["admin"],
        "read_admin_trail": ["admin"],
    }


def test_the_staff_actions_a_member_may_do_follow_their_roles_in_the_tables_order() -> None:
    # Given a member with two roles, one with one, and one with none the table names
    both = Principal("di-both", "diversity_inclusion", frozenset({"screener", "analyst"}))
    admin = Principal("dpo-admin", "diversity_inclusion", frozenset({"admin"}))
    nobody = Principal("nobody", "diversity_inclusion", frozenset())
    # Then each may do exactly the actions of their roles' rows, in the table's order
    assert policy.allowed_staff_actions(both) == ["work_queue", "find_case", "read_insights"]
    assert policy.allowed_staff_actions(admin) == [
        "find_case",
        "handle_rights_requests",
        "read_records",
        "manage_directory",
        "manage_content",
        "read_admin_trail",
    ]
    assert policy.allowed_staff_actions(nobody) == []


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
            "redact_text",
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
            "redact_text",
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
            "redact_text",
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
    (
        "the case's advisor, assigned case with a receipt code",
        advisor(),
        "assigned+follow_up",
        [
            "view",
            "reveal",
            "read_timeline",
            "add_to_timeline",
            "transition",
            "escalate",
            "set_legal_hold",
            "flag_malicious",
            "read_thread",
            "reply_to_reporter",
        ],
        ["contacted", "closed"],
    ),
    ("the admin", ADMIN, "assigned", ["view", "set_legal_hold", "read_audit"], []),
    (
        "the admin, case with a receipt code",
        ADMIN,
        "assigned+follow_up",
        ["view", "set_legal_hold", "read_audit"],
        [],
    ),
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
    # Given a case of student support, assigned to ss-advisor-1, in this status (and with a
    # receipt code, "+follow_up")
    state, _, kept = status.partition("+")
    given = replace(case(state), follow_up=True) if kept else case(state)
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
