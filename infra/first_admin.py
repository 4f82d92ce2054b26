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
2. adds the member to the staff directory by invoking the deployment's `AddStaffMember`
   function (`report-support-<stage>-AddStaffMember`; their team too, if it is new): the
   function seals the name and email address under the `identity` key as the app does. The
   key's policy names only the app's function roles, so no person's credentials ever seal or
   open staff contact details; the operator needs `lambda:InvokeFunction` on that function;
4. creates the sign-in (`cognito-idp:AdminCreateUser`, username = member id): Cognito emails
   a temporary password, valid 3 days. At the first sign-in the hosted UI asks for a new
   password and enrols an authenticator app (TOTP; MFA is required), then asks for a code at
   every sign-in;
5. adds the sign-in to the role's group (`admins`; `--role` for others).

Run again with the same member id, it replaces the directory entry and leaves an existing
sign-in as it is (`--resend` sends a new invitation). With the university's single sign-on,
the portal offers only that sign-in: the first admin signs in once through it, then
`--existing --member-id <their pool username>` adds that sign-in to the group and directory.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import ValidationError

from chalicelib.directory import StaffMember
from chalicelib.errors import ConfigurationError
from chalicelib.institution.models import ADVISOR_GENDERS
from chalicelib.roles import ROLE_GROUPS, Role
from chalicelib.settings import Settings

#: Sends one directory entry to the app and answers its outcome (`chalicelib.directory.enrol`).
Enrol = Callable[[dict[str, Any]], dict[str, Any]]


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


def directory_function_name(stage: str) -> str:
    """The deployed function that adds staff to the directory (`infra/permissions.py`)."""
    return f"report-support-{stage}-AddStaffMember"


def invoke_directory_function(lambda_client: Any, function_name: str) -> Enrol:
    """Enrol through the deployed `AddStaffMember` function (synchronously)."""
    from botocore.exceptions import ClientError

    def enrol(entry: dict[str, Any]) -> dict[str, Any]:
        try:
            response = lambda_client.invoke(
                FunctionName=function_name,
                InvocationType="RequestResponse",
                Payload=json.dumps(entry).encode("utf-8"),
            )
        except ClientError as error:
            raise FirstAdminProblem(
                f"cannot invoke {function_name} ({error.response['Error']['Code']}): these "
                "credentials need lambda:InvokeFunction on it. Nothing was changed."
            ) from None
        if response.get("FunctionError"):
            raise FirstAdminProblem(
                f"{function_name} failed ({response['FunctionError']}): see its log group "
                f"/aws/lambda/{function_name}"
            )
        outcome: dict[str, Any] = json.loads(response["Payload"].read())
        return outcome

    return enrol


def create_staff_member(
    *,
    settings: Settings,
    member: StaffMember,
    team_name: str | None,
    cognito: Any,
    enrol: Enrol,
    resend: bool = False,
    existing: bool = False,
) -> Created:
    """Directory entry (sealed by the app), sign-in with an emailed temporary password, groups.

    `existing`: the sign-in is already in the pool (a member of the university's single
    sign-on appears there at their first sign-in); it is only added to the groups.
    """
    if existing:
        try:
            cognito.admin_get_user(UserPoolId=settings.staff_pool_id, Username=member.member_id)
        except cognito.exceptions.UserNotFoundException:
            raise FirstAdminProblem(
                f"no sign-in {member.member_id} in the pool: a single sign-on user appears "
                "there at their first sign-in (the pool's Users list shows the username)"
            ) from None
    groups = [ROLE_GROUPS[role] for role in member.roles]
    created = Created(member_id=member.member_id, groups=groups)

    entry: dict[str, Any] = {"member": member.model_dump(mode="json")}
    if team_name:
        entry["team"] = {"team_id": member.team_id, "name": team_name}
    outcome = enrol(entry)
    if not outcome.get("added"):
        problems = "; ".join(
            f"{problem['field']}: {problem['problem']}" for problem in outcome.get("problems", [])
        )
        hint = " (give the new team's name with --team-name)" if "team:" in problems else ""
        raise FirstAdminProblem(f"the directory refused the member: {problems}{hint}")
    created.team_created = bool(outcome.get("team_created"))

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


def _attributes(args: argparse.Namespace) -> dict[str, Any]:
    """The advisor attributes given on the command line (the directory's defaults otherwise)."""
    given = {
        "specialisms": args.specialism,
        "languages": args.language,
        "capacity": args.capacity,
        "gender": args.gender,
    }
    return {name: value for name, value in given.items() if value is not None}


def main(argv: Sequence[str] | None = None, *, enrol: Enrol | None = None) -> int:
    """The command line; `enrol` replaces the deployed function (tests run the app's own)."""
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
        "--specialism",
        action="append",
        help="an advisor's specialism, e.g. sexual_violence (repeat for several)",
    )
    parser.add_argument(
        "--language",
        action="append",
        help="a language the member speaks, e.g. cy (repeat for several; default en)",
    )
    parser.add_argument("--capacity", type=int, help="open cases they can hold (default 10)")
    parser.add_argument(
        "--gender",
        choices=sorted(ADVISOR_GENDERS),
        help=(
            "only if the advisor chooses to share it, for matching reporters' advisor "
            "preferences (left out: none shared, and a shared one is removed)"
        ),
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

    try:
        member = StaffMember(
            member_id=args.member_id,
            team_id=args.team,
            name=args.name,
            email=args.email,
            roles=args.role or ["admin"],
            **_attributes(args),
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        )
        print(f"first-admin: {problems}", file=sys.stderr)
        return 2
    session = boto3.Session(region_name=args.region)
    lambda_client = session.client("lambda")
    try:
        settings = deployed_settings(lambda_client, api_function_name(args.stage))
        created = create_staff_member(
            settings=settings,
            member=member,
            team_name=args.team_name,
            cognito=session.client("cognito-idp"),
            enrol=enrol
            or invoke_directory_function(lambda_client, directory_function_name(args.stage)),
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
