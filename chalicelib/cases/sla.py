"""Escalation of a case's clocks: first contact, statutory acknowledgement and feedback for
a named case; screening for an anonymous one waiting in the screening queue; and, on a case
whose reporter kept a receipt code, a reply owed to the reporter's message (`reply_due`).

Each case carries the due dates set at triage and, while something is left to chase, the
next stage and when it falls due (`sla_next_stage`, `sla_next_at`), which puts it in a
sparse index. `sla_watch` reads only the due entries of that index, writes one escalation
notification per stage (its id is derived from the stage, so it can never be written
twice) and moves the case to its next stage.

A reply owed joins the other stages: a reporter's message that makes one owed puts the
case's watch on it if it falls before the stage watched (`reply_attributes`); whichever
stage is chased first, the next is the earliest left, so each is chased once, in time
order. A reply owed is chased to the team's screeners and the case's advisor, once per
reply owed (its notification ids carry its due time), and not once staff have replied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.cases.rules import AWAITING_SCREENING
from chalicelib.cases.workflow import OPEN
from chalicelib.clock import Clock, iso
from chalicelib.institution.models import Escalation
from chalicelib.institution.working_time import ClockDates
from chalicelib.notify.messages import Notification
from chalicelib.observability import correlated, logger
from chalicelib.queues import WorkQueue, send_or_leave_for_redrive
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.notifications import Outbox
from chalicelib.storage.reports_table import ReportsTable

FIRST_CONTACT_OVERDUE = "first_contact_overdue"
ACKNOWLEDGE_DUE_SOON = "acknowledge_due_soon"
FEEDBACK_DUE_SOON = "feedback_due_soon"
#: An anonymous report still waits in the screening queue after its screening deadline.
SCREENING_OVERDUE = "screening_overdue"
#: A reporter's message (a receipt code's thread) is still unanswered after `reply_due`.
REPLY_OVERDUE = "reply_overdue"
#: One run's bound; a backlog drains over several runs.
MAX_PER_RUN = 200


def stage_times(clocks: ClockDates, escalation: Escalation) -> list[tuple[str, datetime]]:
    """Every escalation stage of a case and when it falls due, earliest first."""
    stages = [
        (FIRST_CONTACT_OVERDUE, clocks.first_contact_due),
        (
            ACKNOWLEDGE_DUE_SOON,
            clocks.acknowledge_due - timedelta(hours=escalation.acknowledge_warning_hours),
        ),
        (FEEDBACK_DUE_SOON, clocks.feedback_due - timedelta(days=escalation.feedback_warning_days)),
    ]
    return sorted(stages, key=lambda stage: stage[1])


def next_stage(
    clocks: ClockDates, escalation: Escalation, done: set[str]
) -> tuple[str, datetime] | None:
    """The earliest stage not yet escalated, or None when nothing is left to chase."""
    remaining = [stage for stage in stage_times(clocks, escalation) if stage[0] not in done]
    return remaining[0] if remaining else None


def clock_attributes(clocks: ClockDates, escalation: Escalation) -> dict[str, Any]:
    """What triage stores on a named case: its due dates and its first stage to watch."""
    first = next_stage(clocks, escalation, set())
    values: dict[str, Any] = {
        "first_contact_due": iso(clocks.first_contact_due),
        "acknowledge_due": iso(clocks.acknowledge_due),
        "feedback_due": iso(clocks.feedback_due),
    }
    if first is not None:
        values |= {"sla_watch": "open", "sla_next_stage": first[0], "sla_next_at": iso(first[1])}
    return values


def screening_attributes(screening_due: datetime) -> dict[str, Any]:
    """What triage stores on an anonymous report waiting for screening: its deadline, and
    the one stage to watch (nobody can be contacted, so nothing else is chased)."""
    due = iso(screening_due)
    return {
        "screening_due": due,
        "sla_watch": "open",
        "sla_next_stage": SCREENING_OVERDUE,
        "sla_next_at": due,
    }


def reply_attributes(case: CaseItem, reply_due: str) -> dict[str, Any]:
    """What a reporter's message that makes a reply owed stores beside `reply_due`: the
    watch on the reply, if it falls before the stage now watched (or nothing is). A stage
    watched before it stays, and the reply is chased after it (`_following`)."""
    watched = case.sla_next_stage if case.sla_watch else None
    if watched is None or watched == REPLY_OVERDUE or str(case.sla_next_at) > reply_due:
        return {"sla_watch": "open", "sla_next_stage": REPLY_OVERDUE, "sla_next_at": reply_due}
    return {}


def _stopped(stage: str, item: CaseItem) -> bool:
    """Whether the clock a stage chases has already stopped: nothing to escalate."""
    if stage == FIRST_CONTACT_OVERDUE:
        return bool(item.first_contact_at)
    if stage == SCREENING_OVERDUE:
        return item.status != AWAITING_SCREENING
    if stage == REPLY_OVERDUE:
        # Staff replied: the reply owed is cleared.
        return not item.reply_due
    return False


def _following(stage: str, item: CaseItem, escalation: Escalation) -> tuple[str, datetime] | None:
    """The stage to watch after `stage`: the earliest left of the case's own clocks (while
    it is worked) and of a reply owed that falls after `stage` (one before it was chased
    before it, since stages are chased in time order)."""
    done = set(item.sla_escalated) | {stage}
    left: list[tuple[str, datetime]] = []
    if item.status in OPEN:
        if item.first_contact_due:
            named = next_stage(_dates(item), escalation, done)
            left += [named] if named else []
        elif item.status == AWAITING_SCREENING and SCREENING_OVERDUE not in done:
            left.append((SCREENING_OVERDUE, datetime.fromisoformat(_set(item.screening_due))))
    reply_due = item.reply_due
    if stage != REPLY_OVERDUE and reply_due and reply_due >= str(item.sla_next_at):
        left.append((REPLY_OVERDUE, datetime.fromisoformat(reply_due)))
    return min(left, key=lambda found: found[1]) if left else None


def _dates(item: CaseItem) -> ClockDates:
    # A named case's three due dates are set together at triage (`clock_attributes`).
    return ClockDates(
        first_contact_due=datetime.fromisoformat(_set(item.first_contact_due)),
        acknowledge_due=datetime.fromisoformat(_set(item.acknowledge_due)),
        feedback_due=datetime.fromisoformat(_set(item.feedback_due)),
    )


@dataclass
class SlaWatch:
    """The `sla_watch` job: one escalation per stage per case, to the team's screeners."""

    store: ReportsTable
    outbox: Outbox
    notify_queue: WorkQueue
    clock: Clock
    escalation: Escalation

    def run(self) -> dict[str, int]:
        """Escalate every due stage; how many were escalated."""
        now = self.clock.now()
        escalated = 0
        for report_id in self.store.due_for_escalation(now, MAX_PER_RUN):
            with correlated(report_id):
                if self._escalate(report_id, now):
                    escalated += 1
        if escalated:
            logger.info("clock stages escalated", extra={"escalated": escalated})
        return {"escalated": escalated}

    def _escalate(self, report_id: str, now: datetime) -> bool:
        item = self.store.case_item(report_id)
        if item is None or item.sla_next_stage is None:
            return False
        stage = item.sla_next_stage
        following = _following(stage, item, self.escalation)
        if _stopped(stage, item):
            # Contact was made, or the report was screened: nothing to chase.
            self.store.record_escalation(report_id, stage, following, [])
            return False
        notifications = _notifications(report_id, stage, item, now)
        if not self.store.record_escalation(
            report_id, stage, following, [self.outbox.put_request(n) for n in notifications]
        ):
            return False
        logger.info("clock stage escalated", extra={"report_id": report_id, "stage": stage})
        for notification in notifications:
            send_or_leave_for_redrive(self.notify_queue, notification.notification_id)
        return True


