"""Ending (and restoring) a staff member's access: the directory and Cognito, in that order.

The directory is what every staff request is checked against (`chalicelib.directory`), so
each operation writes it first: access ends on the member's next request even if the
Cognito call after it fails. Cognito is then brought in step, so that no new token is
issued (disable, delete), refresh tokens stop working (global sign-out) and the pool's
groups read as the directory does (role change). Every operation is idempotent: run it
again after a failure.

Three ways in: the admins' staff directory in the portal (`chalicelib.staff_admin`, which
also creates a new member's sign-in here: `invite`), `manage` (the `manage_staff_member`
function ops invoke), and `record_cognito_change` (an EventBridge rule on CloudTrail's
record of changes made directly in Cognito, from the console or the CLI).

Neither answers nor logs the values it was sent: a member id is all they name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from chalicelib.clock import Clock
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.directory import StaffDirectory, StaffId
from chalicelib.errors import AlreadyExists, DependencyUnavailable, NotFound
from chalicelib.observability import logger
from chalicelib.roles import GROUP_ROLES, ROLE_GROUPS, ROLES, Role

#: What CloudTrail writes in place of a value Cognito considers private.
_HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"


@dataclass
class StaffAccess:
    """Revokes and restores staff access. Takes the directory, Cognito, the pool and a clock."""

    directory: StaffDirectory
    cognito: Any
    pool_id: str
    clock: Clock

    def invite(self, member_id: str, email: str, roles: list[Role]) -> None:
        """Create a new member's sign-in (username = member id), in the groups of their roles.

        Cognito emails them an invitation with a temporary password (changed at first sign-
        in). Called before the member is written to the directory, so an add whose
        directory write failed is sent again: a sign-in already made for this member id
        with this address is taken as that earlier attempt's; one with another address
        (or this address on another sign-in) is `AlreadyExists`.
        """
        attributes = [
            {"Name": "email", "Value": email},
            # The admin entered the address; the invitation proves it reaches the member.
            {"Name": "email_verified", "Value": "true"},
        ]
        exceptions = self.cognito.exceptions
        try:
            self.cognito.admin_create_user(
                UserPoolId=self.pool_id,
                Username=member_id,
                UserAttributes=attributes,
                DesiredDeliveryMediums=["EMAIL"],
            )
        except exceptions.UsernameExistsException:
            if self._email(member_id) != email.lower():
                raise AlreadyExists("member_id", "already has a sign-in") from None
        except exceptions.AliasExistsException:
            raise AlreadyExists("email", "is another member's sign-in") from None
        except (BotoCoreError, ClientError):
            raise DependencyUnavailable("cognito") from None
        with unavailable_on_failure("cognito"):
            for role in sorted(set(roles)):
                self.cognito.admin_add_user_to_group(
                    UserPoolId=self.pool_id, Username=member_id, GroupName=ROLE_GROUPS[role]
                )

    def change_email(self, member_id: str, email: str) -> None:
        """Give a member's sign-in their new address (Cognito sends password resets there)."""
        try:
            self.cognito.admin_update_user_attributes(
                UserPoolId=self.pool_id,
                Username=member_id,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
            )
        except self.cognito.exceptions.UserNotFoundException:
            # No sign-in to change: the directory's record is what the app reads.
            return
        except self.cognito.exceptions.AliasExistsException:
            raise AlreadyExists("email", "is another member's sign-in") from None
        except (BotoCoreError, ClientError):
            raise DependencyUnavailable("cognito") from None

    def _email(self, member_id: str) -> str | None:
        with unavailable_on_failure("cognito"):
            user = self.cognito.admin_get_user(UserPoolId=self.pool_id, Username=member_id)
        emails = [a["Value"] for a in user.get("UserAttributes", []) if a["Name"] == "email"]
        return str(emails[0]).lower() if emails else None

    def deactivate(self, member_id: str) -> None:
        """Stop a member working: every token refused now, and Cognito disables the user."""
        self._revoke(member_id, deactivate=True)
        self._cognito_user("admin_disable_user", member_id)

    def reactivate(self, member_id: str) -> None:
        """Let a deactivated member work again; tokens from before stay refused."""
        if not self.directory.reactivate(member_id, at=self.clock.now()):
            raise NotFound("no such staff member")
        self._cognito_user("admin_enable_user", member_id)

    def sign_out(self, member_id: str) -> None:
        """End every session of a member (they may sign in again); refresh tokens too."""
        self._revoke(member_id, deactivate=False)
        self._cognito_user("admin_user_global_sign_out", member_id)

    def delete(self, member_id: str) -> None:
        """Remove a member's sign-in for good; their record stays, inactive.

        The record is kept so that the cases, timelines and audit entries naming them still
        resolve to a team and a name.
        """
        self._revoke(member_id, deactivate=True)
        self._cognito_user("admin_delete_user", member_id)

    def set_roles(self, member_id: str, roles: list[Role]) -> None:
        """Give a member exactly these roles (effective on their next request)."""
        if not self.directory.set_roles(member_id, roles):
            raise NotFound("no such staff member")
        wanted = {ROLE_GROUPS[role] for role in roles}
        with unavailable_on_failure("cognito"):
            answer = self.cognito.admin_list_groups_for_user(
                UserPoolId=self.pool_id, Username=member_id
            )
            current = {group["GroupName"] for group in answer.get("Groups", [])}
            for group in sorted(wanted - current):
                self.cognito.admin_add_user_to_group(
                    UserPoolId=self.pool_id, Username=member_id, GroupName=group
                )
            for group in sorted((current & set(GROUP_ROLES)) - wanted):
                self.cognito.admin_remove_user_from_group(
                    UserPoolId=self.pool_id, Username=member_id, GroupName=group
                )

    def _revoke(self, member_id: str, *, deactivate: bool) -> None:
        if not self.directory.revoke(member_id, at=self.clock.now(), deactivate=deactivate):
            raise NotFound("no such staff member")

    def _cognito_user(self, operation: str, member_id: str) -> None:
        try:
            getattr(self.cognito, operation)(UserPoolId=self.pool_id, Username=member_id)
        except self.cognito.exceptions.UserNotFoundException:
            # No sign-in to change (never created, or deleted already): the directory's
            # record is what refuses their tokens, and it is written.
            return
        except (BotoCoreError, ClientError):
            raise DependencyUnavailable("cognito") from None


