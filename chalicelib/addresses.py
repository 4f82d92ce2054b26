"""Email addresses and phone numbers, checked the same way wherever people give them."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,22}[0-9]$")


def _valid_email(value: str) -> str:
    # Imported on first use: compiling its grammar costs a cold start ~15 ms.
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        # The library's message can quote parts of the address; ours names only the rule.
        raise PydanticCustomError("email", "must be a valid email address") from None
    return value


def _valid_phone(value: str) -> str:
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE.match(value) or not 7 <= digits <= 15:
        raise PydanticCustomError(
            "phone", "must be a phone number: 7 to 15 digits, optionally with +, spaces, ( ) or -"
        )
    return value


# The JSON schemas say what the validators check (the OpenAPI document is built from them).
EmailAddress = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_valid_email),
    Field(json_schema_extra={"format": "email"}),
]
PhoneNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=32),
    AfterValidator(_valid_phone),
    Field(
        json_schema_extra={"pattern": _PHONE.pattern},
        description="7 to 15 digits, optionally with +, spaces, ( ) or -",
    ),
]
