"""An anonymous reporter coming back with their receipt code (issue 14).

Every receipt call goes the same way: the failure budget is checked (over it, every call
waits: `TooManyAttempts`), the body is parsed (a malformed code is refused naming
`receipt_code`, before any KMS or DynamoDB work on it), the code is MACed in KMS and its
receipt read with one strongly consistent GetItem. A code that opens nothing — unknown,
wrong by one character, or its report deleted (retention deletes the receipt with the
report) — costs the same work (one MAC, one GetItem, one failure counted) and ends in the
same `ReceiptNotFound`, so neither the answer nor its timing tells them apart. Nothing
about the caller is kept; the deployment's WAF rate rule and this global budget stop
floods.

A code that opens a report gives the reporter their copy: the questions as they were
asked with their answers, their own account (unsealed through `CaseSeal`, so a case put
back or tampered with is refused as anywhere else), the status in plain words and the
thread with staff (`chalicelib.cases.thread` owns the messages). Each opening is audited
(`follow_up_opened`, actor `reporter`). A message the reporter sends (`send`) goes into that
thread and makes a reply owed.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from chalicelib.cases import workflow
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.models import MessageText
from chalicelib.cases.seal import CaseSeal, CheckedSeal
from chalicelib.clock import Clock, iso
from chalicelib.crypto import BlindIndex
from chalicelib.errors import InvalidInput, NotFound, ReceiptNotFound, TooManyAttempts
from chalicelib.institution.models import Form, LocalText, Question
from chalicelib.problems import problems_from
from chalicelib.reports.follow_up import (
    AnsweredQuestion,
    FollowUpCopy,
    OpenFollowUp,
    PlainStatus,
    ReceiptRequest,
    ThreadMessage,
)
from chalicelib.reports.models import NARRATIVE
from chalicelib.reports.people import NAME
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.receipts import ReceiptsTable
from chalicelib.storage.reports_table import ReportsTable

Language = Literal["en", "cy"]
#: The failure budget's window.
WINDOW_SECONDS = 600
#: Who the audit entries of a reporter's own actions name.
REPORTER = "reporter"
#: The case's status in the reporter's plain words (the page words each, en + cy).
PLAIN_STATUS: dict[str, PlainStatus] = {
    "awaiting_triage": "received",
    "awaiting_screening": "received",
    "assigned": "being_handled",
    "contacted": "being_handled",
    "in_support": "being_handled",
    "reopened": "being_handled",
    "filed": "recorded",
    "closed": "closed",
}
#: How a person named without a name reads in the reporter's copy.
_NAME_NOT_KNOWN: dict[Language, str] = {"en": "name not known", "cy": "enw ddim yn hysbys"}
_LANGUAGES: tuple[Language, ...] = ("en", "cy")

_Request = TypeVar("_Request", bound=ReceiptRequest)


class SendMessage(ReceiptRequest):
    """`POST /reports/follow-up/messages`: the reporter writes to the staff of their case."""

    text: MessageText


class MessageSent(BaseModel):
    """The reporter's message, written."""

    message_id: str
    at: str = Field(description="ISO 8601, UTC")


@dataclass
class FailureBudget:
    """A global count of receipt codes that opened nothing, per 10-minute window.

    Over `limit` in the current window, every receipt call is refused until the window
    ends. Only a count is kept: nothing says who made the attempts.
    """

    receipts: ReceiptsTable
    limit: int
    clock: Clock

    def check(self) -> None:
        """`TooManyAttempts` (with the seconds to the window's end) if the budget is spent."""
        start, end = self._window()
        if self.receipts.failures(iso(start)) >= self.limit:
            remaining = (end - self.clock.now()).total_seconds()
            raise TooManyAttempts(max(1, math.ceil(remaining)))

    def spend(self) -> None:
        """Count one failed attempt in the current window."""
        start, end = self._window()
        # Kept a window past its end, then left to the table's TTL.
        expires = int((end + timedelta(seconds=WINDOW_SECONDS)).timestamp())
        self.receipts.count_failure(iso(start), expires)

    def _window(self) -> tuple[datetime, datetime]:
        seconds = int(self.clock.now().timestamp()) // WINDOW_SECONDS * WINDOW_SECONDS
        start = datetime.fromtimestamp(seconds, UTC)
        return start, start + timedelta(seconds=WINDOW_SECONDS)


