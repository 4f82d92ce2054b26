"""The first admin of a deployment (`infra/first_admin.py`), against moto: settings from the
deployed API function, a directory entry sealed by the app's own `add_staff_member` code (run
in-process: moto runs no Lambda code), a Cognito sign-in in the admins group."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from chalicelib.crypto import Sealer
from chalicelib.directory import STAFF_CONTACT, StaffDirectory, enrol
from chalicelib.settings import Settings
from chalicelib.storage.staff_table import StaffTable
from devstack.provision import provision
from infra.first_admin import (
    Enrol,
    FirstAdminProblem,
    api_function_name,
    deployed_settings,
    directory_function_name,
    invoke_directory_function,
    main,
)

pytestmark = pytest.mark.infra

REGION = "eu-west-2"
STAGE = "ci"
NAME = "Morwenna Trelawny-Pascoe"
EMAIL = "m.trelawny-pascoe@example.ac.uk"
ARGS = [
    "--stage",
    STAGE,
    "--region",
    REGION,
    "--member-id",
    "dpo-first",
    "--name",
    NAME,
    "--email",
    EMAIL,
    "--team",
    "diversity_inclusion",
    "--team-name",
    "Diversity and Inclusion",
]


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A deployment's resources in moto, and its API function carrying their settings."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        settings = provision(session, STAGE)
        role = session.client("iam").create_role(
            RoleName="api",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w") as archive:
            archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
        session.client("lambda").create_function(
            FunctionName=api_function_name(STAGE),
            Runtime="python3.11",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": package.getvalue()},
            Environment={"Variables": settings.environment()},
        )
        yield settings


def _directory(settings: Settings) -> StaffDirectory:
    sealer = Sealer(
        key_arn=settings.identity_key_arn,
        purpose="identity",
        app_name=settings.app_name,
        botocore_session=botocore.session.Session(),
        cache_max_age_seconds=60,
        cache_max_messages=10,
    )
    return StaffDirectory(
        StaffTable(boto3.client("dynamodb", region_name=REGION), settings.staff_table), sealer
    )


def _enrol(settings: Settings) -> Enrol:
    """What the deployed AddStaffMember function runs, here in-process."""
    directory = _directory(settings)
    return lambda entry: enrol(directory, entry)


def _staff_items(settings: Settings) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = boto3.client("dynamodb", region_name=REGION).scan(
        TableName=settings.staff_table
    )["Items"]
    return items


def test_settings_come_from_the_deployed_function(deployed: Settings) -> None:
    client = boto3.client("lambda", region_name=REGION)
    assert deployed_settings(client, api_function_name(STAGE)) == deployed


def test_creates_a_sealed_directory_entry_and_an_invited_admin(
    deployed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(ARGS, enrol=_enrol(deployed)) == 0

    directory = _directory(deployed)
    member = directory.member("dpo-first")
    assert member is not None
    assert (member.team_id, member.roles) == ("diversity_inclusion", ("admin",))
    assert directory.names([member]) == {"dpo-first": NAME}
    assert directory.addresses([member]) == [EMAIL]
    assert directory.team("diversity_inclusion") is not None
    # The name and address are stored sealed only, as the app stores them.
    stored = json.dumps(_staff_items(deployed), default=str)
    assert NAME not in stored and EMAIL not in stored and "trelawny" not in stored.lower()
    opened = directory.sealer.unseal("dpo-first", STAFF_CONTACT, member.sealed_contact)
    assert opened == {"name": NAME, "email": EMAIL}

    cognito = boto3.client("cognito-idp", region_name=REGION)
    user = cognito.admin_get_user(UserPoolId=deployed.staff_pool_id, Username="dpo-first")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == EMAIL
    assert attributes["email_verified"] == "true"
    # An emailed temporary password: the first sign-in sets a password and enrols MFA.
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    groups = cognito.admin_list_groups_for_user(
        UserPoolId=deployed.staff_pool_id, Username="dpo-first"
    )["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins"]
    out = capsys.readouterr().out
    assert "temporary password" in out
    assert NAME not in out and EMAIL not in out


def test_running_again_replaces_the_entry_and_keeps_the_sign_in(deployed: Settings) -> None:
    assert main(ARGS, enrol=_enrol(deployed)) == 0
    assert main([*ARGS[:-2], "--role", "admin", "--role", "analyst"], enrol=_enrol(deployed)) == 0

    member = _directory(deployed).member("dpo-first")
    assert member is not None and member.roles == ("admin", "analyst")
    groups = boto3.client("cognito-idp", region_name=REGION).admin_list_groups_for_user(
        UserPoolId=deployed.staff_pool_id, Username="dpo-first"
    )["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["admins", "analysts"]
    # The team, its entry in the list of teams and the member, once each.
    assert len(_staff_items(deployed)) == 3


def test_an_advisors_matching_attributes_are_set_and_a_shared_gender_can_be_withdrawn(
    deployed: Settings,
) -> None:
    advisor = [*ARGS, "--role", "advisor", "--specialism", "sexual_violence"]
    advisor += ["--language", "en", "--language", "cy", "--capacity", "6"]

    assert main([*advisor, "--gender", "woman"], enrol=_enrol(deployed)) == 0

    member = _directory(deployed).member("dpo-first")
    assert member is not None
    assert (member.specialisms, member.languages, member.capacity, member.gender) == (
        ("sexual_violence",),
        ("en", "cy"),
        6,
        "woman",
    )
    # Run again without --gender: the advisor no longer shares one
    assert main(advisor, enrol=_enrol(deployed)) == 0
    member = _directory(deployed).member("dpo-first")
    assert member is not None and member.gender is None
    assert member.languages == ("en", "cy")


def test_the_deployed_function_is_invoked_with_the_entry(deployed: Settings) -> None:
    # Given the deployed AddStaffMember function (stubbed: moto runs no Lambda code)
    client = boto3.client("lambda", region_name=REGION)
    stubber = Stubber(client)
    entry = {"member": {"member_id": "dpo-first"}}
    stubber.add_response(
        "invoke",
        {"StatusCode": 200, "Payload": io.BytesIO(b'{"added": true, "team_created": false}')},
        {
            "FunctionName": "report-support-ci-AddStaffMember",
            "InvocationType": "RequestResponse",
            "Payload": json.dumps(entry).encode("utf-8"),
        },
    )
    stubber.add_response(
        "invoke",
        {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(b"{}")},
    )
    stubber.add_client_error(
        "invoke", service_error_code="AccessDeniedException", http_status_code=403
    )
    enrol_there = invoke_directory_function(client, directory_function_name(STAGE))
    with stubber:
        # When entries are sent, then the outcome comes back, and failures are named
        assert enrol_there(entry) == {"added": True, "team_created": False}
        with pytest.raises(FirstAdminProblem, match="log group"):
            enrol_there(entry)
        with pytest.raises(FirstAdminProblem, match="lambda:InvokeFunction"):
            enrol_there(entry)


def test_refused_by_the_directory_changes_nothing_in_the_pool(
    deployed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuses(entry: dict[str, Any]) -> dict[str, Any]:
        return {"added": False, "problems": [{"field": "member.email", "problem": "value_error"}]}

    assert main(ARGS, enrol=refuses) == 1

    assert "member.email: value_error" in capsys.readouterr().err
    cognito = boto3.client("cognito-idp", region_name=REGION)
    assert cognito.list_users(UserPoolId=deployed.staff_pool_id)["Users"] == []


def test_a_new_team_needs_its_name(deployed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ARGS[:-2], enrol=_enrol(deployed)) == 1
    assert "--team-name" in capsys.readouterr().err
    users = boto3.client("cognito-idp", region_name=REGION).list_users(
        UserPoolId=deployed.staff_pool_id
    )["Users"]
    assert users == []


def test_bad_input_and_a_missing_deployment_are_reported(
    deployed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*ARGS[:4], "--member-id", "Not A Username", *ARGS[6:]]) == 2
    assert "member_id" in capsys.readouterr().err
    assert main(["--stage", "other", *ARGS[2:]], enrol=_enrol(deployed)) == 1
    assert "report-support-other-APIHandler" in capsys.readouterr().err


def test_an_existing_single_sign_on_user_is_added_not_invited(
    deployed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # A federated member appears in the pool at their first sign-in; no invitation then.
    cognito = boto3.client("cognito-idp", region_name=REGION)
    args = [*ARGS[:4], "--member-id", "university_jtrelawny", *ARGS[6:], "--existing"]
    assert main(args, enrol=_enrol(deployed)) == 1
    assert "no sign-in university_jtrelawny" in capsys.readouterr().err
    assert _staff_items(deployed) == []

    cognito.admin_create_user(
        UserPoolId=deployed.staff_pool_id, Username="university_jtrelawny", MessageAction="SUPPRESS"
    )
    assert main(args, enrol=_enrol(deployed)) == 0
    out = capsys.readouterr().out
    assert "not invited" in out and "temporary password" not in out
    groups = cognito.admin_list_groups_for_user(
        UserPoolId=deployed.staff_pool_id, Username="university_jtrelawny"
    )["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins"]
    assert _directory(deployed).member("university_jtrelawny") is not None
