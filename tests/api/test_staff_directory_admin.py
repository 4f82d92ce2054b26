"""The staff directory from the portal (`/staff/admin/...`): admins add teams and members
(the directory record, sealed, and the Cognito sign-in with its invitation), change a
member's roles and attributes, deactivate a leaver (access ends on their next request,
their open cases are listed and marked in their team's queue) and reactivate them. Every
change is recorded in the administration trail with its reason before it is made; a
refused request writes nothing anywhere; no other role may do any of it.

All tests share one mocked stack; cases and the trail are emptied before each, the staff
directory is not, so every test adds members of its own (ids tagged per test).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from chalicelib import services
from devstack.demo import DEMO_PASSWORD
from tests.api.shared_stack import Stack
from tests.factories import named_submission
from tests.sentinels import every_table_blob, occurrences

ADMIN = "dpo-admin"
SCREENER = "ss-screener"
REASON = "Adminsentinel joined the student support team"


@pytest.fixture(autouse=True)
def _fresh(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8]


def new_member(member_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "member_id": member_id,
        "team_id": "student_support",
        "name": "Dafydd Price",
        "email": f"{member_id}@example.ac.uk",
        "roles": ["advisor"],
        "specialisms": ["hate_incidents"],
        "languages": ["en", "cy"],
        "capacity": 6,
        "gender": "man",
        "reason": REASON,
    }
    body.update(changes)
    return body


def add(stack: Stack, body: dict[str, Any], user: str = ADMIN) -> Any:
    return stack.call("post", "/staff/admin/members", user, body)


def added(stack: Stack, member_id: str, **changes: Any) -> dict[str, Any]:
    response = add(stack, new_member(member_id, **changes))
    assert response.status_code == 201, response.json_body
    return dict(response.json_body)


def listed_member(stack: Stack, member_id: str) -> dict[str, Any] | None:
    body = stack.call("get", "/staff/admin/directory", ADMIN).json_body
    found = [m for team in body["teams"] for m in team["members"] if m["member_id"] == member_id]
    return found[0] if found else None


def trail(stack: Stack) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """The trail's changes (its reads left out): actor, action, details, reason."""
    body = stack.call("get", "/staff/admin/trail", ADMIN).json_body
    assert body["intact"] is True
    return [
        (e["actor"], e["action"], e["details"], e["reason"])
        for e in body["entries"]
        if e["action"] != "admin_trail_read"
    ]


def cognito_user(stack: Stack, username: str) -> dict[str, Any] | None:
    cognito = services.cognito()
    try:
        user = cognito.admin_get_user(UserPoolId=stack.settings.staff_pool_id, Username=username)
    except cognito.exceptions.UserNotFoundException:
        return None
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    return {
        "enabled": user["Enabled"],
        "status": user["UserStatus"],
        "email": attributes.get("email"),
        "email_verified": attributes.get("email_verified"),
    }


def groups(stack: Stack, username: str) -> list[str]:
    answer = services.cognito().admin_list_groups_for_user(
        UserPoolId=stack.settings.staff_pool_id, Username=username
    )
    return sorted(group["GroupName"] for group in answer["Groups"])


def signed_in(stack: Stack, username: str) -> str:
    """The member's first sign-in, as if they had set their password from the invitation."""
    services.cognito().admin_set_user_password(
        UserPoolId=stack.settings.staff_pool_id,
        Username=username,
        Password=DEMO_PASSWORD,
        Permanent=True,
    )
    return stack.token(username)


def me_status(stack: Stack, username: str) -> int:
    return int(stack.call("get", "/staff/me", username).status_code)


# --- adding --------------------------------------------------------------------------------


def test_an_admin_adds_a_member_to_the_directory_and_to_cognito(stack: Stack, tag: str) -> None:
    member_id = f"advisor-{tag}"

    response = add(stack, new_member(member_id))

    assert response.status_code == 201, response.json_body
    expected = {
        "member_id": member_id,
        "team_id": "student_support",
        "name": "Dafydd Price",
        "email": f"advisor-{tag}@example.ac.uk",
        "roles": ["advisor"],
        "specialisms": ["hate_incidents"],
        "languages": ["en", "cy"],
        "capacity": 6,
        "shared_gender": "man",
        "active": True,
        "open_cases": 0,
    }
    assert response.json_body == expected
    assert listed_member(stack, member_id) == expected
    # Cognito made the sign-in and sent its invitation (a temporary password to change).
    assert cognito_user(stack, member_id) == {
        "enabled": True,
        "status": "FORCE_CHANGE_PASSWORD",
        "email": f"advisor-{tag}@example.ac.uk",
        "email_verified": "true",
    }
    assert groups(stack, member_id) == ["advisors"]
    assert trail(stack) == [
        (
            ADMIN,
            "member_added",
            {
                "member_id": member_id,
                "team_id": "student_support",
                "roles": ["advisor"],
                "specialisms": ["hate_incidents"],
                "languages": ["en", "cy"],
                "capacity": 6,
            },
            REASON,
        )
    ]
    # The new member works from their first sign-in.
    signed_in(stack, member_id)
    assert me_status(stack, member_id) == 200


