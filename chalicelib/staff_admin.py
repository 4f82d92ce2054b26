"""Administering the staff directory from the portal: teams, members, roles, leavers.

Every operation is the admin's (`manage_directory` in `chalicelib.cases.policy`), checked
first; then what it names is checked (a member id not taken, a team that exists), so that
a refused request writes nothing anywhere. Then the change is recorded in the
administration trail (`chalicelib.admin_trail`: who, what, when, and the reason, sealed),
and only then made, in the directory and in Cognito: the trail holds every instruction
given, including one whose change failed (the admin is told, and sends it again; each
change is idempotent). The trail's details are ids and the clear attributes (roles,
specialisms, languages, capacity); a name or an email address never: those are sealed in
the directory, and a changed one is recorded as the field's name alone.

Ending access goes through `chalicelib.staff_access` (the directory first, then Cognito).
A leaver's open cases stay in their team's queue, marked `advisor_inactive` there
(`chalicelib.cases.casework`) for the team's screeners to reassign, and the deactivation's
answer lists them for the admin.

The directory must always keep one active admin: a change that would leave none (the last
admin deactivating themselves, or taking their own admin role away) is refused, because
nobody could then administer the directory again from the portal (only ops, through
`scripts/first-admin`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from chalicelib.addresses import EmailAddress
from chalicelib.admin_trail import AdminTrail
from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.directory import StaffDirectory, StaffId, StaffMember, Team
from chalicelib.errors import AlreadyExists, NotFound, UnknownReference, WouldLockOut
from chalicelib.institution.models import AdvisorGender
from chalicelib.roles import Role
from chalicelib.staff_access import StaffAccess
from chalicelib.storage.reports_table import ReportsTable
from chalicelib.storage.staff_table import MemberRecord

#: Why an admin made a change: free text (it may name a colleague), sealed in the trail.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
#: A specialism as routing and matching name them (`sexual_violence`).
Specialism = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{0,63}$")]
#: A language as the form's advisor preferences name it (`en`, `cy`, `pt-BR`).
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
Roles = Annotated[list[Role], Field(min_length=1, max_length=4)]
Specialisms = Annotated[list[Specialism], Field(max_length=30)]
Languages = Annotated[list[Language], Field(min_length=1, max_length=20)]
Capacity = Annotated[int, Field(ge=0, le=500)]

_PAGE = 100


class NewTeam(BaseModel):
    """A team to add."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    team_id: StaffId
    name: Name
    reason: Reason


