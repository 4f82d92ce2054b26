"""The case workflow's rule: every (from, to) pair of states, allowed or refused, written out.

The API test (tests/api/test_case_workflow.py) drives each move a case can reach through the
API, with the roles; this one states the rule itself for all 64 pairs, including the
states no transition leads to (`awaiting_screening`, `assigned`, `redacted`) and the
redacted state, which only retention reaches.
"""

from __future__ import annotations

from typing import get_args

import pytest

from chalicelib.cases.policy import check_state, move_action, roles_for
from chalicelib.cases.workflow import State, check_transition
from chalicelib.errors import TransitionRefused

#: S: allowed, made by a screener only; SA: allowed, by a screener or the case's advisor;
#: "-": refused. Assignment is not a transition (it has its own route), hence "-" under it.
RULE = """
from \\ to          awaiting  assigned  contacted  in_support  closed  filed  reopened  redacted
awaiting_screening  -         -         -          -           SA      S      -         -
assigned            -         -         SA         -           SA      -      -         -
contacted           -         -         -          SA          SA      -      -         -
in_support          -         -         -          -           SA      -      -         -
closed              -         -         -          -           -       -      S         -
filed               -         -         -          -           -       -      S         -
reopened            -         -         SA         SA          SA      -      -         -
redacted            -         -         -          -           -       -      -         -
"""
STATES = [
    "awaiting_screening",
    "assigned",
    "contacted",
    "in_support",
    "closed",
    "filed",
    "reopened",
    "redacted",
]


def _rule() -> dict[tuple[str, str], str]:
    _header, *rows = RULE.strip().splitlines()
    table = {}
    for row in rows:
        current, *cells = row.split()
        assert len(cells) == len(STATES), row
        for wanted, cell in zip(STATES, cells, strict=True):
            table[(current, wanted)] = cell
    return table


PAIRS = _rule()


def test_the_rule_covers_every_state_of_the_workflow() -> None:
    assert sorted(get_args(State)) == sorted(STATES)
    assert len(PAIRS) == 64


@pytest.mark.parametrize(("current", "wanted"), list(PAIRS), ids=[f"{a}->{b}" for a, b in PAIRS])
def test_each_pair_is_allowed_or_refused_as_the_rule_says(current: str, wanted: str) -> None:
    allowed_here = sorted(w for (c, w), cell in PAIRS.items() if c == current and cell != "-")
    if PAIRS[(current, wanted)] == "-":
        with pytest.raises(TransitionRefused) as refused:
            check_transition(current, wanted)
        assert refused.value.allowed == allowed_here
    else:
        check_transition(current, wanted)
        assert wanted in allowed_here


def test_the_moves_marked_s_are_the_screeners_alone() -> None:
    """The role check goes by the state wanted (the API test drives it for each move)."""
    screeners = {w for (_, w), cell in PAIRS.items() if cell == "S"}
    shared = {w for (_, w), cell in PAIRS.items() if cell == "SA"}
    screener_only = {move for move in STATES if roles_for(move_action(move)) == {"screener"}}
    assert screeners == {"filed", "reopened"}
    assert screeners == screener_only
    assert screener_only.isdisjoint(shared)


#: States in which a case is still worked: it may be (re)assigned and escalated.
WORKED = ["awaiting_screening", "assigned", "contacted", "in_support", "reopened"]
FINISHED = ["closed", "filed", "redacted"]


@pytest.mark.parametrize("current", WORKED)
def test_a_case_being_worked_may_be_assigned_and_escalated(current: str) -> None:
    check_state("assign", current, "assigned")
    check_state("escalate", current, "escalated")


@pytest.mark.parametrize("current", FINISHED)
def test_a_finished_case_may_not_be_assigned_nor_escalated(current: str) -> None:
    with pytest.raises(TransitionRefused):
        check_state("assign", current, "assigned")
    with pytest.raises(TransitionRefused):
        check_state("escalate", current, "escalated")
