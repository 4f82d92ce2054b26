"""A screener removes words from a sealed free-text field of a case.

A reporter who chose to stay anonymous sometimes types their own name, or someone else's,
into the free text. The team's screener can remove those words from the reporter's account
(`narrative`) or from the answer to a `text` question (`answer.<question id>`): the field's
ciphertext is *replaced* by a new sealing of the text with the words cut out and `MARKER`
standing where they were. Nothing keeps the old ciphertext beside the new one (no history
item, no audit detail), so once the transaction is written no copy of the words is left in
the tables: what the staff reveal, and what the reporter's receipt code opens, is the text
with the marker.

The change is one transaction through the case's ledger (`CaseAccess.change`): the case's
sealed map with the one field re-sealed, its head signed again over the new ciphertext, and
the audit entry `redact_span`, whose reason is sealed and whose details name only the field
and how many characters went (never the words). A reason that quotes the words removed is
refused: it would put them back into the audit chain.

How the span is named. The request gives the exact words and which of their occurrences
(1-based, counted from the start of the text, each place the words begin counting even when
two overlap), not offsets. Offsets are counted differently on each side: a browser counts
UTF-16 code units (an emoji is two), Python counts code points (an emoji is one), and a
combining accent is a code point of its own in both. The words themselves are the same
sequence of code points on both sides, so both find the same places: the browser counts
the places before the selection with `indexOf`, the server with `str.find`, and as the words
are valid Unicode (no lone surrogate) no match can begin or end inside a surrogate pair, so
the two counts agree. Words that are not in the text as it is now are refused (422 naming
`text` or `occurrence`) rather than guessed at, as is a span that cuts a letter from its
combining accent or an emoji sequence apart, and one that overlaps a marker already there
(a field already reduced to the marker has nothing left to remove). The request also
carries the case `version` it was read at: a case changed since is refused (409).

Who: the routed team's screener (`chalicelib.cases.policy`, action `redact_text`). A case
already redacted by retention has no text left (409). A legal hold does not stop this: the
hold keeps evidence, and words the reporter should never have given (an anonymous report
naming its own author) are not evidence the hold is for; the audit records the change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.cases.case_access import CaseAccess, Change
from chalicelib.cases.models import RedactionRequest
from chalicelib.cases.refusals import refusal_recorded
from chalicelib.errors import FieldProblem, UnprocessableInput
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.dynamo import Binary
from chalicelib.storage.reports_table import CaseUpdate

#: What stands where words were removed (the portal shows it as written).
MARKER = "[removed by screener]"
#: The audit action.
ACTION = "redact_span"

_ZERO_WIDTH_JOINER = "\u200d"


@dataclass(frozen=True)
class Cut:
    """A field's text with one span replaced by `MARKER`, and how many code points went."""

    text: str
    removed: int


def cut(current: str, words: str, occurrence: int) -> Cut:
    """`current` with the `occurrence`-th place where `words` begin replaced by `MARKER`.

    `UnprocessableInput` naming `text` or `occurrence` if there is no such place, or the span
    overlaps a marker already there or splits a character sequence.
    """
    starts = _places(current, words)
    if not starts:
        raise UnprocessableInput([FieldProblem("text", "is not in the field's current text")])
    if occurrence > len(starts):
        times = "once" if len(starts) == 1 else f"{len(starts)} times"
        raise UnprocessableInput(
            [FieldProblem("occurrence", f"is more than the words occur (they occur {times})")]
        )
    start = starts[occurrence - 1]
    end = start + len(words)
    if any(start < at + len(MARKER) and at < end for at in _places(current, MARKER)):
        raise UnprocessableInput(
            [FieldProblem("text", "overlaps words already removed; choose other words")]
        )
    if _splits(current, start) or _splits(current, end):
        raise UnprocessableInput(
            [
                FieldProblem(
                    "text",
                    "cuts a letter from its accent or an emoji apart; include the whole character",
                )
            ]
        )
    return Cut(current[:start] + MARKER + current[end:], end - start)


def _places(text: str, words: str) -> list[int]:
    """Every index where `words` begin in `text`, overlapping places included."""
    places = []
    at = text.find(words)
    while at != -1:
        places.append(at)
        at = text.find(words, at + 1)
    return places


def _joins(character: str) -> bool:
    """Whether a character belongs to the one before it (an accent, a joiner, a modifier)."""
    code = ord(character)
    return (
        unicodedata.category(character) in ("Mn", "Mc", "Me")
        or character == _ZERO_WIDTH_JOINER
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (text or emoji presentation)
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
    )


def _splits(text: str, boundary: int) -> bool:
    """Whether a cut at `boundary` separates two code points that form one character."""
    if boundary <= 0 or boundary >= len(text):
        return False
    return _joins(text[boundary]) or text[boundary - 1] == _ZERO_WIDTH_JOINER


def _quotes(reason: str, words: str) -> bool:
    """Whether the reason holds the words (as words, whatever their case)."""
    pattern = rf"(?<!\w){re.escape(words.strip())}(?!\w)"
    return re.search(pattern, reason, flags=re.IGNORECASE) is not None


def free_text(field: str) -> bool:
    """Whether a sealed field name is one this redaction may change (not contact details)."""
    return field == "narrative" or field.startswith("answer.")


@dataclass(frozen=True)
class SpanRedaction:
    """Removes words from a case's sealed free text, through the case's ledger."""

    access: CaseAccess

    def redact(self, principal: Principal, reference: str, request: RedactionRequest) -> CaseItem:
        """Replace the span with `MARKER` in the field's sealed text; the case as it now is.

        404 for a case the member may not see, 409 for a redacted case or a stale version,
        422 naming the field for words that cannot be removed as asked.
        """
        policy.require(principal, "redact_text")
        field = request.field

        def change(case: CaseItem) -> Change:
            policy.check_state("redact_text", case.status, ACTION)
            if not free_text(field) or field not in case.sealed:
                raise UnprocessableInput(
                    [FieldProblem("field", "is not a free-text field of this case")]
                )
            if _quotes(request.reason, request.text):
                # The reason is sealed into the audit chain, which is never rewritten.
                raise UnprocessableInput(
                    [FieldProblem("reason", "must not quote the words being removed")]
                )
            with refusal_recorded(self.access.ledger, principal.member_id, case, field):
                current = self.access.seal.open(case, field)
            if not isinstance(current, str):
                # A list of people (`people` questions): each entry is a name, not text.
                raise UnprocessableInput(
                    [FieldProblem("field", "is not a free-text field of this case")]
                )
            done = cut(current, request.text, request.occurrence)
            sealed: dict[str, Any] = {name: Binary(value) for name, value in case.sealed.items()}
            sealed[field] = Binary(self.access.identity.seal(case.report_id, field, done.text))
            details = {"field": field, "removed_characters": done.removed}
            return Change(CaseUpdate(changes={"sealed": sealed}), details)

        return self.access.change(
            principal, reference, "redact_text", ACTION, request.reason, request.version, change
        )
