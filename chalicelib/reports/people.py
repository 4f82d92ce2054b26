"""The people involved: a `people` question's answer, one entry per person.

A free-text answer split on commas and "and" is not a reliable list of people ("Jo Bloggs
and Sam" is two; "Marks and Spencer staff" is not), and "don't know his name" is no one.
So the form asks for the people as separate entries, each either a name or an explicit
"I don't know their name":

    [{"name": "Jo Bloggs"}, {"name_unknown": true}]

At most `MAX_PEOPLE` entries, each name at most `MAX_NAME_LENGTH` characters. The entries
may name people, so the whole answer is sealed at intake, exactly like a text answer.
Problems name the entry's field (`answers.involved_names.1.name`), never its value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.errors import FieldProblem
from chalicelib.reports.lengths import text_length, trimmed

#: At most this many people per answer (the repeat-concern index reads every one of them).
MAX_PEOPLE = 10
#: The longest name one entry may hold, in characters (as a reporter's own name).
MAX_NAME_LENGTH = 200
NAME = "name"
NAME_UNKNOWN = "name_unknown"
_FIELDS = frozenset({NAME, NAME_UNKNOWN})
SHAPE = 'must be a list of people, each {"name": ...} or {"name_unknown": true}'

#: One person as stored (sealed): `{"name": "..."}` or `{"name_unknown": True}`.
Person = dict[str, str | bool]


def check_people(field: str, value: Any) -> Iterable[FieldProblem]:
    """Every problem of a `people` answer, each naming the entry and field it is about."""
    if not isinstance(value, list):
        yield FieldProblem(field, SHAPE)
        return
    if len(value) > MAX_PEOPLE:
        yield FieldProblem(field, f"must list at most {MAX_PEOPLE} people")
        return
    for index, entry in enumerate(value):
        yield from _check_entry(f"{field}.{index}", entry)


def _check_entry(field: str, entry: Any) -> Iterable[FieldProblem]:
    if not isinstance(entry, Mapping):
        yield FieldProblem(field, 'must be an object: {"name": ...} or {"name_unknown": true}')
        return
    for key in entry:
        if key not in _FIELDS:
            yield FieldProblem(f"{field}.{key}", "is not a field of a person")
    unknown = entry.get(NAME_UNKNOWN, False)
    if not isinstance(unknown, bool):
        yield FieldProblem(f"{field}.{NAME_UNKNOWN}", "must be true or false")
        return
    if unknown:
        if NAME in entry:
            yield FieldProblem(field, "give a name or name_unknown: true, not both")
        return
    name = entry.get(NAME)
    if name is None:
        yield FieldProblem(f"{field}.{NAME}", "is required unless name_unknown is true")
    elif not isinstance(name, str):
        yield FieldProblem(f"{field}.{NAME}", "must be text")
    elif not trimmed(name):
        yield FieldProblem(f"{field}.{NAME}", "must not be blank (or set name_unknown: true)")
    elif text_length(name) > MAX_NAME_LENGTH:
        yield FieldProblem(f"{field}.{NAME}", f"must be at most {MAX_NAME_LENGTH} characters")
    elif not _encodable(name):
        yield FieldProblem(f"{field}.{NAME}", "must be valid Unicode text")


def _encodable(text: str) -> bool:
    # JSON may carry lone surrogates (\ud800); they cannot be sealed as UTF-8.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def people_of(value: Any) -> list[Person]:
    """A checked answer as it is sealed: names trimmed, `name_unknown: false` left out."""
    people: list[Person] = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, Mapping):
            continue
        if entry.get(NAME_UNKNOWN) is True:
            people.append({NAME_UNKNOWN: True})
        elif isinstance(entry.get(NAME), str) and trimmed(entry[NAME]):
            people.append({NAME: trimmed(entry[NAME])})
    return people


def names_given(value: Any) -> list[str]:
    """The names an answer gives, in order; entries whose name is not known give none."""
    return [str(person[NAME]) for person in people_of(value) if NAME in person]
