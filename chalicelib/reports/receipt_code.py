"""Receipt codes: the anonymous reporter's one way back to their report (issue 14).

A code is 20 characters of the reference alphabet (`chalicelib.reports.reference`: no
vowels, so no code spells a word; no 0/O, 1/I/L, U/V, so none is misread), drawn with
`secrets`: 26^20 ≈ 2^94 codes, so guessing one is hopeless and a flood of guesses is met by
the failure budget, never by remembering who guessed. It is shown once, in five groups of
four (`BCDF-2345-GHJK-MNPQ-RSTW`), and stored only as a KMS MAC
(`chalicelib.crypto.BlindIndex.receipt`).

A code as typed back is normalised — upper-cased, spaces and hyphens dropped — and must then
be exactly 20 characters of the alphabet; anything else is "not a receipt code", which
says nothing about any report.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from chalicelib.reports.reference import ALPHABET

LENGTH = 20
GROUP = 4
_ALLOWED = frozenset(ALPHABET)
_DROPPED = str.maketrans("", "", " -")
NOT_A_CODE = "is not a receipt code"
#: Room for a code typed with a space or hyphen between every character.
_MAX_TYPED = 64


def new_receipt_code() -> str:
    """A fresh code, normalised (20 characters, no hyphens): `formatted` shows it."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def formatted(code: str) -> str:
    """A normalised code as shown to the reporter: five groups of four joined by `-`."""
    return "-".join(code[start : start + GROUP] for start in range(0, len(code), GROUP))


def normalised(typed: str) -> str | None:
    """The code a reporter typed, normalised; None if it cannot be a receipt code."""
    code = typed.upper().translate(_DROPPED)
    if len(code) != LENGTH or not set(code) <= _ALLOWED:
        return None
    return code


def _checked(typed: str) -> str:
    # Bounded first, so a huge string is not worked on.
    code = normalised(typed) if len(typed) <= _MAX_TYPED else None
    if code is None:
        raise PydanticCustomError("receipt_code", NOT_A_CODE)
    return code


#: A receipt code in a request body, normalised on parsing (a wrong one is refused naming
#: the field and nothing else).
ReceiptCode = Annotated[
    str,
    AfterValidator(_checked),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": 64,
            "description": "The receipt code as shown (`BCDF-2345-GHJK-MNPQ-RSTW`); case, "
            "spaces and hyphens do not matter.",
            "examples": ["BCDF-2345-GHJK-MNPQ-RSTW"],
        }
    ),
]
