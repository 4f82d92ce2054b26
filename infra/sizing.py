"""Memory for each function (MB), from measurement (see BENCHMARKS.md, "Lambda package")."""

from __future__ import annotations

from collections.abc import Mapping

#: Provisional until measured: Lambda gives CPU in proportion to memory, so the functions on
#: a person's path (the API, its authorizer) get more than the background jobs.
FUNCTION_MEMORY_MB: Mapping[str, int] = {
    "APIHandler": 512,
    "StaffAuthorizer": 256,
    "OnTriageMessage": 256,
    "OnNotifyMessage": 256,
    "RedriveOutbox": 256,
    "SlaWatch": 256,
    "RetentionSweep": 512,
    "BuildInsights": 512,
}