def test_an_admin_adds_a_team_and_then_a_member_to_it(stack: Stack, tag: str) -> None:
    team_id = f"wellbeing_{tag}"

    response = stack.call(
        "post",
        "/staff/admin/teams",
        ADMIN,
        {"team_id": team_id, "name": "Wellbeing", "reason": "New service"},
    )

    assert response.status_code == 201, response.json_body
    assert response.json_body == {"team_id": team_id, "name": "Wellbeing", "members": []}
    added(stack, f"wb-{tag}", team_id=team_id, roles=["screener"])
    teams = stack.call("get", "/staff/admin/directory", ADMIN).json_body["teams"]
    team = next(t for t in teams if t["team_id"] == team_id)
    assert (team["name"], [m["member_id"] for m in team["members"]]) == ("Wellbeing", [f"wb-{tag}"])
    assert [action for _, action, _, _ in trail(stack)] == ["team_added", "member_added"]
    # The demo teams (seeded) are listed too.
    assert {"student_support", "human_resources", "diversity_inclusion"} <= {
        t["team_id"] for t in teams
    }


def test_a_team_id_already_taken_is_refused_naming_team_id(stack: Stack) -> None:
    response = stack.call(
        "post",
        "/staff/admin/teams",
        ADMIN,
        {"team_id": "student_support", "name": "Another", "reason": "Duplicate"},
    )

    assert response.status_code == 409, response.json_body
    assert response.json_body["errors"] == [{"field": "team_id", "message": "is already a team"}]
    assert trail(stack) == []
    teams = stack.call("get", "/staff/admin/directory", ADMIN).json_body["teams"]
    assert next(t for t in teams if t["team_id"] == "student_support")["name"] == "Student Support"


def test_a_member_id_already_in_the_directory_is_409_naming_member_id_and_writes_nothing(
    stack: Stack,
) -> None:
    before = listed_member(stack, "ss-advisor-1")

    response = add(stack, new_member("ss-advisor-1", name="Someone Else Entirely"))

    assert response.status_code == 409, response.json_body
    assert response.json_body["errors"] == [
        {"field": "member_id", "message": "is already in the staff directory"}
    ]
    assert "Someone Else Entirely" not in str(response.json_body)
    assert listed_member(stack, "ss-advisor-1") == before
    assert before is not None and before["name"] == "Rhian Evans"
    assert trail(stack) == []


def test_an_unknown_team_is_422_naming_team_id_and_writes_nothing(stack: Stack, tag: str) -> None:
    member_id = f"lost-{tag}"

    response = add(stack, new_member(member_id, team_id="no_such_team"))

    assert response.status_code == 422, response.json_body
    assert response.json_body["errors"] == [
        {"field": "team_id", "message": "is not a team: add the team first"}
    ]
    assert listed_member(stack, member_id) is None
    assert cognito_user(stack, member_id) is None
    assert trail(stack) == []
    # The same member in a team that exists is added.
    added(stack, member_id)
    assert cognito_user(stack, member_id) is not None


def given_a_sign_in_without_a_directory_record(stack: Stack, member_id: str, email: str) -> None:
    """As an add leaves it when its directory write failed after Cognito's user was made."""
    services.cognito().admin_create_user(
        UserPoolId=stack.settings.staff_pool_id,
        Username=member_id,
        UserAttributes=[{"Name": "email", "Value": email}],
        MessageAction="SUPPRESS",
    )


def test_an_add_sent_again_after_its_directory_write_failed_completes(
    stack: Stack, tag: str
) -> None:
    member_id = f"retried-{tag}"
    given_a_sign_in_without_a_directory_record(stack, member_id, f"{member_id}@example.ac.uk")

    response = add(stack, new_member(member_id))

    assert response.status_code == 201, response.json_body
    assert listed_member(stack, member_id)["email"] == f"{member_id}@example.ac.uk"  # type: ignore[index]
    assert groups(stack, member_id) == ["advisors"]


