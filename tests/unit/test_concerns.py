"""Reading the people a report names: splitting the free text and normalising each name."""

from __future__ import annotations

import pytest

from chalicelib.concerns import MAX_PEOPLE, department_of, people_named
from chalicelib.crypto import normalise_person_name


@pytest.mark.parametrize(
    "spelling",
    [
        "Dr. Jane  SMITH",
        "jane smith",
        "  Jane Smith.  ",
        "Prof Dr Jane Smith",
        "MS JANE SMITH",
        "\uff2aane Smith",
        "Jane\tSmith",
    ],
    ids=["title-dot-spaces-caps", "plain", "padded", "two-titles", "ms-caps", "full-width", "tab"],
)
def test_spellings_of_one_name_normalise_alike(spelling: str) -> None:
    assert normalise_person_name(spelling) == "jane smith"


def test_hyphens_separate_and_apostrophes_join() -> None:
    assert normalise_person_name("Mary-Jane O\u2019Brien") == "mary jane obrien"
    assert normalise_person_name("Mary Jane O'Brien") == "mary jane obrien"


@pytest.mark.parametrize("text", ["", "   ", "J", "Dr.", "Mr J.", "--", "?"])
def test_nothing_name_like_normalises_to_empty(text: str) -> None:
    assert normalise_person_name(text) == ""


def test_a_title_later_in_the_name_is_kept() -> None:
    # only leading titles are titles: "Jane Dr" could be a name
    assert normalise_person_name("Jane Dr") == "jane dr"


def test_people_are_split_on_commas_semicolons_lines_and_and_ampersands() -> None:
    text = "Dr. Jane Smith, John Doe; Sam Lee\nKim Park and Ana Bo & Li Wu"

    assert people_named(text) == [
        "jane smith",
        "john doe",
        "sam lee",
        "kim park",
        "ana bo",
        "li wu",
    ]


def test_and_inside_a_name_does_not_split_it() -> None:
    assert people_named("Andrew Anderson AND Sandy Brand") == ["andrew anderson", "sandy brand"]


def test_repeats_and_empty_or_one_letter_parts_are_skipped() -> None:
    assert people_named("Jane Smith, , J, dr jane smith;; JANE SMITH") == ["jane smith"]


def test_at_most_ten_people_are_read() -> None:
    text = ", ".join(f"Person Number{chr(ord('a') + n)}" for n in range(15))

    people = people_named(text)

    assert len(people) == MAX_PEOPLE == 10
    assert people[0] == "person numbera"
    assert people[-1] == "person numberj"


@pytest.mark.parametrize(
    ("answers", "department"),
    [
        ({"involved_department": "social_sciences"}, "social_sciences"),
        ({"involved_department": "not_sure"}, None),
        ({}, None),
        ({"involved_department": ["social_sciences"]}, None),
    ],
    ids=["given", "not-sure", "unanswered", "not-a-single-answer"],
)
def test_the_department_is_known_only_when_one_was_chosen(
    answers: dict[str, str | list[str]], department: str | None
) -> None:
    assert department_of(answers) == department


# --- placeholders: answers that name no one are never indexed --------------------------------


@pytest.mark.parametrize(
    "placeholder",
    [
        "unknown",
        "Unknown",
        "Don't know",
        "don\u2019t know his name",
        "Dont know",
        "do not know",
        "I don't know",
        "not sure",
        "Not sure of her name",
        "No idea",
        "n/a",
        "N/A",
        "na",
        "none",
        "Nobody",
        "anonymous",
        "?",
        "-",
        "someone",
        "Someone from the office",
        "a man",
        "A woman in my class",
        "he",
        "She",
        "they",
        "Mr Unknown",
        "ddim yn gwybod",
        "Dwi ddim yn gwybod",
        "dim syniad",
        "Dim syniad beth yw ei enw",
        "anhysbys",
        "Dim",
        "neb",
        "rhywun",
        "ansicr",
        "ddim yn siŵr",
    ],
)
def test_a_placeholder_is_not_a_person(placeholder: str) -> None:
    assert people_named(placeholder) == []
    assert people_named([{"name": placeholder}]) == []


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Jo Bloggs", "jo bloggs"),
        ("Dr. Anna Nobody-Smith", "anna nobody smith"),
        ("Nadia Hesketh", "nadia hesketh"),
        ("Shea Theyer", "shea theyer"),
        ("Dimitri Neblett", "dimitri neblett"),
        ("Noah Unknowles", "noah unknowles"),
        ("Rhys Rhywun-Jones", "rhys rhywun jones"),
        ("Manon Someone", "manon someone"),
        ("Heledd", "heledd"),
    ],
)
def test_a_real_name_is_kept_even_when_it_contains_a_placeholder_word(
    name: str, normalised: str
) -> None:
    assert people_named(name) == [normalised]
    assert people_named([{"name": name}]) == [normalised]


def test_entries_give_their_real_names_in_order_and_never_an_unknown_one() -> None:
    entries = [
        {"name": "Jo Bloggs"},
        {"name_unknown": True},
        {"name": "don't know his name"},
        {"name": "Sam Lee, Kim Park"},
        {"name": "jo bloggs"},
    ]

    # an entry is one person: a comma inside it does not split it
    assert people_named(entries) == ["jo bloggs", "sam lee kim park"]


def test_free_text_of_names_and_placeholders_keeps_only_the_names() -> None:
    assert people_named("Jo Bloggs, unknown; a man and Sam Lee & dim syniad") == [
        "jo bloggs",
        "sam lee",
    ]
