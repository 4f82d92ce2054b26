"""The data protection officer's desk: requests logged and tracked, subject access,
rectification and erasure (see `chalicelib.rights`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from chalicelib.audit import AuditTrail
from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.refusals import refusal_recorded
from chalicelib.cases.seal import CaseSeal, CheckedSeal
from chalicelib.clock import Clock, iso
from chalicelib.crypto import BlindIndex, Sealer, normalise_email
from chalicelib.errors import (
    FieldProblem,
    InvalidInput,
    LegalHoldActive,
    NotFound,
    RequestConflict,
    StaleVersion,
)
from chalicelib.institution.models import Form, Option, Question, Wording
from chalicelib.observability import BLIND_INDEX_MISMATCH, increment, logger
from chalicelib.reports.models import CONTACT, NARRATIVE
from chalicelib.rights.models import (
    RECEIVED_WITHIN,
    CloseRequest,
    ErasureRequest,
    ExportRequest,
    Kind,
    NewRightsRequest,
    RectificationRequest,
    due_on,
)
from chalicelib.storage.conflicts import retry_on_conflict
from chalicelib.storage.dynamo import Binary
from chalicelib.storage.reports_table import CaseUpdate, ReportsTable
from chalicelib.storage.rights import OPEN, RightsTable

_SUBJECT_EMAIL = "subject_email"
_REASON = "reason"


class Eraser(Protocol):
    """What erases a report's personal data (the retention service)."""

    def erase(self, report_id: str, *, actor: str, reason: str) -> bool:
        """Strip every sealed field and the demographics, audited; False if already done.

        Raises `LegalHoldActive` under legal hold.
        """
        ...


# --- the desk -----------------------------------------------------------------------------------


