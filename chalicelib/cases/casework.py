"""Case work for screeners and advisors: queues, views, reveals, assignment, workflow,
timeline, flags and the audit trail.

Who may do what is the table in `chalicelib.cases.policy` (in short: a screener works the
cases of their own team, an advisor the cases assigned to them, an admin reads any case's
summary and audit and may set a legal hold, analysts have no case access); every use case
here asks it, and a case answer carries what the caller may do next.

A case the caller may not see answers exactly as a case that does not exist.

Every change is one transaction: the case item (conditional on the version the caller
read, so a stale edit is refused, and on the audit head, so the chain stays linear), the
audit entry saying who did what and why, and whatever else the change writes (a timeline
entry, a notification). Every look at personal data — contact details, narrative, notes —
appends an audit entry with the purpose given before anything is unsealed.

Reading a case for an action and changing it through the ledger are the seam in
`chalicelib.cases.case_access`, which the message thread (`chalicelib.cases.thread`) shares.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.audit import AuditTrail
from chalicelib.cases import filing, matching, policy, retention_schedule, workflow
from chalicelib.cases.access import Principal
from chalicelib.cases.case_access import CaseAccess, Change
from chalicelib.cases.models import (
    ActionTaken,
    Assessment,
    AssignRequest,
    ContactAttempt,
    EscalationRequest,
    FlagRequest,
    Note,
    PriorityRequest,
    RedactionRequest,
    RevealRequest,
    TimelineRequest,
    TransitionRequest,
)
from chalicelib.cases.refusals import record_refusal, refusal_recorded
from chalicelib.cases.rules import AWAITING_SCREENING
from chalicelib.cases.span_redaction import SpanRedaction
from chalicelib.cases.workflow import queue_order
from chalicelib.clock import Clock, iso
from chalicelib.concerns import ConcernIndex
from chalicelib.crypto import Sealer
from chalicelib.directory import StaffDirectory, with_role
from chalicelib.errors import FieldProblem, InvalidInput, SealBroken
from chalicelib.institution.models import PRIORITIES, AdvisorPreference, Clause
from chalicelib.institution.models import Retention as RetentionPolicy
from chalicelib.notify.messages import Kind, Notification
from chalicelib.observability import AUDIT_CHAIN_BROKEN, SEAL_REFUSED, increment, logger
from chalicelib.queues import WorkQueue
from chalicelib.reports.models import CONTACT, NARRATIVE
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.notifications import Outbox
from chalicelib.storage.reports_table import CaseUpdate, ReportsTable
from chalicelib.storage.staff_table import MemberRecord
from chalicelib.storage.timeline import timeline_entry_key

PAGE_SIZE = 25
_MAX_PAGES_PER_CALL = 8


@dataclass
class Casework:
    """The case API's use cases."""

    cases: ReportsTable
    audit: AuditTrail
    directory: StaffDirectory
    identity: Sealer
    outbox: Outbox
    notify_queue: WorkQueue
    clock: Clock
    fallback_team: str
    concerns: ConcernIndex
    #: When closed cases are redacted and anonymised records deleted (see `retention`).
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    #: The answer by which a named reporter asks for a record only (see `filing`).
    record_only: Clause | None = None
    #: The advisor preferences the form offers, with what each matches (see `matching`).
    advisor_preferences: list[AdvisorPreference] = field(default_factory=list)

    @property
    def access(self) -> CaseAccess:
        """Reading a case under the policy table and changing it through the ledger, on
        this case work's tables and keys (shared with the message thread)."""
        return CaseAccess(
            self.cases, self.audit, self.identity, self.outbox, self.notify_queue, self.clock
        )

    # --- reading ---------------------------------------------------------------------------

    def queue(
        self,
        principal: Principal,
        *,
        status: str | None,
        priority: str | None,
        overdue: bool,
        cursor: str | None,
    ) -> dict[str, Any]:
        """A screener's team queue, or an advisor's own cases, in priority and due order."""
        policy.require(principal, "work_queue")
        problems = []
        if status is not None and status not in workflow.OPEN:
            problems.append(
                FieldProblem("status", "must be one of: " + ", ".join(sorted(workflow.OPEN)))
            )
        if priority is not None and priority not in PRIORITIES:
            problems.append(FieldProblem("priority", "must be one of: " + ", ".join(PRIORITIES)))
        if problems:
            raise InvalidInput(problems)
        page_of = (
            functools.partial(self.cases.team_queue, principal.team_id)
            if "screener" in principal.roles
            else functools.partial(self.cases.advisor_queue, principal.member_id)
        )
        now = iso(self.clock.now())
        items_read: list[CaseItem] = []
        following = cursor
        # Filters apply after DynamoDB's page limit, so read on until a page's worth is found
        # (boundedly): a filtered page must not come back empty while more cases match.
        for _page in range(_MAX_PAGES_PER_CALL):
            items, following = page_of(PAGE_SIZE, following)
            items_read += [
                item
                for item in items
                if (status is None or item.status == status)
                and (priority is None or item.priority == priority)
                and (not overdue or _overdue(item, now))
            ]
            if following is None or len(items_read) >= PAGE_SIZE:
                break
        names, gone = self._advisors(principal.team_id, items_read)
        rows = [summary(item, now, names, gone) for item in items_read]
        return {"cases": rows, "next_cursor": following}

    def view(self, principal: Principal, reference: str) -> dict[str, Any]:
        """A case without its personal data (that needs `reveal`), and its linked reports."""
        case = self.access.visible(principal, reference, "view")
        return {**self._detail(principal, case), "linked_reports": self._linked(principal, case)}

    def _linked(self, principal: Principal, case: CaseItem) -> list[dict[str, Any]]:
        # Who may see the links is the policy's `see_linked_reports` row.
        macs = list(case.concern_macs)
        if not macs or not policy.reaches(principal, case, "see_linked_reports"):
            return []
        return self.concerns.linked_reports(case.report_id, macs)

    def advisors(self, principal: Principal, reference: str) -> dict[str, Any]:
        """The advisors a screener may assign this case to, with what helps to choose:
        which of the reporter's advisor preferences each meets, those meeting most first."""
        case = self.access.visible(principal, reference, "list_advisors")
        members = with_role(self.directory.members(str(case.team_id)), "advisor")
        names = self.directory.names(members)
        wanted = matching.requested(case.preferences)
        return {
            "advisor_preferences": wanted,
            "advisors": [
                {
                    "member_id": member.member_id,
                    "name": names[member.member_id],
                    "shared_gender": member.gender,
                    "specialisms": list(member.specialisms),
                    "languages": list(member.languages),
                    "capacity": member.capacity,
                    "open_cases": self.cases.open_cases_of(member.member_id),
                    "preferences_met": list(fit.met),
                    "preferences_missed": list(fit.missed),
                    "fits_all": fit.fits_all,
                }
                for member, fit in matching.ranked(wanted, self.advisor_preferences, members)
            ],
        }

    def reveal(
        self, principal: Principal, reference: str, request: RevealRequest
    ) -> dict[str, Any]:
        """The reporter's contact details, account and the names they gave, audited first."""
        case = self.access.visible(principal, reference, "reveal")
        fields = sorted(name for name in case.sealed if name != "submission_digest")
        # Checked before the look is recorded: recording it moves the head past the item read.
        with refusal_recorded(self.access.ledger, principal.member_id, case, ",".join(fields)):
            checked = self.access.seal.check(case, ",".join(fields) or "sealed")
        self.access.ledger.record(
            principal.member_id, case, "reveal", {"fields": fields}, request.purpose
        )
        opened: dict[str, Any] = {}
        for name in fields:
            with refusal_recorded(self.access.ledger, principal.member_id, case, name):
                opened[name] = checked.open(name)
        return {
            "reference": case.reference,
            "contact": opened.get(CONTACT),
            "narrative": opened.get(NARRATIVE),
            "answers": {
                name.removeprefix("answer."): value
                for name, value in opened.items()
                if name.startswith("answer.")
            },
        }

    def timeline(self, principal: Principal, reference: str, purpose: str) -> dict[str, Any]:
        """The case's timeline with its notes opened; reading notes is audited."""
        case = self.access.visible(principal, reference, "read_timeline")
        report_id = case.report_id
        entries = self.cases.timeline(report_id)
        # A case item put back whole would hide the entries written since; refuse to read.
        with refusal_recorded(self.access.ledger, principal.member_id, case, "timeline"):
            self.access.seal.check(case, "timeline")
        self.access.ledger.record(
            principal.member_id, case, "read_timeline", {"entries": len(entries)}, purpose
        )
        return {
            "reference": case.reference,
            "entries": [self._opened(principal, case, entry) for entry in entries],
        }

    def audit_trail(self, principal: Principal, reference: str) -> dict[str, Any]:
        """Who did what to a case, and whether the chain is intact."""
        case = self.access.visible(principal, reference, "read_audit")
        report_id = case.report_id
        # The verification checks the head's signature, which covers the item as stored.
        chain, verification = self.audit.verify(case.item)
        if not verification.intact:
            logger.error(
                "audit chain broken",
                extra={"report_id": report_id, "problem": verification.problem},
            )
            increment(AUDIT_CHAIN_BROKEN)
        return {
            "reference": case.reference,
            "verification": {
                "intact": verification.intact,
                "entries": verification.entries,
                "broken_at": verification.broken_at,
                "problem": verification.problem,
            },
            "entries": [
                {
                    "seq": entry.seq,
                    "at": entry.at,
                    "actor": entry.actor,
                    "action": entry.action,
                    "details": entry.details,
                    "reason": self._reason(report_id, entry.seq, entry.sealed_reason),
                }
                for entry, _ in chain
            ],
        }

    # --- changing ----------------------------------------------------------------------------

    def assign(
        self, principal: Principal, reference: str, request: AssignRequest
    ) -> dict[str, Any]:
        """Assign the case to an advisor of its team and tell them (reference and link only)."""
        policy.require(principal, "assign")

        def change(case: CaseItem) -> Change:
            # Checked here, after the case proved visible: a hidden case answers 404 first.
            advisor = self._advisor(principal, request.advisor_id)
            policy.check_state("assign", case.status, "assigned")
            update = CaseUpdate(
                changes={
                    "status": "assigned"
                    if case.status in ("awaiting_screening", "reopened")
                    else case.status,
                    "advisor_id": advisor.member_id,
                    "advisor_open": advisor.member_id,
                    "assigned_at": iso(self.clock.now()),
                }
            )
            details = {"advisor_id": advisor.member_id, "previous_advisor": case.advisor_id}
            notification = self._notification(case, "assignment", advisor.member_id)
            return Change(update, details, notifications=[notification])

        case = self.access.change(
            principal, reference, "assign", "assign", request.reason, request.version, change
        )
        return self._detail(principal, case)

    def transition(
        self, principal: Principal, reference: str, request: TransitionRequest
    ) -> dict[str, Any]:
        """Move the case through the workflow."""
        permission = policy.move_action(request.to)
        policy.require(principal, permission)

        def change(case: CaseItem) -> Change:
            current = case.status
            workflow.check_transition(current, request.to)
            if request.to == "filed":
                filing.check_filing(case, self.record_only, request.override_reason)
            update = CaseUpdate(changes={"status": request.to})
            # One reading of the clock: the redaction date is counted from `closed_at` itself.
            moment = self.clock.now()
            now = iso(moment)
            if request.to == "contacted" and not case.first_contact_at:
                update.changes.update(_first_contact(case, now))
            if request.to in ("closed", "filed"):
                update.changes["closed_at" if request.to == "closed" else "filed_at"] = now
                update.remove += ["queue_team", "advisor_open", "sla_watch"]
                if request.outcome:
                    update.changes["outcome"] = request.outcome
                update.changes.update(retention_schedule.on_finish(case, moment, self.retention))
            if request.to == "reopened":
                update.remove += retention_schedule.on_reopen(case)
                update.changes["reopened_at"] = now
                update.changes["queue_team"] = case.team_id
                update.changes["queue_order"] = queue_order(str(case.priority), now)
                if case.advisor_id:
                    update.changes["advisor_open"] = case.advisor_id
            details: dict[str, Any] = {
                "from": current,
                "to": request.to,
                "outcome": request.outcome,
            }
            if request.override_reason is not None:
                details["override"] = True
            return Change(update, details)

        # The override is free text like the reason (it may name people): the audit seals
        # both together, and its details say in clear only that an override was recorded.
        reason = request.reason
        if request.override_reason is not None:
            reason = f"{reason}\nOverride: {request.override_reason}"
        case = self.access.change(
            principal,
            reference,
            permission,
            "transition",
            reason,
            request.version,
            change,
        )
        return self._detail(principal, case)

    def set_priority(
        self, principal: Principal, reference: str, request: PriorityRequest
    ) -> dict[str, Any]:
        """Change the priority (screeners); the queue order follows."""
        policy.require(principal, "set_priority")

        def change(case: CaseItem) -> Change:
            update = CaseUpdate(changes=_reprioritised(case, request.priority))
            return Change(update, {"from": case.priority, "to": request.priority})

        case = self.access.change(
            principal,
            reference,
            "set_priority",
            "set_priority",
            request.reason,
            request.version,
            change,
        )
        return self._detail(principal, case)

    def escalate(
        self, principal: Principal, reference: str, request: EscalationRequest
    ) -> dict[str, Any]:
        """Make the case urgent and alert its team's screeners at once."""

        def change(case: CaseItem) -> Change:
            policy.check_state("escalate", case.status, "escalated")
            update = CaseUpdate(changes=_reprioritised(case, "urgent"))
            urgent = replace(case, priority="urgent")
            notification = self._notification(urgent, "escalation", None)
            return Change(update, {}, notifications=[notification])

        case = self.access.change(
            principal,
            reference,
            "escalate",
            "escalate",
            request.reason,
            request.version,
            change,
        )
        return self._detail(principal, case)

    def set_flag(
        self, principal: Principal, reference: str, request: FlagRequest
    ) -> dict[str, Any]:
        """Set or lift a flag (legal hold; malicious or vexatious).

        An admin (the data protection role) may set or lift a legal hold, nothing else.
        """
        permission: policy.CaseAction = (
            "set_legal_hold" if request.flag == "legal_hold" else "flag_malicious"
        )
        policy.require(principal, permission)

        def change(case: CaseItem) -> Change:
            update = CaseUpdate(changes={request.flag: request.value})
            if request.flag == "legal_hold":
                # A hold takes a pending redaction or deletion out of the sweep's index;
                # lifting it puts the action back, due when it was (perhaps already).
                changes, remove = retention_schedule.on_legal_hold(case, request.value)
                update.changes.update(changes)
                update.remove += remove
            return Change(update, {"flag": request.flag, "value": request.value})

        case = self.access.change(
            principal,
            reference,
            permission,
            "set_flag",
            request.reason,
            request.version,
            change,
        )
        return self._detail(principal, case)

    def redact_text(
        self, principal: Principal, reference: str, request: RedactionRequest
    ) -> dict[str, Any]:
        """Remove words from a sealed free-text field (`chalicelib.cases.span_redaction`)."""
        case = SpanRedaction(self.access).redact(principal, reference, request)
        return self._detail(principal, case)

    def add_to_timeline(
        self, principal: Principal, reference: str, request: TimelineRequest
    ) -> dict[str, Any]:
        """Add a contact attempt, note, assessment or action to the case's timeline."""
        entry = request.entry

        def change(case: CaseItem) -> Change:
            # A redacted case is an anonymised record: nothing personal is added back.
            policy.check_state("add_to_timeline", case.status, f"add_{entry.type}")
            report_id = case.report_id
            now = self.clock.now()
            entry_id = uuid.uuid4().hex
            item: dict[str, Any] = {
                **timeline_entry_key(report_id, iso(now), entry_id),
                "entry_id": entry_id,
                "type": entry.type,
                "at": iso(now),
                "actor": principal.member_id,
            }
            clear, text = _entry_parts(entry)
            item.update(clear)
            if text:
                item["sealed_text"] = self.identity.seal(report_id, f"timeline.{entry_id}", text)
            update = CaseUpdate()
            if isinstance(entry, ContactAttempt) and entry.result == "reached":
                if not case.first_contact_at:
                    update.changes.update(_first_contact(case, iso(now)))
                if case.status in ("assigned", "reopened"):
                    update.changes["status"] = "contacted"
            return Change(update, {"entry": entry.type, **clear}, [self.cases.put_request(item)])

        case = self.access.change(
            principal, reference, "add_to_timeline", f"add_{entry.type}", None, None, change
        )
        return self._detail(principal, case)

    # --- internals --------------------------------------------------------------------------

    def _detail(self, principal: Principal, case: CaseItem) -> dict[str, Any]:
        names, gone = self._advisors(str(case.team_id), [case])
        return {
            **detail(case, iso(self.clock.now()), names, gone),
            # The portal asks for an override reason before filing such a case.
            "asked_to_talk": filing.asked_to_talk(case, self.record_only),
            # What the caller may do now (the portal draws exactly these).
            "allowed_actions": policy.allowed_actions(principal, case),
            "allowed_transitions": policy.allowed_transitions(principal, case),
        }

    def _advisors(
        self, team_id: str, cases: list[CaseItem]
    ) -> tuple[dict[str, str], frozenset[str]]:
        """The names of these cases' advisors, by member id, from the team's directory; and
        the ids of those who can no longer work them (`advisor_inactive`).

        Names are sealed in the directory and unsealed only here, for the answer; an
        advisor no longer in the team is shown by member id alone. An advisor deactivated
        (a leaver), gone from the directory or no longer holding the advisor role cannot
        open the case again: the team's screeners must reassign it, so it is marked.
        """
        wanted = {case.advisor_id for case in cases if case.advisor_id}
        if not wanted:
            return {}, frozenset()
        members = [m for m in self.directory.members(team_id) if m.member_id in wanted]
        named = {m.member_id for m in members}
        # An advisor moved to another team still works the cases assigned to them.
        moved = [self.directory.member(member_id) for member_id in sorted(wanted - named)]
        working = {
            m.member_id
            for m in [*members, *moved]
            if m is not None and m.active and "advisor" in m.roles
        }
        return self.directory.names(members), frozenset(wanted - working)

    def _advisor(self, principal: Principal, advisor_id: str) -> MemberRecord:
        # A deactivated advisor is no advisor: a leaver is never given a case.
        advisors = with_role(self.directory.members(principal.team_id), "advisor")
        member = next((m for m in advisors if m.member_id == advisor_id), None)
        if member is None:
            raise InvalidInput([FieldProblem("advisor_id", "is not an advisor of your team")])
        return member

    def _notification(self, case: CaseItem, kind: Kind, member_id: str | None) -> Notification:
        suffix = f"{kind}.{member_id}" if member_id else kind
        return Notification(
            notification_id=f"{case.report_id}.{suffix}.{case.version + 1}",
            kind=kind,
            report_id=case.report_id,
            reference=case.reference,
            priority=case.priority or "normal",
            team_id=str(case.team_id),
            created_at=self.clock.now(),
            member_id=member_id,
        )

    def _reason(self, report_id: str, seq: int, sealed: bytes | None) -> str | None:
        # A reason that will not open (moved from another entry, tampered) must not hide
        # the rest of the trail: the verification already reports the broken chain.
        if sealed is None:
            return None
        try:
            return str(self.identity.unseal(report_id, f"audit.{seq}", sealed))
        except SealBroken:
            logger.error("audit reason does not open", extra={"report_id": report_id, "seq": seq})
            increment(SEAL_REFUSED)
            return None

    def _opened(
        self, principal: Principal, case: CaseItem, entry: dict[str, Any]
    ) -> dict[str, Any]:
        report_id = case.report_id
        opened = {
            key: value for key, value in entry.items() if key not in ("pk", "sk", "sealed_text")
        }
        sealed = entry.get("sealed_text")
        if sealed is not None:
            try:
                opened["text"] = self.identity.unseal(
                    report_id, f"timeline.{entry['entry_id']}", bytes(sealed.value)
                )
            except SealBroken:
                # One entry that will not open must not hide the others: its text is
                # withheld, and the refusal counted and recorded on the case as any other.
                logger.error("timeline text does not open", extra={"report_id": report_id})
                increment(SEAL_REFUSED)
                field_name = f"timeline.{entry['entry_id']}"
                record_refusal(self.access.ledger, principal.member_id, case, field_name)
                opened["text"] = None
        return opened


