"""Who is asking: a signed-in staff member as the directory knows them."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.errors import Forbidden
from chalicelib.roles import Role


@dataclass(frozen=True)
class Principal:
    """A signed-in staff member as the directory knows them."""

    member_id: str
    team_id: str
    roles: frozenset[Role]

    def require(self, *roles: Role) -> None:
        """Raise `Forbidden` unless the member holds one of these roles."""
        if not self.roles.intersection(roles):
            raise Forbidden("your role does not allow this")