def test_a_sign_in_of_that_id_with_another_address_is_refused_naming_member_id(
    stack: Stack, tag: str
) -> None:
    member_id = f"taken-{tag}"
    given_a_sign_in_without_a_directory_record(stack, member_id, "someone.else@example.ac.uk")

    response = add(stack, new_member(member_id))

    assert response.status_code == 409, response.json_body
    assert response.json_body["errors"] == [
        {"field": "member_id", "message": "already has a sign-in"}
    ]
    assert listed_member(stack, member_id) is None
    assert groups(stack, member_id) == []


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"reason": ""}, ["reason"]),
        ({"reason": "x" * 2001}, ["reason"]),
        ({"email": "not-an-address"}, ["email"]),
        ({"roles": ["overlord"]}, ["roles.0"]),
        ({"roles": []}, ["roles"]),
        ({"capacity": -1, "gender": "robot"}, ["capacity", "gender"]),
        ({"member_id": "Has Spaces"}, ["member_id"]),
        ({"favourite_colour": "blue"}, ["favourite_colour"]),
    ],
)
def test_a_bad_body_is_refused_naming_each_field_and_nothing_is_written(
    stack: Stack, tag: str, changes: dict[str, Any], fields: list[str]
) -> None:
    member_id = f"bad-{tag}"
    body = new_member(
        member_id, name=f"Badsentinel {tag}", email=f"badsentinel-{tag}@example.ac.uk"
    )
    body.update(changes)

    response = add(stack, body)

    assert response.status_code == 400, response.json_body
    assert [problem["field"] for problem in response.json_body["errors"]] == fields
    assert f"badsentinel-{tag}" not in str(response.json_body).lower()
    assert listed_member(stack, member_id) is None
    assert cognito_user(stack, member_id) is None
    assert trail(stack) == []
    # The control: the same member, the body put right, is added.
    added(stack, member_id)


def test_a_member_without_a_reason_is_refused_naming_reason(stack: Stack, tag: str) -> None:
    body = new_member(f"noreason-{tag}")
    del body["reason"]

    response = add(stack, body)

    assert response.status_code == 400
    assert response.json_body["errors"] == [{"field": "reason", "message": "is required"}]
    assert listed_member(stack, f"noreason-{tag}") is None


# --- changing ------------------------------------------------------------------------------


def change(stack: Stack, member_id: str, body: dict[str, Any], user: str = ADMIN) -> Any:
    return stack.call("post", f"/staff/admin/members/{member_id}", user, body)


def test_an_admin_changes_roles_attributes_and_team_in_the_directory_and_cognito(
    stack: Stack, tag: str
) -> None:
    member_id = f"changed-{tag}"
    added(stack, member_id)

    response = change(
        stack,
        member_id,
        {
            "roles": ["screener", "advisor"],
            "specialisms": ["sexual_violence", "discrimination"],
            "languages": ["en"],
            "capacity": 3,
            "gender": None,
            "team_id": "diversity_inclusion",
            "reason": "Moved to D&I",
        },
    )

    assert response.status_code == 200, response.json_body
    expected = {
        "member_id": member_id,
        "team_id": "diversity_inclusion",
        "name": "Dafydd Price",
        "email": f"changed-{tag}@example.ac.uk",
        "roles": ["advisor", "screener"],
        "specialisms": ["sexual_violence", "discrimination"],
        "languages": ["en"],
        "capacity": 3,
        "shared_gender": None,
        "active": True,
        "open_cases": 0,
    }
    assert response.json_body == expected
    assert listed_member(stack, member_id) == expected
    assert groups(stack, member_id) == ["advisors", "screeners"]
    # The member's next request has the new roles and team.
    signed_in(stack, member_id)
    me = stack.call("get", "/staff/me", member_id).json_body
    assert (me["team_id"], me["roles"]) == ("diversity_inclusion", ["advisor", "screener"])
    assert trail(stack)[-1] == (
        ADMIN,
        "member_changed",
        {
            "member_id": member_id,
            "changed": [
                "capacity",
                "gender",
                "languages",
                "roles",
                "specialisms",
                "team_id",
            ],
            "team_id": "diversity_inclusion",
            "capacity": 3,
            "specialisms": ["sexual_violence", "discrimination"],
            "languages": ["en"],
            "roles": ["advisor", "screener"],
        },
        "Moved to D&I",
    )


