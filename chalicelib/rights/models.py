"""What the data protection officer sends about data-subject requests, parsed at the edge,
and the statutory due date. Light on purpose: the API imports it when it starts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from chalicelib.addresses import EmailAddress, PhoneNumber
from chalicelib.cases.models import StaffText
from chalicelib.errors import FieldProblem, InvalidInput
from chalicelib.months import add_months
from chalicelib.reports.models import Name, SafeTimes

Kind = Literal["access", "rectification", "erasure"]
REQUEST_ID = r"^[0-9a-f]{32}$"


# --- what the data protection officer sends ---------------------------------------------------


class Strict(BaseModel):
    """Base for rights request bodies: unknown keys and silent coercion are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


#: How far back a request's receipt may be dated when it is logged. A request is due one
#: calendar month after receipt (three at most, extended), so one received more than a year
#: before it is logged is far likelier a mistyped year than a real date, and would arrive a
#: year overdue; one received in the future cannot have been. The clock that says what
#: "today" is belongs to the request log, which checks the window (`RequestLog.log`).
RECEIVED_WITHIN = timedelta(days=366)


class NewRightsRequest(Strict):
    """A data-subject request as received (by email, letter, in person).

    `received_on` must fall within the last `RECEIVED_WITHIN` (366 days) up to today, in the
    institution's time zone; null or absent means today.
    """

    kind: Kind
    email: EmailAddress = Field(description="The subject's email address (sealed when stored)")
    received_on: date | None = Field(
        default=None,
        strict=False,
        description="The day the request was received (YYYY-MM-DD), within the last 366 days "
        "and not in the future; today if null or not given",
    )


class ExportRequest(Strict):
    """Why the subject's data is being exported (recorded, sealed, in each case's audit)."""

    reason: StaffText


class ContactCorrection(Strict):
    """The contact details to correct; fields not given stay as they are.

    `phone` and `safe_times` may be null to remove them; a name and an email are required
    of every named report, so they can be corrected but not removed (null is refused, and
    the schema does not offer it).
    """

    model_config = ConfigDict(json_schema_extra=lambda schema: _correction_schema(schema))

    name: Name | SkipJsonSchema[None] = None
    email: EmailAddress | SkipJsonSchema[None] = None
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


def _correction_schema(schema: dict[str, Any]) -> None:
    # At least one field, and no null default offered for the two that refuse null.
    schema["minProperties"] = 1
    for name in ("name", "email"):
        schema["properties"][name].pop("default", None)


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
    return add_months(received, 1)


def parse_request_id(request_id: str) -> str:
    """A request id from a path, or `InvalidInput` naming it."""
    if not re.fullmatch(REQUEST_ID, request_id):
        raise InvalidInput([FieldProblem("request_id", "is not a request id")])
    return request_id
