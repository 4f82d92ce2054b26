"""Accepting a report: seal what identifies anyone, store it atomically, queue it for triage.

The order matters. Everything that can fail without harm (sealing, the blind indexes of the
reporter's email and of the people named) happens before the write; the write is one
transaction; the queue message goes last. If the queue is down the report is still
accepted: it stays in the awaiting-triage index and the redrive job sends it later. A retry
with the same submission id returns the first answer and, while the report still awaits
triage, queues it again: the first attempt's message may never have been sent.

An anonymous report may ask for follow-up: it is given a receipt code
(`chalicelib.reports.receipt_code`), shown once and kept only as a MAC, whose receipt item
is written in the report's own transaction. A retry of such a submission is given a NEW
code and the old one is retired (audited `receipt_reissued`): the first answer, and so the
only copy of the first code, may never have reached the reporter, and a code nobody holds
must not stay a way in.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib.audit import AuditTrail, ChainHead
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.retention_schedule import deletion_due
from chalicelib.cases.rules import location_key
from chalicelib.cases.seal import CaseSeal
from chalicelib.clock import Clock, iso
from chalicelib.concerns import INVOLVED_NAMES, concern_macs, department_of
from chalicelib.crypto import BlindIndex, Sealer, SealOnly
from chalicelib.errors import DependencyUnavailable, ReceiptNotFound, SubmissionConflict
from chalicelib.institution.models import Institution, NextSteps
from chalicelib.institution.working_time import WorkingCalendar
from chalicelib.observability import correlated, logger
from chalicelib.queues import WorkQueue, send_or_leave_for_redrive
from chalicelib.reports.lengths import trimmed
from chalicelib.reports.models import (
    CONTACT,
    DIGEST,
    NARRATIVE,
    FollowUpIssued,
    Mode,
    Submission,
)
from chalicelib.reports.people import people_of
from chalicelib.reports.receipt_code import formatted, new_receipt_code
from chalicelib.reports.reference import new_reference
from chalicelib.storage.case_item import AWAITING_TRIAGE, CaseItem
from chalicelib.storage.conflicts import retry_on_conflict
from chalicelib.storage.receipts import RECEIPT_MAC, receipt_delete, receipt_put
from chalicelib.storage.reports_table import (
    CaseUpdate,
    CommitConflict,
    NewReport,
    ReferenceTaken,
    ReportsTable,
    SubmissionAlreadyStored,
    SubmissionClaim,
)

_REFERENCE_ATTEMPTS = 5
#: When the reporter is told to look again for a reply: working days after submission.
LOOK_AGAIN_WORKING_DAYS = 2


@dataclass(frozen=True)
class Receipt:
    """What the reporter is told about their accepted report."""

    reference: str
    mode: Mode
    submitted_at: str
    next_steps: str
    replayed: bool = False
    #: The receipt code (shown once) of a report that asked for follow-up.
    follow_up: FollowUpIssued | None = None


@dataclass
class ReportIntake:
    """The intake use case. Collaborators are given, never built here."""

    institution: Institution
    store: ReportsTable
    identity: Sealer
    insight: SealOnly
    blind_index: BlindIndex
    triage_queue: WorkQueue
    clock: Clock
    #: Signs the new report's head and sealed fields; checks them before a replay opens one.
    audit: AuditTrail
    #: The institution's working days: when a follow-up reporter should look again.
    calendar: WorkingCalendar
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    new_reference: Callable[[], str] = new_reference
    new_receipt_code: Callable[[], str] = new_receipt_code

    def submit(self, submission: Submission, next_steps: NextSteps | None = None) -> Receipt:
        """Store a validated submission and queue it for triage. `next_steps`: what the
        receipt tells the reporter (the published content's; by default the institution's)."""
        report_id = self.new_id()
        steps = next_steps or self.institution.next_steps
        with correlated(report_id):
            return self._submit(report_id, submission, steps)

    def _submit(self, report_id: str, submission: Submission, steps: NextSteps) -> Receipt:
        submitted_at = self.clock.now()
        report = self._sealed_report(report_id, submission, submitted_at)
        code = self.new_receipt_code() if submission.follow_up else None
        if code is not None:
            report = replace(report, receipt_mac=self.blind_index.receipt(code))
        for _attempt in range(_REFERENCE_ATTEMPTS):
            try:
                self.store.add(report)
                break
            except ReferenceTaken:
                report = replace(report, reference=self.new_reference())
            except SubmissionAlreadyStored as stored:
                return self._replay(stored.claim, submission, steps)
        else:
            raise DependencyUnavailable("reference allocation")
        logger.info(
            "report accepted",
            extra={"report_id": report_id, "reference": report.reference, "mode": report.mode},
        )
        send_or_leave_for_redrive(self.triage_queue, report_id)
        receipt = self._receipt(report.reference, report.mode, iso(submitted_at), steps)
        return replace(receipt, follow_up=self._issued(code, submitted_at)) if code else receipt

    def _sealed_report(
        self, report_id: str, submission: Submission, submitted_at: datetime
    ) -> NewReport:
        form = self.institution.form
        clear: dict[str, str | list[str]] = {}
        sealed: dict[str, bytes] = {}
        for question_id, answer in submission.answers.items():
            question = form.question(question_id)
            field = f"answer.{question_id}"
            if question is not None and question.kind == "text":
                if isinstance(answer, str) and trimmed(answer):
                    sealed[field] = self.identity.seal(report_id, field, trimmed(answer))
            elif question is not None and question.kind == "people":
                # Names and "not known" alike: the entries say who was involved, all sealed.
                people = people_of(answer)
                if people:
                    sealed[field] = self.identity.seal(report_id, field, people)
            elif isinstance(answer, str) and answer:
                clear[question_id] = answer
            elif answer and all(isinstance(item, str) for item in answer):
                clear[question_id] = [str(item) for item in answer]
        if submission.narrative:
            sealed[NARRATIVE] = self.identity.seal(report_id, NARRATIVE, submission.narrative)
        preferences: dict[str, str | list[str]] = {}
        email_mac = None
        if submission.contact is not None:
            contact = submission.contact
            identifying = {
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
                "safe_times": contact.safe_times,
            }
            sealed[CONTACT] = self.identity.seal(report_id, CONTACT, identifying)
            preferences = {
                "preferred_contact_method": contact.preferred_contact_method,
                "advisor_preferences": list(contact.advisor_preferences),
            }
            email_mac = self.blind_index.email(contact.email)
        sealed[DIGEST] = self.identity.seal(report_id, DIGEST, submission_digest(submission))
        demographics = {
            key: value for key, value in (submission.demographics or {}).items() if value
        }
        department = department_of(clear)
        names = form.question(INVOLVED_NAMES)
        macs = (
            concern_macs(self.blind_index, submission.answers.get(INVOLVED_NAMES), department)
            if names is not None and names.kind in ("text", "people")
            else []
        )
        return NewReport(
            report_id=report_id,
            reference=self.new_reference(),
            submission_id=str(submission.submission_id),
            mode=submission.mode,
            form_version=submission.form_version,
            privacy_notice_version=submission.privacy_notice_version,
            submitted_at=submitted_at,
            answers=clear,
            preferences=preferences,
            sealed=sealed,
            email_mac=email_mac,
            location_key=location_key(clear),
            department_key=department,
            concern_macs=tuple(macs),
            sealed_demographics=(
                self.insight.seal(report_id, "demographics", demographics) if demographics else None
            ),
            delete_due_at=(
                deletion_due(submitted_at, self.institution.retention)
                if submission.mode == "anonymous"
                else None
            ),
            head_mac=self.audit.head_mac(report_id, 1, ChainHead(), sealed),
        )

    def _replay(self, claim: SubmissionClaim, submission: Submission, steps: NextSteps) -> Receipt:
        stored = self.store.case_item(claim.report_id)
        stored_digest = (
            CaseSeal(self.audit, self.identity).open(stored, DIGEST)
            if stored is not None and DIGEST in stored.sealed
            else None
        )
        if stored_digest != submission_digest(submission):
            raise SubmissionConflict(
                "this submission_id was already used for a different report; "
                "generate a new submission_id for a new report"
            )
        logger.info("submission replayed", extra={"report_id": claim.report_id})
        if stored is not None and stored.status == AWAITING_TRIAGE:
            # The first answer may have been lost after the write but before (or instead of)
            # the queue message; sending again now spares an urgent report the redrive's
            # wait. Triage ignores a report it has already moved on.
            send_or_leave_for_redrive(self.triage_queue, claim.report_id)
        receipt = self._receipt(
            claim.reference, claim.mode, claim.submitted_at, steps, replayed=True
        )
        if not submission.follow_up:
            return receipt
        code = self._reissue(stored)
        return replace(
            receipt, follow_up=self._issued(code, datetime.fromisoformat(claim.submitted_at))
        )

    def _reissue(self, stored: CaseItem | None) -> str:
        """A new receipt code for a replayed submission; the old one stops working.

        The case's `receipt_mac` moves to the new MAC, the old receipt item is deleted and
        the new one written, with an audit entry, in one transaction conditional on the case
        as read (read again if it moved meanwhile, as triage may be moving it).
        """
        code = self.new_receipt_code()
        mac = self.blind_index.receipt(code)
        ledger = CaseLedger(self.store, self.audit, self.identity, self.clock)
        if stored is None:
            # The claim names a report that is gone (deleted since): nothing to reissue on.
            raise ReceiptNotFound()
        report_id = stored.report_id
        seen = [stored]

        def attempt() -> None:
            case = seen[-1]
            old = case.receipt_mac
            also = [receipt_put(self.store.table, mac, report_id)]
            if old:
                also.insert(0, receipt_delete(self.store.table, str(old)))
            update = CaseUpdate(changes={RECEIPT_MAC: mac})
            try:
                ledger.commit(
                    "reporter",
                    case,
                    update,
                    also,
                    "receipt_reissued",
                    {},
                    None,
                    bump_version=False,
                )
            except CommitConflict:
                seen.append(self.store.case_item(report_id) or case)
                raise

        retry_on_conflict(attempt, lambda: DependencyUnavailable("dynamodb"))
        logger.info("receipt reissued on replay", extra={"report_id": report_id})
        return code

    def _issued(self, code: str, submitted_at: datetime) -> FollowUpIssued:
        return FollowUpIssued(
            receipt_code=formatted(code),
            look_again_on=self.look_again_on(submitted_at).isoformat(),
        )

    def look_again_on(self, submitted_at: datetime) -> date:
        """The local date, two working days after submission, to look for a reply."""
        due = self.calendar.add_working_days(submitted_at, LOOK_AGAIN_WORKING_DAYS)
        return due.astimezone(self.calendar.zone).date()

    def _receipt(
        self,
        reference: str,
        mode: Mode,
        submitted_at: str,
        steps: NextSteps,
        *,
        replayed: bool = False,
    ) -> Receipt:
        text = steps.named if mode == "named" else steps.anonymous
        return Receipt(reference, mode, submitted_at, text["en"], replayed)


def submission_digest(submission: Submission) -> str:
    """A fingerprint of what was submitted, to tell a retry from a reused submission id."""
    canonical = json.dumps(
        submission.model_dump(mode="json"), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
