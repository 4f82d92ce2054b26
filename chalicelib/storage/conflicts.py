"""Optimistic concurrency, written once: read, decide, commit on a condition; again if the
item changed meanwhile, a bounded number of times.

Casework, the rights desk, retention and the case ledger all change a case this way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from chalicelib.storage.dynamo import CommitConflict

#: Attempts before a change that keeps meeting concurrent ones is given up.
COMMIT_ATTEMPTS = 3

T = TypeVar("T")


def retry_on_conflict(
    attempt: Callable[[], T],
    exhausted: Callable[[], Exception],
    *,
    attempts: int = COMMIT_ATTEMPTS,
) -> T:
    """Run `attempt` (which reads what it needs and commits) until it does not meet a
    `CommitConflict`; after `attempts` conflicts, raise what `exhausted` builds (typically
    `StaleVersion` with the version now stored)."""
    for _attempt in range(attempts):
        try:
            return attempt()
        except CommitConflict:
            continue
    raise exhausted()
