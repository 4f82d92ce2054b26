"""One rule for how long a reporter's text is, shared by the form and the API: trimmed of
Unicode white space at both ends, counted in code points (an emoji is one character)."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import StringConstraints, TypeAdapter

from chalicelib.reports.lengths import WHITE_SPACE, text_length, trimmed

#: How the edge models trim (`Name`, `SafeTimes`, `Narrative`): what is stored.
PYDANTIC_TRIM = TypeAdapter(Annotated[str, StringConstraints(strip_whitespace=True)])


def test_an_emoji_is_one_character_and_white_space_at_the_ends_is_not_counted() -> None:
    assert text_length("😀" * 3) == 3
    assert text_length(" \n😀😀\u3000") == 2
    assert text_length("a b") == 3


@pytest.mark.parametrize("space", list(WHITE_SPACE), ids=lambda c: f"U+{ord(c):04X}")
def test_every_white_space_character_is_trimmed_here_and_by_the_edge_models(space: str) -> None:
    text = f"{space}Text{space}"

    assert trimmed(text) == "Text"
    assert PYDANTIC_TRIM.validate_python(text) == "Text"


@pytest.mark.parametrize(
    "kept",
    ["\x1c", "\x1f", "\ufeff", "\u200b", "\u180e"],
    ids=["U+001C", "U+001F", "U+FEFF", "U+200B", "U+180E"],
)
def test_characters_outside_the_rule_are_kept_here_and_by_the_edge_models(kept: str) -> None:
    # Python's str.strip() trims U+001C-U+001F and JavaScript's trim() U+FEFF: neither is the rule.
    text = f"{kept}Text{kept}"

    assert trimmed(text) == text
    assert PYDANTIC_TRIM.validate_python(text) == text
    assert text_length(text) == 6
