"""A staff token counts only while the directory says so: revocation takes effect at once.

The token proves who the caller is; the directory's member record says whether they may
work, which of their sessions still count and which roles they hold. Each way of ending
access (deactivate, delete, sign out everywhere, a role taken away, and the same changes
made directly in Cognito) is checked with a real token from (moto's) Cognito, issued
before the change: it works before, and is refused on the very next request after.

The revocation clock here is the real one, because Cognito stamps tokens with real time.
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from chalice.test import Client

from chalicelib import services
from chalicelib.clock import Clock, SystemClock
from chalicelib.directory import with_role
from chalicelib.settings import Settings
from chalicelib.staff_access import StaffAccess, manage
from tests.api.conftest import as_staff, drain, post_json, sign_in
from tests.factories import named_submission


@pytest.fixture
def clock() -> Clock:
    return SystemClock()


def _me(client: Client, token: str) -> Any:
    return client.http.get("/staff/me", headers=as_staff(token))


def _working_token(client: Client, aws: Settings, member_id: str) -> str:
    """A member's token, shown to work before anything is changed."""
    token = sign_in(aws, member_id)
    assert _me(client, token).status_code == 200
    return token


def _get(client: Client, path: str, token: str) -> int:
    return int(client.http.get(path, headers=as_staff(token)).status_code)


def _manage(client: Client, **event: Any) -> Any:
    return client.lambda_.invoke("manage_staff_member", event).payload


def _record(client: Client, event: dict[str, Any]) -> Any:
    return client.lambda_.invoke("record_cognito_change", event).payload


