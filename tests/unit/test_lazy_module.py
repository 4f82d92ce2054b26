"""`chalicelib.lazy.lazy_module`: a module imported at its first use, not where it is named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.lazy import lazy_module

ROOT = Path(__file__).resolve().parents[2]


def _run(probe: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed probe)
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def test_naming_a_module_does_not_import_it_and_reading_an_attribute_does() -> None:
    # Given a fresh interpreter that names a module lazily
    probe = (
        "import sys; from chalicelib.lazy import lazy_module; "
        "schemas = lazy_module('chalicelib.api.staff_schemas'); "
        "before = 'chalicelib.api.staff_schemas' in sys.modules; "
        "me = schemas.Me; "
        "from chalicelib.api.staff_schemas import Me; "
        "print(before, 'chalicelib.api.staff_schemas' in sys.modules, me is Me)"
    )

    # Then the module is imported at the first attribute read, and the attribute is the real one
    assert _run(probe) == "False True True"


def test_a_module_that_does_not_exist_fails_where_it_is_named() -> None:
    with pytest.raises(ModuleNotFoundError):
        lazy_module("chalicelib.api.no_such_schemas")


def test_an_attribute_the_module_lacks_is_an_attribute_error() -> None:
    errors = lazy_module("chalicelib.errors")
    with pytest.raises(AttributeError):
        _ = errors.NoSuchError


def test_concurrent_first_uses_see_the_one_module() -> None:
    # The local server answers requests on threads: the first uses may race.
    probe = (
        "import threading; from chalicelib.lazy import lazy_module; "
        "schemas = lazy_module('chalicelib.rights.models'); seen = []; "
        "threads = [threading.Thread(target=lambda: seen.append(schemas.ExportRequest)) "
        "for _ in range(8)]; "
        "[t.start() for t in threads]; [t.join() for t in threads]; "
        "print(len(seen), len({id(s) for s in seen}))"
    )
    assert _run(probe) == "8 1"


def test_reads_after_the_first_are_of_the_imported_module() -> None:
    errors = lazy_module("chalicelib.errors")
    import chalicelib.errors

    assert errors.ConfigurationError is chalicelib.errors.ConfigurationError
