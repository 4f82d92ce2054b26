"""Human-friendly report references such as `RS-7K3M-Q2PD`.

The alphabet leaves out characters that are easily confused when read aloud or written
down (0/O, 1/I/L, U/V), so a reporter can quote the reference over the phone, and every
vowel (A, E, I, O, U and Y), so that no reference spells a word: a reporter in distress
must not be handed a reference that reads as an insult or a joke.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789BCDFGHJKMNPQRSTWXZ"
PATTERN = re.compile(rf"\ARS-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}\Z")


def new_reference() -> str:
    """A fresh random reference (26^8 ≈ 2·10^11 possibilities; uniqueness is enforced on write)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"RS-{body[:4]}-{body[4:]}"
