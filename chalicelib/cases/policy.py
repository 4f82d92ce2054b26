"""Who may do what: the one table every staff route consults, and the portal draws.

A case action is allowed to a member when one of their roles appears in the action's row
*and* they stand in that role's relation to the case:

- `own_team`: the case belongs to the member's team (a screener works their team's queue);
- `assigned`: the case is assigned to the member (an advisor works their own cases);
- `triaged`: any case past triage (the data protection admin reads any case, but a report
  still waiting for triage has no team yet and is no one's to read).

Some actions are also bound to the case's state (`only_in`, `never_in`) or need something
of the case (`needs`: the message thread needs a reporter who kept a receipt code,
`follow_up`); a status move goes by `workflow.TRANSITIONS`, and the moves in
`MOVE_ACTIONS` need their own row.

How a refusal answers, as before this table existed: a member holding none of the row's
roles is refused (403) before the case is read; one holding a role but not its relation
is answered as if the case did not exist (404); the right member in the wrong state, or on a
case without what the row `needs`, is refused naming the moves allowed (409).

The staff actions without a case (the queue, the rights desk, ...) need a role, nothing
more (`STAFF_ACTIONS`). The case answer carries `allowed_actions` and
`allowed_transitions` computed here, and `GET /staff/me` the member's
`allowed_staff_actions`, so the portal shows exactly what this table allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

from chalicelib.cases import workflow
from chalicelib.cases.access import Principal
from chalicelib.errors import CaseLacks, TransitionRefused
from chalicelib.roles import Role

Relation = Literal["own_team", "assigned", "triaged"]
CaseAction = Literal[
    "view",
    "see_linked_reports",
    "reveal",
    "read_timeline",
    "add_to_timeline",
    "list_advisors",
    "assign",
    "transition",
    "file",
    "reopen",
    "set_priority",
    "escalate",
    "set_legal_hold",
    "flag_malicious",
    "read_audit",
    "read_thread",
    "reply_to_reporter",
    "redact_text",
]
StaffAction = Literal[
    "work_queue",
    "find_case",
    "handle_rights_requests",
    "read_records",
    "read_insights",
    "manage_directory",
    "manage_content",
    "read_admin_trail",
]


class Relations(Protocol):
    """What of a case the table reads: whose team and advisor it is, its state, and what a
    row `needs` (a `chalicelib.storage.case_item.CaseItem`; the tests give just these)."""

    @property
    def team_id(self) -> str | None:
        """The team the case belongs to (None before triage)."""
        ...

    @property
    def advisor_id(self) -> str | None:
        """The advisor it is assigned to, if any."""
        ...

    @property
    def status(self) -> str:
        """Its state (`chalicelib.cases.workflow`)."""
        ...

    @property
    def follow_up(self) -> bool:
        """Whether the reporter kept a receipt code (the message thread needs it)."""
        ...


@dataclass(frozen=True)
class Rule:
    """One row: the relation each allowed role needs, and the states the action needs."""

    who: Mapping[Role, Relation]
    #: The states in which the action may be done (None: any state).
    only_in: frozenset[str] | None = None
    #: The states in which it may not.
    never_in: frozenset[str] = field(default_factory=frozenset)
    #: Attributes of `Relations` the case must hold true (`follow_up`: the reporter kept a
    #: way back in).
    needs: frozenset[str] = field(default_factory=frozenset)


# The relations of the two roles that work cases, as most rows give them.
_WORKERS: Mapping[Role, Relation] = {"screener": "own_team", "advisor": "assigned"}

#: THE TABLE: case action -> role -> relation to the case (and the states it needs).
CASE_POLICY: dict[CaseAction, Rule] = {
    "view": Rule({"screener": "own_team", "advisor": "assigned", "admin": "triaged"}),
    # Screeners decide what a pattern of reports means; an advisor works one case and an
    # admin audits, and neither needs to know who else named the same person.
    "see_linked_reports": Rule({"screener": "own_team"}),
    "reveal": Rule(_WORKERS),
    "read_timeline": Rule(_WORKERS),
    # A redacted case is an anonymised record: nothing personal is added back.
    "add_to_timeline": Rule(_WORKERS, never_in=frozenset({workflow.REDACTED})),
    "list_advisors": Rule({"screener": "own_team"}),
    "assign": Rule({"screener": "own_team"}, only_in=workflow.ASSIGNABLE),
    # Any move of `workflow.TRANSITIONS` but those in `MOVE_ACTIONS`.
    "transition": Rule(_WORKERS),
    # Filing and reopening are screening decisions.
    "file": Rule({"screener": "own_team"}),
    "reopen": Rule({"screener": "own_team"}),
    "set_priority": Rule({"screener": "own_team"}),
    "escalate": Rule(_WORKERS, only_in=workflow.OPEN),
    # The data protection admin may set or lift a legal hold, and no other flag.
    "set_legal_hold": Rule({**_WORKERS, "admin": "triaged"}),
    "flag_malicious": Rule(_WORKERS),
    "read_audit": Rule({"screener": "own_team", "admin": "triaged"}),
    # The thread with a reporter who kept a receipt code: those who work the case, never the
    # admin; a case without a receipt has no thread, a redacted one no longer has its texts.
    "read_thread": Rule(
        _WORKERS, never_in=frozenset({workflow.REDACTED}), needs=frozenset({"follow_up"})
    ),
    "reply_to_reporter": Rule(
        _WORKERS, never_in=frozenset({workflow.REDACTED}), needs=frozenset({"follow_up"})
    ),
    # Removing words from the reporter's free text (`span_redaction`): a screening decision,
    # so the routed team's screener only. The assigned advisor works with what the reporter
    # said and may ask the screener; an irreversible change to the reporter's own words is
    # kept to the role that reads every new report. A redacted case has no text left.
    "redact_text": Rule({"screener": "own_team"}, never_in=frozenset({workflow.REDACTED})),
}
#: Status moves that need their own action (any other move needs `transition`).
MOVE_ACTIONS: dict[str, CaseAction] = {"filed": "file", "reopened": "reopen"}
#: The order the portal offers the moves in (the usual next step first, closing last).
MOVE_ORDER = ("contacted", "in_support", "filed", "reopened", "closed")

#: Staff actions without a case: the roles that may do them. (Who one is, `GET /staff/me`,
#: and the words for the institution's identifiers, `GET /staff/labels`, are for every
#: signed-in member, whatever their roles: they need no row.)
STAFF_ACTIONS: dict[StaffAction, frozenset[Role]] = {
    # A screener's team queue, or an advisor's own cases.
    "work_queue": frozenset({"screener", "advisor"}),
    # Opening a case by its reference: whoever may view some case (the `view` row says
    # which ones). Derived, not written again, so the two cannot drift apart.
    "find_case": frozenset(CASE_POLICY["view"].who),
    # Data-subject rights and what is held: the data protection officer.
    "handle_rights_requests": frozenset({"admin"}),
    "read_records": frozenset({"admin"}),
    # Anonymised statistics: analysts.
    "read_insights": frozenset({"analyst"}),
    # Running the service without a deploy (issue 15): the staff directory and the
    # institution's editable content, and the signed trail of every change to them.
    "manage_directory": frozenset({"admin"}),
    "manage_content": frozenset({"admin"}),
    "read_admin_trail": frozenset({"admin"}),
}


def roles_for(action: CaseAction | StaffAction) -> frozenset[Role]:
    """The roles that may ever do `action` (on some case, for the case actions)."""
    if action in CASE_POLICY:
        return frozenset(CASE_POLICY[action].who)
    return STAFF_ACTIONS[action]  # type: ignore[index]


def allowed_staff_actions(principal: Principal) -> list[StaffAction]:
    """The staff actions without a case the member may do, in the table's order."""
    return [action for action, roles in STAFF_ACTIONS.items() if roles & principal.roles]


