"""A sealed field of a case that refused to open, recorded on the case.

A sealed value that will not open — moved from another record or field, tampered with, or
stale — raises `SealBroken`, which the API answers once (409 `seal_refused`, logged and
counted in `chalicelib.api.errors`). Before that answer, the case's audit chain gains an
`unseal_refused` entry naming the field and who met the refusal: the look recorded before
the unseal says someone asked; this entry says that nothing was opened.

When what refused is the case's signed head itself (a sealed field put back from before, a
case rolled back or never signed), the chain cannot take the entry: appending one re-signs
the item as it now holds, which the ledger refuses so as never to launder a value put back
by someone else. The refusal is then logged with the ids and still answered and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib.cases.ledger import CaseLedger
from chalicelib.errors import SealBroken
from chalicelib.observability import logger
from chalicelib.storage.case_item import CaseItem

#: The audit action of a sealed field that refused to open.
UNSEAL_REFUSED = "unseal_refused"


@contextmanager
def refusal_recorded(
    ledger: CaseLedger,
    actor: str,
    case: CaseItem,
    field: str,
    details: dict[str, Any] | None = None,
) -> Iterator[None]:
    """Open one of the case's sealed fields inside; a `SealBroken` is audited, then re-raised.

    `details` join the field's name in the audit entry (ids only, e.g. a rights request's).
    """
    try:
        yield
    except SealBroken:
        record_refusal(ledger, actor, case, field, details)
        raise


def record_refusal(
    ledger: CaseLedger,
    actor: str,
    case: CaseItem,
    field: str,
    details: dict[str, Any] | None = None,
) -> bool:
    """Append the `unseal_refused` entry to the case's audit chain (the field's name only),
    if the chain can take it (see above); True if it did."""
    try:
        ledger.record(actor, case, UNSEAL_REFUSED, {"field": field, **(details or {})}, None)
    except SealBroken as unsigned:
        logger.warning(
            "unseal refusal not recorded on the case: its head does not verify",
            extra={"report_id": case.report_id, "field": field, "seal": unsigned.reason},
        )
        return False
    return True
