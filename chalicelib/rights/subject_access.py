"""Subject access: the JSON document of what the subject gave and what was done with them.

Answers with the form's English labels, contact details and preferences, dates, contact
attempts and support given. Whatever may hold other people's data (the narrative and
free-text answers, staff notes, assessment notes, action justifications, audit reasons, the
messages of a receipt code's thread) is not opened but listed for review by hand, as are
demographic answers, which are sealed under the `insight` key the API cannot use. Each
case's audit records the export first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.audit import AuditTrail
from chalicelib.cases.access import Principal
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.refusals import refusal_recorded
from chalicelib.cases.seal import CaseSeal, CheckedSeal
from chalicelib.clock import Clock, iso
from chalicelib.crypto import Sealer
from chalicelib.institution.models import Form, Option, Question, Wording
from chalicelib.observability import logger
from chalicelib.reports.models import CONTACT, NARRATIVE
from chalicelib.rights.models import ExportRequest
from chalicelib.rights.requests import RequestLog, check_open
from chalicelib.rights.subjects import SubjectReports
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.messages import MessageStore
from chalicelib.storage.reports_table import ReportsTable


@dataclass
class SubjectAccess:
    """Builds the subject access export of an access request."""

    log: RequestLog
    subjects: SubjectReports
    cases: ReportsTable
    ledger: CaseLedger
    audit: AuditTrail
    identity: Sealer
    #: The form as published now (`services.published_institution`): an option added
    #: without a deploy is named by its label, a retired one still is.
    form: Callable[[], Form]
    clock: Clock

    def export(self, principal: Principal, request_id: str, body: ExportRequest) -> dict[str, Any]:
        """The subject access document; each case's audit records the export first."""
        request = self.log.get(request_id)
        check_open(request, "access")
        reports: list[dict[str, Any]] = []
        withheld: list[dict[str, str]] = []
        form = self.form()
        for case in self.subjects.of(request, principal.member_id):
            contact = CONTACT in case.sealed
            # Checked before the export is recorded: recording moves the head past this read.
            with refusal_recorded(
                self.ledger, principal.member_id, case, CONTACT, {"request_id": request_id}
            ):
                checked = CaseSeal(self.audit, self.identity).check(case, CONTACT)
            self.ledger.record(
                principal.member_id,
                case,
                "subject_access_export",
                {"request_id": request_id, "fields": [CONTACT] if contact else []},
                body.reason,
            )
            timeline = self.cases.timeline(case.report_id)
            with refusal_recorded(
                self.ledger, principal.member_id, case, CONTACT, {"request_id": request_id}
            ):
                reports.append(self._exported(form, case, timeline, checked))
            withheld += self._withheld(form, case, timeline)
        references = [report["reference"] for report in reports]
        self.log.record(
            request_id,
            {"exported_at": iso(self.clock.now())},
            self.log.event(principal, "export", references),
        )
        logger.info(
            "subject access export", extra={"request_id": request_id, "reports": len(reports)}
        )
        return {
            "request_id": request_id,
            "generated_at": iso(self.clock.now()),
            "subject_email": self.log.subject_email(request),
            "reports": reports,
            "withheld": withheld,
            "notes": _notes(reports),
        }

    def _exported(
        self, form: Form, case: CaseItem, timeline: list[dict[str, Any]], checked: CheckedSeal
    ) -> dict[str, Any]:
        contact = checked.open(CONTACT) if CONTACT in checked.sealed else None
        return {
            "reference": case.reference,
            "mode": case.mode,
            "status": case.status,
            "outcome": case.outcome,
            "submitted_at": case.submitted_at,
            "first_contact_at": case.first_contact_at,
            "closed_at": case.closed_at,
            "answers": [
                self._answer(form, qid, value, case.answers) for qid, value in case.answers.items()
            ],
            "contact": contact,
            "preferences": self._preferences(form, case.preferences),
            "contact_attempts": [
                {"at": e["at"], "method": e["method"], "result": e["result"]}
                for e in timeline
                if e.get("type") == "contact_attempt"
            ],
            "support": [
                {key: e[key] for key in ("at", "type", "risk_level", "needs", "action") if key in e}
                for e in timeline
                if e.get("type") in ("assessment", "action")
            ],
        }

    def _answer(
        self, form: Form, question_id: str, value: str | list[str], answers: Mapping[str, Any]
    ) -> dict[str, Any]:
        ids = [value] if isinstance(value, str) else list(value)
        question = form.question(question_id)
        if question is None:
            return {"question_id": question_id, "question": question_id, "answer": ids}
        # In the words the person was asked (a witness: "Is the person it happened to...?").
        reporting_for = form.reporting_for_question
        asked = question.as_asked(answers.get(reporting_for) if reporting_for else None)
        return {
            "question_id": question_id,
            "question": asked.label["en"],
            "answer": [self._option_text(question, option, asked) for option in ids],
        }

    @staticmethod
    def _option_text(question: Question, option: str, asked: Wording) -> str:
        label = question.option_label(option, asked)
        return label["en"] if label else option

    def _preferences(
        self, form: Form, preferences: Mapping[str, str | list[str]]
    ) -> dict[str, str | list[str]]:
        # Each advisor preference the reporter ticked, by its label; `advisor_preference`
        # (one id) is how reports sent before several could be ticked store it.
        options: dict[str, Sequence[Option]] = {
            "preferred_contact_method": form.contact.contact_methods,
            "advisor_preference": form.contact.advisor_preferences,
            "advisor_preferences": form.contact.advisor_preferences,
        }
        shown: dict[str, str | list[str]] = {}
        for name, value in preferences.items():
            labels = {option.id: option.label["en"] for option in options.get(name, [])}
            if isinstance(value, str):
                shown[name] = labels.get(value, value)
            else:
                shown[name] = [labels.get(str(item), str(item)) for item in value]
        return shown

    def _withheld(
        self, form: Form, case: CaseItem, timeline: list[dict[str, Any]]
    ) -> list[dict[str, str]]:
        reference = case.reference
        report_id = case.report_id
        items = []
        for name in sorted(case.sealed):
            if name == NARRATIVE:
                items.append((name, _MAY_NAME_OTHERS))
            elif name.startswith("answer."):
                question = form.question(name.removeprefix("answer."))
                label = question.label["en"] if question else name.removeprefix("answer.")
                items.append((f"answer: {label}", _MAY_NAME_OTHERS))
        for entry in timeline:
            if "sealed_text" in entry:
                what = _TIMELINE_TEXT.get(str(entry.get("type")), "timeline text")
                items.append((f"{what} of {entry['at']}", _STAFF_TEXT))
        # A receipt code's thread: the reporter's words as their account is, staff's as notes.
        for message in MessageStore.beside(self.cases).thread(report_id):
            if "sealed_text" in message:
                if message["from"] == "reporter":
                    items.append(
                        (f"message from the reporter of {message['at']}", _MAY_NAME_OTHERS)
                    )
                else:
                    items.append((f"message from staff of {message['at']}", _STAFF_TEXT))
        for audit_entry, _hash in self.audit.entries(report_id):
            if audit_entry.sealed_reason is not None:
                items.append(
                    (f"audit entry {audit_entry.seq} ({audit_entry.action}): reason", _STAFF_TEXT)
                )
        if case.has_demographics:
            items.append(("demographic answers", _DEMOGRAPHICS))
        return [{"reference": reference, "item": item, "why": why} for item, why in items]


_MAY_NAME_OTHERS = "free text that may name or describe other people; review before release"
_STAFF_TEXT = "staff's words that may hold other people's data; review before release"
_DEMOGRAPHICS = (
    "sealed under the insight key, which this service cannot open (only the statistics job "
    "may); ask the platform team to extract them if the subject wants them"
)
_TIMELINE_TEXT = {
    "note": "case note",
    "contact_attempt": "note on a contact attempt",
    "assessment": "assessment note",
    "action": "action justification",
}


def _notes(reports: list[dict[str, Any]]) -> list[str]:
    notes = [
        "Only named reports can be found by an email address. Anonymous reports hold no "
        "address and cannot be linked to anyone.",
        "Items listed under 'withheld' were not opened: they may hold other people's personal "
        "data. Review each by hand before deciding what to release.",
    ]
    if not reports:
        notes.insert(0, "No report was found for this email address.")
    return notes
