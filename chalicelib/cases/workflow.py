"""The case workflow: which state may follow which, and who may move it.

    awaiting_screening ─▶ assigned ─▶ contacted ─▶ in_support ─▶ closed ─▶ reopened
           │                 ▲            │                        ▲         │
           ▼                 └────────────┴── (reassign) ──────────┘         ▼
         filed ──────────────────────────────────────────────────────▶ reopened

A closed or filed case whose retention period has passed (or whose reporter's data was
erased) becomes `redacted` (see `chalicelib.retention`): its personal data are gone, so no
move leads out of it.

Every move carries a reason. Assignment is its own action (it names an advisor); the
rest go through `transition`. An invalid move is refused naming the moves allowed. Who may
make which move, and which actions a state admits, is `chalicelib.cases.policy`'s table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from chalicelib.errors import TransitionRefused
from chalicelib.institution.models import PRIORITIES

if TYPE_CHECKING:
    from chalicelib.storage.case_item import CaseItem

State = Literal[
    "awaiting_screening",
    "assigned",
    "contacted",
    "in_support",
    "closed",
    "filed",
    "reopened",
    "redacted",
]
#: Moves made through `POST .../transitions` (assignment has its own route).
TRANSITIONS: dict[str, frozenset[str]] = {
    "awaiting_screening": frozenset({"filed", "closed"}),
    "assigned": frozenset({"contacted", "closed"}),
    "contacted": frozenset({"in_support", "closed"}),
    "in_support": frozenset({"closed"}),
    "closed": frozenset({"reopened"}),
    "filed": frozenset({"reopened"}),
    "reopened": frozenset({"contacted", "in_support", "closed"}),
    # Only retention (or an erasure) redacts a case, never a transition; nothing follows.
    "redacted": frozenset(),
}
#: The state of a case whose personal data were removed.
REDACTED = "redacted"
#: States from which a case may be (re)assigned to an advisor.
ASSIGNABLE = frozenset({"awaiting_screening", "assigned", "contacted", "in_support", "reopened"})
#: States in which a case is still being worked (it counts towards an advisor's caseload).
OPEN = frozenset({"awaiting_screening", "assigned", "contacted", "in_support", "reopened"})


def check_transition(current: str, wanted: str) -> None:
    """Raise `TransitionRefused` unless `wanted` may follow `current`."""
    allowed = TRANSITIONS.get(current, frozenset())
    if wanted not in allowed:
        raise TransitionRefused(current, wanted, allowed)


def queue_due(case: CaseItem) -> str:
    """The deadline a queued case is ordered by: a reply owed to the reporter's message,
    else first contact (named), screening (anonymous), else when it was submitted."""
    return case.reply_due or case.first_contact_due or case.screening_due or case.submitted_at


def queue_order(priority: str, due: str) -> str:
    """Sort key of the queues: priority first (urgent first), then the earliest due time."""
    rank = PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES)
    return f"{rank}#{due}"