@dataclass
class RightsDesk:
    """The data protection officer's use cases. Collaborators are given, never built here."""

    requests: RightsTable
    cases: ReportsTable
    ledger: CaseLedger
    audit: AuditTrail
    identity: Sealer
    blind_index: BlindIndex
    form: Form
    time_zone: ZoneInfo
    clock: Clock
    eraser: Callable[[], Eraser]
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex

    # --- requests -----------------------------------------------------------------------------

    def log(self, principal: Principal, body: NewRightsRequest) -> dict[str, Any]:
        """Record a request as received; it is due one calendar month after receipt."""
        policy.require(principal, "handle_rights_requests")
        today = self._today()
        received = body.received_on or today
        if received > today:
            raise InvalidInput([FieldProblem("received_on", "must not be in the future")])
        if received < today - RECEIVED_WITHIN:
            within = f"must be within the last {RECEIVED_WITHIN.days} days"
            raise InvalidInput([FieldProblem("received_on", within)])
        request_id = self.new_id()
        now = self.clock.now()
        email_mac = self.blind_index.email(body.email)
        item: dict[str, Any] = {
            "request_id": request_id,
            "kind": body.kind,
            "received_on": received.isoformat(),
            "due_at": due_on(received).isoformat(),
            "open": OPEN,
            "status": OPEN,
            "sealed_email": Binary(self.identity.seal(request_id, _SUBJECT_EMAIL, body.email)),
            "email_mac": email_mac,
            "logged_by": principal.member_id,
            "logged_at": iso(now),
            "history": [{"at": iso(now), "actor": principal.member_id, "action": "logged"}],
        }
        found = self.cases.report_ids_for_email(email_mac)
        if found:
            item["report_ids"] = set(found)
        self.requests.add(item)
        logger.info("rights request logged", extra={"request_id": request_id, "kind": body.kind})
        return self._detail(item, principal.member_id)

    def open_requests(self, principal: Principal) -> dict[str, Any]:
        """Open requests, soonest due first, the overdue ones flagged."""
        policy.require(principal, "handle_rights_requests")
        today = self._today().isoformat()
        return {"requests": [_summary(item, today) for item in self.requests.open_requests()]}

    def view(self, principal: Principal, request_id: str) -> dict[str, Any]:
        """A request, what was done on it, and the references of the reports found."""
        policy.require(principal, "handle_rights_requests")
        return self._detail(self._request(request_id), principal.member_id)

    def close(self, principal: Principal, request_id: str, body: CloseRequest) -> dict[str, Any]:
        """Close a request: completed once answered, or refused with the reason."""
        policy.require(principal, "handle_rights_requests")
        request = self._request(request_id)
        _check_open(request)
        done = {entry["action"] for entry in request.get("history", [])}
        if body.outcome == "completed" and request["kind"] == "access" and "export" not in done:
            raise InvalidInput(
                [FieldProblem("outcome", "an access request is completed by an export; export")]
            )
        if body.outcome == "completed" and request["kind"] == "erasure":
            raise InvalidInput(
                [FieldProblem("outcome", "an erasure request is completed by the erasure")]
            )
        outcome = "refused" if body.outcome == "refused" else _DONE[request["kind"]]
        self._finish(principal, request, body.outcome, outcome, body.reason, {})
        return self._detail(self._request(request_id), principal.member_id)

    # --- access -------------------------------------------------------------------------------

    def export(self, principal: Principal, request_id: str, body: ExportRequest) -> dict[str, Any]:
        """The subject access document; each case's audit records the export first."""
        policy.require(principal, "handle_rights_requests")
        request = self._request(request_id)
        _check_open(request, "access")
        reports: list[dict[str, Any]] = []
        withheld: list[dict[str, str]] = []
        for case in self._cases(request, principal.member_id):
            contact = CONTACT in case.get("sealed", {})
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
            timeline = self.cases.timeline(str(case["report_id"]))
            with refusal_recorded(
                self.ledger, principal.member_id, case, CONTACT, {"request_id": request_id}
            ):
                reports.append(self._exported(case, timeline, checked))
            withheld += self._withheld(case, timeline)
        references = [report["reference"] for report in reports]
        self.requests.update_open(
            request_id,
            {"exported_at": iso(self.clock.now())},
            self._event(principal, "export", references),
        )
        logger.info(
            "subject access export", extra={"request_id": request_id, "reports": len(reports)}
        )
        return {
            "request_id": request_id,
            "generated_at": iso(self.clock.now()),
            "subject_email": self._subject_email(request),
            "reports": reports,
            "withheld": withheld,
            "notes": _notes(reports),
        }

    def _exported(
        self, case: dict[str, Any], timeline: list[dict[str, Any]], checked: CheckedSeal
    ) -> dict[str, Any]:
        contact = checked.open(CONTACT) if CONTACT in checked.sealed else None
        return {
            "reference": case["reference"],
            "mode": case["mode"],
            "status": case["status"],
            "outcome": case.get("outcome"),
            "submitted_at": case["submitted_at"],
            "first_contact_at": case.get("first_contact_at"),
            "closed_at": case.get("closed_at"),
            "answers": [
                self._answer(qid, value, case.get("answers", {}))
                for qid, value in case.get("answers", {}).items()
            ],
            "contact": contact,
            "preferences": self._preferences(case.get("preferences", {})),
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
        self, question_id: str, value: str | list[str], answers: dict[str, Any]
    ) -> dict[str, Any]:
        ids = [value] if isinstance(value, str) else list(value)
        question = self.form.question(question_id)
        if question is None:
            return {"question_id": question_id, "question": question_id, "answer": ids}
        # In the words the person was asked (a witness: "Is the person it happened to...?").
        reporting_for = self.form.reporting_for_question
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

    def _preferences(self, preferences: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        # Each advisor preference the reporter ticked, by its label; `advisor_preference`
        # (one id) is how reports sent before several could be ticked store it.
        options: dict[str, Sequence[Option]] = {
            "preferred_contact_method": self.form.contact.contact_methods,
            "advisor_preference": self.form.contact.advisor_preferences,
            "advisor_preferences": self.form.contact.advisor_preferences,
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
        self, case: dict[str, Any], timeline: list[dict[str, Any]]
    ) -> list[dict[str, str]]:
        reference = str(case["reference"])
        report_id = str(case["report_id"])
        items = []
        for name in sorted(case.get("sealed", {})):
            if name == NARRATIVE:
                items.append((name, _MAY_NAME_OTHERS))
            elif name.startswith("answer."):
                question = self.form.question(name.removeprefix("answer."))
                label = question.label["en"] if question else name.removeprefix("answer.")
                items.append((f"answer: {label}", _MAY_NAME_OTHERS))
        for entry in timeline:
            if "sealed_text" in entry:
                what = _TIMELINE_TEXT.get(str(entry.get("type")), "timeline text")
                items.append((f"{what} of {entry['at']}", _STAFF_TEXT))
        for audit_entry, _hash in self.audit.entries(report_id):
            if audit_entry.sealed_reason is not None:
                items.append(
                    (f"audit entry {audit_entry.seq} ({audit_entry.action}): reason", _STAFF_TEXT)
                )
        if case.get("has_demographics"):
            items.append(("demographic answers", _DEMOGRAPHICS))
        return [{"reference": reference, "item": item, "why": why} for item, why in items]

    # --- rectification ------------------------------------------------------------------------

    def rectify(
        self, principal: Principal, request_id: str, body: RectificationRequest
    ) -> dict[str, Any]:
        """Correct a report's contact details: resealed, the email's blind index recomputed.

        The current details are opened only to carry the fields not corrected into the new
        seal; nothing is returned, and the change and its audit entry are one transaction.
        """
        policy.require(principal, "handle_rights_requests")
        request = self._request(request_id)
        _check_open(request, "rectification")
        report_id = self.cases.report_id_for(body.reference)
        mine = {str(case["report_id"]) for case in self._cases(request, principal.member_id)}
        if report_id is None or report_id not in mine:
            raise InvalidInput([FieldProblem("reference", "is not a report of this subject")])
        given = body.contact.given()
        seen: list[dict[str, Any] | None] = []

        def attempt() -> list[str]:
            case = self.cases.case(report_id)
            seen.append(case)
            sealed = dict(case.get("sealed", {})) if case else {}
            if case is None or CONTACT not in sealed:
                raise InvalidInput([FieldProblem("reference", "holds no contact details")])
            with refusal_recorded(
                self.ledger, principal.member_id, case, CONTACT, {"request_id": request_id}
            ):
                current = CaseSeal(self.audit, self.identity).open(case, CONTACT)
            corrected = {**current, **given}
            changed = sorted(name for name in given if current.get(name) != given[name])
            sealed[CONTACT] = Binary(self.identity.seal(report_id, CONTACT, corrected))
            changes: dict[str, Any] = {"sealed": sealed}
            if "email" in given:
                changes["email_mac"] = self.blind_index.email(str(corrected["email"]))
            self.ledger.commit(
                principal.member_id,
                case,
                CaseUpdate(changes=changes),
                [],
                "rectification",
                {"request_id": request_id, "fields": changed},
                body.reason,
            )
            return changed

        def exhausted() -> StaleVersion:
            case = seen[-1]
            return StaleVersion(int(case["version"]) if case else 0)

        changed = retry_on_conflict(attempt, exhausted)
        event = self._event(principal, "rectification", [body.reference])
        event["fields"] = changed
        self.requests.update_open(request_id, {}, event)
        logger.info("contact rectified", extra={"request_id": request_id, "fields": changed})
        return self._detail(self._request(request_id), principal.member_id)

    # --- erasure ------------------------------------------------------------------------------

    def erase(self, principal: Principal, request_id: str, body: ErasureRequest) -> dict[str, Any]:
        """Erase the subject's personal data from every report found, or refuse as a whole.

        A legal hold on any report refuses the request, erases nothing and records why.
        """
        policy.require(principal, "handle_rights_requests")
        request = self._request(request_id)
        _check_open(request, "erasure")
        cases = self._cases(request, principal.member_id)
        held = sorted(str(case["reference"]) for case in cases if case.get("legal_hold"))
        if held:
            for case in cases:
                # Each case's chain says an erasure was asked for and why it was refused.
                self.ledger.record(
                    principal.member_id,
                    case,
                    "erasure_refused",
                    {"request_id": request_id, "legal_hold_on": held},
                    body.reason,
                )
            self._refuse_for_hold(principal, request, held, [])
        erased: list[str] = []
        eraser = self.eraser() if cases else None
        for case in cases:
            try:
                if eraser is not None and eraser.erase(
                    str(case["report_id"]), actor=principal.member_id, reason=body.reason
                ):
                    erased.append(str(case["reference"]))
            except LegalHoldActive as hold:
                # Set after the check above: what was erased stays erased, and says so.
                self._refuse_for_hold(principal, request, hold.references, erased)
        references = [str(case["reference"]) for case in cases]
        self._finish(principal, request, "completed", "erased", None, {"references": references})
        logger.info("erasure done", extra={"request_id": request_id, "erased": len(erased)})
        return self._detail(self._request(request_id), principal.member_id)

    def _refuse_for_hold(
        self, principal: Principal, request: dict[str, Any], held: list[str], erased: list[str]
    ) -> None:
        reason = "A legal hold is active on " + ", ".join(held) + "; "
        reason += ("only " + ", ".join(erased) + " was erased") if erased else "nothing was erased"
        self._finish(principal, request, "refused", "legal_hold", reason, {"references": held})
        raise LegalHoldActive(held)

    # --- internals ----------------------------------------------------------------------------

    def _today(self) -> date:
        return self.clock.now().astimezone(self.time_zone).date()

    def _request(self, request_id: str) -> dict[str, Any]:
        request = self.requests.get(request_id)
        if request is None:
            raise NotFound("no such request")
        return request

    def _found(self, request: dict[str, Any]) -> list[str]:
        """The subject's reports: found now by the blind index, or found by this request before.

        Remembered so that a report whose email was rectified stays with the request.
        """
        known = {str(report_id) for report_id in request.get("report_ids", set())}
        live = set(self.cases.report_ids_for_email(str(request["email_mac"])))
        if live - known:
            self.requests.remember_reports(str(request["request_id"]), live - known)
        return sorted(known | live)

    def _cases(self, request: dict[str, Any], actor: str) -> list[dict[str, Any]]:
        """The subject's cases: those found whose sealed contact holds the subject's address."""
        found = [self.cases.case(report_id) for report_id in self._found(request)]
        subject = normalise_email(self._subject_email(request))
        acted_on = _acted_on(request)
        return sorted(
            (
                case
                for case in found
                if case and self._subjects(request, case, subject, acted_on, actor)
            ),
            key=lambda case: (case["submitted_at"], case["reference"]),
        )

    def _subjects(
        self,
        request: dict[str, Any],
        case: dict[str, Any],
        subject: str,
        acted_on: set[str],
        actor: str,
    ) -> bool:
        """Whether a case the blind index found is the subject's.

        The index only finds candidates: whoever can write the reports table can copy the
        subject's index onto another report, which would then be exported, rectified or
        erased as the subject's. The sealed contact cannot be moved between reports, so a
        case is the subject's if its contact holds the subject's address (normalised as the
        index is), or if this request already acted on it after that check (rectified the
        address away, erased it). A case still carrying the subject's index that fails
        this is left out, logged by id and alarmed.
        """
        if str(case["reference"]) in acted_on:
            return True
        request_id = str(request["request_id"])
        ids = {"request_id": request_id, "report_id": str(case["report_id"])}
        if CONTACT in case.get("sealed", {}):
            with refusal_recorded(self.ledger, actor, case, CONTACT, {"request_id": request_id}):
                contact = CaseSeal(self.audit, self.identity).open(case, CONTACT)
            email = contact.get("email") if isinstance(contact, dict) else None
            if isinstance(email, str) and normalise_email(email) == subject:
                return True
        if case.get("email_mac") != request["email_mac"]:
            # Found earlier, its index gone or moved since (redacted, erased, its address
            # rectified by another request): no longer this subject's, and no copied index.
            logger.info("report found earlier no longer holds the address; left out", extra=ids)
            return False
        logger.warning("blind index does not match the sealed contact; report left out", extra=ids)
        increment(BLIND_INDEX_MISMATCH)
        return False

    def _subject_email(self, request: dict[str, Any]) -> str:
        request_id = str(request["request_id"])
        return str(
            self.identity.unseal(request_id, _SUBJECT_EMAIL, bytes(request["sealed_email"].value))
        )

    def _event(self, principal: Principal, action: str, references: list[str]) -> dict[str, Any]:
        return {
            "at": iso(self.clock.now()),
            "actor": principal.member_id,
            "action": action,
            "references": references,
        }

    def _finish(
        self,
        principal: Principal,
        request: dict[str, Any],
        status: str,
        outcome: str,
        reason: str | None,
        event: dict[str, Any],
    ) -> None:
        request_id = str(request["request_id"])
        changes: dict[str, Any] = {
            "status": status,
            "outcome": outcome,
            "completed_at": iso(self.clock.now()),
            "completed_by": principal.member_id,
        }
        if reason:
            changes["sealed_reason"] = Binary(self.identity.seal(request_id, _REASON, reason))
        history = {**self._event(principal, status, []), **event, "outcome": outcome}
        self.requests.update_open(request_id, changes, history, close=True)
        logger.info("rights request closed", extra={"request_id": request_id, "status": status})

    def _detail(self, request: dict[str, Any], actor: str) -> dict[str, Any]:
        request_id = str(request["request_id"])
        sealed_reason = request.get("sealed_reason")
        cases = self._cases(request, actor)
        return {
            **_summary(request, self._today().isoformat()),
            "subject_email": self._subject_email(request),
            "completed_at": request.get("completed_at"),
            "completed_by": request.get("completed_by"),
            "outcome": request.get("outcome"),
            "reason": (
                self.identity.unseal(request_id, _REASON, bytes(sealed_reason.value))
                if sealed_reason is not None
                else None
            ),
            "history": request.get("history", []),
            "reports": [
                {
                    "reference": case["reference"],
                    "mode": case["mode"],
                    "status": case["status"],
                    "submitted_at": case["submitted_at"],
                    "legal_hold": bool(case.get("legal_hold", False)),
                }
                for case in cases
            ],
        }


_CLOSED = "this request is closed; nothing more is done on it"
_DONE: dict[str, str] = {"access": "exported", "rectification": "rectified", "erasure": "erased"}
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


def _check_open(request: dict[str, Any], kind: Kind | None = None) -> None:
    if request["status"] != OPEN:
        raise RequestConflict(_CLOSED)
    if kind is not None and request["kind"] != kind:
        raise RequestConflict(
            f"this step answers a request for {kind}; this one is for {request['kind']}"
        )


def _acted_on(request: dict[str, Any]) -> set[str]:
    """The references this request has exported, rectified, erased or refused to erase."""
    return {
        str(reference)
        for event in request.get("history", [])
        for reference in event.get("references", [])
    }


def _summary(request: dict[str, Any], today: str) -> dict[str, Any]:
    return {
        "request_id": request["request_id"],
        "kind": request["kind"],
        "status": request["status"],
        "received_on": request["received_on"],
        "due_at": request["due_at"],
        "overdue": request["status"] == OPEN and today > str(request["due_at"]),
        "logged_by": request["logged_by"],
        "logged_at": request["logged_at"],
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