def _reprioritised(case: CaseItem, priority: str) -> dict[str, Any]:
    """A new priority, and the queue position that follows from it if the case is queued."""
    changes: dict[str, Any] = {"priority": priority}
    if case.queue_team is not None:
        changes["queue_order"] = queue_order(priority, _queue_due(case))
    return changes


def _first_contact(case: CaseItem, now: str) -> dict[str, Any]:
    due = case.first_contact_due
    values: dict[str, Any] = {"first_contact_at": now}
    if due:
        values["first_contact_met"] = now <= due
    return values


def _queue_due(case: CaseItem) -> str:
    """The deadline a queued case is ordered by (`workflow.queue_due`)."""
    return workflow.queue_due(case)


def _overdue(case: CaseItem, now: str) -> bool:
    """First contact (named) or screening (anonymous) is late and still not done."""
    due = case.first_contact_due
    if due:
        return not case.first_contact_at and due < now
    screening_due = case.screening_due
    return bool(screening_due) and case.status == AWAITING_SCREENING and str(screening_due) < now


def _entry_parts(
    entry: ContactAttempt | Note | Assessment | ActionTaken,
) -> tuple[dict[str, Any], str | None]:
    if isinstance(entry, ContactAttempt):
        return {"method": entry.method, "result": entry.result}, entry.note
    if isinstance(entry, Note):
        return {}, entry.text
    if isinstance(entry, Assessment):
        return {"risk_level": entry.risk_level, "needs": list(entry.needs)}, entry.note
    return {"action": entry.action}, entry.justification


