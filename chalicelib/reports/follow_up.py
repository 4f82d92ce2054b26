"""What an anonymous reporter sends and gets back when they come back with a receipt code
(issue 14). Requests are parsed at the edge (unknown fields refused); the code is
normalised on parsing (`chalicelib.reports.receipt_code`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.institution.models import LocalText
from chalicelib.reports.models import Strict
from chalicelib.reports.receipt_code import ReceiptCode

#: The status of a report in plain words (the page holds the words, in English and Welsh).
PlainStatus = Literal["received", "being_handled", "recorded", "closed"]


class ReceiptRequest(Strict):
    """What every receipt call carries: the code, in the body (never in a URL)."""

    receipt_code: ReceiptCode


class OpenFollowUp(ReceiptRequest):
    """`POST /reports/follow-up`: open the report a code belongs to."""


class AnsweredQuestion(BaseModel):
    """One question as it was asked, and the reporter's answer: the option's words, or the
    reporter's own text."""

    question: LocalText
    answer: LocalText | str


class ThreadMessage(BaseModel):
    """One message of the report's thread with staff."""

    message_id: str
    from_: Literal["reporter", "staff"] = Field(alias="from", serialization_alias="from")
    at: str = Field(description="ISO 8601, UTC")
    text: str


class FollowUpCopy(BaseModel):
    """The reporter's copy of their report, its status in plain words and the thread."""

    reference: str = Field(examples=["RS-7K3M-Q2PD"])
    submitted_at: str = Field(description="ISO 8601, UTC")
    status: PlainStatus
    answers: list[AnsweredQuestion]
    narrative: str | None
    messages: list[ThreadMessage]
    reply_expected: bool = Field(
        description="Whether staff asked something the reporter has not answered yet"
    )
