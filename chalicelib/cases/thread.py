"""The two-way message thread between staff and a reporter who kept a receipt code.

An anonymous reporter who asked for a way back in (`follow_up` on the case) can write to the
staff working their case and read the answers; nobody is emailed. Each message is its own
item beside the case (`chalicelib.storage.messages`), its text sealed under the identity
key (field `message.<message_id>`) and written in one transaction with the case change and
the audit entry saying who wrote: `reporter_message` or `staff_message`.

A reporter's message makes a reply owed: `reply_due`, the institution's `reply_working_days`
after it (its working calendar). While it is owed the case is in its team's queue ordered by
it, and the SLA watch chases it once it passes (`chalicelib.cases.sla.REPLY_OVERDUE`). A
second message while a reply is owed keeps the first due time; a staff reply clears it.

Staff read the thread (`read_thread`, each read audited `thread_read` on the case's chain,
as a timeline read is) and reply (`reply_to_reporter`) by the policy table's rows: the
team's screeners and the case's advisor, never the admin. A case without `follow_up` has no
thread, a redacted one no longer has its words: both are refused by the table's state rule
(409, `policy.check_case`). Texts are opened only after the case's signed head is checked
(`chalicelib.cases.seal.CaseSeal`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.cases import policy, workflow
from chalicelib.cases.access import Principal
from chalicelib.cases.case_access import CaseAccess, Change
from chalicelib.cases.models import MessageRequest
from chalicelib.cases.refusals import record_refusal, refusal_recorded
from chalicelib.cases.seal import CheckedSeal
from chalicelib.cases.sla import reply_attributes
from chalicelib.clock import iso
from chalicelib.errors import NotFound, SealBroken, StaleVersion, TransitionRefused
from chalicelib.institution.working_time import WorkingCalendar
from chalicelib.observability import SEAL_REFUSED, correlated, increment, logger
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.conflicts import retry_on_conflict
from chalicelib.storage.messages import MessageStore, Sender, sealed_field
from chalicelib.storage.reports_table import CaseUpdate

#: Who a reporter's message is from, in the audit chain (the reporter has no account).
REPORTER = "reporter"
#: The audit actions of the thread.
REPORTER_MESSAGE = "reporter_message"
STAFF_MESSAGE = "staff_message"
THREAD_READ = "thread_read"


@dataclass
class MessageThread:
    """The thread's use cases: the reporter's side (called by the receipt code's routes)
    and the staff's. Reads, seals and commits through the case access it is given."""

    access: CaseAccess
    calendar: WorkingCalendar

    # --- the reporter's side ------------------------------------------------------------------

    def post_from_reporter(self, report_id: str, text: str) -> dict[str, str]:
        """Write the reporter's message (already checked: 1 to 5,000 characters, trimmed) and
        make a reply owed; `{"message_id", "at"}`.

        `NotFound` for a case gone, being deleted or without `follow_up`;
        `TransitionRefused` (409) for a redacted case, whose thread is closed.
        """
        access = self.access
        message_id = uuid.uuid4().hex

        def attempt() -> str:
            case = self._reporters_case(report_id)
            if case.status == workflow.REDACTED:
                raise TransitionRefused(workflow.REDACTED, REPORTER_MESSAGE, frozenset())
            now = access.clock.now()
            at = iso(now)
            sealed = access.identity.seal(report_id, sealed_field(message_id), text)
            put = self._messages.put_request(report_id, message_id, at, "reporter", sealed)
            update = CaseUpdate(changes=self._reply_owed(case, now))
            access.ledger.commit(
                REPORTER, case, update, [put], REPORTER_MESSAGE, {"message_id": message_id}, None
            )
            return at

        with correlated(report_id):
            at = retry_on_conflict(attempt, lambda: StaleVersion(self._version(report_id)))
            logger.info("reporter message", extra={"report_id": report_id})
        return {"message_id": message_id, "at": at}

    def thread_for_reporter(self, report_id: str) -> list[dict[str, Any]]:
        """The thread as the reporter sees it, oldest first: `[{message_id, from, at, text}]`
        (no staff member's id). A redacted case's words are gone: none are shown.

        `NotFound` for a case gone, being deleted or without `follow_up`; `SealBroken` if
        the case's head or a text does not verify (recorded on the case first).
        """
        case = self._reporters_case(report_id)
        messages = self._reporter_messages(report_id)
        if not messages:
            return []
        with refusal_recorded(self.access.ledger, REPORTER, case, "thread"):
            checked = self.access.seal.check(case, "thread")
        return self._opened_for_reporter(case, checked, messages)

    def opened_for_reporter(self, case: CaseItem, checked: CheckedSeal) -> list[dict[str, Any]]:
        """The thread as `thread_for_reporter` gives it, for a case whose head the caller has
        already checked (the receipt desk, which opens the report's own fields with it): no
        second read of the case, and no second signature check."""
        messages = self._reporter_messages(case.report_id)
        return self._opened_for_reporter(case, checked, messages)

    def _opened_for_reporter(
        self, case: CaseItem, checked: CheckedSeal, messages: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        opened = []
        for message in messages:
            field = sealed_field(str(message["message_id"]))
            with refusal_recorded(self.access.ledger, REPORTER, case, field):
                text = checked.open_beside(field, bytes(message["sealed_text"].value))
            opened.append(
                {
                    "message_id": message["message_id"],
                    "from": message["from"],
                    "at": message["at"],
                    "text": text,
                }
            )
        return opened

    def _reporter_messages(self, report_id: str) -> list[dict[str, Any]]:
        # A redacted case's messages have lost their texts: none is shown.
        return [m for m in self._messages.thread(report_id) if "sealed_text" in m]

    # --- the staff's side ---------------------------------------------------------------------

    def read(self, principal: Principal, reference: str) -> dict[str, Any]:
        """The thread with its texts opened, and the reply owed; each read is audited."""
        access = self.access
        case = access.visible(principal, reference, "read_thread")
        policy.check_case("read_thread", case, "read_thread")
        report_id = case.report_id
        with correlated(report_id):
            messages = self._messages.thread(report_id)
            # Checked before the read is recorded: recording moves the head past the item read.
            with refusal_recorded(access.ledger, principal.member_id, case, "thread"):
                checked = access.seal.check(case, "thread")
            access.ledger.record(
                principal.member_id, case, THREAD_READ, {"messages": len(messages)}, None
            )
            return {
                "messages": [
                    self._opened(principal, case, checked, message) for message in messages
                ],
                "reply_due": case.reply_due,
            }

    def reply(
        self, principal: Principal, reference: str, request: MessageRequest
    ) -> dict[str, Any]:
        """Write a staff message to the reporter; the reply owed is cleared."""
        policy.require(principal, "reply_to_reporter")
        access = self.access
        message_id = uuid.uuid4().hex
        written: list[str] = []

        def change(case: CaseItem) -> Change:
            policy.check_case("reply_to_reporter", case, "reply_to_reporter")
            report_id = case.report_id
            at = iso(access.clock.now())
            written[:] = [at]
            sealed = access.identity.seal(report_id, sealed_field(message_id), request.text)
            put = self._messages.put_request(
                report_id, message_id, at, "staff", sealed, principal.member_id
            )
            return Change(_answered(case), {"message_id": message_id}, [put])

        access.change(principal, reference, "reply_to_reporter", STAFF_MESSAGE, None, None, change)
        return {"message_id": message_id, "at": written[-1]}

    # --- internals ----------------------------------------------------------------------------

    @property
    def _messages(self) -> MessageStore:
        return MessageStore.beside(self.access.cases)

    def _reporters_case(self, report_id: str) -> CaseItem:
        case = self.access.cases.case_item(report_id)
        if case is None or case.deletion_started_at or not case.follow_up:
            raise NotFound("report not found")
        return case

    def _version(self, report_id: str) -> int:
        case = self.access.cases.case_item(report_id)
        return case.version if case else 0

    def _reply_owed(self, case: CaseItem, now: datetime) -> dict[str, Any]:
        """What a reporter's message sets: a reply owed (unless one already is, since an
        earlier message), the watch on it and the case's place in its team's queue."""
        if case.reply_due:
            return {}
        due = iso(self.calendar.reply_due(now))
        changes: dict[str, Any] = {"reply_due": due}
        # Before triage the case has no team yet: triage queues it, and the watch reaches
        # the reply after the screening stage it sets (`chalicelib.cases.sla`).
        if case.team_id:
            changes |= reply_attributes(case, due)
            changes["queue_team"] = case.team_id
            changes["queue_order"] = workflow.queue_order(str(case.priority), due)
        return changes

    def _opened(
        self,
        principal: Principal,
        case: CaseItem,
        checked: CheckedSeal,
        message: dict[str, Any],
    ) -> dict[str, Any]:
        sender: Sender = message["from"]
        opened: dict[str, Any] = {
            "message_id": message["message_id"],
            "from": sender,
            "at": message["at"],
            "text": None,
        }
        if sender == "staff":
            opened["author_id"] = message.get("author_id")
        sealed = message.get("sealed_text")
        if sealed is None:
            return opened
        field = sealed_field(str(message["message_id"]))
        try:
            opened["text"] = checked.open_beside(field, bytes(sealed.value))
        except SealBroken:
            # One message that will not open must not hide the others: its text is
            # withheld, and the refusal counted and recorded on the case as any other.
            logger.error("message text does not open", extra={"report_id": checked.report_id})
            increment(SEAL_REFUSED)
            record_refusal(self.access.ledger, principal.member_id, case, field)
        return opened


def _answered(case: CaseItem) -> CaseUpdate:
    """A staff reply clears the reply owed: the case goes back to its own place in the
    queue, or leaves it if it is no longer worked (closed or filed). The watch on the
    reply finds it answered and chases nothing (`chalicelib.cases.sla`)."""
    if not case.reply_due:
        return CaseUpdate()
    update = CaseUpdate(remove=["reply_due"])
    if case.status in workflow.OPEN:
        due = workflow.queue_due(replace(case, reply_due=None))
        update.changes["queue_order"] = workflow.queue_order(str(case.priority), due)
    elif case.queue_team is not None:
        update.remove.append("queue_team")
    return update