class MemberAction(BaseModel):
    """Deactivate, reactivate, sign out everywhere, or delete one member."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["deactivate", "reactivate", "sign_out", "delete"]
    member_id: StaffId


class RoleChange(BaseModel):
    """Give one member exactly these roles."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["set_roles"]
    member_id: StaffId
    roles: list[Role] = Field(min_length=1, max_length=4)


_ACTIONS = frozenset({"deactivate", "reactivate", "sign_out", "delete", "set_roles"})
_REQUEST: TypeAdapter[MemberAction | RoleChange] = TypeAdapter(
    Annotated[MemberAction | RoleChange, Field(discriminator="action")]
)


def manage(access: StaffAccess, event: Any) -> dict[str, Any]:
    """Carry out one request of the `manage_staff_member` function; the outcome, no values.

    `{"done": true, "action": ..., "member_id": ...}`, or `{"done": false, "problems":
    [{"field", "problem"}]}` naming each bad field (or `cognito`, when the directory was
    changed and Cognito could not be: run the same request again).
    """
    try:
        request = _REQUEST.validate_python(event)
    except ValidationError as error:
        return {"done": False, "problems": _problems(error)}
    try:
        if isinstance(request, RoleChange):
            access.set_roles(request.member_id, request.roles)
        else:
            getattr(access, request.action)(request.member_id)
    except NotFound:
        return _refused("member_id", "is not in the staff directory")
    except DependencyUnavailable as error:
        if error.service != "cognito":
            raise
        return _refused(
            "cognito", "was not updated (the directory was): send the same request again"
        )
    return {"done": True, "action": request.action, "member_id": request.member_id}


#: CloudTrail's Cognito events this records, and whether each deactivates the member.
_REVOKING_EVENTS = {
    "AdminDisableUser": True,
    "AdminDeleteUser": True,
    "AdminUserGlobalSignOut": False,
    "GlobalSignOut": False,
}
_GROUP_EVENTS = frozenset({"AdminRemoveUserFromGroup", "AdminAddUserToGroup"})


