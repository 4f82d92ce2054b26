"""The institution's content versions in the admin table, and which one is published.

Items (`pk` / `sk`, `chalicelib.resources.ADMIN_TABLE`), all in the partition `CONTENT`:

- `CONTENT` / `VERSION#<n>`: one saved version, `n` zero-padded so that key order is
  version order: the document as JSON text, its status (`draft`, `published`, `retired`),
  who saved it and when, the version it was based on, when it was last published, and the
  form and privacy-notice versions reports made against it record;
- `CONTENT` / `PUBLISHED`: the version reporters see (`current`; none: the deployed
  default), the one a restore would publish again (`previous`; none while a version is
  current: the deployed default), every form and privacy-notice version ever published (a
  reporter who loaded one of them before a later publish may still send their report) and
  every option ever published (`retained_options`, JSON text), so that no later version,
  nor a restore of an earlier one, takes away the label of an option a report may hold.

The document is content an administrator writes for every reporter to read (support
services, policies, the privacy notice): no personal data of reporters or staff, so it is
stored in clear. Publishing changes the pointer and two versions' statuses in one
transaction with the admin trail's entry: `publish_writes` builds those writes, conditional
on the pointer the caller read, for `AdminTrail.record(..., also=...)`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from chalicelib.storage.dynamo import (
    attribute_value,
    conditional_write,
    get,
    query,
    query_page,
    serialized,
)

PARTITION = "CONTENT"
VERSION_PREFIX = "VERSION#"
POINTER = "PUBLISHED"
#: Zero-padded so that key order is version order (ten digits: never reached).
VERSION_DIGITS = 10

Status = Literal["draft", "published", "retired"]
STATUSES: frozenset[str] = frozenset(get_args(Status))


@dataclass(frozen=True)
class StoredVersion:
    """One saved version as stored; `document` is the JSON text of the document."""

    version: int
    status: Status
    document: str
    created_at: str
    created_by: str
    based_on: int | None
    form_version: str
    privacy_notice_version: str
    published_at: str | None = None


@dataclass(frozen=True)
class Pointer:
    """What is published: `current` (None: the deployed default), what a restore would
    publish again (None while a version is current: the deployed default; while none is,
    nothing), and what every publish so far has put before reporters."""

    current: int | None = None
    previous: int | None = None
    form_versions: frozenset[str] = frozenset()
    notice_versions: frozenset[str] = frozenset()
    #: `{question_id: [option, ...]}` as plain JSON values: every option ever published.
    retained_options: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def version_key(version: int) -> dict[str, str]:
    """The key of a version's item."""
    return {"pk": PARTITION, "sk": f"{VERSION_PREFIX}{version:0{VERSION_DIGITS}d}"}


_POINTER_KEY = {"pk": PARTITION, "sk": POINTER}


