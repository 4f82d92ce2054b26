"""Receipt codes: drawn from the reference alphabet, shown in groups, typed back loosely."""

from __future__ import annotations

import re

import pytest

from chalicelib.reports.receipt_code import formatted, new_receipt_code, normalised


def test_a_new_code_is_twenty_characters_of_the_alphabet_without_vowels() -> None:
    codes = {new_receipt_code() for _ in range(200)}

    assert len(codes) == 200
    assert all(re.fullmatch(r"[23456789BCDFGHJKMNPQRSTWXZ]{20}", code) for code in codes)


def test_a_code_is_shown_in_five_groups_of_four() -> None:
    assert formatted("BCDF2345GHJKMNPQRSTW") == "BCDF-2345-GHJK-MNPQ-RSTW"


@pytest.mark.parametrize(
    "typed",
    [
        "BCDF-2345-GHJK-MNPQ-RSTW",
        "bcdf-2345-ghjk-mnpq-rstw",
        " BCDF 2345 GHJK MNPQ RSTW ",
        "bcdf2345ghjkmnpqrstw",
    ],
)
def test_case_spaces_and_hyphens_do_not_matter(typed: str) -> None:
    assert normalised(typed) == "BCDF2345GHJKMNPQRSTW"


@pytest.mark.parametrize(
    "typed",
    [
        "BCDF-2345-GHJK-MNPQ-RST",  # 19
        "BCDF-2345-GHJK-MNPQ-RSTWX",  # 21
        "ACDF-2345-GHJK-MNPQ-RSTW",  # a vowel
        "BCDF-2345-GHJK-MNPQ-RST1",  # a one
        "BCDF.2345.GHJK.MNPQ.RSTW",  # another separator
        "",
    ],
)
def test_anything_else_is_not_a_code(typed: str) -> None:
    assert normalised(typed) is None
    assert normalised("BCDF-2345-GHJK-MNPQ-RSTW") is not None
