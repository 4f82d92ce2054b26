"""Rectification of a report's contact details: resealed, and the email's blind index
recomputed, so the old address no longer finds the report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.audit import AuditTrail
from chalicelib.cases.access import Principal
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.refusals import refusal_recorded
from chalicelib.cases.seal import CaseSeal
from chalicelib.crypto import BlindIndex, Sealer
from chalicelib.errors import FieldProblem, InvalidInput, StaleVersion
from chalicelib.observability import logger
from chalicelib.reports.models import CONTACT
from chalicelib.rights.models import RectificationRequest
from chalicelib.rights.requests import RequestLog, check_open
from chalicelib.rights.subjects import SubjectReports
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.conflicts import retry_on_conflict
from chalicelib.storage.dynamo import Binary
from chalicelib.storage.reports_table import CaseUpdate, ReportsTable


@dataclass
class Rectification:
    """Corrects the contact details of one of the subject's reports."""

    log: RequestLog
    subjects: SubjectReports
    cases: ReportsTable
    ledger: CaseLedger
    audit: AuditTrail
    identity: Sealer
    blind_index: BlindIndex

    def rectify(self, principal: Principal, request_id: str, body: RectificationRequest) -> None:
        """Correct a report's contact details: resealed, the email's blind index recomputed.

        The current details are opened only to carry the fields not corrected into the new
        seal; nothing is returned, and the change and its audit entry are one transaction.
        """
        request = self.log.get(request_id)
        check_open(request, "rectification")
        report_id = self.cases.report_id_for(body.reference)
        mine = {case.report_id for case in self.subjects.of(request, principal.member_id)}
        if report_id is None or report_id not in mine:
            raise InvalidInput([FieldProblem("reference", "is not a report of this subject")])
        given = body.contact.given()
        seen: list[CaseItem | None] = []

        def attempt() -> list[str]:
            case = self.cases.case_item(report_id)
            seen.append(case)
            if case is None or CONTACT not in case.sealed:
                raise InvalidInput([FieldProblem("reference", "holds no contact details")])
            with refusal_recorded(
                self.ledger, principal.member_id, case, CONTACT, {"request_id": request_id}
            ):
                current = CaseSeal(self.audit, self.identity).open(case, CONTACT)
            corrected = {**current, **given}
            changed = sorted(name for name in given if current.get(name) != given[name])
            sealed = {name: Binary(value) for name, value in case.sealed.items()}
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
            return StaleVersion(case.version if case else 0)

        changed = retry_on_conflict(attempt, exhausted)
        event = self.log.event(principal, "rectification", [body.reference])
        event["fields"] = changed
        self.log.record(request_id, {}, event)
        logger.info("contact rectified", extra={"request_id": request_id, "fields": changed})
