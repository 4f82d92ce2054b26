"""No module outside `chalicelib/storage/` talks to DynamoDB.

The tables have one owner: `chalicelib/storage/` holds the plumbing and, per table, the
module that owns its keys, prefixes and indexes. Everywhere else calls their methods. This
test reads the source (no import, no AWS) and finds, in every other module of `chalicelib`:
a call of a DynamoDB client method, a literal key prefix (`"REPORT#"`...), an import of
boto3's DynamoDB types, or a use of the storage plumbing (`chalicelib.storage.dynamo`)
other than its `CommitConflict` error and `Binary` type.
Every table has moved: no module outside `storage/` may do any of it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"
STORAGE = PACKAGE / "storage"

#: The low-level DynamoDB client's data-plane methods.
CLIENT_METHODS = frozenset(
    {
        "batch_get_item",
        "batch_write_item",
        "delete_item",
        "get_item",
        "get_paginator",
        "put_item",
        "query",
        "scan",
        "transact_get_items",
        "transact_write_items",
        "update_item",
    }
)
#: What a domain module may take from the plumbing: the error a commit raises, and the type
#: that marks sealed bytes as a binary attribute (a sealed field is built where it is sealed).
PLUMBING_MODULE = "chalicelib.storage.dynamo"
PLUMBING_ALLOWED = frozenset({"Binary", "CommitConflict"})


def findings(source: str) -> set[str]:
    """What a module's source does with DynamoDB, one short description each."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CLIENT_METHODS
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "dynamo")
        ):
            found.add(f"calls {node.func.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            head, hash_sign, _ = node.value.partition("#")
            if hash_sign and head and head.replace("_", "").isalpha() and head.isupper():
                found.add(f"key prefix {head}#")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("boto3.dynamodb"):
                found.add(f"imports {node.module}")
            elif node.module == PLUMBING_MODULE:
                found |= {
                    f"uses plumbing {alias.name}"
                    for alias in node.names
                    if alias.name not in PLUMBING_ALLOWED
                }
            elif node.module == "chalicelib.storage" and any(
                alias.name == "dynamo" for alias in node.names
            ):
                found.add("uses plumbing dynamo")
    return found


def scanned() -> dict[str, set[str]]:
    """Findings per module of `chalicelib` outside `storage/`, for modules with any."""
    result: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if STORAGE in path.parents:
            continue
        found = findings(path.read_text(encoding="utf-8"))
        if found:
            result[path.relative_to(ROOT).as_posix()] = found
    return result


def test_the_scan_recognises_each_way_of_touching_dynamodb() -> None:
    # Given a module doing each thing the boundary forbids, and one doing none of them
    touching = """
from boto3.dynamodb.types import Binary
from chalicelib.storage.dynamo import CommitConflict, plain
item = client.get_item(TableName=t, Key={"pk": {"S": f"REPORT#{report_id}"}})
pages = client.get_paginator("query")
"""
    clean = """
from chalicelib.storage.dynamo import CommitConflict
case = cases.case(report_id)
heading = "Report #1"
"""

    # Then the scan finds each in the first and nothing in the second
    assert findings(touching) == {
        "imports boto3.dynamodb.types",
        "uses plumbing plain",
        "calls get_item",
        "calls get_paginator",
        "key prefix REPORT#",
    }
    assert findings(clean) == set()


def test_the_storage_package_itself_is_where_dynamodb_is_called() -> None:
    found = findings((STORAGE / "dynamo.py").read_text(encoding="utf-8"))
    assert {"calls query", "calls batch_get_item", "calls transact_write_items"} <= found


def test_no_module_outside_storage_touches_dynamodb() -> None:
    outside = {module: sorted(found) for module, found in scanned().items()}

    assert outside == {}
    # ...and it is not an empty walk: the modules that call the tables were read
    read = [path for path in PACKAGE.rglob("*.py") if STORAGE not in path.parents]
    assert len(read) > 80
    assert PACKAGE / "cases" / "casework.py" in read
