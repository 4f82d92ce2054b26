"""Triage rules, evaluated: which team, which risk flags, which priority, which state.

Pure functions over the institution's rules (data, in `chalicelib/institution`) and a
report's clear answers; nothing here reads or writes a store. Rules judge the person
affected, not necessarily the reporter: they read the answers through `affected_view`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.institution.models import (
    PRIORITIES,
    AffectedPerson,
    Clause,
    Priority,
    RiskRule,
    Routing,
    Triage,
)
from chalicelib.reports.models import Answers

AWAITING_SCREENING = "awaiting_screening"
FILED = "filed"
#: The flag of a report naming someone another report already names.
REPEAT_CONCERN = "repeat_concern"


@dataclass(frozen=True)
class TriageDecision:
    """Where a report goes next and how urgently."""

    team_id: str
    priority: Priority
    flags: tuple[str, ...]
    status: str

    @property
    def urgent(self) -> bool:
        """Whether the screeners are alerted at once."""
        return self.priority == "urgent"


def decide(
    triage: Triage,
    mode: str,
    answers: Answers,
    reports_at_location: Callable[[int], int],
    *,
    repeat_concern: bool = False,
) -> TriageDecision:
    """Route a report and rate its risk, judging the person affected (`affected_view`).

    `reports_at_location(days)` counts reports about this report's place in the last
    `days` (this one included); it is asked only if a repeat-location rule exists.
    `repeat_concern` says the report names someone another report names: it raises the
    `repeat_concern` flag (the priority stays the rules'), so a screener sees the pattern.
    Named reports always go to screening (someone must contact the reporter). Anonymous
    ones do too when the institution screens every report (`triage.screening`, the
    default); under `named_or_flagged` only when a risk rule fires or a repeat concern is
    flagged, otherwise they are filed for analysis at once.
    """
    answers = affected_view(answers, triage.affected_person)
    raised = [rule for rule in triage.risk_rules if _fires(rule, answers, reports_at_location)]
    priority = _highest([rule.priority for rule in raised])
    flags = tuple(rule.flag for rule in raised) + ((REPEAT_CONCERN,) if repeat_concern else ())
    needs_screening = triage.screening == "every_report" or mode == "named" or bool(flags)
    return TriageDecision(
        team_id=route(triage.routing, answers),
        priority=priority,
        flags=flags,
        status=AWAITING_SCREENING if needs_screening else FILED,
    )


def route(routing: Routing, answers: Answers) -> str:
    """The team for a report: the first matching override, else by the role the routing
    reads (`role_question`), else the fallback team. Pass the `affected_view` of the answers
    to route by the person affected."""
    for override in routing.overrides:
        if all(_matches(clause, answers) for clause in override.when):
            return override.team
    role = answers.get(routing.role_question)
    if isinstance(role, str) and role in routing.by_role:
        return routing.by_role[role]
    return routing.fallback_team


def affected_view(answers: Answers, affected_person: AffectedPerson | None) -> Answers:
    """The answers as they describe the person affected.

    A reporter reporting for someone else (or as a witness) answered the questions about
    the person affected (`affected_role`). One reporting for themselves was not asked
    those: their answers about themselves (`reporter_role`) stand in, as `affected_person`
    maps them (`{"affected_role": "reporter_role"}`). Other answers are returned unchanged,
    and all of them when the institution sets no `affected_person`.
    """
    if affected_person is None or not _matches(affected_person.themselves, answers):
        return answers
    view = dict(answers)
    for about_them, about_reporter in affected_person.answers.items():
        if about_reporter in answers:
            view[about_them] = answers[about_reporter]
    return view


def location_key(answers: Answers) -> str | None:
    """A specific place (`on_campus/library`, `online/social_media`), or None.

    "Off campus", "online" or "somewhere else" name no one place: counting them together
    would flag every such report once a few had come in.
    """
    where = answers.get("where")
    detail = answers.get("campus_area") or answers.get("online_platform")
    if not isinstance(where, str) or not isinstance(detail, str) or detail == "other":
        return None
    return f"{where}/{detail}"


def _fires(rule: RiskRule, answers: Answers, reports_at_location: Callable[[int], int]) -> bool:
    if rule.repeat_location is not None:
        repeat = rule.repeat_location
        return reports_at_location(repeat.window_days) >= repeat.threshold
    return all(_matches(clause, answers) for clause in rule.when)


def _matches(clause: Clause, answers: Answers) -> bool:
    given = answers.get(clause.question)
    chosen = set(given) if isinstance(given, list) else {given}
    return bool(chosen & set(clause.any_of))


def _highest(priorities: list[Priority]) -> Priority:
    for priority in PRIORITIES:
        if priority in priorities:
            return priority
    return "normal"
