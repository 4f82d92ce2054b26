"""What the data protection officer sends about data-subject requests, parsed at the edge,
and the statutory due date. Light on purpose: the API imports it when it starts."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from chalicelib.addresses import EmailAddress, PhoneNumber
from chalicelib.cases.models import StaffText
from chalicelib.errors import FieldProblem, InvalidInput
from chalicelib.reports.models import Name, SafeTimes

Kind = Literal["access", "rectification", "erasure"]
REQUEST_ID = r"^[0-9a-f]{32}$"


# --- what the data protection officer sends ---------------------------------------------------


class Strict(BaseModel):
    """Base for rights request bodies: unknown keys and silent coercion are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class NewRightsRequest(Strict):
    """A data-subject request as received (by email, letter, in person)."""

    kind: Kind
    email: EmailAddress = Field(description="The subject's email address (sealed when stored)")
    received_on: date | None = Field(
        default=None,
        strict=False,
        description="The day the request was received (YYYY-MM-DD); today if not given",
    )


class ExportRequest(Strict):
    """Why the subject's data is being exported (recorded, sealed, in each case's audit)."""

    reason: StaffText


class ContactCorrection(Strict):
    """The contact details to correct; fields not given stay as they are.

    `phone` and `safe_times` may be null to remove them; a name and an email are required
    of every named report, so they can be corrected but not removed.
    """

    name: Name | None = None
    email: EmailAddress | None = None
    phone: PhoneNumber | None = None
    safe_times: SafeTimes | None = None

    @field_validator("name", "email")
    @classmethod
    def _not_removed(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("can be corrected but not removed")
        return value

    @model_validator(mode="after")
    def _something(self) -> ContactCorrection:
        if not self.model_fields_set:
            raise ValueError("give at least one of name, email, phone, safe_times")
        return self

    def given(self) -> dict[str, str | None]:
        """The fields the officer sent, with their new values."""
        return {name: getattr(self, name) for name in sorted(self.model_fields_set)}


class RectificationRequest(Strict):
    """Correct the contact details of one of the subject's reports."""

    reference: Annotated[str, StringConstraints(pattern=r"^RS-[A-Z0-9]{4}-[A-Z0-9]{4}$")]
    contact: ContactCorrection
    reason: StaffText


class ErasureRequest(Strict):
    """Erase the subject's personal data from every report found."""

    reason: StaffText


class CloseRequest(Strict):
    """Close a request: completed (the answer was sent) or refused (with the reason)."""

    outcome: Literal["completed", "refused"]
    reason: StaffText


# --- dates --------------------------------------------------------------------------------------


def due_on(received: date) -> date:
    """One calendar month after receipt, or the month's last day if shorter (31 Jan → 28 Feb)."""
    year = received.year + received.month // 12
    month = received.month % 12 + 1
    return date(year, month, min(received.day, calendar.monthrange(year, month)[1]))


def parse_request_id(request_id: str) -> str:
    """A request id from a path, or `InvalidInput` naming it."""
    if not re.fullmatch(REQUEST_ID, request_id):
        raise InvalidInput([FieldProblem("request_id", "is not a request id")])
    return request_id
