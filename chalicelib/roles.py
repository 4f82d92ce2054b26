"""Staff roles, and the Cognito groups that mirror them.

The staff directory grants roles: a request's roles are the member record's. The Cognito
groups are kept in step with it (`chalicelib.staff_access`) so that the pool reads the same
when someone looks at it, and `scripts/first-admin` and the local stack create users in
them, but a token's `cognito:groups` claim grants nothing.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["screener", "advisor", "analyst", "admin"]
#: Every role there is (a stored role outside these grants nothing).
ROLES: frozenset[Role] = frozenset(get_args(Role))
GROUP_ROLES: dict[str, Role] = {
    "screeners": "screener",
    "advisors": "advisor",
    "analysts": "analyst",
    "admins": "admin",
}
#: The Cognito group that mirrors each role.
ROLE_GROUPS: dict[Role, str] = {role: group for group, role in GROUP_ROLES.items()}
