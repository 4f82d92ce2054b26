"""The editable content document, and the institution it makes when applied.

A document holds the sections of the institution's configuration an administrator may
change without a deploy, in the same shapes as `default.json`. It is applied to the
DEPLOYED configuration (the file shipped with the code): those sections are replaced and the
whole is validated by `Institution.model_validate`, so every rule of the models applies
(an emergency contact must remain, every role must be routed, ...), and a failure names the
document's field (`document.support_resources.0.url`).

Options are never deleted: an option of the deployed form, or one ever published, stays in
every later version, retired if it is no longer offered, so that old reports and the
statistics keep its label. `applied` adds back any such option a version leaves out (as a
restore of an older version would), and `removed_options` lets a save refuse the omission.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import Field, ValidationError

from chalicelib.errors import FieldProblem, InvalidInput
from chalicelib.institution.models import (
    ConfidentialityLimits,
    DataProtectionOfficer,
    FormalComplaint,
    Identifier,
    Institution,
    LocalText,
    NextSteps,
    Option,
    Policy,
    PrivacyNotice,
    SupportResource,
    WebOrLocalUrl,
)
from chalicelib.institution.strict import Strict
from chalicelib.problems import problems_from

#: The kinds of question whose options the document holds.
CHOICE_KINDS = frozenset({"single", "multi"})
#: `Form.version` and `PrivacyNotice.version` are at most this long.
VERSION_MAX_CHARS = 32
PREFIX = "document"


class NoticeContent(Strict):
    """The privacy notice without its version (assigned when the document is saved)."""

    summary: LocalText
    url: WebOrLocalUrl
    controller: LocalText
    data_protection_officer: DataProtectionOfficer
    lawful_bases: list[LocalText] = Field(min_length=1)
    confidentiality: ConfidentialityLimits
    supervisory_authority: LocalText


class ContentDocument(Strict):
    """What an institution may change without a deploy (see the module docstring)."""

    support_resources: list[SupportResource] = Field(min_length=1)
    policies: list[Policy] = Field(min_length=1)
    formal_complaint: FormalComplaint
    next_steps: NextSteps
    privacy_notice: NoticeContent
    #: Every single or multiple choice question of the form, with all its options.
    question_options: dict[Identifier, list[Option]]


def document_of(institution: Institution) -> ContentDocument:
    """The document an institution's configuration holds (the deployed default's, say)."""
    notice = institution.privacy_notice.model_dump(mode="json", exclude={"version"})
    return ContentDocument(
        support_resources=list(institution.support_resources),
        policies=list(institution.policies),
        formal_complaint=institution.formal_complaint,
        next_steps=institution.next_steps,
        privacy_notice=NoticeContent.model_validate(notice),
        question_options={
            question.id: list(question.options)
            for question in institution.form.questions
            if question.kind in CHOICE_KINDS
        },
    )


def parse_document(text: str) -> ContentDocument:
    """A stored document (JSON text) as the model."""
    return ContentDocument.model_validate_json(text)


def document_text(document: ContentDocument) -> str:
    """The document as stored: compact JSON."""
    return document.model_dump_json()


def applied(
    deployed: Institution,
    document: ContentDocument,
    *,
    number: int,
    retained: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    strict: bool = True,
) -> Institution:
    """The institution reporters would see with `document` published as version `number`.

    `retained` holds the options of versions published before (the pointer's): any the
    document leaves out come back retired. `strict` (saving, publishing) refuses a document
    whose questions are not exactly the form's choice questions; otherwise (serving a
    version saved before a deploy changed the form) unknown questions are ignored and new
    ones keep their deployed options. `InvalidInput` naming the document's fields.
    """
    problems = list(_question_problems(deployed, document)) if strict else []
    if problems:
        raise InvalidInput(problems)
    raw = deployed.model_dump(mode="json")
    raw["support_resources"] = _json(document.support_resources)
    raw["policies"] = _json(document.policies)
    raw["formal_complaint"] = document.formal_complaint.model_dump(mode="json")
    raw["next_steps"] = document.next_steps.model_dump(mode="json")
    raw["privacy_notice"] = {
        **document.privacy_notice.model_dump(mode="json"),
        "version": deployed.privacy_notice.version,
    }
    for question in raw["form"]["questions"]:
        given = document.question_options.get(question["id"])
        if given is None:
            continue
        options = _json(given)
        listed = {option["id"] for option in options}
        for option in deployed.form.question(question["id"]).options:  # type: ignore[union-attr]
            if option.id not in listed:
                # Shipped by a deploy after this version was saved: offered as deployed.
                options.append(option.model_dump(mode="json"))
                listed.add(option.id)
        for option in (retained or {}).get(question["id"], []):
            if option["id"] not in listed:
                options.append({**option, "retired": True})
                listed.add(option["id"])
        question["options"] = options
    try:
        effective = Institution.model_validate(raw)
    except ValidationError as error:
        raise InvalidInput(_document_problems(deployed, document, error)) from None
    form_version, notice_version = versions_of(deployed, effective, number)
    return effective.model_copy(
        update={
            "form": effective.form.model_copy(update={"version": form_version}),
            "privacy_notice": effective.privacy_notice.model_copy(
                update={"version": notice_version}
            ),
        }
    )


def deployed_with_retained(
    deployed: Institution, retained: Mapping[str, Sequence[Mapping[str, Any]]]
) -> Institution:
    """The deployed default as served once a version has been published: every option ever
    published that the deployed form lacks is kept, retired, so that a restore of the
    deployed default takes no label away from the reports and statistics that hold it.

    Retired options are offered to no one, so the form and privacy-notice versions stay the
    deployed ones (`GET /form` is what it was before any publish). An option the deployed
    form has is left as deployed; a question it no longer has is ignored. `InvalidInput`
    if the result does not validate (a deploy changed what an option relied on).
    """
    raw = deployed.model_dump(mode="json")
    added = False
    for question in raw["form"]["questions"]:
        if question["kind"] not in CHOICE_KINDS:
            continue
        listed = {option["id"] for option in question["options"]}
        for option in retained.get(question["id"], []):
            if option["id"] not in listed:
                question["options"].append({**option, "retired": True})
                listed.add(option["id"])
                added = True
    if not added:
        return deployed
    try:
        return Institution.model_validate(raw)
    except ValidationError as error:
        raise InvalidInput(problems_from(error)) from None


def versions_of(deployed: Institution, effective: Institution, number: int) -> tuple[str, str]:
    """The form and privacy-notice versions of version `number`: the deployed ones where it
    changes nothing there, else the deployed one marked `+c<number>`."""
    form_version = deployed.form.version
    if _options(effective) != _options(deployed):
        form_version = _marked(form_version, number)
    notice_version = deployed.privacy_notice.version
    if _notice(effective.privacy_notice) != _notice(deployed.privacy_notice):
        notice_version = _marked(notice_version, number)
    return form_version, notice_version


def removed_options(
    document: ContentDocument, kept: Mapping[str, Iterable[str]]
) -> list[FieldProblem]:
    """A problem for each question whose options leave out one of `kept` (the deployed
    form's and every published one's): options are retired, never removed."""
    problems = []
    for question_id, ids in sorted(kept.items()):
        given = document.question_options.get(question_id)
        if given is None:
            continue
        missing = sorted(set(ids) - {option.id for option in given})
        if missing:
            problems.append(
                FieldProblem(
                    f"{PREFIX}.question_options.{question_id}",
                    f"leaves out {', '.join(missing)}: an option reports may hold is never "
                    'removed; retire it instead ("retired": true)',
                )
            )
    return problems


def option_ids(institution: Institution) -> dict[str, list[str]]:
    """Every choice question's option ids."""
    return {
        question.id: [option.id for option in question.options]
        for question in institution.form.questions
        if question.kind in CHOICE_KINDS
    }


