"""Staff roles, and the Cognito groups that grant them."""

from __future__ import annotations

from typing import Literal

Role = Literal["screener", "advisor", "analyst", "admin"]
GROUP_ROLES: dict[str, Role] = {
    "screeners": "screener",
    "advisors": "advisor",
    "analysts": "analyst",
    "admins": "admin",
}
