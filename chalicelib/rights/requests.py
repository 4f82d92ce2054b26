"""The data-subject request as a record: logged as received, due one calendar month later,
read, changed while open, and closed (completed or refused, the reason sealed).

The subject's address is sealed under the identity key, bound to the request, and kept
with its blind index, which finds the subject's reports (`chalicelib.rights.subjects`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.cases.access import Principal
from chalicelib.clock import Clock, iso
from chalicelib.crypto import BlindIndex, Sealer
from chalicelib.errors import FieldProblem, InvalidInput, NotFound, RequestConflict
from chalicelib.observability import logger
from chalicelib.rights.models import RECEIVED_WITHIN, CloseRequest, Kind, NewRightsRequest, due_on
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.dynamo import Binary
from chalicelib.storage.reports_table import ReportsTable
from chalicelib.storage.rights import OPEN, RightsTable

_SUBJECT_EMAIL = "subject_email"
_REASON = "reason"
_CLOSED = "this request is closed; nothing more is done on it"
_DONE: dict[str, str] = {"access": "exported", "rectification": "rectified", "erasure": "erased"}


@dataclass
class RequestLog:
    """The requests: logging, reading, recording what was done, closing."""

    requests: RightsTable
    cases: ReportsTable
    identity: Sealer
    blind_index: BlindIndex
    time_zone: ZoneInfo
    clock: Clock
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex

    def log(self, principal: Principal, body: NewRightsRequest) -> dict[str, Any]:
        """Record a request as received; it is due one calendar month after receipt."""
        today = self.today()
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
        return item

    def open_requests(self) -> dict[str, Any]:
        """Open requests, soonest due first, the overdue ones flagged."""
        today = self.today().isoformat()
        return {"requests": [summary(item, today) for item in self.requests.open_requests()]}

    def get(self, request_id: str) -> dict[str, Any]:
        """A request, or `NotFound`."""
        request = self.requests.get(request_id)
        if request is None:
            raise NotFound("no such request")
        return request

    def close(self, principal: Principal, request_id: str, body: CloseRequest) -> None:
        """Close a request: completed once answered, or refused with the reason."""
        request = self.get(request_id)
        check_open(request)
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
        self.finish(principal, request, body.outcome, outcome, body.reason, {})

    def record(self, request_id: str, changes: dict[str, Any], event: dict[str, Any]) -> None:
        """Add a step to an open request's history, with the changes it makes."""
        self.requests.update_open(request_id, changes, event)

    def remember_reports(self, request_id: str, report_ids: set[str]) -> None:
        """Keep reports found for the request (a rectified address no longer finds them)."""
        self.requests.remember_reports(request_id, report_ids)

    def finish(
        self,
        principal: Principal,
        request: dict[str, Any],
        status: str,
        outcome: str,
        reason: str | None,
        event: dict[str, Any],
    ) -> None:
        """Close an open request with its outcome; the reason, if any, sealed."""
        request_id = str(request["request_id"])
        changes: dict[str, Any] = {
            "status": status,
            "outcome": outcome,
            "completed_at": iso(self.clock.now()),
            "completed_by": principal.member_id,
        }
        if reason:
            changes["sealed_reason"] = Binary(self.identity.seal(request_id, _REASON, reason))
        history = {**self.event(principal, status, []), **event, "outcome": outcome}
        self.requests.update_open(request_id, changes, history, close=True)
        logger.info("rights request closed", extra={"request_id": request_id, "status": status})

    def event(self, principal: Principal, action: str, references: list[str]) -> dict[str, Any]:
        """A step of a request's history: when, who, what, on which reports."""
        return {
            "at": iso(self.clock.now()),
            "actor": principal.member_id,
            "action": action,
            "references": references,
        }

    def subject_email(self, request: dict[str, Any]) -> str:
        """The subject's address, unsealed."""
        request_id = str(request["request_id"])
        return str(
            self.identity.unseal(request_id, _SUBJECT_EMAIL, bytes(request["sealed_email"].value))
        )

    def detail(self, request: dict[str, Any], cases: list[CaseItem]) -> dict[str, Any]:
        """A request as the desk shows it, with the subject's cases."""
        request_id = str(request["request_id"])
        sealed_reason = request.get("sealed_reason")
        return {
            **summary(request, self.today().isoformat()),
            "subject_email": self.subject_email(request),
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
                    "reference": case.reference,
                    "mode": case.mode,
                    "status": case.status,
                    "submitted_at": case.submitted_at,
                    "legal_hold": case.legal_hold,
                }
                for case in cases
            ],
        }

    def today(self) -> date:
        """Today in the institution's time zone (receipt and due dates are its days)."""
        return self.clock.now().astimezone(self.time_zone).date()


def check_open(request: dict[str, Any], kind: Kind | None = None) -> None:
    """`RequestConflict` unless the request is open (and, if given, of this kind)."""
    if request["status"] != OPEN:
        raise RequestConflict(_CLOSED)
    if kind is not None and request["kind"] != kind:
        raise RequestConflict(
            f"this step answers a request for {kind}; this one is for {request['kind']}"
        )


def acted_on(request: dict[str, Any]) -> set[str]:
    """The references this request has exported, rectified, erased or refused to erase."""
    return {
        str(reference)
        for event in request.get("history", [])
        for reference in event.get("references", [])
    }


def summary(request: dict[str, Any], today: str) -> dict[str, Any]:
    """A request in a list: its kind, status, dates, and whether it is overdue."""
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
