"""Which of a named reporter's advisor preferences each advisor meets.

A reporter may ask for several things at once (a woman, who speaks Welsh). Each preference
the institution offers says what it matches among the attributes an advisor publishes in
the staff directory (`form.contact.advisor_preferences[].match`): the gender the advisor
chose to share, a language, or a specialism. The screener assigning the case sees, for every
advisor of the team, which preferences they meet; those who meet them all come first, and
nobody is hidden (capacity may force a compromise, and the screener decides).

Pure functions: no storage, no clock. The API computes the match here, the portal draws it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from chalicelib.institution.models import NO_PREFERENCE, AdvisorPreference


class Advisor(Protocol):
    """What matching reads of an advisor (a `chalicelib.storage.staff_table.MemberRecord`)."""

    @property
    def gender(self) -> str | None: ...

    @property
    def languages(self) -> Sequence[str]: ...

    @property
    def specialisms(self) -> Sequence[str]: ...


A = TypeVar("A", bound=Advisor)


@dataclass(frozen=True)
class Fit:
    """Which of the reporter's preferences an advisor meets, and which not (ids, in the
    reporter's order)."""

    met: tuple[str, ...]
    missed: tuple[str, ...]

    @property
    def fits_all(self) -> bool:
        """True when the advisor meets every preference (also when there are none)."""
        return not self.missed


def requested(preferences: Mapping[str, object]) -> list[str]:
    """The advisor preferences a case's stored `preferences` ask for (no_preference dropped).

    Reads `advisor_preferences` (a list), or `advisor_preference` (one id), which reports
    stored before a reporter could choose several carry.
    """
    chosen = preferences.get("advisor_preferences")
    if chosen is None:
        chosen = preferences.get("advisor_preference")
    if isinstance(chosen, str):
        chosen = [chosen]
    if not isinstance(chosen, list | tuple):
        return []
    return [str(item) for item in chosen if item != NO_PREFERENCE]


def meets(preference: AdvisorPreference, advisor: Advisor) -> bool:
    """True when the advisor has the attribute the preference matches.

    A preference with no `match` (or one the institution no longer offers, see `fit`) is
    met by nobody: the screener is not told an advisor fits what cannot be checked.
    """
    match = preference.match
    if match is None:
        return False
    if match.gender is not None:
        return advisor.gender == match.gender
    if match.language is not None:
        return match.language in advisor.languages
    if match.specialism is not None:
        return match.specialism in advisor.specialisms
    return False


def fit(wanted: Sequence[str], offered: Sequence[AdvisorPreference], advisor: Advisor) -> Fit:
    """Which of the `wanted` preference ids the advisor meets, given the options `offered`.

    An id the institution no longer offers (its configuration changed after the report was
    sent) counts as missed.
    """
    by_id = {option.id: option for option in offered}
    met: list[str] = []
    missed: list[str] = []
    for preference_id in wanted:
        option = by_id.get(preference_id)
        (met if option is not None and meets(option, advisor) else missed).append(preference_id)
    return Fit(met=tuple(met), missed=tuple(missed))


def ranked(
    wanted: Sequence[str], offered: Sequence[AdvisorPreference], advisors: Sequence[A]
) -> list[tuple[A, Fit]]:
    """Every advisor with their fit: most preferences met first, ties in the given order."""
    fits = [(advisor, fit(wanted, offered, advisor)) for advisor in advisors]
    return sorted(fits, key=lambda pair: -len(pair[1].met))
