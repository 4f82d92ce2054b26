"""The CloudWatch metrics the app wrote: embedded-metric-format lines on stdout."""

from __future__ import annotations

import json
from typing import Any


def metrics(printed: str) -> list[dict[str, Any]]:
    """Each metric of each EMF line among what the app printed: namespace, name,
    dimensions (name to value) and values."""
    lines = [json.loads(line) for line in printed.splitlines() if line.startswith('{"_aws"')]
    return [
        {
            "namespace": directive["Namespace"],
            "name": metric["Name"],
            "dimensions": {name: line[name] for names in directive["Dimensions"] for name in names},
            "value": line[metric["Name"]],
        }
        for line in lines
        for directive in line["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]
    ]
