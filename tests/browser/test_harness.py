"""The browser-test harness itself (fast; no browser): the pinned axe-core and Chart.js, and
the two "no outside traffic" checks, which must catch what they are there to catch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.browser.browsing import (
    AXE_SCRIPT,
    AXE_SHA256,
    AXE_VERSION,
    CHART_JS,
    CHART_JS_SHA256,
    CHART_JS_VERSION,
    OriginGuard,
    blocking,
    describe_violations,
    file_sha256,
    host_of,
    net_log_finished,
    read_net_log,
    summarise_net_log,
)


def test_axe_core_is_the_pinned_release_unchanged() -> None:
    assert file_sha256(AXE_SCRIPT) == AXE_SHA256
    assert AXE_SCRIPT.read_text(encoding="utf-8").startswith(f"/*! axe v{AXE_VERSION}\n")
    assert (AXE_SCRIPT.parent / "LICENSE").read_text().startswith("Mozilla Public License")


def test_chart_js_is_the_pinned_release_unchanged_and_the_one_the_portal_loads() -> None:
    source = CHART_JS.read_text(encoding="utf-8")
    assert file_sha256(CHART_JS) == CHART_JS_SHA256
    assert source.startswith(f"/*!\n * Chart.js v{CHART_JS_VERSION}\n")
    assert (CHART_JS.parent / "LICENSE.md").read_text().startswith("The MIT License")
    # What the CSP (`script-src 'self'`, no 'unsafe-eval') would refuse at run time.
    assert "eval(" not in source
    assert "new Function" not in source
    loader = CHART_JS.parents[2] / "js" / "charts.js"
    assert f"../vendor/chart.js-{CHART_JS_VERSION}/chart.umd.min.js" in loader.read_text()


@dataclass
class _Request:
    method: str
    url: str


def test_the_origin_guard_flags_any_other_origin() -> None:
    guard = OriginGuard("http://127.0.0.1:8080")
    for url in [
        "http://127.0.0.1:8080/report/",
        "http://127.0.0.1:8080/api/form",
        "data:image/svg+xml,<svg/>",
        "http://127.0.0.1:9000/form",  # the API's own port: not the page's origin
        "http://localhost:8080/report/",
        "https://127.0.0.1:8080/report/",
        "https://fonts.example/font.woff2",
    ]:
        guard.on_request(_Request("GET", url))  # type: ignore[arg-type]

    assert len(guard.requested) == 7
    assert guard.outside == [
        "GET http://127.0.0.1:9000/form",
        "GET http://localhost:8080/report/",
        "GET https://127.0.0.1:8080/report/",
        "GET https://fonts.example/font.woff2",
    ]


def _net_log(*events: tuple[str, int, dict[str, Any]]) -> dict[str, Any]:
    types = {name: number for number, name in enumerate(sorted({e[0] for e in events}))}
    return {
        "constants": {"logEventTypes": types},
        "events": [
            {"type": types[name], "source": {"id": source}, "params": params}
            for name, source, params in events
        ],
    }


def test_the_net_log_summary_finds_outside_connections() -> None:
    log = _net_log(
        ("URL_REQUEST_START_JOB", 1, {"url": "http://127.0.0.1:8080/report/"}),
        ("TCP_CONNECT", 2, {"address_list": ["127.0.0.1:8080"]}),
        ("TCP_CONNECT_ATTEMPT", 2, {"address": "127.0.0.1:8080"}),
        ("URL_REQUEST_START_JOB", 3, {"url": "https://updates.example/check?id=1"}),
        ("UDP_CONNECT", 4, {"address": "[2001:db8::1]:443"}),  # reachability probe: silent
        ("UDP_CONNECT", 5, {"address": "192.0.2.53:53"}),
        ("UDP_BYTES_SENT", 5, {"byte_count": 40}),  # a DNS query sent outside
        ("TCP_CONNECT_ATTEMPT", 6, {"address": "198.51.100.7:443"}),
    )

    summary = summarise_net_log(log)

    assert summary.local == ["127.0.0.1:8080", "127.0.0.1:8080"]
    assert summary.outside == ["198.51.100.7:443", "192.0.2.53:53"]
    assert summary.refused_urls == ("https://updates.example/check",)
    assert summary.silent_udp == ("[2001:db8::1]:443",)


def test_a_clean_net_log_has_nothing_outside() -> None:
    log = _net_log(
        ("TCP_CONNECT_ATTEMPT", 1, {"address": "127.0.0.1:8080"}),
        ("UDP_CONNECT", 2, {"address": "[2001:db8::1]:443"}),
    )

    assert summarise_net_log(log).outside == []


def test_a_net_log_cut_short_is_read_up_to_its_last_whole_event(tmp_path: Path) -> None:
    types = {"TCP_CONNECT_ATTEMPT": 7}
    event = {"params": {"address": "127.0.0.1:8080"}, "phase": 0, "source": {"id": 1}, "type": 7}
    lines = [
        json.dumps({"constants": {"logEventTypes": types}})[:-1] + ",",
        '"events": [',
        json.dumps(event) + ",",
        json.dumps(event | {"params": {"address": "203.0.113.9:443"}}) + ",",
        '{"params":{"address":"198.51',  # being written when the log stopped
    ]
    whole = tmp_path / "whole.json"
    whole.write_text("\n".join([*lines[:3], lines[3].rstrip(",") + "],", '"polledData": {}', "}"]))
    cut = tmp_path / "cut.json"
    cut.write_text("\n".join(lines))

    for path, finished in [(whole, True), (cut, False)]:
        log, complete = read_net_log(path)
        assert complete is finished
        assert net_log_finished(path) is finished
        assert summarise_net_log(log).outside == ["203.0.113.9:443"]


def test_hosts_of_addresses() -> None:
    assert host_of("127.0.0.1:8080") == "127.0.0.1"
    assert host_of("[2001:db8::1]:443") == "2001:db8::1"
    assert host_of("example.test") == "example.test"


def test_violations_are_described_per_element_and_only_serious_ones_block() -> None:
    violations: list[dict[str, Any]] = [
        {
            "id": "color-contrast",
            "impact": "serious",
            "help": "Elements must meet minimum color contrast ratio thresholds",
            "helpUrl": "https://rules.example/color-contrast",
            "nodes": [
                {
                    "target": ["#send"],
                    "html": '<button id="send">Send</button>',
                    "failureSummary": "Fix any of the following:\n  contrast of 2.1",
                }
            ],
        },
        {"id": "minor-thing", "impact": "minor", "help": "h", "helpUrl": "u", "nodes": []},
    ]

    assert [found["id"] for found in blocking(violations)] == ["color-contrast"]
    text = describe_violations(blocking(violations))
    assert "- color-contrast (serious)" in text
    assert "at #send: Fix any of the following: contrast of 2.1" in text
