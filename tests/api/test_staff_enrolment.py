"""The `add_staff_member` function: how ops put the first admin (or anyone) in the directory.

Ops invoke it (`scripts/first-admin`) because nobody outside the app's roles may seal with
the `identity` key; it seals the name and address like every other directory entry.
"""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib import services
from chalicelib.settings import Settings
from tests.sentinels import every_table_blob, occurrences

NAME = "Zephyrine Quillfeather"
EMAIL = "zq.sentinel.7731@example.ac.uk"


def _entry(**member: Any) -> dict[str, Any]:
    return {
        "member": {
            "member_id": "dpo-1",
            "team_id": "data-protection",
            "name": NAME,
            "email": EMAIL,
            "roles": ["admin"],
            **member,
        },
        "team": {"team_id": "data-protection", "name": "Data protection"},
    }


def _invoke(client: Client, event: dict[str, Any]) -> Any:
    return client.lambda_.invoke("add_staff_member", event).payload


def test_a_new_member_and_team_are_added_with_the_contact_sealed(
    client: Client, aws: Settings
) -> None:
    # When ops add the first admin with their new team
    outcome = _invoke(client, _entry())

    # Then both are in the directory
    assert outcome == {"added": True, "member_id": "dpo-1", "team_created": True}
    directory = services.staff_directory()
    member = directory.member("dpo-1")
    assert member is not None
    assert member.roles == ("admin",)
    assert directory.names([member]) == {"dpo-1": NAME}
    assert directory.addresses([member]) == [EMAIL]
    # and the name and address are nowhere in clear
    assert occurrences(every_table_blob(services.dynamodb()), [NAME, EMAIL]) == []


def test_a_member_of_an_existing_team_needs_no_team(client: Client, aws: Settings) -> None:
    _invoke(client, _entry())

    outcome = _invoke(
        client, {"member": {**_entry(member_id="dpo-2")["member"], "member_id": "dpo-2"}}
    )

    assert outcome == {"added": True, "member_id": "dpo-2", "team_created": False}


def test_a_bad_entry_names_each_field_and_echoes_nothing(client: Client, aws: Settings) -> None:
    # When the entry has a bad address, an unknown role and an extra field
    event = _entry(email="not-an-address " + NAME, roles=["emperor"], nickname=NAME)

    outcome = _invoke(client, event)

    # Then nothing is added, each field is named, and no value sent comes back
    assert outcome["added"] is False
    assert {p["field"] for p in outcome["problems"]} == {
        "member.email",
        "member.roles.0",
        "member.nickname",
    }
    assert NAME not in str(outcome)
    assert services.staff_directory().member("dpo-1") is None


def test_a_new_team_must_be_named(client: Client, aws: Settings) -> None:
    outcome = _invoke(client, {"member": _entry()["member"]})

    assert outcome == {
        "added": False,
        "problems": [{"field": "team", "problem": "the team is new: give its name"}],
    }
    assert services.staff_directory().member("dpo-1") is None


def test_the_team_given_must_be_the_members(client: Client, aws: Settings) -> None:
    event = _entry()
    event["team"] = {"team_id": "elsewhere", "name": "Elsewhere"}

    outcome = _invoke(client, event)

    assert outcome["problems"] == [{"field": "team.team_id", "problem": "is not the member's team"}]


def _member_item(aws: Settings, member_id: str) -> dict[str, Any]:
    items = services.dynamodb().scan(TableName=aws.staff_table)["Items"]
    return next(item for item in items if item.get("member_id", {}).get("S") == member_id)


def test_an_advisor_shares_a_gender_only_by_choice_and_may_take_it_back(
    client: Client, aws: Settings
) -> None:
    # Given an advisor added without a gender
    _invoke(client, _entry(member_id="adv-1", roles=["advisor"]))
    assert "gender" not in _member_item(aws, "adv-1")

    # When the entry is sent again with the gender they chose to share
    _invoke(client, _entry(member_id="adv-1", roles=["advisor"], gender="non_binary"))

    # Then it is stored as a matching attribute
    member = services.staff_directory().member("adv-1")
    assert member is not None and member.gender == "non_binary"

    # And when they withdraw it (an entry without it), it is removed, not left behind
    _invoke(client, _entry(member_id="adv-1", roles=["advisor"]))
    assert "gender" not in _member_item(aws, "adv-1")
    member = services.staff_directory().member("adv-1")
    assert member is not None and member.gender is None


def test_a_gender_outside_the_directorys_vocabulary_is_refused(
    client: Client, aws: Settings
) -> None:
    outcome = _invoke(client, _entry(member_id="adv-1", roles=["advisor"], gender="female"))

    assert outcome == {
        "added": False,
        "problems": [{"field": "member.gender", "problem": "literal_error"}],
    }
    assert services.staff_directory().member("adv-1") is None
    accepted = _invoke(client, _entry(member_id="adv-1", roles=["advisor"], gender="woman"))
    assert accepted["added"] is True