def test_a_new_name_and_address_are_sealed_again_and_cognito_gets_the_address(
    stack: Stack, tag: str
) -> None:
    member_id = f"renamed-{tag}"
    added(stack, member_id)

    response = change(
        stack,
        member_id,
        {
            "name": f"Renamesentinel {tag}",
            "email": f"renamesentinel-{tag}@example.ac.uk",
            "reason": "Changed name",
        },
    )

    assert response.status_code == 200, response.json_body
    assert (response.json_body["name"], response.json_body["email"]) == (
        f"Renamesentinel {tag}",
        f"renamesentinel-{tag}@example.ac.uk",
    )
    assert cognito_user(stack, member_id)["email"] == f"renamesentinel-{tag}@example.ac.uk"  # type: ignore[index]
    entry = trail(stack)[-1]
    assert entry[2] == {"member_id": member_id, "changed": ["email", "name"]}
    assert occurrences(every_table_blob(services.dynamodb()), [f"Renamesentinel {tag}"]) == []


def test_an_unknown_member_is_404_and_nothing_is_recorded(stack: Stack) -> None:
    response = change(stack, "nobody-here", {"capacity": 2, "reason": "Check"})

    assert response.status_code == 404
    assert trail(stack) == []
    assert change(stack, "ss-advisor-2", {"capacity": 10, "reason": "Check"}).status_code == 200


def test_a_change_naming_nothing_or_a_null_is_refused(stack: Stack) -> None:
    nothing = change(stack, "ss-advisor-2", {"reason": "Nothing"})
    null = change(stack, "ss-advisor-2", {"capacity": None, "reason": "Null"})

    assert nothing.status_code == 400
    assert nothing.json_body["errors"] == [
        {"field": "body", "message": "name at least one field to change"}
    ]
    assert null.status_code == 400
    assert null.json_body["errors"] == [{"field": "capacity", "message": "may not be null"}]
    assert trail(stack) == []


def test_the_last_active_admin_may_not_remove_their_own_admin_role_nor_deactivate_themselves(
    stack: Stack, tag: str
) -> None:
    demoted = change(stack, ADMIN, {"roles": ["analyst"], "reason": "Stepping down"})
    gone = stack.call(
        "post", f"/staff/admin/members/{ADMIN}/deactivation", ADMIN, {"reason": "Leaving"}
    )

    assert demoted.status_code == 409, demoted.json_body
    assert demoted.json_body["errors"] == [
        {
            "field": "roles",
            "message": "would remove the last active admin: nobody could administer the directory",
        }
    ]
    assert gone.status_code == 409, gone.json_body
    assert [p["field"] for p in gone.json_body["errors"]] == ["member_id"]
    assert me_status(stack, ADMIN) == 200
    assert listed_member(stack, ADMIN)["roles"] == ["admin"]  # type: ignore[index]
    assert trail(stack) == []
    # With another active admin, one admin may be deactivated (the other remains).
    second = f"admin-{tag}"
    added(stack, second, roles=["admin"])
    deactivated = stack.call(
        "post", f"/staff/admin/members/{second}/deactivation", ADMIN, {"reason": "Temporary"}
    )
    assert deactivated.status_code == 200, deactivated.json_body


# --- leavers -------------------------------------------------------------------------------


def assigned_case(stack: Stack, advisor: str) -> str:
    """A named student report, routed to student support and assigned to `advisor`."""
    reference = stack.submit(named_submission())
    version = stack.call("get", f"/staff/cases/{reference}", SCREENER).json_body["version"]
    assigned = stack.call(
        "post",
        f"/staff/cases/{reference}/assignment",
        SCREENER,
        {"advisor_id": advisor, "reason": "Their specialism", "version": version},
    )
    assert assigned.status_code == 200, assigned.json_body
    return reference


def queue_row(stack: Stack, reference: str) -> dict[str, Any]:
    rows = stack.call("get", "/staff/queue", SCREENER).json_body["cases"]
    return dict(next(row for row in rows if row["reference"] == reference))