def _cloudtrail(
    aws: Settings, event_name: str, *, username: str = "ss-screener", **parameters: Any
) -> dict[str, Any]:
    """EventBridge's "AWS API Call via CloudTrail" for a call made in Cognito's console."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.cognito-idp",
        "account": "123456789012",
        "time": now,
        "region": "eu-west-2",
        "resources": [],
        "detail": {
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "AssumedRole",
                "principalId": "AROAEXAMPLE:ops",
                "arn": "arn:aws:sts::123456789012:assumed-role/ops/ops",
                "accountId": "123456789012",
            },
            "eventTime": now,
            "eventSource": "cognito-idp.amazonaws.com",
            "eventName": event_name,
            "awsRegion": "eu-west-2",
            "sourceIPAddress": "192.0.2.10",
            "userAgent": "aws-cli/2.15.0",
            "requestParameters": {
                "userPoolId": aws.staff_pool_id,
                "username": username,
                **parameters,
            },
            "responseElements": None,
            "requestID": "0e8e4b5e-5b1c-4a52-9cf6-2f4b9a1d7c11",
            "eventID": "b0a8c1f2-9d3e-4f5a-8b6c-7d8e9f0a1b2c",
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": "123456789012",
            "eventCategory": "Management",
        },
    }


def _after_this_second() -> None:
    """Wait for the next whole second: token times are whole seconds, and a token from the
    very second of a revocation is refused (see `signed_in_after`)."""
    now = time.time()
    time.sleep(math.ceil(now) - now + 0.01)


def _cognito_user(aws: Settings, username: str) -> dict[str, Any]:
    return dict(services.cognito().admin_get_user(UserPoolId=aws.staff_pool_id, Username=username))


def _groups(aws: Settings, username: str) -> list[str]:
    answer = services.cognito().admin_list_groups_for_user(
        UserPoolId=aws.staff_pool_id, Username=username
    )
    return sorted(group["GroupName"] for group in answer["Groups"])


# --- the roles are the directory's -------------------------------------------------------


def _leave_every_group(aws: Settings, username: str) -> None:
    for group in _groups(aws, username):
        services.cognito().admin_remove_user_from_group(
            UserPoolId=aws.staff_pool_id, Username=username, GroupName=group
        )


def _join(aws: Settings, username: str, group: str) -> None:
    services.cognito().admin_add_user_to_group(
        UserPoolId=aws.staff_pool_id, Username=username, GroupName=group
    )


def test_each_member_gets_the_directorys_roles_whatever_their_cognito_groups(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given members whose directory records hold these roles, in no Cognito group at all
    expected = {
        "ss-screener": ["screener"],
        "ss-advisor-1": ["advisor"],
        "di-screener": ["advisor", "screener"],
        "di-analyst": ["analyst"],
        "dpo-admin": ["admin"],
    }
    for member_id in expected:
        _leave_every_group(aws, member_id)
    for member_id, roles in expected.items():
        # When each asks who they are, with their own token
        answer = _me(client, sign_in(aws, member_id))
        # Then the roles are the directory's
        assert answer.status_code == 200
        assert answer.json_body["roles"] == roles


def test_an_analyst_reads_insights_and_an_admin_reads_records_not_the_other_way(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given the analyst in Cognito's "admins" group and the admin in "analysts" (swapped)
    _leave_every_group(aws, "di-analyst")
    _leave_every_group(aws, "dpo-admin")
    _join(aws, "di-analyst", "admins")
    _join(aws, "dpo-admin", "analysts")
    analyst, admin = sign_in(aws, "di-analyst"), sign_in(aws, "dpo-admin")

    # Then each may do what the directory's role allows

    assert _get(client, "/staff/insights", analyst) == 200
    assert _get(client, "/staff/records", analyst) == 403
    assert _get(client, "/staff/records", admin) == 200
    assert _get(client, "/staff/insights", admin) == 403


def test_a_cognito_group_the_directory_does_not_grant_gives_nothing(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given a screener someone also put in Cognito's "admins" group (the directory unchanged)
    _join(aws, "ss-screener", "admins")
    token = sign_in(aws, "ss-screener")
    assert _groups(aws, "ss-screener") == ["admins", "screeners"]

    # Then their token, which claims both groups, is a screener's only
    assert _me(client, token).json_body["roles"] == ["screener"]
    assert _get(client, "/staff/queue", token) == 200
    assert _get(client, "/staff/records", token) == 403


# --- revocation through manage_staff_member ------------------------------------------------


def test_a_deactivated_member_is_refused_at_once_and_works_again_when_reactivated(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given a screener's token that works
    before = _working_token(client, aws, "ss-screener")

    # When ops deactivate them
    outcome = _manage(client, action="deactivate", member_id="ss-screener")

    # Then the token is refused on the very next request, and Cognito disabled the user
    assert outcome == {"done": True, "action": "deactivate", "member_id": "ss-screener"}
    assert _me(client, before).status_code == 401
    assert _cognito_user(aws, "ss-screener")["Enabled"] is False

    # And once reactivated, a new sign-in works while the old token stays refused
    assert _manage(client, action="reactivate", member_id="ss-screener")["done"] is True
    assert _cognito_user(aws, "ss-screener")["Enabled"] is True
    _after_this_second()
    after = sign_in(aws, "ss-screener")
    assert _me(client, after).status_code == 200
    assert _me(client, before).status_code == 401


def test_a_deleted_member_is_refused_at_once_and_their_sign_in_is_gone(
    client: Client, aws: Settings, staff: None
) -> None:
    before = _working_token(client, aws, "ss-advisor-1")

    outcome = _manage(client, action="delete", member_id="ss-advisor-1")

    assert outcome == {"done": True, "action": "delete", "member_id": "ss-advisor-1"}
    assert _me(client, before).status_code == 401
    with pytest.raises(ClientError, match="UserNotFoundException"):
        _cognito_user(aws, "ss-advisor-1")
    # The record stays (cases still name them), inactive, and no longer offered work
    member = services.staff_directory().member("ss-advisor-1")
    assert member is not None and member.active is False
    team = services.staff_directory().members("student_support")
    assert [m.member_id for m in with_role(team, "advisor")] == ["ss-advisor-2"]


def test_a_member_signed_out_everywhere_needs_a_new_sign_in(
    client: Client, aws: Settings, staff: None
) -> None:
    before = _working_token(client, aws, "hr-screener")

    outcome = _manage(client, action="sign_out", member_id="hr-screener")

    assert outcome == {"done": True, "action": "sign_out", "member_id": "hr-screener"}
    assert _me(client, before).status_code == 401
    _after_this_second()
    assert _me(client, sign_in(aws, "hr-screener")).status_code == 200


def test_a_role_taken_away_in_the_directory_is_gone_at_once_and_cognito_follows(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given an admin whose token reads the records
    token = sign_in(aws, "dpo-admin")
    assert _get(client, "/staff/records", token) == 200

    # When ops make them an analyst instead
    outcome = _manage(client, action="set_roles", member_id="dpo-admin", roles=["analyst"])

    # Then the same token is an analyst's on its next request
    assert outcome == {"done": True, "action": "set_roles", "member_id": "dpo-admin"}
    assert _get(client, "/staff/records", token) == 403
    assert _get(client, "/staff/insights", token) == 200
    assert _me(client, token).json_body["roles"] == ["analyst"]
    # and the pool's groups read the same
    assert _groups(aws, "dpo-admin") == ["analysts"]


def test_access_ends_even_when_cognito_cannot_be_reached(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given Cognito failing every call
    class Unreachable:
        class exceptions:  # noqa: N801 - boto3's name
            class UserNotFoundException(Exception):
                pass

        def admin_disable_user(self, **_: Any) -> None:
            raise ClientError({"Error": {"Code": "InternalErrorException"}}, "AdminDisableUser")

    before = _working_token(client, aws, "ss-screener")
    access = StaffAccess(
        services.staff_directory(), Unreachable(), aws.staff_pool_id, SystemClock()
    )

    # When ops deactivate a member
    outcome = manage(access, {"action": "deactivate", "member_id": "ss-screener"})

    # Then they are told Cognito was not updated, but the token is refused already
    assert outcome == {
        "done": False,
        "problems": [
            {
                "field": "cognito",
                "problem": "was not updated (the directory was): send the same request again",
            }
        ],
    }
    assert _me(client, before).status_code == 401


def test_bad_requests_name_each_field_without_echoing_it(client: Client, aws: Settings) -> None:
    assert _manage(client, action="promote", member_id="ss-screener") == {
        "done": False,
        "problems": [{"field": "action", "problem": "union_tag_invalid"}],
    }
    assert _manage(client, action="deactivate", member_id="Not An Id!", note="x") == {
        "done": False,
        "problems": [
            {"field": "member_id", "problem": "string_pattern_mismatch"},
            {"field": "note", "problem": "extra_forbidden"},
        ],
    }
    assert _manage(client, action="set_roles", member_id="ss-screener", roles=["emperor"]) == {
        "done": False,
        "problems": [{"field": "roles.0", "problem": "literal_error"}],
    }
    assert _manage(client, action="delete", member_id="nobody-here") == {
        "done": False,
        "problems": [{"field": "member_id", "problem": "is not in the staff directory"}],
    }


# --- changes made directly in Cognito -------------------------------------------------------


def test_a_user_disabled_in_cognitos_console_is_refused_at_once(
    client: Client, aws: Settings, staff: None
) -> None:
    before = _working_token(client, aws, "ss-screener")

    outcome = _record(client, _cloudtrail(aws, "AdminDisableUser"))

    assert outcome == {
        "recorded": True,
        "event_name": "AdminDisableUser",
        "member_id": "ss-screener",
    }
    assert _me(client, before).status_code == 401
    member = services.staff_directory().member("ss-screener")
    assert member is not None and member.active is False


def test_a_user_deleted_in_cognitos_console_is_refused_at_once(
    client: Client, aws: Settings, staff: None
) -> None:
    before = _working_token(client, aws, "ss-screener")

    assert _record(client, _cloudtrail(aws, "AdminDeleteUser"))["recorded"] is True

    assert _me(client, before).status_code == 401


def test_a_global_sign_out_in_cognito_ends_older_tokens_only(
    client: Client, aws: Settings, staff: None
) -> None:
    before = _working_token(client, aws, "ss-screener")

    assert _record(client, _cloudtrail(aws, "AdminUserGlobalSignOut"))["recorded"] is True

    assert _me(client, before).status_code == 401
    # CloudTrail's time is to the second; the cut-off is the second after it
    _after_this_second()
    assert _me(client, sign_in(aws, "ss-screener")).status_code == 200


def test_a_group_removed_in_cognito_takes_the_role_away(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given a member who screens and advises, with a token that reads the advisor list
    token = sign_in(aws, "di-screener")
    assert _me(client, token).json_body["roles"] == ["advisor", "screener"]

    # When someone removes them from Cognito's "screeners" group
    event = _cloudtrail(
        aws, "AdminRemoveUserFromGroup", username="di-screener", groupName="screeners"
    )
    assert _record(client, event)["recorded"] is True

    # Then the same token is an advisor's only
    assert _me(client, token).json_body["roles"] == ["advisor"]


def test_a_late_event_of_an_older_change_neither_deactivates_again_nor_readmits(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given a member signed out everywhere, then deactivated and reactivated by ops
    old = _working_token(client, aws, "ss-screener")
    assert _manage(client, action="sign_out", member_id="ss-screener")["done"] is True
    assert _manage(client, action="deactivate", member_id="ss-screener")["done"] is True
    assert _manage(client, action="reactivate", member_id="ss-screener")["done"] is True
    _after_this_second()
    current = _working_token(client, aws, "ss-screener")
    cut_off = services.staff_directory().member("ss-screener").not_before  # type: ignore[union-attr]

    # When CloudTrail's events of an older disable and sign-out arrive only now
    for name in ("AdminDisableUser", "AdminUserGlobalSignOut"):
        event = _cloudtrail(aws, name)
        event["detail"]["eventTime"] = "2026-01-01T09:00:00Z"
        assert _record(client, event)["recorded"] is True

    # Then the member stays active, the current token works and the old one stays refused
    member = services.staff_directory().member("ss-screener")
    assert member is not None and member.active is True
    assert member.not_before == cut_off
    assert _me(client, current).status_code == 200
    assert _me(client, old).status_code == 401


def test_a_hidden_username_is_found_by_the_users_sub(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given CloudTrail hiding the username and giving the user's sub instead
    before = sign_in(aws, "ss-screener")
    sub = next(
        attribute["Value"]
        for attribute in _cognito_user(aws, "ss-screener")["UserAttributes"]
        if attribute["Name"] == "sub"
    )
    event = _cloudtrail(aws, "AdminDisableUser", username="HIDDEN_DUE_TO_SECURITY_REASONS")
    event["detail"]["additionalEventData"] = {"sub": sub}

    assert _record(client, event)["member_id"] == "ss-screener"
    assert _me(client, before).status_code == 401


def test_a_group_added_or_another_pools_change_grants_and_revokes_nothing(
    client: Client, aws: Settings, staff: None
) -> None:
    token = sign_in(aws, "ss-screener")

    added = _cloudtrail(aws, "AdminAddUserToGroup", groupName="admins")
    elsewhere = _cloudtrail(aws, "AdminDisableUser")
    elsewhere["detail"]["requestParameters"]["userPoolId"] = "eu-west-2_Elsewhere"

    assert _record(client, added) == {
        "recorded": False,
        "why": "roles are granted in the directory",
    }
    assert _record(client, elsewhere) == {"recorded": False, "why": "another user pool"}
    assert _me(client, token).status_code == 200
    assert _me(client, token).json_body["roles"] == ["screener"]
    assert _get(client, "/staff/records", token) == 403


def test_a_deactivated_advisor_is_neither_offered_nor_given_a_case(
    client: Client, aws: Settings, staff: None
) -> None:
    # Given a named report waiting for screening, and both advisors offered for it
    reference = post_json(client, "/reports", named_submission()).json_body["reference"]
    drain(client, aws)
    screener = sign_in(aws, "ss-screener")
    path = f"/staff/cases/{reference}"
    offered = client.http.get(f"{path}/advisors", headers=as_staff(screener)).json_body
    assert {a["member_id"] for a in offered["advisors"]} == {"ss-advisor-1", "ss-advisor-2"}

    # When ops deactivate one of them (a leaver)
    assert _manage(client, action="deactivate", member_id="ss-advisor-1")["done"] is True

    # Then only the other is offered, and the leaver cannot be given the case
    offered = client.http.get(f"{path}/advisors", headers=as_staff(screener)).json_body
    assert [a["member_id"] for a in offered["advisors"]] == ["ss-advisor-2"]
    version = client.http.get(path, headers=as_staff(screener)).json_body["version"]
    refused = client.http.post(
        f"{path}/assignment",
        headers=as_staff(screener),
        body=json.dumps({"advisor_id": "ss-advisor-1", "reason": "Left", "version": version}),
    )
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json_body["errors"]] == ["advisor_id"]
    given = client.http.post(
        f"{path}/assignment",
        headers=as_staff(screener),
        body=json.dumps({"advisor_id": "ss-advisor-2", "reason": "Here", "version": version}),
    )
    assert given.status_code == 200, given.json_body