@dataclass
class FollowUpDesk:
    """Opens a report with its receipt code. Collaborators are given, never built here."""

    budget: FailureBudget
    receipts: ReceiptsTable
    cases: ReportsTable
    blind_index: BlindIndex
    seal: CaseSeal
    ledger: CaseLedger
    #: The form as published now (`services.published_institution`): an option added
    #: without a deploy is named, a retired one still is.
    form: Callable[[], Form]
    #: The report's thread with staff as its reporter sees it, oldest first, opened with the
    #: case's seal as this desk checked it.
    thread: Callable[[CaseItem, CheckedSeal], list[dict[str, Any]]]
    #: Writes a reporter's message into the thread: (report id, text) -> message id and time.
    post: Callable[[str, str], dict[str, str]]

    def authenticate(self, body: Any, model: type[_Request]) -> tuple[_Request, CaseItem]:
        """The parsed request and the case its `receipt_code` opens: the way every receipt
        call starts (budget, parse, MAC, GetItem). `TooManyAttempts`, `InvalidInput` or
        `ReceiptNotFound` otherwise."""
        self.budget.check()
        try:
            request = model.model_validate(body)
        except ValidationError as error:
            raise InvalidInput(problems_from(error)) from None
        return request, self.case_for(request.receipt_code)

    def case_for(self, code: str) -> CaseItem:
        """The case a normalised receipt code opens; `ReceiptNotFound` (one failure counted)
        if it opens none."""
        mac = self.blind_index.receipt(code)
        report_id = self.receipts.report_id_for(mac)
        # A receipt is deleted before its case; a case without one (being deleted, redacted)
        # or whose receipt moved on (a replay issued another) is not opened by this code.
        case = self.cases.case_item(report_id) if report_id is not None else None
        if case is None or not _opened_by(case, mac):
            self.budget.spend()
            raise ReceiptNotFound()
        return case

    def copy(self, body: Any) -> FollowUpCopy:
        """The reporter's copy of the report their code opens (audited)."""
        _request, case = self.authenticate(body, OpenFollowUp)
        # Checked before the opening is recorded: recording moves the head past this read.
        checked = self.seal.check(case, NARRATIVE)
        self.ledger.record(REPORTER, case, "follow_up_opened", {}, None)
        thread = self.thread(case, checked)
        messages = [ThreadMessage.model_validate(message) for message in thread]
        return FollowUpCopy(
            reference=case.reference,
            submitted_at=case.submitted_at,
            status=PLAIN_STATUS.get(case.status, "closed"),
            answers=self._answers(case, checked),
            narrative=_text(checked.open(NARRATIVE)) if NARRATIVE in checked.sealed else None,
            messages=messages,
            reply_expected=bool(messages) and messages[-1].from_ == "staff",
        )

    def send(self, body: Any) -> MessageSent:
        """Write the reporter's message into their report's thread (a reply is then owed)."""
        request, case = self.authenticate(body, SendMessage)
        try:
            sent = self.post(case.report_id, request.text)
        except NotFound:
            # Deleted between the receipt's read and the write: as if the code opened nothing.
            raise ReceiptNotFound() from None
        return MessageSent.model_validate(sent)

    def _answers(self, case: CaseItem, checked: CheckedSeal) -> list[AnsweredQuestion]:
        """Each question answered, in the form's order, in the words it was asked."""
        clear: dict[str, Any] = dict(case.answers)
        form = self.form()
        reporting_for = form.reporting_for_question
        shown: list[AnsweredQuestion] = []
        for question in form.questions:
            asked = question.as_asked(clear.get(reporting_for) if reporting_for else None)
            field = f"answer.{question.id}"
            answer: LocalText | str | None = None
            if question.id in clear:
                answer = _chosen(question, clear[question.id], clear, reporting_for)
            elif field in checked.sealed:
                opened = checked.open(field)
                answer = _people(opened) if question.kind == "people" else _text(opened)
            if answer is not None:
                shown.append(AnsweredQuestion(question=asked.label, answer=answer))
        return shown


def _opened_by(case: CaseItem, mac: str) -> bool:
    # The MAC found the receipt by key; the case's own copy is compared in constant time.
    return (
        hmac.compare_digest(case.receipt_mac or "", mac)
        and not case.deletion_started_at
        and case.status != workflow.REDACTED
    )


def _chosen(
    question: Question, value: Any, clear: dict[str, Any], reporting_for: str | None
) -> LocalText:
    """The options chosen, in the words of the question as asked (several joined)."""
    asked = question.as_asked(clear.get(reporting_for) if reporting_for else None)
    ids = [value] if isinstance(value, str) else [str(item) for item in value]
    labels = [question.option_label(option, asked) or {"en": option} for option in ids]
    return {
        language: ", ".join(label.get(language, label["en"]) for label in labels)
        for language in _LANGUAGES
    }


def _people(opened: Any) -> LocalText:
    """The people named, as the reporter gave them ("name not known" in their language)."""
    entries = opened if isinstance(opened, list) else []
    return {
        language: ", ".join(
            str(entry[NAME]) if isinstance(entry, dict) and NAME in entry else unknown
            for entry in entries
        )
        for language, unknown in _NAME_NOT_KNOWN.items()
    }


def _text(opened: Any) -> str:
    return opened if isinstance(opened, str) else str(opened)
