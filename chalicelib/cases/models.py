"""What staff send when they work a case, parsed at the edge (unknown fields are refused).

Free text (reasons, purposes, notes, justifications) may name people; it is sealed before
it is stored. The structured parts (outcomes, needs, actions) stay in clear for reporting.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib.institution.models import Priority

#: Free text from staff: trimmed, not blank, bounded.
StaffText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
Version = Annotated[int, Field(ge=1, description="The case version you read (optimistic lock)")]


class Strict(BaseModel):
    """Base for staff request models."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class RevealRequest(Strict):
    """Why a staff member needs to see the reporter's details (recorded in the audit)."""

    purpose: StaffText


def _utf8(value: str) -> str:
    # JSON may carry lone surrogates (\ud800); they cannot be sealed as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("unicode", "must be valid Unicode text") from None
    return value


#: The most a message of a case's thread holds, counted as the reporter's texts are
#: (`chalicelib.reports.lengths`: trimmed of Unicode white space, in code points; pydantic's
#: `strip_whitespace` trims exactly that set).
MESSAGE_MAX_LENGTH = 5_000
MessageText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MESSAGE_MAX_LENGTH),
    AfterValidator(_utf8),
]


class MessageRequest(Strict):
    """A message to the reporter of a case, through the thread of their receipt code."""

    text: MessageText


class AssignRequest(Strict):
    """Assign (or reassign) a case to an advisor."""

    advisor_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    reason: StaffText
    version: Version


Outcome = Literal[
    "informal_resolution",
    "formal_complaint",
    "no_further_action",
    "referred_elsewhere",
    "reporter_withdrew",
    "unable_to_contact",
]


class TransitionRequest(Strict):
    """Move a case to another state; closing needs an outcome.

    Filing a named case whose reporter asked to talk to someone also needs
    `override_reason`: why no one will (see `chalicelib.cases.filing`).
    """

    to: Literal["contacted", "in_support", "closed", "filed", "reopened"]
    reason: StaffText
    version: Version
    outcome: Annotated[Outcome | None, Field(validate_default=True)] = None
    override_reason: StaffText | None = Field(
        default=None,
        description="Filing only: why a reporter who asked to talk to someone is not contacted.",
    )

    @field_validator("override_reason")
    @classmethod
    def _override_on_filing(cls, override: str | None, info: ValidationInfo) -> str | None:
        if override is not None and info.data.get("to") != "filed":
            raise ValueError("is only given when filing a case")
        return override

    @field_validator("outcome")
    @classmethod
    def _outcome_on_closure(cls, outcome: Outcome | None, info: ValidationInfo) -> Outcome | None:
        closing = info.data.get("to") == "closed"
        if closing and outcome is None:
            raise ValueError("is required when closing a case")
        if not closing and outcome is not None:
            raise ValueError("is only given when closing a case")
        return outcome


class PriorityRequest(Strict):
    """Change a case's priority (e.g. mark it urgent)."""

    priority: Priority
    reason: StaffText
    version: Version


class EscalationRequest(Strict):
    """Escalate a case: it becomes urgent and the screeners and fallback team are told."""

    reason: StaffText
    version: Version


class FlagRequest(Strict):
    """Set or lift a flag. A legal hold stops redaction and deletion until lifted."""

    flag: Literal["legal_hold", "malicious_or_vexatious"]
    value: bool
    reason: StaffText
    version: Version


def _not_blank(value: str) -> str:
    # The words are matched exactly as given (spaces included), so they are not trimmed;
    # but white space alone is nothing to remove.
    if not value.strip():
        raise ValueError("must not be blank")
    return value


_TEXT_FIELD = re.compile(r"\A(narrative|answer\.[a-z0-9][a-z0-9_]{0,63})\Z")


def _text_field(value: str) -> str:
    if not _TEXT_FIELD.match(value):
        raise ValueError("must be narrative or answer.<question id>")
    return value


def _counted(value: int) -> int:
    if value < 1:
        raise ValueError("must be 1 or more (1 is the first place the words stand)")
    return value


#: A sealed free-text field of a case, as the case answer's `sealed_fields` names it: the
#: reporter's account, or the answer to a `text` question (`answer.<question id>`).
TextField = Annotated[str, StringConstraints(max_length=80), AfterValidator(_text_field)]


class RedactionRequest(Strict):
    """Remove words from a sealed free-text field: the `occurrence`-th place (1-based,
    counted from the start of the text as it is now) where `text` stands, exactly as given.

    See `chalicelib.cases.span_redaction` for why the span is named by its words and not by
    offsets.
    """

    field: TextField
    text: Annotated[
        str,
        StringConstraints(min_length=1, max_length=20_000),
        AfterValidator(_utf8),
        AfterValidator(_not_blank),
    ]
    occurrence: Annotated[int, AfterValidator(_counted)] = 1
    reason: StaffText
    version: Version


ContactMethod = Literal["email", "phone", "in_person", "video_call", "letter"]
ContactResult = Literal["reached", "no_answer", "left_message", "wrong_details", "declined"]
Need = Literal[
    "safety_planning",
    "no_contact_measures",
    "academic_adjustments",
    "workplace_adjustments",
    "accommodation_move",
    "counselling",
    "medical",
    "reporting_options",
    "other",
]
RiskLevel = Literal["low", "medium", "high", "critical"]
Action = Literal[
    "informed_security",
    "informed_building_manager",
    "informed_department",
    "informed_students_union",
    "legal_advice",
    "signposted_counselling",
    "signposted_external_services",
    "safeguarding_referral",
    "police_disclosure",
]
#: Disclosures outside the support team: each must be justified in writing.
DISCLOSURES = frozenset({"safeguarding_referral", "police_disclosure"})


class ContactAttempt(Strict):
    """An attempt to reach the reporter. The first `reached` stops the first-contact clock."""

    type: Literal["contact_attempt"]
    method: ContactMethod
    result: ContactResult
    note: StaffText | None = None


class Note(Strict):
    """A case note (sealed)."""

    type: Literal["note"]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class Assessment(Strict):
    """A structured needs and risk assessment."""

    type: Literal["assessment"]
    risk_level: RiskLevel
    needs: Annotated[list[Need], Field(max_length=len(Need.__args__))]
    note: StaffText | None = None


class ActionTaken(Strict):
    """Something done for the reporter; a disclosure needs a justification."""

    type: Literal["action"]
    action: Action
    justification: Annotated[StaffText | None, Field(validate_default=True)] = None

    @field_validator("justification")
    @classmethod
    def _justified(cls, justification: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("action") in DISCLOSURES and justification is None:
            raise ValueError("is required for a safeguarding referral or police disclosure")
        return justification


TimelineEntry = Annotated[
    ContactAttempt | Note | Assessment | ActionTaken, Field(discriminator="type")
]


class TimelineRequest(Strict):
    """One entry for a case's timeline."""

    entry: TimelineEntry
