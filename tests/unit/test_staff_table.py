"""The staff table: where teams and members are stored, how a member reads back, and the
revocation attributes that only move one way. Runs against moto's DynamoDB, provisioned
once for the module; every test works on a team of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.storage.staff_table import MemberRecord, StaffTable, TeamRecord
from tests.mocked_aws import provisioned

T0 = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
SEALED = b"\x01sealed name and address"


@dataclass(frozen=True)
class Aws:
    client: Any
    staff: StaffTable


@pytest.fixture(scope="module")
def aws() -> Iterator[Aws]:
    with provisioned() as (client, settings):
        yield Aws(client, StaffTable(client, settings.staff_table))


@pytest.fixture
def staff(aws: Aws) -> StaffTable:
    return aws.staff


@pytest.fixture
def team_id() -> str:
    return f"team-{uuid.uuid4().hex[:12]}"


def advisor(team_id: str, member_id: str = "adv-1", **values: Any) -> MemberRecord:
    fields: dict[str, Any] = {
        "member_id": member_id,
        "team_id": team_id,
        "roles": ("advisor",),
        "specialisms": ("housing",),
        "languages": ("en", "cy"),
        "capacity": 7,
        "sealed_contact": SEALED,
    }
    fields.update(values)
    return MemberRecord(**fields)


def raw_item(aws: Aws, pk: str, sk: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = aws.client.get_item(
        TableName=aws.staff.table, Key={"pk": {"S": pk}, "sk": {"S": sk}}
    ).get("Item")
    return item


def test_a_team_is_stored_under_its_own_key_and_read_back(aws: Aws, team_id: str) -> None:
    # Given a team written
    aws.staff.put_team(TeamRecord(team_id=team_id, name="Student Support"))

    # Then it is the TEAM item of the team's partition, and reads back as written
    item = raw_item(aws, f"TEAM#{team_id}", "TEAM")
    assert item is not None
    assert item["name"] == {"S": "Student Support"}
    assert aws.staff.team(team_id) == TeamRecord(team_id=team_id, name="Student Support")
    assert aws.staff.team(f"{team_id}-other") is None


def test_a_member_is_stored_in_its_team_with_the_contact_sealed_as_binary(
    aws: Aws, team_id: str
) -> None:
    # Given a member written
    aws.staff.put_member(advisor(team_id, gender="woman"))

    # Then the item sits under the team, its contact details as bytes, never in clear
    item = raw_item(aws, f"TEAM#{team_id}", "MEMBER#adv-1")
    assert item is not None
    assert item["sealed"] == {"B": SEALED}
    assert item["active"] == {"BOOL": True}
    assert "not_before" not in item
    # and it reads back the same by id (whatever its team) and among its team's members
    expected = MemberRecord(
        member_id="adv-1",
        team_id=team_id,
        roles=("advisor",),
        specialisms=("housing",),
        languages=("en", "cy"),
        capacity=7,
        sealed_contact=SEALED,
        active=True,
        not_before=None,
        gender="woman",
    )
    assert aws.staff.members(team_id) == [expected]
    assert aws.staff.member("adv-1") == expected
    assert aws.staff.member("adv-unknown") is None


def test_a_team_lists_its_members_and_not_the_team_item_or_another_teams(
    staff: StaffTable, team_id: str
) -> None:
    staff.put_team(TeamRecord(team_id=team_id, name="Student Support"))
    staff.put_member(advisor(team_id, "adv-a"))
    staff.put_member(advisor(team_id, "adv-b"))
    staff.put_member(advisor(f"{team_id}-x", "adv-elsewhere"))

    assert sorted(member.member_id for member in staff.members(team_id)) == ["adv-a", "adv-b"]
    assert [member.member_id for member in staff.members(f"{team_id}-x")] == ["adv-elsewhere"]


def test_writing_a_member_again_keeps_their_revocation_and_drops_a_gender_left_out(
    staff: StaffTable, team_id: str
) -> None:
    # Given a member who shared a gender, whose tokens were refused from T0
    member = advisor(team_id, "adv-again", gender="man")
    staff.put_member(member)
    assert staff.refuse_tokens_before(member, T0) is True

    # When they are written again without a gender and with another capacity
    staff.put_member(replace(member, gender=None, capacity=3))

    # Then the refusal stands, the gender is gone and the new capacity is stored
    again = staff.member("adv-again")
    assert again is not None
    assert again.not_before == "2026-11-20T10:30:00.000Z"
    assert again.gender is None
    assert again.capacity == 3


def test_refused_tokens_only_move_forward(staff: StaffTable, team_id: str) -> None:
    member = advisor(team_id, "adv-forward")
    staff.put_member(member)

    # Given tokens refused from T0 + 1h, a late event for T0 changes nothing
    assert staff.refuse_tokens_before(member, T0 + timedelta(hours=1)) is True
    assert staff.refuse_tokens_before(member, T0) is False
    stored = staff.member("adv-forward")
    assert stored is not None
    assert stored.not_before == "2026-11-20T11:30:00.000Z"

    # and a later one moves it on
    assert staff.refuse_tokens_before(member, T0 + timedelta(hours=2)) is True
    stored = staff.member("adv-forward")
    assert stored is not None
    assert stored.not_before == "2026-11-20T12:30:00.000Z"


def test_a_late_deactivation_does_not_undo_a_later_reactivation(
    staff: StaffTable, team_id: str
) -> None:
    member = advisor(team_id, "adv-late")
    staff.put_member(member)

    # Given a member reactivated at T0 + 1h
    assert staff.reactivate(member, T0 + timedelta(hours=1)) is True

    # When a deactivation from T0 arrives late, it is not applied
    assert staff.deactivate(member, T0) is False
    stored = staff.member("adv-late")
    assert stored is not None
    assert stored.active is True

    # and one from after the reactivation is
    assert staff.deactivate(member, T0 + timedelta(hours=2)) is True
    stored = staff.member("adv-late")
    assert stored is not None
    assert stored.active is False


def test_roles_are_stored_as_given(staff: StaffTable, team_id: str) -> None:
    member = advisor(team_id, "adv-roles")
    staff.put_member(member)

    assert staff.set_roles(member, ["admin", "screener"]) is True

    stored = staff.member("adv-roles")
    assert stored is not None
    assert stored.roles == ("admin", "screener")


def test_changes_to_a_member_removed_meanwhile_write_nothing(
    aws: Aws, staff: StaffTable, team_id: str
) -> None:
    # Given a member read, then removed before the change is written
    member = advisor(team_id, "adv-gone")
    staff.put_member(member)
    aws.client.delete_item(
        TableName=staff.table,
        Key={"pk": {"S": f"TEAM#{team_id}"}, "sk": {"S": "MEMBER#adv-gone"}},
    )

    # Then every change answers False and brings no item back
    assert staff.refuse_tokens_before(member, T0) is False
    assert staff.deactivate(member, T0) is False
    assert staff.reactivate(member, T0) is False
    assert staff.set_roles(member, ["advisor"]) is False
    assert raw_item(aws, f"TEAM#{team_id}", "MEMBER#adv-gone") is None
    assert staff.member("adv-gone") is None


def test_a_member_written_before_revocation_existed_reads_as_active_and_never_revoked(
    aws: Aws, team_id: str
) -> None:
    # Given an item without `active`, `not_before` or `gender`
    aws.client.put_item(
        TableName=aws.staff.table,
        Item={
            "pk": {"S": f"TEAM#{team_id}"},
            "sk": {"S": "MEMBER#adv-old"},
            "member_id": {"S": "adv-old"},
            "team_id": {"S": team_id},
            "roles": {"L": [{"S": "screener"}]},
            "specialisms": {"L": []},
            "languages": {"L": [{"S": "en"}]},
            "capacity": {"N": "10"},
            "sealed": {"B": SEALED},
        },
    )

    # Then it reads as an active screener whose tokens all count
    member = aws.staff.member("adv-old")
    assert member == MemberRecord(
        member_id="adv-old",
        team_id=team_id,
        roles=("screener",),
        specialisms=(),
        languages=("en",),
        capacity=10,
        sealed_contact=SEALED,
        active=True,
        not_before=None,
        gender=None,
    )