def summary(
    case: CaseItem, now: str, names: dict[str, str], gone: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A queue row: what a screener needs to pick the next case, and no reporter's data.

    `names` gives advisors' names by member id: staff see who holds a case by name; `gone`
    the advisors who can no longer work their cases (a leaver): such a case is marked for
    the screeners to reassign.
    """
    advisor_id = case.advisor_id
    return {
        "reference": case.reference,
        "status": case.status,
        "mode": case.mode,
        "priority": case.priority or "normal",
        "risk_flags": list(case.risk_flags),
        "team_id": case.team_id,
        "advisor_id": advisor_id,
        "advisor_name": names.get(advisor_id) if advisor_id else None,
        "advisor_inactive": advisor_id in gone if advisor_id else False,
        "submitted_at": case.submitted_at,
        "first_contact_due": case.first_contact_due,
        "screening_due": case.screening_due,
        # A reply owed to the reporter's message (a receipt code's thread), if any.
        "reply_due": case.reply_due,
        "overdue": _overdue(case, now),
        "version": case.version,
    }


def detail(
    case: CaseItem, now: str, names: dict[str, str], gone: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A case as staff see it before any reveal: answers in clear, personal data absent."""
    return {
        **summary(case, now, names, gone),
        "answers": dict(case.answers),
        # The reporter kept a receipt code: the case has a message thread.
        "follow_up": case.follow_up,
        "preferences": dict(case.preferences),
        "form_version": case.form_version,
        "triaged_at": case.triaged_at,
        "assigned_at": case.assigned_at,
        "first_contact_at": case.first_contact_at,
        "first_contact_met": case.first_contact_met,
        "acknowledge_due": case.acknowledge_due,
        "feedback_due": case.feedback_due,
        "closed_at": case.closed_at,
        "outcome": case.outcome,
        "redacted_at": case.redacted_at,
        **retention_schedule.pending(case),
        "legal_hold": case.legal_hold,
        "malicious_or_vexatious": case.malicious_or_vexatious,
        "sealed_fields": sorted(name for name in case.sealed if name != "submission_digest"),
        "audit_entries": case.audit_seq or 0,
    }
