"""Repeat concerns: reports that name the same person, linked without storing the name.

The reporter may name the people involved (one entry per person, or free text where an
institution still asks a `text` question; sealed at intake either way) and pick the part of
the university they belong to. At intake each name given is normalised and MACed with its
department in KMS (`BlindIndex.person`); only the MACs are kept. Entries marked "I don't
know their name" and names that only say so ("unknown", "don't know his name", "dim
syniad") are never indexed: two reports that both do not know a name are not about the same
person. Each MAC is stored on the report item (`concern_macs`) and as one small item per
person (`chalicelib.storage.concern_links`), so the reports naming a person are one key
query away: no scan, and no name in clear anywhere.

A MAC reveals nothing by itself, but two equal MACs say "the same person". So the links
are shown to screeners only, as references they may or may not be allowed to open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.crypto import BlindIndex, normalise_person_name
from chalicelib.reports.models import Answers
from chalicelib.reports.people import MAX_PEOPLE as MAX_ENTRIES
from chalicelib.reports.people import names_given
from chalicelib.storage.concern_links import ConcernLinks

#: The form's questions this module reads.
INVOLVED_NAMES = "involved_names"
INVOLVED_DEPARTMENT = "involved_department"
#: The department answer that means "not known" (no department, no department index).
UNKNOWN_DEPARTMENT = "not_sure"
#: At most this many people are indexed per report (the rest stay in the sealed text only).
MAX_PEOPLE = MAX_ENTRIES
#: Attribute names others rely on (retention removes them when it redacts a case).

# fmt: off
#: Answers that name no one, as `normalise_person_name` leaves them (English and Welsh).
#: A whole name equal to one of these is not indexed ("n/a" is "n a", "Dim." is "dim").
PLACEHOLDER_NAMES = frozenset(
    {
        # English: not knowing, nobody, a description rather than a name, a pronoun
        "unknown", "not known", "dont know", "do not know", "not sure", "unsure", "no idea",
        "idk", "dunno", "n a", "na", "none", "nobody", "no one", "noone", "anonymous",
        "someone", "somebody", "anyone", "a man", "a woman", "a person", "man", "woman",
        "person", "he", "she", "they", "him", "her", "them", "unnamed", "not given",
        "prefer not to say",
        # Welsh: ddim yn gwybod (don't know), dim syniad (no idea), anhysbys (unknown),
        # dim / neb (none / nobody), rhywun (someone), ansicr (unsure), dienw (anonymous),
        # dyn / menyw / dynes (a man / a woman), fe / fo / ef / hi / nhw (he / she / they)
        "ddim yn gwybod", "dim yn gwybod", "dwi ddim yn gwybod", "dw i ddim yn gwybod",
        "dydw i ddim yn gwybod", "dim syniad", "anhysbys", "dim", "neb", "rhywun", "ansicr",
        "ddim yn siŵr", "ddim yn siwr", "dim yn siŵr", "dim yn siwr", "dienw", "amherthnasol",
        "dyn", "menyw", "dynes", "fe", "fo", "ef", "hi", "nhw",
    }
)
#: Words that begin an answer saying the name is not known ("don't know his name", "not
#: sure of her name", "dim syniad beth yw ei enw"): such an answer is not indexed either.
#: Only phrases no real name begins with belong here.
PLACEHOLDER_OPENINGS = (
    "unknown", "not known", "dont know", "do not know", "i dont know", "i do not know",
    "not sure", "unsure", "no idea", "idk", "dunno", "cant remember", "cannot remember",
    "can not remember", "dont remember", "do not remember", "someone", "somebody", "anonymous",
    "no name", "name unknown", "a man", "a woman", "a person",
    "ddim yn gwybod", "dim yn gwybod", "dwi ddim yn gwybod",
    "dw i ddim yn gwybod", "dydw i ddim yn gwybod", "dim syniad", "anhysbys", "ansicr",
    "ddim yn siŵr", "ddim yn siwr", "dim yn siŵr", "dim yn siwr", "rhywun", "dienw",
    "ddim yn cofio", "dwi ddim yn cofio", "dim enw",
)
# fmt: on

# Commas, semicolons, line breaks, ampersands and the word "and" separate people.
_SEPARATORS = re.compile(r"[,;&\r\n\u2028\u2029]|\s+and\s+", re.IGNORECASE)


def is_placeholder(name: str) -> bool:
    """Whether a normalised name only says that the name is not known (or names no one)."""
    return name in PLACEHOLDER_NAMES or any(
        name == opening or name.startswith(f"{opening} ") for opening in PLACEHOLDER_OPENINGS
    )


def real_names(names: Iterable[str]) -> list[str]:
    """The distinct normalised real names among `names`, in order, at most `MAX_PEOPLE`."""
    people: list[str] = []
    for part in names:
        name = normalise_person_name(part)
        if name and not is_placeholder(name) and name not in people:
            people.append(name)
            if len(people) == MAX_PEOPLE:
                break
    return people


def people_named(answer: object) -> list[str]:
    """The real names an answer gives: a `people` answer's entries, or free text split."""
    if isinstance(answer, str):
        return real_names(_SEPARATORS.split(answer))
    return real_names(names_given(answer))


def department_of(answers: Answers) -> str | None:
    """The department the people named belong to, if the reporter said (else None)."""
    department = answers.get(INVOLVED_DEPARTMENT)
    if isinstance(department, str) and department and department != UNKNOWN_DEPARTMENT:
        return department
    return None


def concern_macs(blind_index: BlindIndex, answer: object, department: str | None) -> list[str]:
    """One blind index per real name given (one KMS call each); [] if nobody is named."""
    return [blind_index.person(name, department or "") for name in people_named(answer)]


@dataclass
class ConcernIndex:
    """Finds the reports that name the same people, through their concern links."""

    links: ConcernLinks

    def others_naming(self, report_id: str, macs: list[str]) -> list[str]:
        """Ids of other reports that name someone this report names, oldest first."""
        found: dict[str, str] = {}
        for mac in macs:
            for link in self.links.naming(mac):
                if link.report_id != report_id:
                    found[link.report_id] = link.submitted_at
        return sorted(found, key=lambda other: (found[other], other))

    def linked_reports(self, report_id: str, macs: list[str]) -> list[dict[str, Any]]:
        """The other reports naming someone this one names: reference, date and team.

        The team is read from each report item (a report not yet triaged has none).
        """
        others = self.others_naming(report_id, macs)
        reports = {summary.report_id: summary for summary in self.links.summaries(others)}
        return [
            {
                "reference": reports[other].reference,
                "submitted_at": reports[other].submitted_at,
                "team_id": reports[other].team_id,
            }
            for other in others
            if other in reports
        ]
