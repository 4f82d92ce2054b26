"""Cutting words out of a text (`chalicelib.cases.span_redaction.cut`): the span is named by
its exact words and which place they stand at, so the browser and the server find the same
span whatever the characters (emoji, Welsh accents written either way, combining marks)."""

from __future__ import annotations

import pytest

from chalicelib.cases.span_redaction import cut
from chalicelib.errors import FieldProblem, UnprocessableInput


def test_the_chosen_occurrence_is_replaced_by_the_marker_and_the_rest_kept() -> None:
    done = cut("Sam told Sam's friend", "Sam", 2)

    assert done.text == "Sam told [removed by screener]'s friend"
    assert done.removed == 3


def test_emoji_and_precomposed_accents_count_as_the_browser_shows_them() -> None:
    # Given a name with a precomposed circumflex (one code point), between two emoji
    text = "Fi yw \U0001f642 Siân Jones \U0001f469\u200d\U0001f469\u200d\U0001f467 a dyna fe"

    done = cut(text, "Siân Jones", 1)

    assert done.text == (
        "Fi yw \U0001f642 [removed by screener] \U0001f469\u200d\U0001f469\u200d\U0001f467"
        " a dyna fe"
    )
    assert done.removed == 10


def test_a_name_written_with_a_combining_accent_is_removed_whole() -> None:
    done = cut("Met Sia\u0302n today", "Sia\u0302n", 1)

    assert done.text == "Met [removed by screener] today"
    assert done.removed == 5


def test_overlapping_places_each_count() -> None:
    assert cut("aaa", "aa", 2).text == "a[removed by screener]"
    assert cut("aaa", "aa", 1).text == "[removed by screener]a"


def _refusal(text: str, words: str, occurrence: int = 1) -> list[FieldProblem]:
    with pytest.raises(UnprocessableInput) as refused:
        cut(text, words, occurrence)
    return refused.value.problems


SPLITS = FieldProblem(
    "text", "cuts a letter from its accent or an emoji apart; include the whole character"
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Met Sia\u0302n today", "Sia"),
        ("Met Sia\u0302n today", "\u0302n"),
        ("us \U0001f469\u200d\U0001f469\u200d\U0001f467 here", "\U0001f469"),
        ("a \U0001f44d\U0001f3fd b", "\U0001f44d"),
    ],
    ids=["accent-after", "accent-first", "family-emoji", "skin-tone"],
)
def test_a_span_that_splits_a_character_is_refused(text: str, words: str) -> None:
    assert _refusal(text, words) == [SPLITS]
    # while the whole character goes
    assert "[removed by screener]" in cut(text, text.split(" ")[1], 1).text


def test_words_not_there_or_not_that_often_are_refused_naming_the_field() -> None:
    assert _refusal("Sam met me", "Jo") == [
        FieldProblem("text", "is not in the field's current text")
    ]
    assert _refusal("Sam met Sam", "Sam", 3) == [
        FieldProblem("occurrence", "is more than the words occur (they occur 2 times)")
    ]
    assert _refusal("Sam met me", "Sam", 2) == [
        FieldProblem("occurrence", "is more than the words occur (they occur once)")
    ]
    assert cut("Sam met Sam", "Sam", 2).text == "Sam met [removed by screener]"


def test_words_already_removed_are_refused() -> None:
    overlaps = [FieldProblem("text", "overlaps words already removed; choose other words")]
    # a field that is only the marker has nothing left to remove
    assert _refusal("[removed by screener]", "removed") == overlaps
    assert _refusal("I am [removed by screener] ok", "am [removed") == overlaps
    # the words beside it still go
    assert cut("I am [removed by screener] ok", "ok", 1).text == (
        "I am [removed by screener] [removed by screener]"
    )
