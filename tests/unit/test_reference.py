"""Report references a reporter can read out over the phone."""

from __future__ import annotations

import re

import pytest

from chalicelib.reports.reference import PATTERN, new_reference

CONFUSABLE = set("01OILUV")
#: Without vowels no reference can spell a word ("RS-FAKE-BABE" cannot be drawn).
VOWELS = set("AEIOUY")
#: The published shape: RS-, then two groups of four from 2-9 and the consonants B-Z
#: without L, V and Y.
SHAPE = re.compile(r"RS-[2-9BCDFGHJKMNPQRSTWXZ]{4}-[2-9BCDFGHJKMNPQRSTWXZ]{4}")


def test_a_new_reference_has_the_published_shape() -> None:
    reference = new_reference()

    assert SHAPE.fullmatch(reference), reference
    assert PATTERN.fullmatch(reference), "the app accepts what it draws"
    assert len(reference) == len("RS-7K3M-Q2PD")


@pytest.mark.parametrize(
    "reference",
    [
        "RS-7K3M-Q2P0",
        "RS-7K3M-Q2PO",
        "RS-7K3M-Q2P1",
        "RS-7K3M-Q2PI",
        "RS-7K3M-Q2PL",
        "RS-7K3M-Q2PU",
        "RS-7K3M-Q2PV",
        "RS-7K3M-Q2PA",
        "RS-7K3M-Q2PE",
        "RS-7K3M-Q2PY",
        "rs-7k3m-q2pd",
        "RS-7K3MQ2PD",
        "RS-7K3M-Q2PDX",
    ],
)
def test_the_pattern_refuses_confusable_or_misshapen_references(reference: str) -> None:
    assert PATTERN.fullmatch(reference) is None
    assert PATTERN.fullmatch("RS-7K3M-Q2PD"), "and accepts the well-formed one"


def test_references_never_use_characters_that_are_easily_confused() -> None:
    drawn = "".join(new_reference()[3:] for _ in range(2_000))

    assert set(drawn) & CONFUSABLE == set()


def test_references_contain_no_vowel_so_they_spell_no_word() -> None:
    drawn = "".join(new_reference()[3:] for _ in range(2_000))

    assert set(drawn) & VOWELS == set()
    assert set(drawn) - {"-"} == set("23456789BCDFGHJKMNPQRSTWXZ"), "every other one is used"


def test_ten_thousand_references_are_all_distinct() -> None:
    references = [new_reference() for _ in range(10_000)]

    assert len(set(references)) == len(references)
    assert all(SHAPE.fullmatch(reference) for reference in references)