@dataclass
class ContentVersions:
    """The content items. Takes the DynamoDB client and the admin table's name."""

    client: Any
    table: str

    def pointer(self, *, consistent: bool = True) -> Pointer:
        """What is published now (the deployed default's pointer before any publish)."""
        values = get(self.client, self.table, _POINTER_KEY, consistent=consistent)
        if values is None:
            return Pointer()
        return Pointer(
            current=_number(values.get("current")),
            previous=_number(values.get("previous")),
            form_versions=frozenset(values.get("form_versions", [])),
            notice_versions=frozenset(values.get("notice_versions", [])),
            retained_options=json.loads(values.get("retained_options", "{}")),
        )

    def version(self, version: int, *, consistent: bool = True) -> StoredVersion | None:
        """One saved version, or None."""
        values = get(self.client, self.table, version_key(version), consistent=consistent)
        return None if values is None else _stored(values)

    def versions(self) -> list[StoredVersion]:
        """Every saved version, newest first (documents included)."""
        items = query(
            self.client,
            {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": {
                    ":pk": {"S": PARTITION},
                    ":prefix": {"S": VERSION_PREFIX},
                },
                "ScanIndexForward": False,
                "ConsistentRead": True,
            },
        )
        return [_stored(item) for item in items]

    def latest_number(self) -> int:
        """The highest version saved so far (0 before the first)."""
        items, _ = query_page(
            self.client,
            {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": {
                    ":pk": {"S": PARTITION},
                    ":prefix": {"S": VERSION_PREFIX},
                },
                "ProjectionExpression": "version",
                "ScanIndexForward": False,
                "Limit": 1,
                "ConsistentRead": True,
            },
        )
        return int(items[0]["version"]) if items else 0

    def add(self, stored: StoredVersion) -> bool:
        """Store a new version: False if its number was taken meanwhile (nothing written)."""
        item = {**version_key(stored.version), **_attributes(stored)}
        return conditional_write(
            lambda: self.client.put_item(
                TableName=self.table,
                Item=serialized(item),
                ConditionExpression="attribute_not_exists(sk)",
            )
        )

    def publish_writes(
        self,
        seen: Pointer,
        pointer: Pointer,
        published: StoredVersion | None,
        replaced: int | None,
    ) -> list[dict[str, Any]]:
        """The transaction items that publish `published` (its status, when, its versions;
        None: the deployed default, which has no item), retire `replaced` and move the
        pointer from `seen` to `pointer`: each conditional, so that a publish made meanwhile
        makes the whole transaction fail."""
        if seen.current is None:
            condition: dict[str, Any] = {
                "ConditionExpression": "attribute_not_exists(sk) OR attribute_not_exists(#c)",
                "ExpressionAttributeNames": {"#c": "current"},
            }
        else:
            condition = {
                "ConditionExpression": "#c = :seen",
                "ExpressionAttributeNames": {"#c": "current"},
                "ExpressionAttributeValues": {":seen": {"N": str(seen.current)}},
            }
        pointer_item: dict[str, Any] = {
            **_POINTER_KEY,
            "form_versions": sorted(pointer.form_versions),
            "notice_versions": sorted(pointer.notice_versions),
            "retained_options": json.dumps(pointer.retained_options, sort_keys=True),
        }
        if pointer.current is not None:
            pointer_item["current"] = pointer.current
        if pointer.previous is not None:
            pointer_item["previous"] = pointer.previous
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table, "Item": serialized(pointer_item), **condition}}
        ]
        if published is not None:
            writes.append(
                _status_update(
                    self.table,
                    published.version,
                    "published",
                    {
                        "published_at": published.published_at,
                        "form_version": published.form_version,
                        "privacy_notice_version": published.privacy_notice_version,
                    },
                )
            )
        if replaced is not None and (published is None or replaced != published.version):
            writes.append(_status_update(self.table, replaced, "retired", {}))
        return writes


def _status_update(
    table: str, version: int, status: Status, values: Mapping[str, Any]
) -> dict[str, Any]:
    names = {"#status": "status", **{f"#{name}": name for name in values}}
    assignments = ["#status = :status", *(f"#{name} = :{name}" for name in values)]
    return {
        "Update": {
            "TableName": table,
            "Key": serialized(version_key(version)),
            "UpdateExpression": "SET " + ", ".join(assignments),
            "ConditionExpression": "attribute_exists(sk)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {
                ":status": attribute_value(status),
                **{f":{name}": attribute_value(value) for name, value in values.items()},
            },
        }
    }


def _attributes(stored: StoredVersion) -> dict[str, Any]:
    values: dict[str, Any] = {
        "version": stored.version,
        "status": stored.status,
        "document": stored.document,
        "created_at": stored.created_at,
        "created_by": stored.created_by,
        "form_version": stored.form_version,
        "privacy_notice_version": stored.privacy_notice_version,
    }
    if stored.based_on is not None:
        values["based_on"] = stored.based_on
    if stored.published_at is not None:
        values["published_at"] = stored.published_at
    return values


def _stored(values: Mapping[str, Any]) -> StoredVersion:
    status = str(values["status"])
    if status not in STATUSES:
        raise ValueError("unknown content version status")
    return StoredVersion(
        version=int(values["version"]),
        status=cast(Status, status),
        document=str(values["document"]),
        created_at=str(values["created_at"]),
        created_by=str(values["created_by"]),
        based_on=_number(values.get("based_on")),
        form_version=str(values["form_version"]),
        privacy_notice_version=str(values["privacy_notice_version"]),
        published_at=str(values["published_at"]) if values.get("published_at") else None,
    )


def _number(value: Any) -> int | None:
    return None if value is None else int(value)
