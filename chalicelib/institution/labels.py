"""The words staff pages show for the institution's own identifiers, in one language.

Team ids and risk flags are the institution's (its routing and risk rules, its staff
directory): the staff portal asks `GET /staff/labels` for their names instead of keeping
a copy that would drift when an institution adds a team or a rule. The workflow's own
words (statuses, outcomes, ...) are the service's and stay with the portal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from chalicelib.institution.models import Institution

Language = Literal["en", "cy"]
LANGUAGES: tuple[Language, ...] = ("en", "cy")
#: The flag the service itself raises when a report names someone another report names
#: (`chalicelib.cases.rules.REPEAT_CONCERN`): no institution rule configures it.
_REPEAT_CONCERN = {
    "en": "Names someone named in another report",
    "cy": "Yn enwi rhywun a enwyd mewn adroddiad arall",
}


def team_ids(institution: Institution) -> list[str]:
    """Every team the institution's routing may send a report to, in name order of id."""
    routing = institution.triage.routing
    teams = {*routing.by_role.values(), routing.fallback_team}
    teams.update(override.team for override in routing.overrides)
    return sorted(teams)


def labels(
    institution: Institution, team_name: Callable[[str], str | None], language: Language
) -> dict[str, Any]:
    """Teams by id (their directory names) and risk flags by id, in `language`.

    A team the directory does not hold, or a rule without a label, is left out: the portal
    then shows the id in words.
    """
    teams = {team: team_name(team) for team in team_ids(institution)}
    flags = {
        rule.flag: rule.label.get(language, rule.label["en"])
        for rule in institution.triage.risk_rules
        if rule.label
    }
    flags["repeat_concern"] = _REPEAT_CONCERN[language]
    return {
        "language": language,
        "teams": {team: name for team, name in teams.items() if name},
        "risk_flags": flags,
    }
