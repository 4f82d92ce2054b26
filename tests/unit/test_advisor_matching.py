"""Matching a reporter's advisor preferences against advisors' published attributes.

The table below is the specification: for a literal set of preferences (as an institution
configures them) and a literal directory, which preferences each advisor meets and misses,
and the order a screener sees them in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from chalicelib.cases.matching import Fit, fit, ranked, requested
from chalicelib.institution.models import AdvisorPreference

OFFERED = [
    AdvisorPreference.model_validate(option)
    for option in (
        {"id": "no_preference", "label": {"en": "No preference"}},
        {"id": "woman", "label": {"en": "A woman"}, "match": {"gender": "woman"}},
        {"id": "man", "label": {"en": "A man"}, "match": {"gender": "man"}},
        {"id": "welsh_speaking", "label": {"en": "Welsh"}, "match": {"language": "cy"}},
        {
            "id": "sexual_violence_trained",
            "label": {"en": "Trained"},
            "match": {"specialism": "sexual_violence"},
        },
    )
]


@dataclass(frozen=True)
class Advisor:
    name: str
    gender: str | None
    languages: tuple[str, ...]
    specialisms: tuple[str, ...]


RHIAN = Advisor("rhian", "woman", ("en", "cy"), ("sexual_violence",))
CERYS = Advisor("cerys", "woman", ("en",), ())
GARETH = Advisor("gareth", "man", ("cy", "en"), ("sexual_violence",))
ALEX = Advisor("alex", None, ("en", "cy"), ())  # shares no gender

FITS = [
    # (reporter asked for, advisor, met, missed)
    (["woman", "welsh_speaking"], RHIAN, ("woman", "welsh_speaking"), ()),
    (["woman", "welsh_speaking"], CERYS, ("woman",), ("welsh_speaking",)),
    (["woman", "welsh_speaking"], GARETH, ("welsh_speaking",), ("woman",)),
    (["woman", "welsh_speaking"], ALEX, ("welsh_speaking",), ("woman",)),
    (["man"], ALEX, (), ("man",)),
    (["man"], GARETH, ("man",), ()),
    (["sexual_violence_trained"], RHIAN, ("sexual_violence_trained",), ()),
    (["sexual_violence_trained"], CERYS, (), ("sexual_violence_trained",)),
    ([], CERYS, (), ()),
    (["withdrawn_option"], RHIAN, (), ("withdrawn_option",)),
    (["no_preference"], RHIAN, (), ("no_preference",)),
]


@pytest.mark.parametrize(
    ("wanted", "advisor", "met", "missed"),
    [
        pytest.param(
            wanted, advisor, met, missed, id=f"{'+'.join(wanted) or 'none'}-{advisor.name}"
        )
        for wanted, advisor, met, missed in FITS
    ],
)
def test_an_advisor_meets_the_preferences_their_attributes_match(
    wanted: list[str], advisor: Advisor, met: tuple[str, ...], missed: tuple[str, ...]
) -> None:
    assert fit(wanted, OFFERED, advisor) == Fit(met=met, missed=missed)


def test_only_an_advisor_meeting_every_preference_fits_all() -> None:
    assert fit(["woman", "welsh_speaking"], OFFERED, RHIAN).fits_all is True
    assert fit(["woman", "welsh_speaking"], OFFERED, CERYS).fits_all is False


def test_with_no_preference_every_advisor_fits_all() -> None:
    assert fit([], OFFERED, ALEX).fits_all is True


def test_advisors_meeting_most_preferences_come_first_and_nobody_is_left_out() -> None:
    # Given a team listed in the directory's order, and a reporter asking for a woman who
    # speaks Welsh
    team = [ALEX, CERYS, GARETH, RHIAN, Advisor("tom", "man", ("en",), ())]

    # When they are ranked
    order = ranked(["woman", "welsh_speaking"], OFFERED, team)

    # Then the one meeting both comes first; those meeting one keep the directory's order
    assert [(advisor.name, len(found.met)) for advisor, found in order] == [
        ("rhian", 2),
        ("alex", 1),
        ("cerys", 1),
        ("gareth", 1),
        ("tom", 0),
    ]


def test_with_no_preference_the_directory_order_stands() -> None:
    team = [GARETH, ALEX, RHIAN]

    assert [advisor.name for advisor, _ in ranked([], OFFERED, team)] == [
        "gareth",
        "alex",
        "rhian",
    ]


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ({"advisor_preferences": ["woman", "welsh_speaking"]}, ["woman", "welsh_speaking"]),
        ({"advisor_preferences": ["no_preference"]}, []),
        ({"advisor_preference": "woman"}, ["woman"]),
        ({"advisor_preference": "no_preference"}, []),
        ({"preferred_contact_method": "email"}, []),
        ({}, []),
    ],
    ids=["several", "none", "one as stored before", "none as before", "absent", "anonymous"],
)
def test_a_cases_stored_preferences_are_read_old_and_new(
    stored: dict[str, object], asked: list[str]
) -> None:
    assert requested(stored) == asked
