"""Create the first admin of a new deployment (`scripts/first-admin`; `docs/deploy.md`).

    scripts/first-admin --stage prod --region eu-west-2 \\
        --member-id chris-lee --name "Chris Lee" --email chris.lee@example.ac.uk \\
        --team diversity_inclusion --team-name "Diversity and Inclusion"

Nobody can sign up to the staff pool, so after the first deploy someone with AWS credentials
makes the first admin. This:

1. reads the deployment's settings from the deployed API function's environment
   (`lambda:GetFunctionConfiguration` on `report-support-<stage>-APIHandler`): the user pool,
   the staff table and the identity key, exactly as the app sees them, so nothing is typed
   twice;
2. checks that these credentials may seal with the `identity` key (one `kms:GenerateDataKey`)
   before it changes anything;
3. adds the member to the staff directory (their team, if it is new, then the member, whose
   name and email address are sealed under the `identity` key as the app does);
4. creates the sign-in (`cognito-idp:AdminCreateUser`, username = member id): Cognito emails
   a temporary password, valid 3 days. At the first sign-in the hosted UI asks for a new
   password and enrols an authenticator app (TOTP; MFA is required), then asks for a code at
   every sign-in;
5. adds the sign-in to the role's group (`admins`; `--role` for others).

Run again with the same member id, it replaces the directory entry and leaves an existing
sign-in as it is (`--resend` sends a new invitation). With the university's single sign-on,
the portal offers only that sign-in: the first admin signs in once through it, then
`--existing --member-id <their pool username>` adds that sign-in to the group and directory.

The `identity` key's policy names only the app's function roles (`infra/data.py`), so an
operator's credentials are normally refused at step 2; the message says so and what to do.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import ValidationError

from chalicelib.directory import StaffDirectory, StaffMember, Team
from chalicelib.errors import ConfigurationError, DependencyUnavailable
from chalicelib.roles import GROUP_ROLES, Role
from chalicelib.settings import Settings

ROLE_GROUPS: dict[str, str] = {role: group for group, role in GROUP_ROLES.items()}


class FirstAdminProblem(RuntimeError):
    """The admin cannot be created as asked (the message says why and what to do)."""


@dataclass
class Created:
    """What was done."""

    member_id: str
    groups: list[str]
    team_created: bool = False
    user_created: bool = False
    invitation_sent: bool = False
    notes: list[str] = field(default_factory=list)


def api_function_name(stage: str) -> str:
    """The deployed API function (`infra/service.py` names it)."""
    return f"report-support-{stage}-APIHandler"


def deployed_settings(lambda_client: Any, function_name: str) -> Settings:
    """The app's settings, read from the deployed function's environment."""
    from botocore.exceptions import ClientError

    try:
        configuration = lambda_client.get_function_configuration(FunctionName=function_name)
    except ClientError as error:
        raise FirstAdminProblem(
            f"cannot read {function_name} ({error.response['Error']['Code']}): is the stack "
            "deployed, in this region, and may these credentials call "
            "lambda:GetFunctionConfiguration on it?"
        ) from None
    variables = configuration.get("Environment", {}).get("Variables", {})
    try:
        return Settings.from_environment(variables)
    except ConfigurationError as error:
        raise FirstAdminProblem(f"{function_name} has incomplete settings: {error}") from None


def check_may_seal(kms_client: Any, settings: Settings) -> None:
    """One data key under the identity key, as the directory would ask: refused, or not."""
    from botocore.exceptions import ClientError

    try:
        kms_client.generate_data_key(
            KeyId=settings.identity_key_arn,
            KeySpec="AES_256",
            EncryptionContext={"app": settings.app_name, "purpose": "identity"},
        )
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code != "AccessDeniedException":
            raise FirstAdminProblem(f"KMS answered {code} for the identity key") from None
        raise FirstAdminProblem(
            "these credentials may not use the identity key (kms:GenerateDataKey on "
            f"{settings.identity_key_arn}): its key policy names only the app's function "
            "roles, so staff names and addresses cannot be sealed from here. Nothing was "
            "changed. See docs/deploy.md, 'First admin'."
        ) from None


def create_staff_member(
    *,
    settings: Settings,
    member: StaffMember,
    team_name: str | None,
    cognito: Any,
    dynamodb: Any,
    kms_client: Any,
    botocore_session: Any,
    resend: bool = False,
    existing: bool = False,
) -> Created:
    """Directory entry (sealed), sign-in with an emailed temporary password, groups.

    `existing`: the sign-in is already in the pool (a member of the university's single
    sign-on appears there at their first sign-in); it is only added to the groups.
    """
    from chalicelib.crypto import Sealer

    if existing:
        try:
            cognito.admin_get_user(UserPoolId=settings.staff_pool_id, Username=member.member_id)
        except cognito.exceptions.UserNotFoundException:
            raise FirstAdminProblem(
                f"no sign-in {member.member_id} in the pool: a single sign-on user appears "
                "there at their first sign-in (the pool's Users list shows the username)"
            ) from None
    check_may_seal(kms_client, settings)
    groups = [ROLE_GROUPS[role] for role in member.roles]
    created = Created(member_id=member.member_id, groups=groups)

    sealer = Sealer(
        key_arn=settings.identity_key_arn,
        purpose="identity",
        app_name=settings.app_name,
        botocore_session=botocore_session,
        cache_max_age_seconds=settings.seal_cache_max_age_seconds,
        cache_max_messages=settings.seal_cache_max_messages,
    )
    directory = StaffDirectory(dynamodb, settings.staff_table, sealer)
    try:
        if directory.team(member.team_id) is None:
            if not team_name:
                raise FirstAdminProblem(
                    f"team {member.team_id} is not in the directory yet: give its name with "
                    "--team-name (it is shown to staff)"
                )
            directory.put_team(Team(team_id=member.team_id, name=team_name))
            created.team_created = True
        directory.put_member(member)
    except DependencyUnavailable as error:
        raise FirstAdminProblem(
            f"{error.service} refused or failed writing the staff directory "
            f"({settings.staff_table}): these credentials need dynamodb:GetItem and "
            "dynamodb:PutItem on it"
        ) from None

    if existing:
        created.notes.append(f"sign-in {member.member_id} exists (single sign-on): not invited")
    else:
        _invite(cognito, settings, member, resend=resend, created=created)
    for group in groups:
        cognito.admin_add_user_to_group(
            UserPoolId=settings.staff_pool_id, Username=member.member_id, GroupName=group
        )
    return created


def _invite(
    cognito: Any, settings: Settings, member: StaffMember, *, resend: bool, created: Created
) -> None:
    """A sign-in for the member, its temporary password emailed by Cognito."""
    try:
        cognito.admin_create_user(
            UserPoolId=settings.staff_pool_id,
            Username=member.member_id,
            UserAttributes=[
                {"Name": "email", "Value": member.email},
                # The invitation goes to this address and it becomes a sign-in alias.
                {"Name": "email_verified", "Value": "true"},
            ],
            DesiredDeliveryMediums=["EMAIL"],
        )
        created.user_created = created.invitation_sent = True
    except cognito.exceptions.UsernameExistsException:
        created.notes.append(f"sign-in {member.member_id} already exists: left as it is")
        if resend:
            cognito.admin_create_user(
                UserPoolId=settings.staff_pool_id,
                Username=member.member_id,
                MessageAction="RESEND",
                DesiredDeliveryMediums=["EMAIL"],
            )
            created.invitation_sent = True


def main(argv: Sequence[str] | None = None) -> int:
    roles: tuple[str, ...] = get_args(Role)
    parser = argparse.ArgumentParser(
        prog="scripts/first-admin",
        description=(
            "Create the first admin of a deployment: a staff directory entry (name and email "
            "sealed), a Cognito sign-in with an emailed temporary password (MFA enrolled at "
            "first sign-in), and the admins group."
        ),
    )
    parser.add_argument("--stage", default="prod", help="the deployment's stage (default prod)")
    parser.add_argument("--region", default="eu-west-2", help="its region (default eu-west-2)")
    parser.add_argument(
        "--member-id", required=True, help="the username: lower case, digits, - and _"
    )
    parser.add_argument("--name", required=True, help="the member's name, as staff see it")
    parser.add_argument("--email", required=True, help="where the invitation goes")
    parser.add_argument("--team", required=True, help="the member's team id, e.g. a routing team")
    parser.add_argument("--team-name", help="the team's name, if the team is new")
    parser.add_argument(
        "--role",
        action="append",
        choices=roles,
        help="a role (repeat for several; default admin)",
    )
    parser.add_argument(
        "--resend", action="store_true", help="send a new invitation to an existing sign-in"
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help=(
            "the sign-in exists already (a single sign-on user after their first sign-in: "
            "--member-id is their pool username); only add it to the directory and groups"
        ),
    )
    args = parser.parse_args(argv)

    import boto3
    import botocore.session

    try:
        member = StaffMember(
            member_id=args.member_id,
            team_id=args.team,
            name=args.name,
            email=args.email,
            roles=args.role or ["admin"],
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        )
        print(f"first-admin: {problems}", file=sys.stderr)
        return 2
    core = botocore.session.Session()
    session = boto3.Session(botocore_session=core, region_name=args.region)
    try:
        settings = deployed_settings(session.client("lambda"), api_function_name(args.stage))
        created = create_staff_member(
            settings=settings,
            member=member,
            team_name=args.team_name,
            cognito=session.client("cognito-idp"),
            dynamodb=session.client("dynamodb"),
            kms_client=session.client("kms"),
            botocore_session=core,
            resend=args.resend,
            existing=args.existing,
        )
    except FirstAdminProblem as problem:
        print(f"first-admin: {problem}", file=sys.stderr)
        return 1
    if created.team_created:
        print(f"Added team {member.team_id} to the staff directory.")
    print(f"Added {member.member_id} to the staff directory ({', '.join(member.roles)}).")
    for note in created.notes:
        print(note)
    if created.invitation_sent:
        print(
            "Cognito emailed a temporary password (valid 3 days). At the first sign-in at "
            f"{settings.portal_url} they choose a password and enrol an authenticator app."
        )
    print(f"Groups: {', '.join(created.groups)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
