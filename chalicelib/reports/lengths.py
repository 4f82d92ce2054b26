"""How long a reporter's text is: one rule, applied the same way by the form and the API.

A text is trimmed of the characters with the Unicode `White_Space` property at both ends,
then counted in Unicode code points (what Python's `len` counts). The form
(`web/report/report.js`, `WHITE_SPACE` and `textLength`) trims the same characters and counts
the same units, so a text the page accepts is one the API accepts and one character more is
refused by both. The set is written out rather than taken from `str.strip()`, which also
trims the information separators U+001C to U+001F, and from JavaScript's `trim()`, which
also trims U+FEFF and leaves U+0085: pydantic's `strip_whitespace` (Rust's `trim`) trims
exactly this set, so what is stored is what was counted.
"""

from __future__ import annotations

#: The Unicode `White_Space` characters (Unicode 15): trimmed from both ends of a text.
WHITE_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def trimmed(text: str) -> str:
    """`text` without white space at either end."""
    return text.strip(WHITE_SPACE)


def text_length(text: str) -> int:
    """How many characters (Unicode code points) `text` counts against a limit."""
    return len(trimmed(text))