def published_options(institution: Institution) -> dict[str, list[dict[str, Any]]]:
    """Every choice question's options (id and label) as plain values: what a publish
    retains for every later version."""
    return {
        question.id: [
            option.model_dump(mode="json", exclude={"retired"}) for option in question.options
        ]
        for question in institution.form.questions
        if question.kind in CHOICE_KINDS
    }


# --- internals --------------------------------------------------------------------------------


def _json(models: Sequence[Strict]) -> list[dict[str, Any]]:
    return [model.model_dump(mode="json") for model in models]


def _marked(version: str, number: int) -> str:
    suffix = f"+c{number}"
    return version[: VERSION_MAX_CHARS - len(suffix)] + suffix


def _options(institution: Institution) -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        (question.id, _json(question.options))
        for question in institution.form.questions
        if question.kind in CHOICE_KINDS
    ]


def _notice(notice: PrivacyNotice) -> dict[str, Any]:
    return notice.model_dump(mode="json", exclude={"version"})


def _question_problems(deployed: Institution, document: ContentDocument) -> Iterable[FieldProblem]:
    choices = [q.id for q in deployed.form.questions if q.kind in CHOICE_KINDS]
    for question_id in sorted(set(document.question_options) - set(choices)):
        yield FieldProblem(
            f"{PREFIX}.question_options.{question_id}",
            "is not a single or multiple choice question of the form "
            "(questions themselves are changed in code)",
        )
    for question_id in choices:
        if question_id not in document.question_options:
            yield FieldProblem(
                f"{PREFIX}.question_options.{question_id}",
                "is required: list every option of each choice question",
            )


