"""The shapes of the rights API's answers (validated before they leave, `extra="forbid"`).

Only a request's detail and the subject access document hold personal data (the subject's
own email and contact details); lists and history hold ids, dates and references.
"""

from __future__ import annotations

from chalicelib.api.staff_schemas import Answer, RevealedContact


class RightsRequestSummary(Answer):
    """An open (or closed) data-subject request, without the subject's address."""

    request_id: str
    kind: str
    status: str
    received_on: str
    due_at: str
    overdue: bool
    logged_by: str
    logged_at: str


class RightsRequests(Answer):
    """Open requests, soonest due first."""

    requests: list[RightsRequestSummary]


class RightsEvent(Answer):
    """Something done on a request: who, when, on which reports."""

    at: str
    actor: str
    action: str
    references: list[str] | None = None
    fields: list[str] | None = None
    outcome: str | None = None


class FoundReport(Answer):
    """A report found for the subject (named reports only)."""

    reference: str
    mode: str
    status: str
    submitted_at: str
    legal_hold: bool


class RightsRequestDetail(RightsRequestSummary):
    """A request: whose, what was done on it, and the reports found."""

    subject_email: str
    completed_at: str | None
    completed_by: str | None
    outcome: str | None
    reason: str | None
    history: list[RightsEvent]
    reports: list[FoundReport]


class ExportedAnswer(Answer):
    """A multiple-choice answer with the form's English wording."""

    question_id: str
    question: str
    answer: list[str]


class ContactAttemptMade(Answer):
    """An attempt to reach the subject (the staff's note on it is withheld)."""

    at: str
    method: str
    result: str


class SupportGiven(Answer):
    """An assessment of the subject's needs or an action taken for them (notes withheld)."""

    at: str
    type: str
    risk_level: str | None = None
    needs: list[str] | None = None
    action: str | None = None


class ExportedReport(Answer):
    """One of the subject's reports, as far as it is theirs alone."""

    reference: str
    mode: str
    status: str
    outcome: str | None
    submitted_at: str
    first_contact_at: str | None
    closed_at: str | None
    answers: list[ExportedAnswer]
    contact: RevealedContact | None
    #: The contact method and the advisor preferences ticked (a list), by their labels.
    preferences: dict[str, str | list[str]]
    contact_attempts: list[ContactAttemptMade]
    support: list[SupportGiven]


class WithheldItem(Answer):
    """Something held about the subject that was not opened: which report, what, why."""

    reference: str
    item: str
    why: str


class SubjectAccessExport(Answer):
    """The subject access document."""

    request_id: str
    generated_at: str
    subject_email: str
    reports: list[ExportedReport]
    withheld: list[WithheldItem]
    notes: list[str]
