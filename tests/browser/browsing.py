"""What the browser tests share: how Chromium is launched, the proof that nothing left the
machine, axe-core, and the screenshots a reviewer looks at.

Two checks make "no outside traffic" hold:

- every request any page makes is recorded (`OriginGuard`) and must be on the app's own
  origin — the web server, which also proxies the API and Cognito;
- Chromium itself (updater, sign-in, DNS probes: traffic `page.on("request")` never sees) is
  kept off the network by `--host-resolver-rules`, and its net-log (`--log-net-log`) is read
  at the end of the session to prove no connection to any host but 127.0.0.1 was attempted
  (`outside_connections`).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, WebSocket

from tests.e2e.running import PROJECT_DIR

#: Debian's chromium package (`apt-get install chromium`; `.ci/run` installs it).
CHROMIUM = Path("/usr/bin/chromium")
LOCAL_HOST = "127.0.0.1"

ARTIFACTS = PROJECT_DIR / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_RESULTS = ARTIFACTS / "axe"
NET_LOG = ARTIFACTS / "chromium-netlog.json"

AXE_VERSION = "4.14.1"
AXE_SCRIPT = Path(__file__).parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
#: SHA-256 of `axe.min.js` (base64), as axe-core's own `sri-history.json` lists it.
AXE_SHA256 = "KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="
CHART_JS_VERSION = "4.6.1"
#: The portal's vendored Chart.js (UMD build), unchanged from the npm package.
CHART_JS = (
    PROJECT_DIR / "web" / "portal" / "vendor" / f"chart.js-{CHART_JS_VERSION}" / "chart.umd.min.js"
)
CHART_JS_SHA256 = "hzZMwrKnamaEkp59a4Cxiol3lNs4QAyv8fzxeRxpJdI="
#: WCAG 2.2 level AA includes levels A and AA of 2.0 and 2.1.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def launch_args(net_log: Path) -> list[str]:
    """Chromium's flags: headless in a container, and no network but the loopback address."""
    return [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        # Every name resolves to nothing, except the address the stack listens on: Chromium's
        # own background requests fail before they open a socket.
        f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {LOCAL_HOST}",
        f"--log-net-log={net_log}",
    ]


def file_sha256(path: Path) -> str:
    """A file's SHA-256 digest in base64, as subresource-integrity values write it."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


# --- requests from the pages ---------------------------------------------------------------


def origin_of(url: str) -> str:
    """`scheme://host:port` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class OriginGuard:
    """Records every request of a browser context and which of them left the app's origin.

    `data:` and `blob:` URLs are content the page already holds, not network requests.
    """

    origin: str
    requested: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        """Playwright's `request` event."""
        self._record(f"{request.method} {request.url}", request.url)

    def on_websocket(self, websocket: WebSocket) -> None:
        """Playwright's `websocket` event (no page should open one)."""
        self._record(f"WEBSOCKET {websocket.url}", websocket.url)

    def _record(self, what: str, url: str) -> None:
        self.requested.append(what)
        if urlsplit(url).scheme in {"data", "blob"}:
            return
        if origin_of(url) != self.origin:
            self.outside.append(what)


# --- Chromium's net-log ---------------------------------------------------------------------


@dataclass(frozen=True)
class NetLogSummary:
    """What Chromium's net-log says the browser tried to reach."""

    #: Every TCP connection attempt and every UDP socket that sent data, as `host:port`.
    connections: tuple[str, ...]
    #: URLs the browser requested of hosts other than 127.0.0.1 (refused by the resolver rules).
    refused_urls: tuple[str, ...]
    #: UDP sockets connected to outside addresses that never sent a byte (Chromium's IPv6
    #: reachability check calls connect() on a UDP socket only to learn the local address).
    silent_udp: tuple[str, ...]

    @property
    def outside(self) -> list[str]:
        """Connections to any host but 127.0.0.1."""
        return [address for address in self.connections if host_of(address) != LOCAL_HOST]

    @property
    def local(self) -> list[str]:
        """Connections to 127.0.0.1."""
        return [address for address in self.connections if host_of(address) == LOCAL_HOST]


