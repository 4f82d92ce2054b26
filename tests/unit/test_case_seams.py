"""The case use cases meet at public seams, never at each other's private members.

Case work (`chalicelib/cases/casework.py`) and the message thread (`thread.py`) both read a
case under the policy table and change it through the ledger: they share the public
`chalicelib.cases.case_access.CaseAccess` for it. This test reads the source of every module
of `chalicelib/cases/` (no import) and finds any use of an underscore-prefixed attribute of
something other than `self` or `cls`: `casework._change(...)`, `work._ledger`, a module's
private `workflow._helper`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "chalicelib" / "cases"


def private_reaches(source: str) -> list[str]:
    """Each `x._name` in `source` whose `x` is not `self` or `cls` (dunders allowed)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        private = node.attr.startswith("_") and not node.attr.startswith("__")
        own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        if private and not own:
            found.append(ast.unparse(node))
    return sorted(found)


def test_the_scan_finds_a_reach_into_another_objects_private_members() -> None:
    # Given a use case calling another's private members, and one using its own and a seam
    reaching = """
case = self.casework._visible(principal, reference, "read_thread")
work._ledger.commit(actor, case, update, [], "x", {}, None)
order = workflow._queue_due(case)
"""
    clean = """
case = self.access.visible(principal, reference, "read_thread")
self._messages.thread(case.report_id)
name = type(case).__name__
"""

    # Then the scan names each reach in the first and nothing in the second
    assert private_reaches(reaching) == [
        "self.casework._visible",
        "work._ledger",
        "workflow._queue_due",
    ]
    assert private_reaches(clean) == []


def test_no_case_module_uses_another_objects_private_members() -> None:
    modules = sorted(CASES.glob("*.py"))

    found = {
        path.name: reaches
        for path in modules
        if (reaches := private_reaches(path.read_text(encoding="utf-8")))
    }

    assert found == {}
    # ...and it is not an empty walk: the modules that share the seam were read
    assert CASES / "casework.py" in modules
    assert CASES / "thread.py" in modules
    assert CASES / "case_access.py" in modules