def record_cognito_change(
    directory: StaffDirectory, cognito: Any, pool_id: str, event: Any
) -> dict[str, Any]:
    """Bring the directory in step with a change made directly in Cognito.

    `event` is EventBridge's "AWS API Call via CloudTrail" for cognito-idp. A disable or a
    delete deactivates the member, a sign-out ends their sessions (both from the event's
    time on), a group removal takes the role away. A group added in Cognito grants nothing:
    roles are granted in the directory (`manage_staff_member`), so it is only logged.
    """
    detail = event.get("detail") if isinstance(event, dict) else None
    if not isinstance(detail, dict) or detail.get("errorCode"):
        return {"recorded": False, "why": "not a successful call"}
    name = str(detail.get("eventName", ""))
    parameters = detail.get("requestParameters") or {}
    if name not in _REVOKING_EVENTS and name not in _GROUP_EVENTS:
        return {"recorded": False, "why": "not an event that changes access"}
    # GlobalSignOut is the user's own call (with their token): no pool id in the request.
    if name != "GlobalSignOut" and parameters.get("userPoolId") != pool_id:
        return {"recorded": False, "why": "another user pool"}
    member_id = _member_of(detail, parameters, cognito, pool_id)
    if member_id is None:
        logger.warning("cognito change for an unknown user", extra={"event_name": name})
        return {"recorded": False, "why": "the user is not known"}
    outcome = {"recorded": True, "event_name": name, "member_id": member_id}
    if name in _REVOKING_EVENTS:
        found = directory.revoke(
            member_id, at=_event_time(detail), deactivate=_REVOKING_EVENTS[name]
        )
    elif name == "AdminRemoveUserFromGroup":
        group = str(parameters.get("groupName", ""))
        found = _remove_role(directory, member_id, group, at=_event_time(detail))
    else:
        logger.warning("cognito group added outside the directory", extra={"event_name": name})
        return {"recorded": False, "why": "roles are granted in the directory"}
    if not found:
        return {"recorded": False, "why": "not in the staff directory"}
    return outcome


def _remove_role(directory: StaffDirectory, member_id: str, group: str, *, at: datetime) -> bool:
    role = GROUP_ROLES.get(group)
    member = directory.member(member_id)
    if member is None:
        return False
    if role is None or role not in member.roles:
        return True
    remaining = [r for r in ROLES if r in member.roles and r != role]
    if not remaining:
        # A member must hold a role; with none left, nothing they could do remains.
        return directory.revoke(member_id, at=at, deactivate=True)
    return directory.set_roles(member_id, remaining)


def _member_of(
    detail: dict[str, Any], parameters: dict[str, Any], cognito: Any, pool_id: str
) -> str | None:
    username = parameters.get("username")
    if isinstance(username, str) and username and username != _HIDDEN:
        return username
    # Cognito may hide the username in CloudTrail; it gives the user's `sub` instead.
    extra = detail.get("additionalEventData") or {}
    sub = extra.get("sub") if isinstance(extra, dict) else None
    if not isinstance(sub, str) or not sub or '"' in sub or "\\" in sub:
        return None
    with unavailable_on_failure("cognito"):
        users = cognito.list_users(UserPoolId=pool_id, Filter=f'sub = "{sub}"', Limit=1)
    found = users.get("Users", [])
    return str(found[0]["Username"]) if found else None


def _event_time(detail: dict[str, Any]) -> datetime:
    # CloudTrail's eventTime is to the second; a token issued later in that same second
    # would be let through if the cut-off were the second's start.
    moment = datetime.fromisoformat(str(detail["eventTime"]))
    return moment + timedelta(seconds=1)


def _problems(error: ValidationError) -> list[dict[str, str]]:
    problems = []
    for problem in error.errors():
        location = [str(part) for part in problem["loc"]]
        # The union's tag (the action) comes first in pydantic's path; the field follows.
        if location and location[0] in _ACTIONS:
            location = location[1:]
        problems.append({"field": ".".join(location) or "action", "problem": problem["type"]})
    return problems


def _refused(field: str, problem: str) -> dict[str, Any]:
    return {"done": False, "problems": [{"field": field, "problem": problem}]}
