"""Which reports are the subject's: found by the blind index of the subject's address, and
confirmed by the address sealed in each report's contact details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.audit import AuditTrail
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.refusals import refusal_recorded
from chalicelib.cases.seal import CaseSeal
from chalicelib.crypto import Sealer, normalise_email
from chalicelib.observability import BLIND_INDEX_MISMATCH, increment, logger
from chalicelib.reports.models import CONTACT
from chalicelib.rights.requests import RequestLog, acted_on
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.reports_table import ReportsTable


@dataclass
class SubjectReports:
    """Finds a request's subject's cases."""

    log: RequestLog
    cases: ReportsTable
    ledger: CaseLedger
    audit: AuditTrail
    identity: Sealer

    def of(self, request: dict[str, Any], actor: str) -> list[CaseItem]:
        """The subject's cases: those found whose sealed contact holds the subject's address."""
        found = [self.cases.case_item(report_id) for report_id in self._found(request)]
        subject = normalise_email(self.log.subject_email(request))
        done = acted_on(request)
        return sorted(
            (
                case
                for case in found
                if case and self._subjects(request, case, subject, done, actor)
            ),
            key=lambda case: (case.submitted_at, case.reference),
        )

    def _found(self, request: dict[str, Any]) -> list[str]:
        """The subject's reports: found now by the blind index, or found by this request before.

        Remembered so that a report whose email was rectified stays with the request.
        """
        known = {str(report_id) for report_id in request.get("report_ids", set())}
        live = set(self.cases.report_ids_for_email(str(request["email_mac"])))
        if live - known:
            self.log.remember_reports(str(request["request_id"]), live - known)
        return sorted(known | live)

    def _subjects(
        self,
        request: dict[str, Any],
        case: CaseItem,
        subject: str,
        done: set[str],
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
        if case.reference in done:
            return True
        request_id = str(request["request_id"])
        ids = {"request_id": request_id, "report_id": case.report_id}
        if CONTACT in case.sealed:
            with refusal_recorded(self.ledger, actor, case, CONTACT, {"request_id": request_id}):
                contact = CaseSeal(self.audit, self.identity).open(case, CONTACT)
            email = contact.get("email") if isinstance(contact, dict) else None
            if isinstance(email, str) and normalise_email(email) == subject:
                return True
        if case.email_mac != request["email_mac"]:
            # Found earlier, its index gone or moved since (redacted, erased, its address
            # rectified by another request): no longer this subject's, and no copied index.
            logger.info("report found earlier no longer holds the address; left out", extra=ids)
            return False
        logger.warning("blind index does not match the sealed contact; report left out", extra=ids)
        increment(BLIND_INDEX_MISMATCH)
        return False