def _notifications(report_id: str, stage: str, item: CaseItem, now: datetime) -> list[Notification]:
    """The team's screeners are told; of a reply owed, the case's advisor too. A reply owed
    may come again after staff replied: its ids carry its due time, so each is told once."""
    due = _due_of(stage, item)
    suffix = stage
    if stage == REPLY_OVERDUE:
        suffix += "." + "".join(c for c in due if c.isdigit())
    members: list[str | None] = [None]
    if stage == REPLY_OVERDUE and item.advisor_id:
        members.append(item.advisor_id)
    return [
        Notification(
            notification_id=f"{report_id}.{suffix}" + (f".{member}" if member else ""),
            kind="sla_escalation",
            report_id=report_id,
            reference=item.reference,
            priority=item.priority or "normal",
            team_id=str(item.team_id),
            created_at=now,
            stage=stage,
            due_at=due,
            member_id=member,
        )
        for member in members
    ]


def _due_of(stage: str, item: CaseItem) -> str:
    due = {
        FIRST_CONTACT_OVERDUE: item.first_contact_due,
        ACKNOWLEDGE_DUE_SOON: item.acknowledge_due,
        FEEDBACK_DUE_SOON: item.feedback_due,
        SCREENING_OVERDUE: item.screening_due,
        REPLY_OVERDUE: item.reply_due,
    }[stage]
    return _set(due)


def _set(due: str | None) -> str:
    """A due date the stage being escalated was scheduled from (so it is set)."""
    if due is None:
        raise KeyError("due date")
    return due
