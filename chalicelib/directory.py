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

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from chalicelib.addresses import EmailAddress
from chalicelib.clock import iso
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.institution.models import AdvisorGender
from chalicelib.roles import Role
from chalicelib.storage.dynamo import conditional_write

if TYPE_CHECKING:
    from chalicelib.crypto import Sealer

StaffId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
STAFF_CONTACT = "staff_contact"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


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


@dataclass(frozen=True)
class MemberRecord:
    """A member as stored: everything but the sealed contact details."""

    member_id: str
    team_id: str
    roles: tuple[str, ...]
    specialisms: tuple[str, ...]
    languages: tuple[str, ...]
    capacity: int
    sealed_contact: bytes
    #: False once the member is deactivated or deleted: none of their tokens count.
    active: bool = True
    #: Tokens authenticated before this moment (ISO 8601, UTC) no longer count.
    not_before: str | None = None
    #: The gender the member chose to share for matching, if any.
    gender: str | None = None


@dataclass
class StaffDirectory:
    """Reads and writes the directory. Takes its client, table and sealer."""

    client: Any
    table: str
    sealer: Sealer

    def put_team(self, team: Team) -> None:
        """Create or replace a team."""
        self._put({"pk": f"TEAM#{team.team_id}", "sk": "TEAM", **team.model_dump()})

    def put_member(self, member: StaffMember) -> None:
        """Create or replace a member (active), sealing their name and email address.

        An update, not a put: a member enrolled again keeps their `not_before`, so tokens
        revoked before stay revoked.
        """
        contact = {"name": member.name, "email": member.email}
        self._update(
            _member_key(member.team_id, member.member_id),
            {
                "member_id": member.member_id,
                "team_id": member.team_id,
                "roles": list(member.roles),
                "specialisms": list(member.specialisms),
                "languages": list(member.languages),
                "capacity": member.capacity,
                "active": True,
                "sealed": Binary(self.sealer.seal(member.member_id, STAFF_CONTACT, contact)),
                **({"gender": member.gender} if member.gender else {}),
            },
            # A member who no longer shares a gender has it removed, not left behind.
            remove=() if member.gender else ("gender",),
        )

    def revoke(self, member_id: str, *, at: datetime, deactivate: bool) -> bool:
        """End every token authenticated before `at` (and all access, if `deactivate`).

        Safe to apply late and out of order (CloudTrail's events arrive minutes after the
        change): `not_before` only ever moves forward, and a member reactivated after `at`
        stays active. False if no such member.
        """
        member = self.member(member_id)
        if member is None:
            return False
        key, moment = _member_key(member.team_id, member.member_id), iso(at)
        self._update(
            key,
            {"not_before": moment},
            condition="attribute_not_exists(not_before) OR not_before < :at",
            at=moment,
        )
        if deactivate:
            self._update(
                key,
                {"active": False},
                condition="attribute_not_exists(active_since) OR active_since < :at",
                at=moment,
            )
        return True

    def reactivate(self, member_id: str, *, at: datetime) -> bool:
        """Let a deactivated member work again from `at`; False if no such member."""
        return self._update_member(member_id, {"active": True, "active_since": iso(at)})

    def set_roles(self, member_id: str, roles: list[Role]) -> bool:
        """Replace a member's roles (effective on their next request); False if no such member."""
        return self._update_member(member_id, {"roles": sorted(set(roles))})

    def team(self, team_id: str) -> Team | None:
        """A team, if it exists."""
        with unavailable_on_failure("dynamodb"):
            item = self.client.get_item(
                TableName=self.table,
                Key={"pk": {"S": f"TEAM#{team_id}"}, "sk": {"S": "TEAM"}},
            ).get("Item")
        if item is None:
            return None
        values = _plain(item)
        return Team(team_id=values["team_id"], name=values["name"])

    def members(self, team_id: str) -> list[MemberRecord]:
        """Every member of a team."""
        with unavailable_on_failure("dynamodb"):
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :team AND begins_with(sk, :member)",
                ExpressionAttributeValues={
                    ":team": {"S": f"TEAM#{team_id}"},
                    ":member": {"S": "MEMBER#"},
                },
            )
            return [_member(item) for page in pages for item in page["Items"]]

    def member(self, member_id: str) -> MemberRecord | None:
        """A member by id, whatever their team."""
        with unavailable_on_failure("dynamodb"):
            items = self.client.query(
                TableName=self.table,
                IndexName="by_member",
                KeyConditionExpression="member_id = :member",
                ExpressionAttributeValues={":member": {"S": member_id}},
            )["Items"]
        return _member(items[0]) if items else None

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

    def _update_member(self, member_id: str, values: dict[str, Any]) -> bool:
        member = self.member(member_id)
        if member is None:
            return False
        return self._update(_member_key(member.team_id, member.member_id), values, condition="")

    def _update(
        self,
        key: dict[str, str],
        values: dict[str, Any],
        *,
        condition: str | None = None,
        at: str = "",
        remove: tuple[str, ...] = (),
    ) -> bool:
        """SET `values` (and REMOVE `remove`); with a `condition` (`:at` bound to `at`), only
        on an existing item meeting it. False if the condition was not met."""
        names = {f"#a{index}": name for index, name in enumerate(values)}
        expression = "SET " + ", ".join(f"{alias} = :{alias[1:]}" for alias in names)
        removed = {f"#r{index}": name for index, name in enumerate(remove)}
        if removed:
            expression += " REMOVE " + ", ".join(removed)
        attributes = {
            f":{alias[1:]}": _serializer.serialize(values[name]) for alias, name in names.items()
        }
        extra: dict[str, Any] = {}
        if condition is not None:
            # The member may have been removed between the read and this write.
            extra["ConditionExpression"] = "attribute_exists(pk)" + (
                f" AND ({condition})" if condition else ""
            )
            if ":at" in condition:
                attributes[":at"] = {"S": at}
        return conditional_write(
            lambda: self.client.update_item(
                TableName=self.table,
                Key={name: {"S": value} for name, value in key.items()},
                UpdateExpression=expression,
                ExpressionAttributeNames={**names, **removed},
                ExpressionAttributeValues=attributes,
                **extra,
            )
        )

    def _put(self, item: dict[str, Any]) -> None:
        with unavailable_on_failure("dynamodb"):
            self.client.put_item(
                TableName=self.table,
                Item={name: _serializer.serialize(value) for name, value in item.items()},
            )


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


def _member_key(team_id: str, member_id: str) -> dict[str, str]:
    return {"pk": f"TEAM#{team_id}", "sk": f"MEMBER#{member_id}"}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _member(item: dict[str, Any]) -> MemberRecord:
    values = _plain(item)
    return MemberRecord(
        member_id=values["member_id"],
        team_id=values["team_id"],
        roles=tuple(values["roles"]),
        specialisms=tuple(values["specialisms"]),
        languages=tuple(values["languages"]),
        capacity=int(values["capacity"]),
        sealed_contact=bytes(values["sealed"].value),
        # Records written before these attributes existed are of members never revoked.
        active=bool(values.get("active", True)),
        not_before=values.get("not_before"),
        gender=values.get("gender"),
    )
