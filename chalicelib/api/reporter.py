"""The reporter's API: the form, and submitting a report. No sign-in: anyone may report."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response
from pydantic import BaseModel, ConfigDict

from chalicelib import services
from chalicelib.api.body import read_json_object
from chalicelib.api.errors import JSON_HEADERS, handles_domain_errors
from chalicelib.errors import FieldProblem, InvalidInput
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
    def of(cls, institution: Institution, *, retired: bool = False) -> PublicForm:
        """The public view of an institution's configuration: the options offered, and
        with `retired` those no longer offered too (marked), for staff reading old reports."""
        return cls(
            institution=institution.name,
            time_zone=institution.time_zone,
            form=institution.form if retired else offered_form(institution.form),
            privacy_notice=PublicPrivacyNotice.of(institution),
            support_resources=institution.support_resources,
            policies=institution.policies,
            formal_complaint=institution.formal_complaint,
            next_steps=institution.next_steps,
        )


def offered_form(form: Form) -> Form:
    """The form as a reporter is offered it: without retired options (a retired option is
    kept in the configuration so old reports keep its label, but no one may choose it)."""
    questions = [
        question.model_copy(update={"options": [o for o in question.options if not o.retired]})
        if any(option.retired for option in question.options)
        else question
        for question in form.questions
    ]
    return form.model_copy(update={"questions": questions})


def public_form(institution: Institution, *, retired: bool = False) -> dict[str, Any]:
    """`GET /form`'s answer for an institution (the content preview answers the same)."""
    return PublicForm.of(institution, retired=retired).model_dump(mode="json", exclude_none=True)


#: `GET /form`'s `options` query: `offered` (the default, what a reporter may choose) or
#: `all` (retired options too, marked `"retired": true`: the staff portal names the
#: answers of old reports with it).
FORM_OPTIONS = ("offered", "all")
#: Browsers keep the form this long; with `content_cache_seconds`, how long a publish
#: takes at most to reach a reporter who opens the form (README, "Content").
FORM_MAX_AGE_SECONDS = 60


@reporter_api.route("/form", methods=["GET"])
@handles_domain_errors
def get_form() -> Response:
    """The institution's report form, support resources, privacy notice and policies, as
    published (`chalicelib.content`). Query: `options` (`offered`, `all`)."""
    query = dict(reporter_api.current_request.query_params or {})
    problems = [
        FieldProblem(name, "is not a query of the form")
        for name in sorted(set(query) - {"options"})
    ]
    options = query.get("options", "offered")
    if options not in FORM_OPTIONS:
        problems.append(FieldProblem("options", "must be one of: " + ", ".join(FORM_OPTIONS)))
    if problems:
        raise InvalidInput(problems)
    body = public_form(services.published_institution(), retired=options == "all")
    return Response(
        body=body,
        headers={
            "Content-Type": "application/json",
            "Cache-Control": f"public, max-age={FORM_MAX_AGE_SECONDS}",
        },
    )


@reporter_api.route("/reports", methods=["POST"], content_types=["application/json"])
@handles_domain_errors
def submit_report() -> Response:
    """Accept a report: validate, seal, store, queue for triage."""
    request = reporter_api.current_request
    body: dict[str, Any] = read_json_object(request.raw_body, request.headers.get("content-type"))
    # Validated against the published form; a form or privacy-notice version published
    # before it is still accepted (and recorded): a reporter who opened the form before a
    # publish does not lose their report (`reports.validation`).
    served = services.published_content().current()
    institution = served.institution
    submission = parse_submission(
        body,
        institution.form,
        institution.privacy_notice,
        form_versions=served.form_versions,
        notice_versions=served.notice_versions,
    )
    receipt = services.report_intake().submit(submission, next_steps=institution.next_steps)
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
