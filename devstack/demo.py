"""The demo staff directory the local stack seeds (and the API tests use).

Teams match the default institution's routing. Addresses are on example.ac.uk, which can
receive no mail; in the local stack SES is moto's and delivers nowhere.
Some advisors share a gender for matching reporters' preferences and one (Alex Morgan)
does not: sharing it is each advisor's choice.
"""

from __future__ import annotations

import contextlib
from typing import Any

from chalicelib.directory import StaffDirectory, StaffMember, Team
from chalicelib.roles import ROLE_GROUPS

DEMO_TEAMS = (
    Team(team_id="student_support", name="Student Support"),
    Team(team_id="human_resources", name="Human Resources"),
    Team(team_id="diversity_inclusion", name="Diversity and Inclusion"),
)

DEMO_MEMBERS = (
    StaffMember(
        member_id="ss-screener",
        team_id="student_support",
        name="Sam Okafor",
        email="sam.okafor@example.ac.uk",
        roles=["screener"],
    ),
    StaffMember(
        member_id="ss-advisor-1",
        team_id="student_support",
        name="Rhian Evans",
        email="rhian.evans@example.ac.uk",
        roles=["advisor"],
        specialisms=["sexual_violence"],
        languages=["en", "cy"],
        capacity=8,
        gender="woman",
    ),
    StaffMember(
        member_id="ss-advisor-2",
        team_id="student_support",
        name="Imran Shah",
        email="imran.shah@example.ac.uk",
        roles=["advisor"],
        specialisms=["faith_based_harassment", "hate_incidents"],
        languages=["en", "ur"],
        capacity=10,
        gender="man",
    ),
    StaffMember(
        member_id="hr-screener",
        team_id="human_resources",
        name="Priya Nair",
        email="priya.nair@example.ac.uk",
        roles=["screener"],
    ),
    StaffMember(
        member_id="hr-advisor",
        team_id="human_resources",
        name="Tom Williams",
        email="tom.williams@example.ac.uk",
        roles=["advisor"],
        specialisms=["workplace_bullying"],
        capacity=12,
        gender="man",
    ),
    StaffMember(
        member_id="di-screener",
        team_id="diversity_inclusion",
        name="Alex Morgan",
        email="alex.morgan@example.ac.uk",
        roles=["screener", "advisor"],
        specialisms=["hate_incidents", "discrimination"],
    ),
    StaffMember(
        member_id="di-analyst",
        team_id="diversity_inclusion",
        name="Jo Bennett",
        email="jo.bennett@example.ac.uk",
        roles=["analyst"],
    ),
    StaffMember(
        member_id="dpo-admin",
        team_id="diversity_inclusion",
        name="Chris Lee",
        email="chris.lee@example.ac.uk",
        roles=["admin"],
    ),
)


def seed_directory(directory: StaffDirectory) -> None:
    """Write the demo teams and members (idempotent: items are replaced)."""
    for team in DEMO_TEAMS:
        directory.put_team(team)
    for member in DEMO_MEMBERS:
        directory.put_member(member)


#: Every demo account's password: the local stack listens on loopback only, and moto is
#: no identity provider anyone relies on. Never used outside the local stack.
DEMO_PASSWORD = "Report-Support-Demo-2026"  # noqa: S105 - a documented local-only demo password


def create_demo_users(cognito: Any, pool_id: str) -> list[tuple[str, str, list[str]]]:
    """A sign-in for every demo member (username = member id); (username, password, groups)."""
    created = []
    for member in DEMO_MEMBERS:
        groups = [ROLE_GROUPS[role] for role in member.roles]
        with contextlib.suppress(cognito.exceptions.UsernameExistsException):
            cognito.admin_create_user(
                UserPoolId=pool_id,
                Username=member.member_id,
                TemporaryPassword=DEMO_PASSWORD,
                MessageAction="SUPPRESS",
            )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=member.member_id, Password=DEMO_PASSWORD, Permanent=True
        )
        for group in groups:
            cognito.admin_add_user_to_group(
                UserPoolId=pool_id, Username=member.member_id, GroupName=group
            )
        created.append((member.member_id, DEMO_PASSWORD, groups))
    return created