def test_a_leaver_is_refused_at_once_and_their_open_cases_are_listed_and_marked(
    stack: Stack, tag: str
) -> None:
    leaver = f"leaver-{tag}"
    added(stack, leaver)
    signed_in(stack, leaver)
    reference = assigned_case(stack, leaver)
    kept = assigned_case(stack, "ss-advisor-1")
    assert me_status(stack, leaver) == 200
    assert queue_row(stack, reference)["advisor_inactive"] is False

    response = stack.call(
        "post",
        f"/staff/admin/members/{leaver}/deactivation",
        ADMIN,
        {"reason": "Left the university"},
    )

    assert response.status_code == 200, response.json_body
    assert response.json_body["open_cases"] == [
        {"reference": reference, "status": "assigned", "team_id": "student_support"}
    ]
    assert response.json_body["member"]["active"] is False
    # The token they hold is refused on their very next request, and Cognito is disabled.
    assert me_status(stack, leaver) == 401
    assert cognito_user(stack, leaver)["enabled"] is False  # type: ignore[index]
    assert trail(stack)[-1] == (
        ADMIN,
        "member_deactivated",
        {"member_id": leaver, "team_id": "student_support", "open_cases": 1},
        "Left the university",
    )
    # The team's screeners see the case needs reassigning; a colleague's case is not marked.
    assert queue_row(stack, reference)["advisor_inactive"] is True
    assert queue_row(stack, kept)["advisor_inactive"] is False
    # A screener reassigns it, and it is no longer marked.
    version = stack.call("get", f"/staff/cases/{reference}", SCREENER).json_body["version"]
    reassigned = stack.call(
        "post",
        f"/staff/cases/{reference}/assignment",
        SCREENER,
        {"advisor_id": "ss-advisor-2", "reason": "Advisor left", "version": version},
    )
    assert reassigned.status_code == 200, reassigned.json_body
    assert queue_row(stack, reference)["advisor_inactive"] is False


def test_a_reactivated_member_signs_in_again(stack: Stack, tag: str) -> None:
    member_id = f"returner-{tag}"
    added(stack, member_id)
    stack.call("post", f"/staff/admin/members/{member_id}/deactivation", ADMIN, {"reason": "Leave"})
    assert cognito_user(stack, member_id)["enabled"] is False  # type: ignore[index]

    response = stack.call(
        "post", f"/staff/admin/members/{member_id}/reactivation", ADMIN, {"reason": "Back"}
    )

    assert response.status_code == 200, response.json_body
    assert response.json_body["active"] is True
    assert cognito_user(stack, member_id)["enabled"] is True  # type: ignore[index]
    # Revocations are stamped on the identity provider's (real) clock and a token from the
    # very second of one is refused: the returner signs in from the next second, as in life.
    time.sleep(1 - time.time() % 1 + 0.01)
    signed_in(stack, member_id)
    assert me_status(stack, member_id) == 200
    assert [action for _, action, _, _ in trail(stack)] == [
        "member_added",
        "member_deactivated",
        "member_reactivated",
    ]


# --- who may, and what is kept ------------------------------------------------------------

ROUTES = [
    ("get", "/staff/admin/directory", None),
    ("post", "/staff/admin/teams", {"team_id": "refused_team", "name": "X", "reason": "Try"}),
    ("post", "/staff/admin/members", new_member("refused-member")),
    ("post", "/staff/admin/members/ss-advisor-2", {"capacity": 1, "reason": "Try"}),
    ("post", "/staff/admin/members/ss-advisor-2/deactivation", {"reason": "Try"}),
    ("post", "/staff/admin/members/ss-advisor-2/reactivation", {"reason": "Try"}),
]


@pytest.mark.parametrize("user", ["ss-screener", "ss-advisor-1", "di-analyst"])
@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[r[1] for r in ROUTES])
def test_no_other_role_administers_the_directory(
    stack: Stack, user: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = listed_member(stack, "ss-advisor-2")

    refused = stack.call(method, path, user, body)

    assert refused.status_code == 403, refused.json_body
    assert listed_member(stack, "ss-advisor-2") == before
    assert listed_member(stack, "refused-member") is None
    assert cognito_user(stack, "refused-member") is None
    assert trail(stack) == []
    assert stack.call("get", "/staff/admin/directory", ADMIN).status_code == 200


def test_a_new_members_name_and_address_are_nowhere_in_clear(
    stack: Stack, tag: str, logs: list[str]
) -> None:
    name, email = f"Staffsentinel {tag}", f"staffsentinel-{tag}@example.ac.uk"

    added(stack, f"sealed-{tag}", name=name, email=email)
    change(stack, f"sealed-{tag}", {"capacity": 4, "reason": "Sealed check"})

    assert listed_member(stack, f"sealed-{tag}")["name"] == name  # type: ignore[index]
    assert occurrences(every_table_blob(services.dynamodb()), [name, email]) == []
    assert [line for line in logs if f"staffsentinel-{tag}" in line.lower()] == []
    assert logs, "the app logged nothing: the log capture is not working"
