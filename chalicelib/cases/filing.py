"""Filing a case: when a screener may file it with a reason alone, and when not.

A named reporter gave contact details and was told an advisor would contact them: filing
their case ("nothing to act on") breaks that promise unless they asked for a record only
(the institution's `triage.record_only` answer, e.g. `desired_outcome: record_only`). Such
a case is filed only when the screener also records why no one will contact the reporter
(`override_reason`), which the audit trail keeps sealed with the reason.
"""

from __future__ import annotations

from chalicelib.errors import FieldProblem, InvalidInput
from chalicelib.institution.models import Clause
from chalicelib.storage.case_item import CaseItem

#: The request field a screener fills in to file a case whose reporter asked for contact.
OVERRIDE_FIELD = "override_reason"


def asked_to_talk(case: CaseItem, record_only: Clause | None) -> bool:
    """Whether the case's reporter asked to talk to someone.

    Anonymous reporters cannot be contacted, so never. A named reporter did, unless every
    option they chose for the `record_only` question is among its record-only options.
    """
    if case.mode != "named":
        return False
    if record_only is None:
        return True
    given = case.answers.get(record_only.question)
    chosen = set(given) if isinstance(given, list) else {given} if given else set()
    return not chosen or not chosen <= set(record_only.any_of)


def check_filing(case: CaseItem, record_only: Clause | None, override_reason: str | None) -> None:
    """Raise `InvalidInput` naming `override_reason` if the case may not be filed without it."""
    if override_reason is None and asked_to_talk(case, record_only):
        raise InvalidInput(
            [
                FieldProblem(
                    OVERRIDE_FIELD,
                    "is required: the reporter asked to talk to someone; record why they "
                    "will not be contacted, or assign the case to an advisor",
                )
            ]
        )
