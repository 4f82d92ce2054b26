"""What is kept beside a case in the reports table, as its storage modules read and write it:
audit entries, audit checkpoints, concern links and timeline keys. Runs against moto's
DynamoDB, one table provisioned for the module (no index: the index reads are the API
tests')."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.storage import dynamo
from chalicelib.storage.audit_entries import AuditEntries, StoredEntry, audit_key
from chalicelib.storage.checkpoints import CheckpointStore, StoredCheckpoint
from chalicelib.storage.concern_links import (
    ConcernLink,
    ConcernLinks,
    LinkedReport,
    link_key,
    link_put_request,
)
from chalicelib.storage.timeline import timeline_entry_key
from tests.mocked_aws import pk_sk_table

TABLE = "reports"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with pk_sk_table(TABLE) as dynamodb:
        yield dynamodb


@pytest.fixture
def report_id() -> str:
    return uuid.uuid4().hex


def entry(report_id: str, seq: int, **values: Any) -> StoredEntry:
    written: dict[str, Any] = {
        "at": "2026-11-20T10:30:00.000Z",
        "actor": "adv-1",
        "action": "note",
        "details": {"entry": "note", "count": 2},
        "prev_hash": f"prev-{seq}",
        "hash": f"hash-{seq}",
        "mac": f"mac-{seq}",
    }
    return StoredEntry(report_id=report_id, seq=seq, **{**written, **values})


def test_audit_entries_are_keyed_in_chain_order_and_read_back_as_stored(
    client: Any, report_id: str
) -> None:
    # Given ten entries, the last with a sealed reason, written in transactions
    entries = AuditEntries(client, TABLE)
    written = [entry(report_id, seq) for seq in range(1, 10)]
    written.append(entry(report_id, 10, sealed_reason=b"\x01sealed", reason_sha256="abc"))
    for stored in reversed(written):
        dynamo.transact(client, [entries.put_request(stored)])

    # Then the keys sort as the chain, and the chain reads back exactly as written
    assert audit_key(9) == "AUDIT#0000000009"
    assert audit_key(10) == "AUDIT#0000000010"
    assert entries.chain(report_id) == written
    # (numbers come back as the ints the hash was computed over, not DynamoDB's Decimals)
    assert [type(e.details["count"]) for e in entries.chain(report_id)] == [int] * 10
    assert entries.chain(uuid.uuid4().hex) == []


def test_an_entry_is_added_once_and_the_probe_sees_only_entries_beyond_a_head(
    client: Any, report_id: str
) -> None:
    entries = AuditEntries(client, TABLE)
    dynamo.transact(client, [entries.put_request(entry(report_id, 1))])

    # The same link again is refused, another case's is not
    with pytest.raises(dynamo.CommitConflict):
        dynamo.transact(client, [entries.put_request(entry(report_id, 1, actor="adv-2"))])
    assert entries.chain(report_id) == [entry(report_id, 1)]

    assert entries.any_beyond(report_id, 0) is True
    assert entries.any_beyond(report_id, 1) is False


def test_the_case_item_is_read_beside_its_chain(client: Any, report_id: str) -> None:
    entries = AuditEntries(client, TABLE)
    assert entries.case_item(report_id) is None

    item = {"pk": f"REPORT#{report_id}", "sk": "REPORT", "report_id": report_id, "version": 3}
    client.put_item(TableName=TABLE, Item=dynamo.serialized(item))

    assert entries.case_item(report_id) == item


def test_a_checkpoint_is_put_read_listed_and_forgotten(client: Any, report_id: str) -> None:
    store = CheckpointStore(client, TABLE)
    checkpoint = StoredCheckpoint(report_id, 7, "h7", "RS-2026-ABCD", "2026-11-20T10:30Z", "m")
    assert store.checkpoint(report_id) is None

    store.put(checkpoint)

    assert store.checkpoint(report_id) == checkpoint
    assert checkpoint in list(store.checkpoints())
    store.forget(report_id)
    assert store.checkpoint(report_id) is None
    assert checkpoint not in list(store.checkpoints())


def test_a_checkpoint_edited_to_drop_what_was_signed_reads_as_missing_not_as_a_failure(
    client: Any, report_id: str
) -> None:
    edited = {"pk": "CHECKPOINT", "sk": f"REPORT#{report_id}", "report_id": report_id}
    client.put_item(TableName=TABLE, Item=dynamo.serialized({**edited, "seq": 1, "hash": "h"}))

    assert CheckpointStore(client, TABLE).checkpoint(report_id) == StoredCheckpoint(
        report_id, 1, "h", reference=None, at=None, mac=None
    )


def test_a_tombstone_is_read_by_its_reference(client: Any, report_id: str) -> None:
    store = CheckpointStore(client, TABLE)
    assert store.tombstone("RS-2026-WXYZ") is None

    tombstone = {"pk": "TOMBSTONE#RS-2026-WXYZ", "sk": "TOMBSTONE", "report_id": report_id}
    client.put_item(TableName=TABLE, Item=dynamo.serialized(tombstone))

    assert store.tombstone("RS-2026-WXYZ") == tombstone


def test_concern_links_name_the_reports_and_what_a_screener_sees_of_them(client: Any) -> None:
    # Given one person named by two reports, one of them triaged to a team
    mac, first, second = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
    for report_id, at, team in ((first, "2026-01-01", "security"), (second, "2026-02-01", None)):
        link = {"pk": f"CONCERN#{mac}", "sk": f"REPORT#{report_id}", "report_id": report_id}
        client.put_item(TableName=TABLE, Item=dynamo.serialized({**link, "submitted_at": at}))
        item = {"pk": f"REPORT#{report_id}", "sk": "REPORT", "report_id": report_id}
        item |= {"reference": f"RS-{at}", "submitted_at": at}
        if team:
            item["team_id"] = team
        client.put_item(TableName=TABLE, Item=dynamo.serialized(item))
    links = ConcernLinks(client, TABLE)

    # Then both links are found under the person, with what a screener is shown of each
    assert sorted(links.naming(mac), key=lambda link: link.submitted_at) == [
        ConcernLink(first, "2026-01-01"),
        ConcernLink(second, "2026-02-01"),
    ]
    assert links.naming(uuid.uuid4().hex) == []
    summaries = links.summaries([first, second, uuid.uuid4().hex])
    assert sorted(summaries, key=lambda report: report.submitted_at) == [
        LinkedReport(first, "RS-2026-01-01", "2026-01-01", "security"),
        LinkedReport(second, "RS-2026-02-01", "2026-02-01", None),
    ]


def test_a_concern_link_is_put_once_with_what_a_screener_sees_and_read_back(
    client: Any,
) -> None:
    # Given the put of a link from a person named to a report, as the report's write sends it
    mac, report_id = uuid.uuid4().hex, uuid.uuid4().hex
    put = link_put_request(TABLE, mac, report_id, "RS-7K3M-Q2PD", "2026-03-01T09:00:00.000Z")

    # Then it is keyed by the person and the report, holds the summary and nothing else,
    # and may only create the link
    assert put == {
        "Put": {
            "TableName": TABLE,
            "Item": {
                "pk": {"S": f"CONCERN#{mac}"},
                "sk": {"S": f"REPORT#{report_id}"},
                "report_id": {"S": report_id},
                "reference": {"S": "RS-7K3M-Q2PD"},
                "submitted_at": {"S": "2026-03-01T09:00:00.000Z"},
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    assert link_key(mac, report_id) == {
        "pk": {"S": f"CONCERN#{mac}"},
        "sk": {"S": f"REPORT#{report_id}"},
    }

    # When it is written, the person's links name the report; a second write is refused
    client.transact_write_items(TransactItems=[put])
    assert ConcernLinks(client, TABLE).naming(mac) == [
        ConcernLink(report_id, "2026-03-01T09:00:00.000Z")
    ]
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[put])


def test_a_timeline_entry_is_keyed_by_its_case_its_time_and_its_id() -> None:
    assert timeline_entry_key("r1", "2026-11-20T10:30:00.000Z", "e1") == {
        "pk": "REPORT#r1",
        "sk": "TIMELINE#2026-11-20T10:30:00.000Z#e1",
    }
