"""The staff directory: teams, their members, roles, specialisms, languages and capacity.

Names and email addresses of staff are personal data too, so they are sealed like a
reporter's; the clear attributes (roles, specialisms, languages, capacity) are what routing
and assignment need and identify no one on their own. An advisor may also publish a gender
(`woman`, `man`, `non_binary`) for reporters who ask for, say, a woman: absent unless the
advisor chooses to share it, it is a matching attribute screeners see when assigning (see
`chalicelib.cases.matching`), not a demographic record, and it is removed when a later
entry for the member leaves it out.

The directory is the authority on what a signed-in member may do: a Cognito token proves
who the caller is, the member's record says whether they may work (`active`), which of
their tokens still count (those issued from `not_before` on) and which roles they hold.
A change here takes effect on the next request, however long the token has left to run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from chalicelib.addresses import EmailAddress
from chalicelib.institution.models import AdvisorGender
from chalicelib.roles import Role
from chalicelib.storage.staff_table import MemberRecord, StaffTable, TeamRecord

if TYPE_CHECKING:
    from chalicelib.crypto import Sealer

StaffId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
STAFF_CONTACT = "staff_contact"


class Team(BaseModel):
    """A team that receives reports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    team_id: StaffId
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class StaffMember(BaseModel):
    """A member of a team, as an admin enters them (contact details in clear, once)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    member_id: StaffId
    team_id: StaffId
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    email: EmailAddress
    roles: list[Role] = Field(min_length=1)
    specialisms: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        default_factory=list
    )
    languages: list[Annotated[str, StringConstraints(max_length=16)]] = Field(
        default_factory=lambda: ["en"]
    )
    #: How many open cases this member can hold at once.
    capacity: int = Field(default=10, ge=0, le=500)
    #: The gender the member chose to share for matching reporters' preferences; None
    #: (the default) shares none.
    gender: AdvisorGender | None = None


@dataclass
class StaffDirectory:
    """Reads and writes the directory. Takes the staff table and the sealer of contacts."""

    staff: StaffTable
    sealer: Sealer

    def put_team(self, team: Team) -> None:
        """Create or replace a team."""
        self.staff.put_team(TeamRecord(team_id=team.team_id, name=team.name))

    def add_team(self, team: Team) -> bool:
        """Create a team; False (nothing written) if its id is taken."""
        return self.staff.add_team(TeamRecord(team_id=team.team_id, name=team.name))

    def teams(self, known: list[str]) -> list[Team]:
        """Every team (with those of the `known` ids written before teams were listed)."""
        return [Team(team_id=t.team_id, name=t.name) for t in self.staff.teams(known)]

    def put_member(self, member: StaffMember) -> None:
        """Create or replace a member (active), sealing their name and email address.

        A member enrolled again keeps their `not_before`, so tokens revoked before stay
        revoked.
        """
        contact = {"name": member.name, "email": member.email}
        self.staff.put_member(
            MemberRecord(
                member_id=member.member_id,
                team_id=member.team_id,
                roles=tuple(member.roles),
                specialisms=tuple(member.specialisms),
                languages=tuple(member.languages),
                capacity=member.capacity,
                sealed_contact=self.sealer.seal(member.member_id, STAFF_CONTACT, contact),
                active=True,
                gender=member.gender,
            )
        )

    def change_member(
        self, current: MemberRecord, *, contact: dict[str, str] | None = None, **values: Any
    ) -> bool:
        """Store new clear attributes of a member (`values`: `team_id`, `specialisms`,
        `languages`, `capacity`, `gender`) and, with `contact` (`name` and `email`), their
        contact details sealed again. Roles, `active` and `not_before` are left as stored
        (roles change through `set_roles`). False if the member was removed or moved
        meanwhile."""
        sealed = current.sealed_contact
        if contact is not None:
            sealed = self.sealer.seal(current.member_id, STAFF_CONTACT, contact)
        record = replace(current, sealed_contact=sealed, **values)
        return self.staff.change_member(current, record)

    def contact(self, member: MemberRecord) -> dict[str, str]:
        """A member's name and email address (unsealed here, for an admin's directory)."""
        opened = self.sealer.unseal(member.member_id, STAFF_CONTACT, member.sealed_contact)
        return {"name": str(opened["name"]), "email": str(opened["email"])}

    def revoke(self, member_id: str, *, at: datetime, deactivate: bool) -> bool:
        """End every token authenticated before `at` (and all access, if `deactivate`).

        Safe to apply late and out of order (CloudTrail's events arrive minutes after the
        change): `not_before` only ever moves forward, and a member reactivated after `at`
        stays active. False if no such member.
        """
        member = self.member(member_id)
        if member is None:
            return False
        self.staff.refuse_tokens_before(member, at)
        if deactivate:
            self.staff.deactivate(member, at)
        return True

    def reactivate(self, member_id: str, *, at: datetime) -> bool:
        """Let a deactivated member work again from `at`; False if no such member."""
        member = self.member(member_id)
        return member is not None and self.staff.reactivate(member, at)

    def set_roles(self, member_id: str, roles: list[Role]) -> bool:
        """Replace a member's roles (effective on their next request); False if no such member."""
        member = self.member(member_id)
        return member is not None and self.staff.set_roles(member, sorted(set(roles)))

    def team(self, team_id: str) -> Team | None:
        """A team, if it exists."""
        record = self.staff.team(team_id)
        return None if record is None else Team(team_id=record.team_id, name=record.name)

    def members(self, team_id: str) -> list[MemberRecord]:
        """Every member of a team."""
        return self.staff.members(team_id)

    def member(self, member_id: str) -> MemberRecord | None:
        """A member by id, whatever their team."""
        return self.staff.member(member_id)

    def names(self, members: list[MemberRecord]) -> dict[str, str]:
        """Member id to name, for staff choosing a colleague (unsealed here)."""
        return {
            member.member_id: self.sealer.unseal(
                member.member_id, STAFF_CONTACT, member.sealed_contact
            )["name"]
            for member in members
        }

    def addresses(self, members: list[MemberRecord]) -> list[str]:
        """The email addresses of these members (unsealed here, for sending only)."""
        return [
            self.sealer.unseal(member.member_id, STAFF_CONTACT, member.sealed_contact)["email"]
            for member in members
        ]