#: Messages of `Institution`'s own checks, and the document field each is about.
_QUESTION_MESSAGE = re.compile(r"^question (\w+) ")
_RULE_MESSAGE = re.compile(r"^triage rule (?:on|refers to unknown choice question) (\w+)")
_AFFECTED_MESSAGE = re.compile(r"^triage\.affected_person\.answers\.\w+: (\w+) ")
_RESOURCE_URL_MESSAGE = re.compile(r"^support resource (\w+) url ")


def _document_problems(
    deployed: Institution, document: ContentDocument, error: ValidationError
) -> list[FieldProblem]:
    found: list[FieldProblem] = []
    for problem in problems_from(error):
        field = _document_field(deployed, document, problem.field, problem.message)
        if all((field, problem.message) != (p.field, p.message) for p in found):
            found.append(FieldProblem(field, problem.message))
    return found


def _document_field(
    deployed: Institution, document: ContentDocument, field: str, message: str
) -> str:
    """The document's name for a field of the applied institution."""
    parts = field.split(".")
    if parts[:2] == ["form", "questions"] and len(parts) > 2 and parts[2].isdigit():
        question_id = deployed.form.questions[int(parts[2])].id
        rest = parts[4:] if parts[3:4] == ["options"] else []
        return ".".join([PREFIX, "question_options", question_id, *rest])
    if parts[0] in {
        "support_resources",
        "policies",
        "formal_complaint",
        "next_steps",
        "privacy_notice",
    }:
        return ".".join([PREFIX, *parts])
    return _field_of_message(deployed, document, message)


def _field_of_message(deployed: Institution, document: ContentDocument, message: str) -> str:
    if match := _RESOURCE_URL_MESSAGE.match(message):
        ids = [resource.id for resource in document.support_resources]
        if match.group(1) in ids:
            return f"{PREFIX}.support_resources.{ids.index(match.group(1))}.url"
    if "support resource" in message or message.startswith("support_resources"):
        return f"{PREFIX}.support_resources"
    if message.startswith("policies"):
        return f"{PREFIX}.policies"
    if message.startswith("triage.routing.by_role"):
        return f"{PREFIX}.question_options.{deployed.triage.routing.role_question}"
    for pattern in (_RULE_MESSAGE, _AFFECTED_MESSAGE, _QUESTION_MESSAGE):
        if match := pattern.match(message):
            return f"{PREFIX}.question_options.{match.group(1)}"
    return PREFIX
