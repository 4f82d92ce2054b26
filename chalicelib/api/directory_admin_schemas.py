"""The shapes the staff directory's administration routes answer with (imported when first
needed). Names and addresses appear here only: the admin's own view of the directory."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """Every answer: exactly these fields, nothing extra leaves."""

    model_config = ConfigDict(extra="forbid")


class MemberView(Answer):
    """A member as the admin manages them."""

    member_id: str
    team_id: str
    name: str
    email: str
    roles: list[str]
    specialisms: list[str]
    languages: list[str]
    capacity: int
    #: The gender the member chose to share for matching reporters' preferences, if any.
    shared_gender: str | None
    #: False once deactivated (a leaver): none of their sessions count.
    active: bool
    #: Open cases assigned to them.
    open_cases: int


class TeamView(Answer):
    """A team and its members."""

    team_id: str
    name: str
    members: list[MemberView]


class DirectoryView(Answer):
    """Every team and its members, by id."""

    teams: list[TeamView]


class OpenCase(Answer):
    """An open case a leaver held: for reassignment by its team's screeners."""

    reference: str
    status: str
    team_id: str | None


class Deactivated(Answer):
    """The member, now inactive, and the open cases they held."""

    member: MemberView
    open_cases: list[OpenCase]
