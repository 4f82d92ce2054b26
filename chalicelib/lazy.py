"""Modules a route needs only when it runs, imported then rather than at a cold start.

A Lambda function imports `app` (every blueprint) before its first request, whichever
route that request is for. The request and answer models of the staff routes are pydantic
classes that cost a cold start a fraction of a millisecond each to define, and there are
dozens; `POST /reports` uses none of them. A route module names such a module with
`lazy_module`, and the module is imported at its first attribute access: in the route that
uses it.

    if TYPE_CHECKING:
        from chalicelib.api import staff_schemas as schemas
    else:
        schemas = lazy_module("chalicelib.api.staff_schemas")
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any


class _LazyModule(ModuleType):
    """Stands for a module; each attribute is read from the real one, imported on demand.

    `importlib.import_module` takes the import lock, so concurrent first uses (threads of
    the local server) import the module once; afterwards it is a lookup in `sys.modules`.
    """

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attribute)


def lazy_module(name: str) -> ModuleType:
    """A stand-in for the module `name`, imported at the first attribute read through it.

    Raises `ModuleNotFoundError` now if there is no such module: only importing it waits.
    """
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    return _LazyModule(name)
