"""The staff table: teams and their members, its one owner.

Items (`pk` / `sk`, `chalicelib.resources.STAFF_TABLE`):

- `TEAM#<team>` / `TEAM`: a team (`team_id`, `name`);
- `TEAM#<team>` / `MEMBER#<member>`: a member of it, so one query reads a team's members.
  The index `by_member` (on `member_id`) finds a member whatever their team;
- `TEAMS` / `TEAM#<team>`: the list of teams (`team_id`, `name`), written with each team,
  so that one query lists them all (nothing in the app scans a table). Teams written before
  the list existed are found by id (the institution's routing names them).

A member item holds what routing, assignment and access checks need in clear (`roles`,
`specialisms`, `languages`, `capacity`, the optional `gender`), the member's name and email
address sealed together in `sealed` (sealed by `chalicelib.directory` before they reach
this module), and the attributes revocation keeps: `active`, `not_before` and
`active_since` (ISO 8601, UTC). Items written before those attributes existed are of
members never revoked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.storage.dynamo import (
    Binary,
    CommitConflict,
    attribute_value,
    calling,
    conditional_write,
    get,
    plain,
    query,
    serialized,
    string_key,
    transact,
)

TEAM_PREFIX = "TEAM#"
TEAM_ITEM = "TEAM"
MEMBER_PREFIX = "MEMBER#"
#: The partition listing every team.
TEAM_LIST = "TEAMS"
#: The index finding a member by id, whatever their team.
BY_MEMBER = "by_member"


@dataclass(frozen=True)
class TeamRecord:
    """A team as stored."""

    team_id: str
    name: str


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
class StaffTable:
    """The staff table: teams and members. Takes its client and table name."""

    client: Any
    table: str

    def put_team(self, team: TeamRecord) -> None:
        """Create or replace a team (and its entry in the list of teams)."""
        transact(self.client, self._team_writes(team, condition=None))

    def add_team(self, team: TeamRecord) -> bool:
        """Create a team; False (nothing written) if a team with its id exists."""
        try:
            transact(self.client, self._team_writes(team, condition="attribute_not_exists(pk)"))
        except CommitConflict:
            return False
        return True

    def _team_writes(self, team: TeamRecord, condition: str | None) -> list[dict[str, Any]]:
        values = {"team_id": team.team_id, "name": team.name}
        puts = [
            {"TableName": self.table, "Item": serialized({**_team_key(team.team_id), **values})},
            {"TableName": self.table, "Item": serialized({**_listed_key(team.team_id), **values})},
        ]
        if condition:
            puts[0]["ConditionExpression"] = condition
        return [{"Put": put} for put in puts]

    def teams(self, known: Sequence[str] = ()) -> list[TeamRecord]:
        """Every team: those in the list of teams, and those of `known` ids that exist (a team
        written before the list existed), in id order."""
        request = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :list",
            "ExpressionAttributeValues": {":list": {"S": TEAM_LIST}},
        }
        found = {
            values["team_id"]: TeamRecord(team_id=values["team_id"], name=values["name"])
            for values in query(self.client, request)
        }
        for team_id in known:
            if team_id not in found and (record := self.team(team_id)) is not None:
                found[team_id] = record
        return [found[team_id] for team_id in sorted(found)]

    def team(self, team_id: str) -> TeamRecord | None:
        """A team, if it exists."""
        values = get(self.client, self.table, _team_key(team_id), consistent=False)
        if values is None:
            return None
        return TeamRecord(team_id=values["team_id"], name=values["name"])

    def put_member(self, member: MemberRecord) -> None:
        """Create or replace a member with their sealed contact details.

        An update, not a put: a member written again keeps the `not_before` (tokens revoked
        before stay revoked) and `active_since` stored, whatever `member` holds. A member
        without a `gender` has any earlier one removed, not left behind.
        """
        values: dict[str, Any] = {
            "member_id": member.member_id,
            "team_id": member.team_id,
            "roles": list(member.roles),
            "specialisms": list(member.specialisms),
            "languages": list(member.languages),
            "capacity": member.capacity,
            "active": member.active,
            "sealed": Binary(member.sealed_contact),
            **({"gender": member.gender} if member.gender else {}),
        }
        self._update(
            _member_key(member.team_id, member.member_id),
            values,
            remove=() if member.gender else ("gender",),
        )

    def change_member(self, current: MemberRecord, changed: MemberRecord) -> bool:
        """Store `changed` in place of `current` (the same member), keeping what revocation
        stored (`active`, `not_before`, `active_since`). A new team moves the item to the
        new team's partition, in one transaction. False if the member was removed or moved
        meanwhile (nothing is written then)."""
        old_key = _member_key(current.team_id, current.member_id)
        stored = get(self.client, self.table, old_key)
        if stored is None:
            return False
        values: dict[str, Any] = {
            **{name: value for name, value in stored.items() if name not in ("pk", "sk")},
            "team_id": changed.team_id,
            "roles": list(changed.roles),
            "specialisms": list(changed.specialisms),
            "languages": list(changed.languages),
            "capacity": changed.capacity,
            "sealed": Binary(changed.sealed_contact),
        }
        values.pop("gender", None)
        if changed.gender:
            values["gender"] = changed.gender
        new_key = _member_key(changed.team_id, changed.member_id)
        put: dict[str, Any] = {
            "TableName": self.table,
            "Item": serialized({**new_key, **values}),
        }
        if new_key == old_key:
            put["ConditionExpression"] = "attribute_exists(pk)"
            writes = [{"Put": put}]
        else:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
            delete = {
                "TableName": self.table,
                "Key": string_key(old_key),
                "ConditionExpression": "attribute_exists(pk)",
            }
            writes = [{"Delete": delete}, {"Put": put}]
        try:
            transact(self.client, writes)
        except CommitConflict:
            return False
        return True

    def members(self, team_id: str) -> list[MemberRecord]:
        """Every member of a team."""
        request = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :team AND begins_with(sk, :member)",
            "ExpressionAttributeValues": {
                ":team": {"S": f"{TEAM_PREFIX}{team_id}"},
                ":member": {"S": MEMBER_PREFIX},
            },
        }
        return [_member(values) for values in query(self.client, request)]

    def member(self, member_id: str) -> MemberRecord | None:
        """A member by id, whatever their team."""
        with calling():
            items = self.client.query(
                TableName=self.table,
                IndexName=BY_MEMBER,
                KeyConditionExpression="member_id = :member",
                ExpressionAttributeValues={":member": {"S": member_id}},
            )["Items"]
        return _member(plain(items[0])) if items else None

    def refuse_tokens_before(self, member: MemberRecord, at: datetime) -> bool:
        """Refuse the member's tokens authenticated before `at`; `not_before` only ever moves
        forward (a later moment already stored stays). False if not done (the member was
        removed meanwhile, or already refuses from a later moment)."""
        moment = iso(at)
        return self._update(
            _member_key(member.team_id, member.member_id),
            {"not_before": moment},
            condition="attribute_not_exists(not_before) OR not_before < :at",
            at=moment,
        )

    def deactivate(self, member: MemberRecord, at: datetime) -> bool:
        """Mark the member inactive as of `at`, unless they were reactivated after `at` (a
        late event does not undo a later reactivation). False if not done."""
        return self._update(
            _member_key(member.team_id, member.member_id),
            {"active": False},
            condition="attribute_not_exists(active_since) OR active_since < :at",
            at=iso(at),
        )

    def reactivate(self, member: MemberRecord, at: datetime) -> bool:
        """Mark the member active again from `at`; False if they were removed meanwhile."""
        return self._update(
            _member_key(member.team_id, member.member_id),
            {"active": True, "active_since": iso(at)},
            condition="",
        )

    def set_roles(self, member: MemberRecord, roles: Sequence[str]) -> bool:
        """Store the member's roles as given; False if they were removed meanwhile."""
        return self._update(
            _member_key(member.team_id, member.member_id), {"roles": list(roles)}, condition=""
        )

    def _update(
        self,
        key: Mapping[str, str],
        values: Mapping[str, Any],
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
            f":{alias[1:]}": attribute_value(values[name]) for alias, name in names.items()
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
                Key=string_key(key),
                UpdateExpression=expression,
                ExpressionAttributeNames={**names, **removed},
                ExpressionAttributeValues=attributes,
                **extra,
            )
        )


def _team_key(team_id: str) -> dict[str, str]:
    return {"pk": f"{TEAM_PREFIX}{team_id}", "sk": TEAM_ITEM}


def _listed_key(team_id: str) -> dict[str, str]:
    return {"pk": TEAM_LIST, "sk": f"{TEAM_PREFIX}{team_id}"}


def _member_key(team_id: str, member_id: str) -> dict[str, str]:
    return {"pk": f"{TEAM_PREFIX}{team_id}", "sk": f"{MEMBER_PREFIX}{member_id}"}


def _member(values: Mapping[str, Any]) -> MemberRecord:
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
