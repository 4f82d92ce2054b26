"""The data protection officer's desk: the one object the rights API calls (see
`chalicelib.rights`). It checks the officer's role, hands each step to the module that
does it, and answers with the request as it now stands.

- `requests.py`: logging, reading and closing requests; due dates.
- `subjects.py`: which reports are the subject's (blind index, confirmed by the seal).
- `subject_access.py`, `rectification.py`, `erasure.py`: the three rights.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.audit import AuditTrail
from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.cases.ledger import CaseLedger
from chalicelib.clock import Clock
from chalicelib.crypto import BlindIndex, Sealer
from chalicelib.institution.models import Form
from chalicelib.rights.erasure import Eraser, Erasure
from chalicelib.rights.models import (
    CloseRequest,
    ErasureRequest,
    ExportRequest,
    NewRightsRequest,
    RectificationRequest,
)
from chalicelib.rights.rectification import Rectification
from chalicelib.rights.requests import RequestLog
from chalicelib.rights.subject_access import SubjectAccess
from chalicelib.rights.subjects import SubjectReports
from chalicelib.storage.reports_table import ReportsTable
from chalicelib.storage.rights import RightsTable


@dataclass
class RightsDesk:
    """The data protection officer's use cases. Collaborators are given, never built here."""

    requests: RightsTable
    cases: ReportsTable
    ledger: CaseLedger
    audit: AuditTrail
    identity: Sealer
    blind_index: BlindIndex
    #: The form as published now: subject access names answers by its labels.
    form: Callable[[], Form]
    time_zone: ZoneInfo
    clock: Clock
    eraser: Callable[[], Eraser]
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    _log: RequestLog = field(init=False, repr=False)
    _subjects: SubjectReports = field(init=False, repr=False)
    _access: SubjectAccess = field(init=False, repr=False)
    _rectification: Rectification = field(init=False, repr=False)
    _erasure: Erasure = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._log = RequestLog(
            self.requests,
            self.cases,
            self.identity,
            self.blind_index,
            self.time_zone,
            self.clock,
            self.new_id,
        )
        self._subjects = SubjectReports(
            self._log, self.cases, self.ledger, self.audit, self.identity
        )
        self._access = SubjectAccess(
            self._log,
            self._subjects,
            self.cases,
            self.ledger,
            self.audit,
            self.identity,
            self.form,
            self.clock,
        )
        self._rectification = Rectification(
            self._log,
            self._subjects,
            self.cases,
            self.ledger,
            self.audit,
            self.identity,
            self.blind_index,
        )
        self._erasure = Erasure(self._log, self._subjects, self.ledger, self.eraser)

    def log(self, principal: Principal, body: NewRightsRequest) -> dict[str, Any]:
        """Record a request as received; it is due one calendar month after receipt."""
        policy.require(principal, "handle_rights_requests")
        return self._detail(self._log.log(principal, body), principal.member_id)

    def open_requests(self, principal: Principal) -> dict[str, Any]:
        """Open requests, soonest due first, the overdue ones flagged."""
        policy.require(principal, "handle_rights_requests")
        return self._log.open_requests()

    def view(self, principal: Principal, request_id: str) -> dict[str, Any]:
        """A request, what was done on it, and the references of the reports found."""
        policy.require(principal, "handle_rights_requests")
        return self._detail(self._log.get(request_id), principal.member_id)

    def close(self, principal: Principal, request_id: str, body: CloseRequest) -> dict[str, Any]:
        """Close a request: completed once answered, or refused with the reason."""
        policy.require(principal, "handle_rights_requests")
        self._log.close(principal, request_id, body)
        return self._detail(self._log.get(request_id), principal.member_id)

    def export(self, principal: Principal, request_id: str, body: ExportRequest) -> dict[str, Any]:
        """The subject access document; each case's audit records the export first."""
        policy.require(principal, "handle_rights_requests")
        return self._access.export(principal, request_id, body)

    def rectify(
        self, principal: Principal, request_id: str, body: RectificationRequest
    ) -> dict[str, Any]:
        """Correct a report's contact details: resealed, the email's blind index recomputed."""
        policy.require(principal, "handle_rights_requests")
        self._rectification.rectify(principal, request_id, body)
        return self._detail(self._log.get(request_id), principal.member_id)

    def erase(self, principal: Principal, request_id: str, body: ErasureRequest) -> dict[str, Any]:
        """Erase the subject's personal data from every report found, or refuse as a whole.

        A legal hold on any report refuses the request (`LegalHoldActive`), erases nothing
        and records why.
        """
        policy.require(principal, "handle_rights_requests")
        self._erasure.erase(principal, request_id, body)
        return self._detail(self._log.get(request_id), principal.member_id)

    def _detail(self, request: dict[str, Any], actor: str) -> dict[str, Any]:
        return self._log.detail(request, self._subjects.of(request, actor))