def require(principal: Principal, action: CaseAction | StaffAction) -> None:
    """Raise `Forbidden` (403) unless one of the member's roles may do `action` at all."""
    principal.require(*sorted(roles_for(action)))


def relates(principal: Principal, case: Relations, relation: Relation) -> bool:
    """Whether the member stands in `relation` to the case."""
    if relation == "own_team":
        return case.team_id == principal.team_id
    if relation == "assigned":
        return case.advisor_id == principal.member_id
    return case.status != "awaiting_triage"


def reaches(principal: Principal, case: Relations, action: CaseAction) -> bool:
    """Whether a role of the member, in its relation to the case, allows `action`.

    States aside: a member who reaches a case sees it (the state may still refuse the
    action); one who does not is answered as if it did not exist.
    """
    who = CASE_POLICY[action].who
    return any(
        role in principal.roles and relates(principal, case, relation)
        for role, relation in who.items()
    )


def state_allows(action: CaseAction, status: str) -> bool:
    """Whether a case in `status` admits `action` (its row's `only_in` and `never_in`)."""
    rule = CASE_POLICY[action]
    if status in rule.never_in:
        return False
    return rule.only_in is None or status in rule.only_in


def check_state(action: CaseAction, status: str, wanted: str) -> None:
    """Raise `TransitionRefused` (409), naming the moves allowed, unless the state admits it."""
    if not state_allows(action, status):
        raise TransitionRefused(status, wanted, workflow.TRANSITIONS.get(status, frozenset()))


def case_allows(action: CaseAction, case: Relations) -> bool:
    """Whether the case admits `action`: its state (`state_allows`) and what it `needs`."""
    needs = CASE_POLICY[action].needs
    return state_allows(action, case.status) and all(getattr(case, n) for n in needs)


def check_case(action: CaseAction, case: Relations, wanted: str) -> None:
    """Raise `TransitionRefused` (409), as `check_state` does, unless the case admits it
    (`CaseLacks`, naming the attribute, when the state allows it but the case lacks it)."""
    status = case.status
    check_state(action, status, wanted)
    lacking = sorted(need for need in CASE_POLICY[action].needs if not getattr(case, need))
    if lacking:
        moves = workflow.TRANSITIONS.get(status, frozenset())
        raise CaseLacks(status, wanted, moves, lacking)


def move_action(to: str) -> CaseAction:
    """The action a move to state `to` needs."""
    return MOVE_ACTIONS.get(to, "transition")


def allowed_transitions(principal: Principal, case: Relations) -> list[str]:
    """The moves the member may make on the case now, in `MOVE_ORDER`."""
    moves = workflow.TRANSITIONS.get(case.status, frozenset())
    return [
        move for move in MOVE_ORDER if move in moves and reaches(principal, case, move_action(move))
    ]


def allowed_actions(principal: Principal, case: Relations) -> list[CaseAction]:
    """The case actions the member may do on the case now, in the table's order.

    `transition` is listed when some move of `allowed_transitions` needs it; `file` and
    `reopen` when that move may be made now.
    """
    moves = allowed_transitions(principal, case)
    allowed: list[CaseAction] = []
    for action in CASE_POLICY:
        if action in ("transition", *MOVE_ACTIONS.values()):
            if any(move_action(move) == action for move in moves):
                allowed.append(action)
        elif reaches(principal, case, action) and case_allows(action, case):
            allowed.append(action)
    return allowed


#: Every case action, for the schema and the tests.
CASE_ACTIONS: tuple[CaseAction, ...] = get_args(CaseAction)
