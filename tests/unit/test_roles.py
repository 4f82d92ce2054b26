"""The Cognito groups that mirror each role: first-admin, the local stack and role changes
put users in these groups, so a swapped pair would put an analyst in "admins"."""

from __future__ import annotations

from chalicelib.roles import GROUP_ROLES, ROLE_GROUPS, ROLES


def test_each_group_mirrors_its_own_role() -> None:
    assert GROUP_ROLES == {
        "screeners": "screener",
        "advisors": "advisor",
        "analysts": "analyst",
        "admins": "admin",
    }
    assert ROLE_GROUPS == {
        "screener": "screeners",
        "advisor": "advisors",
        "analyst": "analysts",
        "admin": "admins",
    }


def test_the_roles_are_these_four_and_no_other() -> None:
    assert sorted(ROLES) == ["admin", "advisor", "analyst", "screener"]
    assert "administrator" not in ROLES