class NewMember(BaseModel):
    """A member to add: their directory record and their sign-in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    member_id: StaffId
    team_id: StaffId
    name: Name
    email: EmailAddress
    roles: Roles
    specialisms: Specialisms = Field(default_factory=list)
    languages: Languages = Field(default_factory=lambda: ["en"])
    capacity: Capacity = 10
    gender: AdvisorGender | None = None
    reason: Reason


class MemberChange(BaseModel):
    """What to change of a member: only the fields sent (`gender: null` shares none)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    team_id: StaffId | None = None
    name: Name | None = None
    email: EmailAddress | None = None
    roles: Roles | None = None
    specialisms: Specialisms | None = None
    languages: Languages | None = None
    capacity: Capacity | None = None
    gender: AdvisorGender | None = None
    reason: Reason

    @field_validator(
        "team_id", "name", "email", "roles", "specialisms", "languages", "capacity", mode="before"
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Absent means "unchanged"; only the shared gender may be set to none.
        if value is None:
            raise ValueError("may not be null")
        return value

    @model_validator(mode="after")
    def _names_a_change(self) -> MemberChange:
        if not self.model_fields_set - {"reason"}:
            raise ValueError("name at least one field to change")
        return self


class AccessChange(BaseModel):
    """Deactivating a leaver, or letting a member work again: why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Reason


@dataclass
class StaffAdmin:
    """The directory's administration. Takes the directory, staff access (Cognito), the
    administration trail, the reports table (to count and list members' open cases) and
    the team ids the institution's routing names (teams that predate the list of teams)."""

    directory: StaffDirectory
    access: StaffAccess
    trail: AdminTrail
    cases: ReportsTable
    known_teams: list[str] = field(default_factory=list)

    # --- reading ---------------------------------------------------------------------------

    def overview(self, principal: Principal) -> dict[str, Any]:
        """Every team and its members, names and addresses opened for the admin, with each
        member's count of open cases assigned to them."""
        policy.require(principal, "manage_directory")
        teams = []
        for team in self.directory.teams(self.known_teams):
            members = sorted(self.directory.members(team.team_id), key=lambda m: m.member_id)
            teams.append(
                {
                    "team_id": team.team_id,
                    "name": team.name,
                    "members": [self._member_view(member) for member in members],
                }
            )
        return {"teams": teams}

    def _member_view(self, member: MemberRecord) -> dict[str, Any]:
        return {
            "member_id": member.member_id,
            "team_id": member.team_id,
            **self.directory.contact(member),
            "roles": sorted(member.roles),
            "specialisms": list(member.specialisms),
            "languages": list(member.languages),
            "capacity": member.capacity,
            "shared_gender": member.gender,
            "active": member.active,
            "open_cases": self.cases.open_cases_of(member.member_id),
        }

    # --- changing --------------------------------------------------------------------------

    def add_team(self, principal: Principal, request: NewTeam) -> dict[str, Any]:
        """Add a team (its id must be new)."""
        policy.require(principal, "manage_directory")
        if self.directory.team(request.team_id) is not None:
            raise AlreadyExists("team_id", "is already a team")
        self.trail.record(
            principal.member_id, "team_added", {"team_id": request.team_id}, request.reason
        )
        if not self.directory.add_team(Team(team_id=request.team_id, name=request.name)):
            raise AlreadyExists("team_id", "is already a team")
        return {"team_id": request.team_id, "name": request.name, "members": []}

    def add_member(self, principal: Principal, request: NewMember) -> dict[str, Any]:
        """Add a member to a team: their sign-in (Cognito emails the invitation) and their
        directory record, sealed."""
        policy.require(principal, "manage_directory")
        if self.directory.member(request.member_id) is not None:
            raise AlreadyExists("member_id", "is already in the staff directory")
        if self.directory.team(request.team_id) is None:
            raise UnknownReference("team_id", "is not a team: add the team first")
        roles = sorted(set(request.roles))
        self.trail.record(
            principal.member_id,
            "member_added",
            {
                "member_id": request.member_id,
                "team_id": request.team_id,
                "roles": roles,
                "specialisms": list(request.specialisms),
                "languages": list(request.languages),
                "capacity": request.capacity,
            },
            request.reason,
        )
        # The sign-in first: a member in the directory without one could not sign in, and a
        # sign-in without a directory record grants nothing (`staff_calls.principal`).
        self.access.invite(request.member_id, request.email, list(roles))
        member = StaffMember(
            member_id=request.member_id,
            team_id=request.team_id,
            name=request.name,
            email=request.email,
            roles=list(roles),
            specialisms=list(request.specialisms),
            languages=list(request.languages),
            capacity=request.capacity,
            gender=request.gender,
        )
        self.directory.put_member(member)
        return self._member_view(self._member(request.member_id))

    def change_member(
        self, principal: Principal, member_id: str, request: MemberChange
    ) -> dict[str, Any]:
        """Change a member's team, contact details, specialisms, languages, capacity,
        shared gender or roles."""
        policy.require(principal, "manage_directory")
        current = self._member(member_id)
        sent = request.model_fields_set - {"reason"}
        if "team_id" in sent and self.directory.team(str(request.team_id)) is None:
            raise UnknownReference("team_id", "is not a team: add the team first")
        roles = sorted(set(request.roles)) if request.roles is not None else None
        if roles is not None and "admin" not in roles:
            self._keep_an_admin(current, "roles", "would remove the last active admin")
        values: dict[str, Any] = {}
        for name in ("team_id", "capacity", "gender"):
            if name in sent:
                values[name] = getattr(request, name)
        for name in ("specialisms", "languages"):
            if name in sent:
                values[name] = tuple(getattr(request, name))
        details: dict[str, Any] = {
            "member_id": member_id,
            "changed": sorted(sent),
            **{name: list(v) if isinstance(v, tuple) else v for name, v in values.items()},
            "roles": roles,
        }
        # The shared gender is the member's own choice: the trail says it changed, not to what.
        details.pop("gender", None)
        self.trail.record(principal.member_id, "member_changed", details, request.reason)
        contact = None
        if "name" in sent or "email" in sent:
            contact = {**self.directory.contact(current)}
            if request.name is not None:
                contact["name"] = request.name
            if request.email is not None and request.email != contact["email"]:
                contact["email"] = request.email
                # Cognito first: it refuses an address another sign-in uses.
                self.access.change_email(member_id, request.email)
        stored = values or contact is not None
        if stored and not self.directory.change_member(current, contact=contact, **values):
            raise NotFound("no such staff member")
        if roles is not None:
            self.access.set_roles(member_id, list(roles))
        return self._member_view(self._member(member_id))

    def deactivate(
        self, principal: Principal, member_id: str, request: AccessChange
    ) -> dict[str, Any]:
        """End a leaver's access at once; their open cases, for reassignment."""
        policy.require(principal, "manage_directory")
        current = self._member(member_id)
        self._keep_an_admin(current, "member_id", "is the last active admin")
        open_cases = self._open_cases(member_id)
        self.trail.record(
            principal.member_id,
            "member_deactivated",
            {"member_id": member_id, "team_id": current.team_id, "open_cases": len(open_cases)},
            request.reason,
        )
        self.access.deactivate(member_id)
        return {"member": self._member_view(self._member(member_id)), "open_cases": open_cases}

    def reactivate(
        self, principal: Principal, member_id: str, request: AccessChange
    ) -> dict[str, Any]:
        """Let a member work again (sessions from before their deactivation stay refused)."""
        policy.require(principal, "manage_directory")
        self._member(member_id)
        self.trail.record(
            principal.member_id, "member_reactivated", {"member_id": member_id}, request.reason
        )
        self.access.reactivate(member_id)
        return self._member_view(self._member(member_id))

    # --- helpers ---------------------------------------------------------------------------

    def _member(self, member_id: str) -> MemberRecord:
        member = self.directory.member(member_id)
        if member is None:
            raise NotFound("no such staff member")
        return member

    def _keep_an_admin(self, member: MemberRecord, field_name: str, problem: str) -> None:
        """Refuse a change taking `member` out of the active admins if no other is left:
        nobody could administer the directory (or grant the role again) from the portal."""
        if not member.active or "admin" not in member.roles:
            return
        for team in self.directory.teams(self.known_teams):
            for other in self.directory.members(team.team_id):
                if other.member_id != member.member_id and other.active and "admin" in other.roles:
                    return
        raise WouldLockOut(field_name, f"{problem}: nobody could administer the directory")

    def _open_cases(self, member_id: str) -> list[dict[str, Any]]:
        """Every open case assigned to the member: reference, status and team."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            items, cursor = self.cases.advisor_queue(member_id, _PAGE, cursor)
            found += [
                {"reference": item.reference, "status": item.status, "team_id": item.team_id}
                for item in items
            ]
            if cursor is None:
                return found
