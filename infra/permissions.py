"""Who may do what: one row per Lambda function, the resources it may use and how.

This table is the single statement of least privilege for a deployment. The stack builds each
function's role from it (`infra/service.py`), `docs/deploy.md` prints it, and the tests check
the synthesised roles against expectations written out by hand. Nothing here is `*`: every
action is named, and every resource is a table (with each of its indexes), a queue, a key, the
sender identity or the function's own log group.

Keys (`chalicelib/resources.py`):
- `identity` seals personal data. `encrypt` is `kms:GenerateDataKey` alone (the encryption
  SDK asks KMS for a data key); `decrypt` is `kms:Decrypt`. No role gets `kms:ReEncrypt*`:
  re-encrypting a ciphertext under another key is a way to read it.
- `insight` seals demographics: every writer may only encrypt; the insights job alone decrypts.
- `blind-index` and `audit` are HMAC keys: `mac` is `kms:GenerateMac`, `verify` is
  `kms:VerifyMac`.

The staff user pool: only the functions that keep it and the directory in step (the API, for
the admins' staff directory, and the two ops functions) may call it, each with the named
`cognito-idp` actions it makes, on that one pool.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

TableUse = Literal["read", "write", "read_write"]
KeyUse = Literal["encrypt", "decrypt", "mac", "verify"]

#: The DynamoDB actions of each use. TransactWriteItems and TransactGetItems are authorised
#: per item by these same actions. Scan is in none: nothing in the app scans a table.
TABLE_ACTIONS: Mapping[TableUse, tuple[str, ...]] = {
    "read": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"),
    "write": (
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
    ),
    "read_write": (
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
    ),
}

KEY_ACTIONS: Mapping[KeyUse, str] = {
    "encrypt": "kms:GenerateDataKey",
    "decrypt": "kms:Decrypt",
    "mac": "kms:GenerateMac",
    "verify": "kms:VerifyMac",
}

#: Sending to a queue (and consuming from one, for the event source mapping).
SEND_ACTIONS = ("sqs:SendMessage",)
CONSUME_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
#: SES v2 `SendEmail` (raw MIME content included) is authorised as `ses:SendEmail` alone.
EMAIL_ACTIONS = ("ses:SendEmail",)


@dataclass(frozen=True)
class FunctionAccess:
    """What one function may touch. Names are the logical names of `chalicelib/resources.py`."""

    purpose: str
    tables: Mapping[str, TableUse] = field(default_factory=dict)
    keys: Mapping[str, tuple[KeyUse, ...]] = field(default_factory=dict)
    sends_to: tuple[str, ...] = ()
    consumes: str | None = None
    sends_email: bool = False
    #: `cognito-idp` actions on the staff user pool.
    user_pool: tuple[str, ...] = ()


#: Keyed by Chalice's logical function names (the resource names `chalice package` emits).
FUNCTIONS: Mapping[str, FunctionAccess] = {
    "APIHandler": FunctionAccess(
        purpose="the HTTP API: the report form and intake, and every staff route",
        tables={
            "reports": "read_write",
            # Intake writes a report's demographics; an erasure deletes them. Never read.
            "demographics": "write",
            # Admins manage the staff directory from the portal (`chalicelib.staff_admin`).
            "staff": "read_write",
            # Case work puts notifications in the outbox; only the workers read them.
            "notifications": "write",
            "insights": "read",
            "rights": "read_write",
            # The administration trail, and the versions of the institution's content.
            "admin": "read_write",
        },
        keys={
            "identity": ("encrypt", "decrypt"),
            "insight": ("encrypt",),
            "blind-index": ("mac",),
            "audit": ("mac", "verify"),
        },
        sends_to=("triage", "notify"),
        # The staff directory's administration: a new member's sign-in and invitation, their
        # groups, a new address, a leaver disabled and a returner enabled
        # (`chalicelib.staff_access`); AdminGetUser checks an add sent again.
        user_pool=(
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminGetUser",
            "cognito-idp:AdminUpdateUserAttributes",
            "cognito-idp:AdminDisableUser",
            "cognito-idp:AdminEnableUser",
            "cognito-idp:AdminListGroupsForUser",
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminRemoveUserFromGroup",
        ),
    ),
    "StaffAuthorizer": FunctionAccess(
        # Verifies tokens against the user pool's public keys, fetched over HTTPS.
        purpose="checks staff access tokens for API Gateway",
    ),
    "OnTriageMessage": FunctionAccess(
        purpose="triage: routing, risk, clocks, the screeners' alert, trend alerts",
        # Trend alerts are put (conditionally) in the insights table, never read back; an
        # alert names its place by the published content's labels (the admin table, read).
        tables={
            "reports": "read_write",
            "notifications": "write",
            "insights": "write",
            "admin": "read",
        },
        # Triage appends the first audit entry and re-signs the report's head, after checking
        # the head intake signed (it never re-signs a value put back); the API verifies chains.
        keys={"audit": ("mac", "verify")},
        sends_to=("notify",),
        consumes="triage",
    ),
    "OnNotifyMessage": FunctionAccess(
        purpose="sends notification emails to staff (their addresses are sealed)",
        tables={"notifications": "read_write", "staff": "read"},
        keys={"identity": ("decrypt",)},
        consumes="notify",
        sends_email=True,
    ),
    "RedriveOutbox": FunctionAccess(
        purpose="sends again what never reached its queue",
        tables={"reports": "read", "notifications": "read"},
        sends_to=("triage", "notify"),
    ),
    "SlaWatch": FunctionAccess(
        purpose="chases screeners about overdue clocks",
        tables={"reports": "read_write", "notifications": "write"},
        sends_to=("notify",),
    ),
    "RetentionSweep": FunctionAccess(
        purpose="redacts and deletes on schedule (writes audit entries and signed tombstones)",
        tables={"reports": "read_write", "demographics": "write", "notifications": "read_write"},
        # The sweep's audit entries carry no reason, so it seals nothing; it signs entries,
        # tombstones and the case's new head, after checking the head it read (the API
        # checks entries and tombstones).
        keys={"audit": ("mac", "verify")},
    ),
    "AuditCheckpoint": FunctionAccess(
        purpose="checkpoints every case's audit head, signed (reads heads, writes checkpoints)",
        # Heads through the `case_heads` index and batch reads; checkpoint items put and,
        # for a case retention deleted, removed. It checks heads and tombstones, signs heads.
        # The administration trail's head is checkpointed with the cases' (read only).
        tables={"reports": "read_write", "admin": "read"},
        keys={"audit": ("mac", "verify")},
    ),
    "BuildInsights": FunctionAccess(
        purpose="counts anonymised statistics; the only reader of demographics",
        # A counted report's demographics item is marked counted (in the counting transaction).
        tables={"reports": "read_write", "demographics": "read_write", "insights": "read_write"},
        keys={"insight": ("decrypt",)},
    ),
    "AddStaffMember": FunctionAccess(
        # No HTTP route and no schedule: ops invoke it (scripts/first-admin), so that no
        # person's credentials ever need the identity key to put a name in the directory.
        purpose="adds a staff member to the directory, sealing their name and address",
        tables={"staff": "read_write"},
        keys={"identity": ("encrypt",)},
    ),
    "ManageStaffMember": FunctionAccess(
        # Ops invoke it (admins use the portal's staff directory): the directory first, then
        # the pool.
        purpose="deactivates, reactivates, signs out, deletes a staff member or sets their roles",
        tables={"staff": "read_write"},
        user_pool=(
            "cognito-idp:AdminDisableUser",
            "cognito-idp:AdminEnableUser",
            "cognito-idp:AdminUserGlobalSignOut",
            "cognito-idp:AdminDeleteUser",
            "cognito-idp:AdminListGroupsForUser",
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminRemoveUserFromGroup",
        ),
    ),
    "RecordCognitoChange": FunctionAccess(
        # EventBridge invokes it with CloudTrail's record of a change made in Cognito itself;
        # ListUsers finds a user CloudTrail names only by their sub.
        purpose="records in the directory a staff member disabled, deleted, signed out or "
        "removed from a group directly in Cognito",
        tables={"staff": "read_write"},
        user_pool=("cognito-idp:ListUsers",),
    ),
}


def markdown_matrix() -> str:
    """The matrix of function, resource and action, as Markdown (`docs/deploy-permissions.md`).

    One row per resource, one column per function; a cell names the function's uses of the
    resource, and the second table spells each use out as the IAM actions the role gets.
    """
    from chalicelib.resources import RESOURCES

    names = list(FUNCTIONS)
    accesses = [FUNCTIONS[name] for name in names]
    rows: list[tuple[str, list[str]]] = []
    for table in RESOURCES.tables:
        count = len(table.indexes)
        indexes = {0: "", 1: " and its index"}.get(count, f" and its {count} indexes")
        uses = [a.tables.get(table.logical_name) for a in accesses]
        rows.append(
            (
                f"table `{table.logical_name}`{indexes}",
                [", ".join(u.split("_")) if u else "" for u in uses],
            )
        )
    for key in RESOURCES.keys:
        rows.append(
            (
                f"key `{key.logical_name}`",
                [", ".join(a.keys.get(key.logical_name, ())) for a in accesses],
            )
        )
    for queue in RESOURCES.queues:
        name = queue.logical_name
        cells = [
            ", ".join(
                use
                for use, applies in (("send", name in a.sends_to), ("consume", a.consumes == name))
                if applies
            )
            for a in accesses
        ]
        rows.append((f"queue `{name}`", cells))
    rows.append(
        (
            "key `storage`, only through SQS",
            ["encrypt, decrypt" if a.sends_to or a.consumes else "" for a in accesses],
        )
    )
    rows.append(
        (
            "the sender identity and its configuration set",
            ["send" if a.sends_email else "" for a in accesses],
        )
    )
    rows.append(
        (
            "the staff user pool",
            [", ".join(a.removeprefix("cognito-idp:") for a in x.user_pool) for x in accesses],
        )
    )
    rows.append(("its own log group's streams", ["write" for _ in accesses]))

    lines = [
        "| resource | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
        *(f"| {resource} | " + " | ".join(cells) + " |" for resource, cells in rows),
        "",
        "| use | of | IAM actions |",
        "|---|---|---|",
    ]
    legend: list[tuple[str, str, tuple[str, ...]]] = [
        ("read", "a table, on the table and each index", TABLE_ACTIONS["read"]),
        ("write", "a table, on the table and each index", TABLE_ACTIONS["write"]),
        *((use, "a key", (action,)) for use, action in KEY_ACTIONS.items()),
        (
            "encrypt, decrypt",
            "`storage`, if `kms:ViaService` is SQS",
            ("kms:GenerateDataKey", "kms:Decrypt"),
        ),
        ("send", "a queue", SEND_ACTIONS),
        ("consume", "a queue (Lambda's event source mapping)", CONSUME_ACTIONS),
        ("send", "the sender identity and its configuration set", EMAIL_ACTIONS),
        ("an action's name", "the staff user pool", ("cognito-idp:<that action>",)),
        ("write", "its own log group's streams", ("logs:CreateLogStream", "logs:PutLogEvents")),
    ]
    lines += [
        f"| {use} | {of} | {', '.join(f'`{a}`' for a in actions)} |" for use, of, actions in legend
    ]
    lines += ["", "What each function is:", ""]
    lines += [f"- **{name}**: {access.purpose}" for name, access in FUNCTIONS.items()]
    return "\n".join(lines) + "\n"