class DirectoryEntry(BaseModel):
    """A member to add (or replace), with their team when the team is new.

    What ops send the `add_staff_member` function (`scripts/first-admin`): the one way a
    person outside the app puts a name into the directory, since nobody but the app's roles
    may seal with the `identity` key.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    member: StaffMember
    team: Team | None = None


def enrol(directory: StaffDirectory, event: Any) -> dict[str, Any]:
    """Add one member (and their new team) to the directory; the outcome, without values.

    A bad entry answers `{"added": false, "problems": [...]}` naming each bad field and why,
    never echoing what was sent (it holds a name and an email address).
    """
    try:
        entry = DirectoryEntry.model_validate(event)
    except ValidationError as error:
        problems = [
            {"field": ".".join(str(part) for part in problem["loc"]), "problem": problem["type"]}
            for problem in error.errors()
        ]
        return {"added": False, "problems": problems}
    if entry.team is not None and entry.team.team_id != entry.member.team_id:
        return {
            "added": False,
            "problems": [{"field": "team.team_id", "problem": "is not the member's team"}],
        }
    team_created = False
    if directory.team(entry.member.team_id) is None:
        if entry.team is None:
            return {
                "added": False,
                "problems": [{"field": "team", "problem": "the team is new: give its name"}],
            }
        directory.put_team(entry.team)
        team_created = True
    directory.put_member(entry.member)
    return {"added": True, "member_id": entry.member.member_id, "team_created": team_created}


def with_role(members: list[MemberRecord], role: Role) -> list[MemberRecord]:
    """The active members holding a role (a deactivated member is offered no work or mail)."""
    return [member for member in members if member.active and role in member.roles]
