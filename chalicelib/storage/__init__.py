"""The one owner of the tables: DynamoDB plumbing written once, and per table one module.

`dynamo` holds what every table needs (marshalling, conditional writes, transactions, batch
reads with backoff, paginated queries, failures turned into domain errors) and `conflicts`
the optimistic retry of a read-then-commit. The table modules own their keys, prefixes,
indexes and sparse attributes; domain modules call their intention-revealing methods and
never the DynamoDB client (`tests/unit/test_storage_boundary.py` holds them to it).

Nothing here is imported by `app` at import time: boto3 loads on first use.
"""
