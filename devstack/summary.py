"""The table printed at start: what runs where, and how to reach moto from a shell."""

from __future__ import annotations

import shlex

from chalicelib.resources import RESOURCES
from devstack.stack import LocalStack


def describe(stack: LocalStack) -> str:
    """A plain-text table of URLs, resource names and the AWS environment variables."""
    assert stack.urls is not None and stack.settings is not None, "start() first"
    urls, settings = stack.urls, stack.settings
    rows: list[tuple[str, str]] = [
        ("API (chalice local)", urls.api),
        ("reporter form", urls.web + "/report/"),
        ("staff portal", urls.web + "/portal/"),
        ("moto (AWS endpoint)", urls.moto),
        ("region", settings.region),
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
    lines += ["", "Point the AWS CLI or boto3 at moto:"]
    lines += [f"  export {k}={shlex.quote(v)}" for k, v in stack.aws_environment().items()]
    lines += ["", "Stop with Ctrl-C.", ""]
    return "\n".join(lines)
