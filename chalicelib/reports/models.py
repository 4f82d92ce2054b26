"""What a reporter submits, parsed at the edge (unknown fields are refused)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from chalicelib.addresses import EmailAddress, PhoneNumber


def _encodable(value: str) -> str:
    # JSON may carry lone surrogates (\ud800); they cannot be stored or sealed as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("unicode", "must be valid Unicode text") from None
    return value


def _text(max_length: int) -> StringConstraints:
    # Blank after trimming is refused as "too short", reported as "must not be blank".
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Name = Annotated[str, _text(200), AfterValidator(_encodable)]
SafeTimes = Annotated[str, _text(500), AfterValidator(_encodable)]
Narrative = Annotated[str, _text(20_000), AfterValidator(_encodable)]
OptionId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


#: One entry of a `people` answer as received; `validation` checks it against the form.
Entry = dict[str, object]


def _answer_shape(value: object) -> str | list[str] | list[Entry]:
    if isinstance(value, str) and len(value) <= 20_000:
        return _encodable(value)
    if isinstance(value, list) and len(value) <= 32:
        if all(isinstance(item, str) and 0 < len(item) <= 64 for item in value):
            return [_encodable(item) for item in value]
        if any(isinstance(item, dict) for item in value) and all(map(_entry_like, value)):
            # A list of people (`people`): bounded here, judged entry by entry against the
            # form so that each problem names its entry (answers.<id>.<n>.name).
            return list(value)
    raise PydanticCustomError(
        "answer_shape", "must be an option id, a list of option ids, a list of people, or text"
    )


def _entry_like(item: object) -> bool:
    if isinstance(item, dict):
        return len(item) <= 4 and all(
            isinstance(key, str) and len(key) <= 64 and _bounded(inner)
            for key, inner in item.items()
        )
    return _bounded(item)


def _bounded(value: object) -> bool:
    # Any JSON value, small: a wrong type inside an entry is named by `validation`
    # ("answers.involved_names.2.name must be text"), not refused here as a whole answer.
    if isinstance(value, str):
        return len(value) <= 20_000
    if isinstance(value, list | dict):
        return len(value) <= 32
    return value is None or isinstance(value, bool | int | float)


#: An option id, a list of option ids, a list of people, or text: the form decides which
#: (see `validation`).
AnswerValue = Annotated[
    str | list[str] | list[Entry],
    PlainValidator(_answer_shape),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "maxLength": 20_000},
                {"type": "array", "items": {"type": "string", "maxLength": 64}, "maxItems": 32},
                {
                    "type": "array",
                    "maxItems": 10,
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string", "pattern": "\\S", "maxLength": 200},
                            "name_unknown": {"type": "boolean", "enum": [True]},
                        },
                        "additionalProperties": False,
                        "minProperties": 1,
                        "maxProperties": 1,
                    },
                },
            ]
        }
    ),
]


def _option_list(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PydanticCustomError("option_list", "must be a list of option ids")
    if not value:
        raise PydanticCustomError(
            "option_list", "must list at least one option (no_preference for none)"
        )
    if len(value) > 16 or any(not 0 < len(item) <= 64 for item in value):
        raise PydanticCustomError("option_list", "must be a list of at most 16 option ids")
    return [_encodable(item) for item in value]


#: One or more option ids, checked against the form in `validation` (the whole list is
#: named in a problem, never one entry of it).
OptionIds = Annotated[
    list[str],
    PlainValidator(_option_list),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 64},
            "minItems": 1,
            "maxItems": 16,
        }
    ),
]


Mode = Literal["anonymous", "named"]

#: A report's clear answers, by question id (what rules and counts read).
Answers = Mapping[str, str | list[str]]

#: Sealed field names on a report item.
CONTACT = "contact"
NARRATIVE = "narrative"
DIGEST = "submission_digest"


class Strict(BaseModel):
    """Base for request models: unknown keys and silent type coercion are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class Contact(Strict):
    """How a named reporter wants to be reached. Name, email, phone and safe times are sealed.

    The contact method and advisor preferences are option ids, kept in clear with the case
    (the screener assigns by them before anyone opens the sealed details).
    """

    name: Name
    email: EmailAddress
    phone: PhoneNumber | None = None
    preferred_contact_method: OptionId
    safe_times: SafeTimes | None = None
    #: Every preference ticked: no_preference alone, or any of the others together.
    advisor_preferences: OptionIds = Field(default_factory=lambda: ["no_preference"])


class Submission(Strict):
    """A report as sent by the form.

    `answers` maps question ids to an option id, a list of option ids, a list of people
    (`[{"name": ...}, {"name_unknown": true}]`) or text; the form definition decides which
    is valid for each question (see `validation`).
    """

    submission_id: UUID = Field(
        strict=False, description="A UUID generated by the client; a retry reuses it."
    )
    form_version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    privacy_notice_version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    mode: Mode
    answers: Annotated[dict[OptionId, AnswerValue], Field(max_length=64)]
    contact: Contact | None = None
    narrative: Narrative | None = None
    demographics: Annotated[dict[OptionId, OptionId], Field(max_length=32)] | None = None
    follow_up: bool = Field(
        default=False,
        description="Anonymous reports only: issue a receipt code to come back with "
        "(a copy of the report, its status and a message thread).",
    )


class FollowUpIssued(BaseModel):
    """The receipt code of an anonymous report, shown once (only its MAC is kept)."""

    receipt_code: str = Field(
        description="Five groups of four characters; the only key to the report",
        examples=["BCDF-2345-GHJK-MNPQ-RSTW"],
    )
    look_again_on: str = Field(
        description="A date (YYYY-MM-DD): two working days after submission in the "
        "institution's calendar, when a reply may be there",
        examples=["2026-12-03"],
    )


class SubmissionAccepted(BaseModel):
    """The answer to an accepted report."""

    reference: str = Field(
        description="Human-friendly reference, e.g. RS-7K3M-Q2PD", examples=["RS-7K3M-Q2PD"]
    )
    mode: Mode
    submitted_at: str = Field(description="ISO 8601, UTC")
    next_steps: str
    #: Present only when the report asked for follow-up.
    follow_up: FollowUpIssued | None = None
