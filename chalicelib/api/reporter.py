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
    Institution,
    LocalText,
    NextSteps,
    PrivacyNotice,
    SupportResource,
)
from chalicelib.reports.models import SubmissionAccepted
from chalicelib.reports.validation import parse_submission

reporter_api = Blueprint(__name__)


class PublicForm(BaseModel):
    """Everything the report form needs to render itself."""

    # Built by the first GET /form, not at import (POST /reports never uses it).
    model_config = ConfigDict(defer_build=True)

    institution: LocalText
    time_zone: str
    form: Form
    privacy_notice: PrivacyNotice
    support_resources: list[SupportResource]
    next_steps: NextSteps

    @classmethod
    def of(cls, institution: Institution) -> PublicForm:
        """The public view of an institution's configuration."""
        return cls(
            institution=institution.name,
            time_zone=institution.time_zone,
            form=institution.form,
            privacy_notice=institution.privacy_notice,
            support_resources=institution.support_resources,
            next_steps=institution.next_steps,
        )


@reporter_api.route("/form", methods=["GET"])
@handles_domain_errors
def get_form() -> Response:
    """The institution's report form, support resources and privacy notice."""
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
    )
    headers: dict[str, str | list[str]] = dict(JSON_HEADERS)
    if receipt.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(status_code=201, body=accepted.model_dump(mode="json"), headers=headers)