def host_of(address: str) -> str:
    """The host of `host:port` or `[v6]:port`."""
    found = re.fullmatch(r"\[(?P<v6>[^\]]+)\](:\d+)?|(?P<host>[^:]+)(:\d+)?", address)
    if found is None:
        return address
    return found["v6"] or found["host"]


def read_net_log(path: Path) -> tuple[Mapping[str, Any], bool]:
    """The net-log as JSON, and whether Chromium finished writing it.

    Chromium writes the constants on the first line and one event per line after it; a log
    whose end was cut off (the browser's network process stopped before closing it) is read
    event by event, up to the last complete one.
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        complete: Mapping[str, Any] = json.loads(text)
    except json.JSONDecodeError:
        pass
    else:
        return complete, True
    first, _, rest = text.partition("\n")
    constants = json.loads(first.rstrip().rstrip(",") + "}")["constants"]
    events = []
    for line in rest.splitlines():
        line = line.strip().rstrip(",").removesuffix("]")
        if not line.startswith("{"):
            continue
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # the line being written when the log stopped
    return {"constants": constants, "events": events}, False


def net_log_finished(path: Path) -> bool:
    """Whether Chromium has closed the net-log's JSON document."""
    return path.exists() and path.read_text(errors="replace").rstrip().endswith("}")


def summarise_net_log(log: Mapping[str, Any]) -> NetLogSummary:
    """Every connection the net-log records, and the outside URLs that were refused."""
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    connections: list[str] = []
    refused: list[str] = []
    udp_address: dict[int, str] = {}
    udp_sent: set[int] = set()
    for event in log["events"]:
        name = names.get(event["type"], "")
        params = event.get("params") or {}
        source = event.get("source", {}).get("id", -1)
        if name == "TCP_CONNECT_ATTEMPT" and "address" in params:
            connections.append(params["address"])
        elif name == "TCP_CONNECT" and "address_list" in params:
            connections.extend(params["address_list"])
        elif name == "UDP_CONNECT" and "address" in params:
            udp_address[source] = params["address"]
        elif name == "UDP_BYTES_SENT":
            udp_sent.add(source)
        elif name == "URL_REQUEST_START_JOB" and "url" in params:
            host = urlsplit(params["url"]).hostname or ""
            if urlsplit(params["url"]).scheme in {"http", "https"} and host != LOCAL_HOST:
                refused.append(params["url"].split("?", 1)[0])
    connections += [udp_address[source] for source in sorted(udp_sent) if source in udp_address]
    silent = [
        address
        for source, address in udp_address.items()
        if source not in udp_sent and host_of(address) != LOCAL_HOST
    ]
    return NetLogSummary(
        connections=tuple(connections),
        refused_urls=tuple(sorted(set(refused))),
        silent_udp=tuple(sorted(set(silent))),
    )


# --- axe-core ------------------------------------------------------------------------------


def run_axe(page: Page) -> dict[str, Any]:
    """axe-core's results for the page as it is now, for the WCAG 2.2 AA rules.

    axe is evaluated through the DevTools protocol rather than added as a `<script>` tag
    (`page.add_script_tag`): the pages' Content-Security-Policy (`script-src 'self'`) refuses
    inline scripts, and a context with `bypass_csp` would hide a page that only works without
    its policy. The evaluated script adds no element to the page and makes no request.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results: dict[str, Any] = page.evaluate(
        """(tags) => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        list(AXE_TAGS),
    )
    return results


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def blocking(violations: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The violations with a serious or critical impact."""
    return [found for found in violations if found.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: Iterable[Mapping[str, Any]]) -> str:
    """Violations as lines a person can act on: rule, impact, help, and each element."""
    lines: list[str] = []
    for found in violations:
        lines.append(f"- {found['id']} ({found.get('impact')}): {found['help']}")
        lines.append(f"    {found['helpUrl']}")
        for node in found.get("nodes", []):
            target = " ".join(str(part) for part in node.get("target", []))
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    at {target}: {summary}")
            lines.append(f"       {' '.join(str(node.get('html', '')).split())[:200]}")
    return "\n".join(lines)


def slug(text: str) -> str:
    """A file-name-safe form of a test or step name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "step"
