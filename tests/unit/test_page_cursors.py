"""A paging cursor opens only under the list it was sealed for, and only unchanged."""

from __future__ import annotations

import pytest

from chalicelib.cursors import PageCursors
from chalicelib.errors import InvalidInput

KEY = {"pk": {"S": "REPORT#r1"}, "sk": {"S": "REPORT"}, "queue_team": {"S": "student_support"}}
TEAM_QUEUE = "reports\nteam_queue\nqueue_team\nstudent_support"


class FakeKms:
    """Counts the key derivations (one per process is the point)."""

    def __init__(self) -> None:
        self.derivations = 0

    def derive(self) -> bytes:
        self.derivations += 1
        return bytes(range(32))


def test_a_cursor_opens_under_its_own_list_only() -> None:
    kms = FakeKms()
    cursors = PageCursors(kms.derive)
    cursor = cursors.seal(KEY, scope=TEAM_QUEUE)

    assert cursors.open(cursor, scope=TEAM_QUEUE) == KEY
    for other in (
        "reports\nteam_queue\nqueue_team\nhuman_resources",
        "reports\nadvisor_queue\nadvisor_open\nstudent_support",
        "reports\nretention_log\nretention_log_month\n2026-11",
    ):
        with pytest.raises(InvalidInput) as refused:
            cursors.open(cursor, scope=other)
        assert [p.field for p in refused.value.problems] == ["cursor"]


def test_the_key_is_derived_once_and_another_instance_opens_the_cursor() -> None:
    kms = FakeKms()
    first, second = PageCursors(kms.derive), PageCursors(kms.derive)
    cursors = [first.seal(KEY, scope=TEAM_QUEUE) for _ in range(3)]

    assert second.open(cursors[0], scope=TEAM_QUEUE) == KEY
    assert kms.derivations == 2
    # The cursor shows nothing of the key it holds
    assert "student_support" not in cursors[0] and "REPORT" not in cursors[0]
    assert len(set(cursors)) == 3


def test_a_cursor_under_another_key_is_refused() -> None:
    cursor = PageCursors(lambda: bytes(32)).seal(KEY, scope=TEAM_QUEUE)

    with pytest.raises(InvalidInput):
        PageCursors(lambda: bytes(range(32))).open(cursor, scope=TEAM_QUEUE)
    assert PageCursors(lambda: bytes(32)).open(cursor, scope=TEAM_QUEUE) == KEY
