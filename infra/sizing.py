"""Memory for each function (MB), from measurement (see BENCHMARKS.md, "Lambda package: size
and cold start").

Measured (`.venv/bin/python -m bench cold_start`, 2026-12-01): peak resident memory of each
function's first invocation in a fresh interpreter running the unpacked package against
moto (the kernel's VmHWM of the interpreter; Lambda's own runtime client adds roughly 30-40
MB on top of it in "Max Memory Used"):

    APIHandler 76 MB · StaffAuthorizer 44 · OnTriageMessage 86 · OnNotifyMessage 79
    RedriveOutbox 73 · SlaWatch 74 · RetentionSweep 73 · BuildInsights 74

So memory itself would fit in 128 MB for none of them with room to spare, and 256 MB for
all. What sets the size is CPU: Lambda gives CPU in proportion to memory (a whole vCPU at
1,769 MB), and a cold start is CPU-bound work — importing and building the app's clients
takes about 0.5 s of one core on the build machine, so about 7 s at 128 MB (~1/14 of a
vCPU), 1.8 s at 512 MB and 0.9 s at 1,024 MB. Price is per GB-second, so for CPU-bound work
more memory costs about the same per invocation while finishing sooner; for time spent
waiting on AWS calls it costs more. Hence:

- the API and its authorizer, on a person's path: the API at 1,024 MB (a reporter's first
  request after a quiet spell should not wait seconds), the authorizer (smaller, no AWS SDK
  import) at 512 MB;
- the queue workers at 512 MB: triage and notify are the next step of a report, seconds
  matter to a screener's alert, and they run once per report;
- the schedules that run every 5-15 minutes (about 14,000 runs a month, mostly waiting on
  DynamoDB) at 256 MB, twice their measured peak; the daily retention sweep and the
  insights job, which walk many items and decrypt in bulk, at 512 MB.
"""

from __future__ import annotations

#: Keyed by Chalice's logical function names (as in the packaged template).
FUNCTION_MEMORY_MB: dict[str, int] = {
    "APIHandler": 1024,
    "StaffAuthorizer": 512,
    "OnTriageMessage": 512,
    "OnNotifyMessage": 512,
    "RedriveOutbox": 256,
    "SlaWatch": 256,
    "RetentionSweep": 512,
    # Batch reads of every head, a KMS call or two per case that moved: the sweep's size.
    "AuditCheckpoint": 512,
    "BuildInsights": 512,
    # Run by hand, once per new staff member: the schedules' size.
    "AddStaffMember": 256,
    # Run by hand (or by a console change): one directory item and a few Cognito calls.
    "ManageStaffMember": 256,
    "RecordCognitoChange": 256,
}
