"""The reporter's API: the form, and submitting a report. No sign-in: anyone may report."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response
from pydantic import BaseModel, ConfigDict

from chalicelib import services
from chalicelib.api.body import read_json_object
from chalicelib.api.errors import JSON_HEADERS, handles_domain_errors
from chalicelib.institution.models import (
    Form,
    FormalComplaint,
    Institution,
    LocalText,
    NextSteps,
    Policy,
    PrivacyNotice,
    SupportResource,
)
from chalicelib.reports.models import SubmissionAccepted
from chalicelib.reports.validation import parse_submission

reporter_api = Blueprint(__name__)


class PublicRetention(BaseModel):
    """The retention periods the privacy notice states, exactly as the sweep applies them."""

    # Built by the first GET /form, not at import (POST /reports never uses it).
    model_config = ConfigDict(defer_build=True)

    redact_named_after_months: int
    delete_anonymised_after_years: int


class PublicPrivacyNotice(PrivacyNotice):
    """The privacy notice as served: its summary's figures filled in from the retention
    settings, with those settings and the statistics' suppression threshold beside it, so
    the page states what the service does rather than what someone retyped."""

    retention: PublicRetention
    suppression_threshold: int

    @classmethod
    def of(cls, institution: Institution) -> PublicPrivacyNotice:
        """The notice of `institution`, with the figures its settings give."""
        notice = institution.privacy_notice
        retention = institution.retention
        return cls.model_validate(
            {
                **notice.model_dump(),
                "summary": notice.summary_for(retention),
                "retention": {
                    "redact_named_after_months": retention.redact_named_after_months,
                    "delete_anonymised_after_years": retention.delete_anonymised_after_years,
                },
                "suppression_threshold": institution.insights.suppression_threshold,
            }
        )


class PublicForm(BaseModel):
    """Everything the report form needs to render itself."""

    # Built by the first GET /form, not at import (POST /reports never uses it).
    model_config = ConfigDict(defer_build=True)

    institution: LocalText
    time_zone: str
    form: Form
    privacy_notice: PublicPrivacyNotice
    support_resources: list[SupportResource]
    policies: list[Policy]
    formal_complaint: FormalComplaint
    next_steps: NextSteps

    @classmethod
    def of(cls, institution: Institution) -> PublicForm:
        """The public view of an institution's configuration."""
        return cls(
            institution=institution.name,
            time_zone=institution.time_zone,
            form=institution.form,
            privacy_notice=PublicPrivacyNotice.of(institution),
            support_resources=institution.support_resources,
            policies=institution.policies,
            formal_complaint=institution.formal_complaint,
            next_steps=institution.next_steps,
        )


@reporter_api.route("/form", methods=["GET"])
@handles_domain_errors
def get_form() -> Response:
    """The institution's report form, support resources, privacy notice and policies."""
    body = PublicForm.of(services.institution()).model_dump(mode="json", exclude_none=True)
    return Response(
        body=body,
        headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"},
    )


@reporter_api.route("/reports", methods=["POST"], content_types=["application/json"])
@handles_domain_errors
def submit_report() -> Response:
    """Accept a report: validate, seal, store, queue for triage."""
    request = reporter_api.current_request
    body: dict[str, Any] = read_json_object(request.raw_body, request.headers.get("content-type"))
    institution = services.institution()
    submission = parse_submission(body, institution.form, institution.privacy_notice)
    receipt = services.report_intake().submit(submission)
    accepted = SubmissionAccepted(
        reference=receipt.reference,
        mode=receipt.mode,
        submitted_at=receipt.submitted_at,
        next_steps=receipt.next_steps,
        follow_up=receipt.follow_up,
    )
    headers: dict[str, str | list[str]] = dict(JSON_HEADERS)
    if receipt.replayed:
        headers["Idempotent-Replayed"] = "true"
    # `follow_up` only when a receipt code was issued.
    body = accepted.model_dump(mode="json", exclude_none=True)
    return Response(status_code=201, body=body, headers=headers)
