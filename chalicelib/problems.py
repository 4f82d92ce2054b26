"""Pydantic's validation errors as field problems a client can act on.

Messages name rules, never values: pydantic's own text sometimes quotes the input (the
bad character of a UUID, say), and input may be personal data. An answer lists a bounded
number of problems (`listed`): a body of ten thousand unknown keys would otherwise be echoed
back key by key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from chalicelib.errors import FieldProblem

#: Pydantic error types we answer in our own words. Anything else gets a neutral message:
#: pydantic's own text sometimes quotes the input (e.g. the bad character of a UUID).
_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this request",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "uuid_type": "must be a UUID",
    "uuid_parsing": "must be a UUID",
    "uuid_version": "must be a UUID",
    "union_tag_invalid": "has an unknown type",
    "union_tag_not_found": "needs a type",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
}
#: Our own validators' messages (PydanticCustomError) name rules only, so they pass through.
_OWN_TYPES = frozenset(
    {"email", "phone", "answer_shape", "option_list", "unicode", "literal_error", "receipt_code"}
)
#: Enough for every field of the largest real form to be wrong at once.
MAX_LISTED = 20
#: A field's path is the client's key; an unknown key may be as long as the body allows.
MAX_FIELD_CHARS = 100


def listed(problems: Sequence[FieldProblem]) -> tuple[list[FieldProblem], int]:
    """The problems one answer lists (the first `MAX_LISTED`, paths cut short) and how many more."""
    shown = [
        FieldProblem(_shortened(problem.field), problem.message)
        for problem in problems[:MAX_LISTED]
    ]
    return shown, len(problems) - len(shown)


def _shortened(field: str) -> str:
    return field if len(field) <= MAX_FIELD_CHARS else field[: MAX_FIELD_CHARS - 1] + "…"


def problems_from(error: ValidationError) -> list[FieldProblem]:
    """One problem per bad field, in our words, never quoting the input."""
    return list(_problems(error))


def _problems(error: ValidationError) -> Iterable[FieldProblem]:
    for detail in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in detail["loc"]) or "body"
        yield FieldProblem(field, _message(detail["type"], detail["msg"], detail.get("ctx", {})))


def _message(kind: str, pydantic_message: str, context: Mapping[str, Any]) -> str:
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "string_too_short":
        least = context.get("min_length", 1)
        return "must not be blank" if least == 1 else f"must be at least {least} characters"
    if kind == "value_error":
        # Raised by our own model validators, whose messages name rules only.
        return pydantic_message.removeprefix("Value error, ")
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters"
    if kind == "too_long":
        return f"must have at most {context.get('max_length')} entries"
    if kind in _OWN_TYPES:
        return pydantic_message[:1].lower() + pydantic_message[1:]
    return "is not valid"
