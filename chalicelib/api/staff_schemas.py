"""The shapes of the staff API's answers.

Every staff answer is validated against one of these before it leaves (`extra="forbid"`),
so the OpenAPI document, built from the same models, cannot drift from what is returned,
and a field added by mistake — say, a sealed value — fails the tests instead of leaking.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.cases.policy import CaseAction, StaffAction


class Answer(BaseModel):
    """Base: unknown fields are an error, on the way out too."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Me(Answer):
    """The signed-in staff member."""

    member_id: str
    team_id: str
    roles: list[str]
    #: The staff actions without a case the member may do (`chalicelib.cases.policy`): the
    #: portal links and opens exactly those pages, and holds no role rule of its own.
    allowed_staff_actions: list[StaffAction]


class Labels(Answer):
    """The words for the institution's own identifiers, in one language (en or cy)."""

    language: str
    #: Team ids as the routing names them, with their names from the staff directory.
    teams: dict[str, str]
    #: Risk flags as the risk rules raise them (and `repeat_concern`), with their labels.
    risk_flags: dict[str, str]


class CaseSummary(Answer):
    """A queue row: what a screener needs to choose the next case. No personal data."""

    reference: str
    status: str
    mode: str
    priority: str
    risk_flags: list[str]
    team_id: str | None
    advisor_id: str | None
    #: The advisor's name from the staff directory (None if unassigned or no longer in the
    #: team).
    advisor_name: str | None
    #: The advisor can no longer work the case (deactivated, or no longer an advisor): the
    #: team's screeners reassign it (the portal says "Advisor has left — reassign").
    advisor_inactive: bool
    submitted_at: str
    first_contact_due: str | None
    #: An anonymous report's screening deadline (None for named reports, whose deadline is
    #: first contact).
    screening_due: str | None
    #: A reply owed to the reporter's message (a receipt code's thread): it orders the
    #: queue while owed, and the portal shows "Reply by". None when nothing is owed.
    reply_due: str | None
    #: First contact (named) or screening (anonymous) is late.
    overdue: bool
    version: int


class CaseDetail(CaseSummary):
    """A case before any reveal: the reporter's multiple-choice answers, no personal data."""

    answers: dict[str, str | list[str]]
    #: The reporter kept a receipt code: the case has a message thread with them.
    follow_up: bool
    #: Option ids: `preferred_contact_method` (one), `advisor_preferences` (a list; a case
    #: sent before several could be chosen has `advisor_preference`, one id).
    preferences: dict[str, str | list[str]]
    #: A named reporter who did not ask for a record only: filing the case needs an
    #: `override_reason` (see `chalicelib.cases.filing`).
    asked_to_talk: bool
    form_version: str | None
    triaged_at: str | None
    assigned_at: str | None
    first_contact_at: str | None
    first_contact_met: bool | None
    acknowledge_due: str | None
    feedback_due: str | None
    closed_at: str | None
    outcome: str | None
    #: When the case's personal data were removed (retention or an erasure).
    redacted_at: str | None
    #: What retention will do next ("redact" or "delete"), and when; held under a legal hold.
    retention_action: str | None
    retention_due_at: str | None
    legal_hold: bool
    malicious_or_vexatious: bool
    sealed_fields: list[str]
    audit_entries: int
    #: What the caller may do to the case now (`chalicelib.cases.policy`): the portal shows
    #: a control for each of these and for nothing else.
    allowed_actions: list[CaseAction]
    #: The statuses the caller may move the case to now, in the order to offer them.
    allowed_transitions: list[str]


class LinkedReport(Answer):
    """Another report naming someone this case names (screeners only; no names)."""

    reference: str
    submitted_at: str
    team_id: str | None


class CaseView(CaseDetail):
    """A case as viewed, with the other reports naming the same person (screeners only)."""

    linked_reports: list[LinkedReport]


class Queue(Answer):
    """One page of a queue; pass `next_cursor` back as `cursor` for the next."""

    cases: list[CaseSummary]
    next_cursor: str | None


class AdvisorChoice(Answer):
    """An advisor a screener may assign, and which of the reporter's preferences they meet."""

    member_id: str
    name: str
    #: The gender the advisor chose to share for matching, if any (named apart from the
    #: reporters' demographic `gender`, which no case route ever returns).
    shared_gender: str | None
    specialisms: list[str]
    languages: list[str]
    capacity: int
    open_cases: int
    #: Ids of the reporter's advisor preferences this advisor meets, and those they do not.
    preferences_met: list[str]
    preferences_missed: list[str]
    #: Meets every preference (true for everyone when the reporter asked for nothing).
    fits_all: bool


class Advisors(Answer):
    """The advisors of a case's team, those meeting most of the reporter's preferences first
    (nobody is left out), and the preferences themselves (empty: no preference)."""

    advisor_preferences: list[str]
    advisors: list[AdvisorChoice]


class RevealedContact(Answer):
    """A named reporter's contact details."""

    name: str
    email: str
    phone: str | None
    safe_times: str | None


class NamedPerson(Answer):
    """One person involved, named by the reporter."""

    name: str


class UnnamedPerson(Answer):
    """One person involved whose name the reporter did not know."""

    name_unknown: Literal[True]


class Revealed(Answer):
    """Personal data of a case, opened for one purpose (recorded in its audit).

    `answers` holds the sealed answers: free text, or the people involved, one per entry.
    """

    reference: str
    contact: RevealedContact | None
    narrative: str | None
    answers: dict[str, str | list[NamedPerson | UnnamedPerson]]


class TimelineItem(Answer):
    """One entry of a case's timeline, notes opened."""

    model_config = ConfigDict(extra="allow")

    entry_id: str
    type: str
    at: str
    actor: str
    text: str | None = None


class Timeline(Answer):
    """A case's timeline."""

    reference: str
    entries: list[TimelineItem]


class ThreadMessage(Answer):
    """One message of a case's thread, opened; `author_id` names the staff member."""

    message_id: str
    from_: Literal["reporter", "staff"] = Field(alias="from")
    at: str
    text: str | None
    #: Staff messages only.
    author_id: str | None = None


class Thread(Answer):
    """A case's message thread with its reporter, oldest first, and the reply owed."""

    messages: list[ThreadMessage]
    reply_due: str | None


class MessagePosted(Answer):
    """A message written to the thread."""

    message_id: str
    at: str


class Verification(Answer):
    """Whether the audit chain recomputes, and if not where it first breaks."""

    intact: bool
    entries: int
    broken_at: int | None
    problem: str | None


class AuditItem(Answer):
    """Who did what, when and why."""

    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any]
    reason: str | None


class AuditTrail(Answer):
    """A case's audit trail and its verification."""

    reference: str
    verification: Verification
    entries: list[AuditItem]
