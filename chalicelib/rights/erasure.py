"""Erasure of the subject's personal data from every report found, through the retention
service; refused as a whole, with the reason recorded, if any of them is under legal hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.cases.access import Principal
from chalicelib.cases.ledger import CaseLedger
from chalicelib.errors import LegalHoldActive
from chalicelib.observability import logger
from chalicelib.rights.models import ErasureRequest
from chalicelib.rights.requests import RequestLog, check_open
from chalicelib.rights.subjects import SubjectReports


class Eraser(Protocol):
    """What erases a report's personal data (the retention service)."""

    def erase(self, report_id: str, *, actor: str, reason: str) -> bool:
        """Strip every sealed field and the demographics, audited; False if already done.

        Raises `LegalHoldActive` under legal hold.
        """
        ...


@dataclass
class Erasure:
    """Erases the subject's reports, or refuses the request as a whole under legal hold."""

    log: RequestLog
    subjects: SubjectReports
    ledger: CaseLedger
    #: Built only when an erasure has something to erase (the retention service is heavy).
    eraser: Callable[[], Eraser]

    def erase(self, principal: Principal, request_id: str, body: ErasureRequest) -> None:
        """Erase the subject's personal data from every report found, or refuse as a whole.

        A legal hold on any report refuses the request, erases nothing and records why.
        """
        request = self.log.get(request_id)
        check_open(request, "erasure")
        cases = self.subjects.of(request, principal.member_id)
        held = sorted(case.reference for case in cases if case.legal_hold)
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
                    case.report_id, actor=principal.member_id, reason=body.reason
                ):
                    erased.append(case.reference)
            except LegalHoldActive as hold:
                # Set after the check above: what was erased stays erased, and says so.
                self._refuse_for_hold(principal, request, hold.references, erased)
        references = [case.reference for case in cases]
        self.log.finish(principal, request, "completed", "erased", None, {"references": references})
        logger.info("erasure done", extra={"request_id": request_id, "erased": len(erased)})

    def _refuse_for_hold(
        self, principal: Principal, request: dict[str, Any], held: list[str], erased: list[str]
    ) -> None:
        reason = "A legal hold is active on " + ", ".join(held) + "; "
        reason += ("only " + ", ".join(erased) + " was erased") if erased else "nothing was erased"
        self.log.finish(principal, request, "refused", "legal_hold", reason, {"references": held})
        raise LegalHoldActive(held)
