"""The table printed at start: what runs where, who is in the demo directory, how to reach
moto from a shell and how to read the emails the stack has sent."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from chalicelib.resources import RESOURCES
from devstack.emails import DATA_PATH
from devstack.stack import LocalStack, StackOptions


def describe(stack: LocalStack) -> str:
    """A plain-text table of URLs, resource names and the AWS environment variables."""
    assert stack.urls is not None and stack.settings is not None, "start() first"
    urls, settings = stack.urls, stack.settings
    rows: list[tuple[str, str]] = [
        ("API (chalice local)", urls.api),
        ("reporter form", urls.web + "/report/"),
        ("staff portal", urls.web + "/portal/"),
        ("moto (AWS endpoint)", urls.moto),
        ("clock control", urls.clock),
        ("region", settings.region),
        ("emails sent from", settings.sender_email),
        ("emails link to", settings.portal_url),
    ]
    rows += [
        (f"table {t.logical_name}", getattr(settings, t.settings_field)) for t in RESOURCES.tables
    ]
    for queue in RESOURCES.queues:
        rows.append((f"queue {queue.logical_name}", getattr(settings, queue.settings_field)))
        rows.append(("  dead-letter queue", stack.dead_letter_queues.get(queue.logical_name, "?")))
    rows += [(f"key {k.logical_name}", getattr(settings, k.settings_field)) for k in RESOURCES.keys]
    if stack.pump is not None:
        rows += [(f"SQS handler {s.name}", s.queue_url) for s in stack.pump.subscriptions]
    if stack.scheduler is not None:
        rows += [
            (f"schedule {job.name}", f"every {job.every_seconds:g} s")
            for job in stack.scheduler.jobs
        ]
    width = max(len(name) for name, _ in rows)
    lines = ["", "Report + Support local stack", "=" * 28]
    lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
    lines += directory_lines(stack)
    lines += sign_in_lines(stack)
    lines += ["", "Point the AWS CLI or boto3 at moto:"]
    lines += [f"  export {k}={shlex.quote(v)}" for k, v in stack.aws_environment().items()]
    lines += [
        "",
        "Emails: moto's SES delivers nothing; it keeps every message it accepts. Read them with",
        f"  python -m devstack.emails --moto {urls.moto}",
        f'or GET {urls.moto}{DATA_PATH}: under "ses" -> "RawMessage", each message\'s',
        '"destinations" and "raw_data" (the whole MIME message).',
    ]
    lines += clock_lines(stack)
    lines += ["", "Stop with Ctrl-C.", ""]
    return "\n".join(lines)


def clock_lines(stack: LocalStack) -> list[str]:
    """How to move the stack's clock (local only; see devstack/clock.py)."""
    port = stack.urls.clock.rsplit(":", 1)[-1] if stack.urls and stack.urls.clock else "?"
    option = "" if port == str(StackOptions().clock_port) else f" --port {port}"
    return [
        "",
        "Move time (forward only; the schedules due on the way run, in order):",
        f"  python -m devstack.clock +30d{option}     (+6h, +7mo, +1y, --to YYYY-MM-DD, --show)",
    ]


def directory_lines(stack: LocalStack) -> list[str]:
    """The demo staff directory the stack seeded, team by team (demo data only).

    In the staff table names and addresses are sealed; these come from the demo data.
    """
    if not stack.staff:
        return []
    lines = ["", "Demo staff directory (demo people; notifications go to each team's screeners)"]
    header = ("id", "name", "email", "roles", "specialisms", "languages", "gender", "capacity")
    for team in stack.teams:
        members = [m for m in stack.staff if m.team_id == team.team_id]
        rows = [
            (
                m.member_id,
                m.name,
                m.email,
                ", ".join(m.roles),
                ", ".join(m.specialisms) or "-",
                ", ".join(m.languages),
                m.gender or "-",
                str(m.capacity),
            )
            for m in members
        ]
        lines += ["", f"{team.name} ({team.team_id})"]
        lines += [f"  {line}" for line in _columns([header, *rows])]
    return lines


def sign_in_lines(stack: LocalStack) -> list[str]:
    """The demo staff sign-ins (username = member id), for the portal and the API."""
    if not stack.sign_ins:
        return []
    pool = stack.settings.staff_pool_id if stack.settings else "?"
    client = stack.settings.staff_client_id if stack.settings else "?"
    lines = [
        "",
        f"Demo staff sign-ins (Cognito pool {pool}, app client {client}; local only)",
    ]
    header = ("username", "password", "groups")
    rows = [(name, password, ", ".join(groups)) for name, password, groups in stack.sign_ins]
    lines += [f"  {line}" for line in _columns([header, *rows])]
    return lines


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
