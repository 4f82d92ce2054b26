"""What a step change of the reporter form costs the page, before and after a change.

`python -m bench.step_cost [--before REF] [--rounds N] [--profile]` (not part of
`python -m bench`: it needs Debian's Chromium and Playwright, as the browser tests do).

The walk is the Lighthouse user flow's (`bench/lighthouse_flow.mjs`): a witness reporting
anonymously, from the start page to the review, 19 step changes, at a phone's viewport with
the CPU slowed 4x in DevTools (`Emulation.setCPUThrottlingRate`), as Lighthouse's timespan
is throttled. `python -m devstack` runs once, on free ports; the pages of each variant are
served from their own copy of `web/` (the working tree's, and `git archive REF web`'s), both
through the same request interception, so the two differ only in the code they run. The
variants alternate (before, after, before, after, ...), each walk in a fresh context.

Per walk: the page's `longtask` entries (count, longest, and the total blocking time as
Lighthouse counts it: the sum of each long task's time beyond 50 ms). Per step change: the
Event Timing entry of the click that changes the step (its handler's time, and its duration
to the next paint), and DevTools' own counters around it (`Performance.getMetrics`: script,
style and layout time, and how often style and layout were computed). Medians, with ranges.
`--profile` also samples the JavaScript of one walk of each variant and prints where its
own time went.
"""

from __future__ import annotations

import argparse
import io
import mimetypes
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.concurrency import running_stack
from bench.stats import median

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
#: Lighthouse's mobile screen, and its CPU slowdown.
VIEWPORT = {"width": 412, "height": 823}
CPU_SLOWDOWN = 4
#: What the walk answers (the Lighthouse flow's answers).
ANSWERS = {
    "reporter_role": "staff",
    "reporting_for": "witness",
    "affected_role": "student",
    "what_happened": "verbal_harassment",
    "when": "last_week",
    "where": "online",
    "immediate_danger": "no",
    "mode": "anonymous",
}
#: DevTools' cumulative counters read around each step change.
METRICS = (
    "TaskDuration",
    "ScriptDuration",
    "RecalcStyleDuration",
    "LayoutDuration",
    "RecalcStyleCount",
    "LayoutCount",
)
#: A step change is over when the step shown is another one.
_LEFT_STEP = '(id) => !document.querySelector(`main [data-step="${id}"]`)'
#: Every long task and every click's Event Timing entry, from the page's first moment.
_OBSERVE = """
window.__cost = {long: [], clicks: [], frames: [], submits: new Set()};
addEventListener("click", (event) => {
  if (event.target.closest("button[type=submit]")) window.__cost.submits.add(event.timeStamp);
}, true);
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__cost.long.push(e.duration);
}).observe({type: "longtask", buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name === "click" && window.__cost.submits.has(e.startTime)) {
      window.__cost.clicks.push({
        processing: e.processingEnd - e.processingStart,
        duration: e.duration,
      });
    }
  }
}).observe({type: "event", durationThreshold: 16, buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    window.__cost.frames.push({
      duration: e.duration,
      blocking: e.blockingDuration,
      render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
      styleAndLayout: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
      scripts: e.scripts.map((s) => ({
        invoker: s.invoker,
        duration: s.duration,
        forced: s.forcedStyleAndLayoutDuration,
        source: `${s.sourceFunctionName} ${s.sourceURL.split("/").slice(-2).join("/")}`,
      })),
    });
  }
}).observe({type: "long-animation-frame", buffered: true});
"""


#: The page's loading is not a step change: what the observers saw of it is dropped.
_FORGET_LOADING = (
    "for (const seen of Object.values(window.__cost)) seen.length = 0; "
    "window.__cost.submits = new Set()"
)


def _frame_scripts(frame: dict[str, Any]) -> float:
    return float(sum(script["duration"] for script in frame["scripts"]))


def _frame_forced(frame: dict[str, Any]) -> float:
    return float(sum(script["forced"] for script in frame["scripts"]))


#: The parts of a step change's long animation frame that the summary shows.
_FRAME_PARTS: tuple[tuple[str, Callable[[dict[str, Any]], float]], ...] = (
    ("frame", lambda frame: float(frame["duration"])),
    ("frame's blocking time", lambda frame: float(frame["blocking"])),
    ("frame's scripts", _frame_scripts),
    ("forced style+layout", _frame_forced),
    ("frame's rendering", lambda frame: float(frame["render"])),
)


@dataclass
class Walk:
    """One walk from the start page to the review."""

    variant: str
    steps: list[str] = field(default_factory=list)
    long_tasks: list[float] = field(default_factory=list)
    #: Per step change (the start page's Start included): the click's Event Timing entry.
    clicks: list[dict[str, float]] = field(default_factory=list)
    #: Per step change: DevTools' counters' increase (durations in ms).
    metrics: list[dict[str, float]] = field(default_factory=list)
    #: The long animation frames (over 50 ms), with their scripts.
    frames: list[dict[str, Any]] = field(default_factory=list)

    @property
    def blocking_ms(self) -> float:
        """Total blocking time as Lighthouse counts it."""
        return sum(max(0.0, duration - 50) for duration in self.long_tasks)


def web_tree(ref: str, into: Path) -> Path:
    """`web/` as it is at `ref`, extracted under `into`."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "web"],  # noqa: S607 - git from PATH
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "web"


def _serve_from(web: Path) -> Any:
    """A route handler answering requests for files of `web` from it; the rest (the API,
    `/config.json`) go on to the stack."""

    def handle(route: Any) -> None:
        path = urlsplit(route.request.url).path
        local = (web / path.lstrip("/")).resolve()
        if path.endswith("/"):
            local = local / "index.html"
        if web.resolve() in local.parents and local.is_file():
            kind = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
            if local.suffix in {".js", ".mjs"}:
                kind = "text/javascript"
            route.fulfill(
                status=200,
                body=local.read_bytes(),
                headers={"Content-Type": kind, "Cache-Control": "no-store"},
            )
        else:
            route.continue_()

    return handle


def _click(page: Any, selector: str) -> None:
    """A mouse click in the middle of the element, as Puppeteer's (and so Lighthouse's flow)
    clicks: Playwright's own `click` adds listeners to the page to check what it hits, which
    would run in the very task measured."""
    element = page.locator(selector)
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _metrics(cdp: Any) -> dict[str, float]:
    answer = cdp.send("Performance.getMetrics")
    return {m["name"]: float(m["value"]) for m in answer["metrics"] if m["name"] in METRICS}


def _delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {
        name: (after[name] - before[name]) * (1000 if name.endswith("Duration") else 1)
        for name in METRICS
    }


def walk(browser: Any, web_url: str, variant: str, web: Path, profile: bool) -> Walk:
    """Walk the form once in a fresh context, the CPU slowed, and return what it cost."""
    context = browser.new_context(
        viewport=VIEWPORT, is_mobile=True, has_touch=True, locale="en-GB", base_url=web_url
    )
    context.route(f"{web_url}/**", _serve_from(web))
    context.add_init_script(_OBSERVE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    result = Walk(variant)
    try:
        page.goto("/report/")
        page.wait_for_selector("html[data-ready=true]")
        cdp.send("Performance.enable")
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        if profile:
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 100})
            cdp.send("Profiler.start")
        page.evaluate(_FORGET_LOADING)

        def submit_and_wait(step: str) -> None:
            before = _metrics(cdp)
            _click(page, "main [data-form] button[type=submit]")
            page.wait_for_function(_LEFT_STEP, arg=step, polling=50)
            result.metrics.append(_delta(before, _metrics(cdp)))

        submit_and_wait("start")
        for _ in range(30):
            step = page.eval_on_selector("main [data-step]", "e => e.dataset.step")
            if step == "review":
                break
            result.steps.append(step)
            if step in ANSWERS:
                _click(page, f'input[name="{step}"][value="{ANSWERS[step]}"]')
            if step == "involved_names":
                _click(page, "#involved_names-0-unknown")
                _click(page, "main [data-add-person]")
                page.wait_for_selector("#involved_names-1-name")
                page.type("#involved_names-1-name", "Sam Jones")
            submit_and_wait(step)
        else:
            raise RuntimeError(f"the walk did not reach the review: {result.steps}")
        page.wait_for_timeout(500)  # the last entries are delivered after a paint
        cost = page.evaluate("window.__cost")
        result.long_tasks = [float(d) for d in cost["long"]]
        result.clicks = cost["clicks"]
        result.frames = cost["frames"]
        if profile:
            _print_profile(variant, cdp.send("Profiler.stop")["profile"])
            _print_frames(variant, result.frames)
    finally:
        context.close()
    return result


def _print_profile(variant: str, profile: dict[str, Any]) -> None:
    """Where the sampled JavaScript of the step changes (`onContinue`, `goTo` and below)
    spent its time: each function's inclusive time, a sample counted once per function on
    its stack."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}

    def name(node_id: int) -> str:
        frame = nodes[node_id]["callFrame"]
        url = "/".join(frame["url"].rsplit("/", 2)[-2:]) if frame["url"] else ""
        where = f" {url}:{frame['lineNumber'] + 1}" if url else ""
        return f"{frame['functionName'] or '(anonymous)'}{where}"

    inclusive: dict[str, float] = defaultdict(float)
    total = 0.0
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        stack: list[str] = []
        node: int | None = sample
        while node is not None:
            stack.append(name(node))
            node = parent.get(node)
        if not any(frame.startswith(("goTo ", "onContinue ")) for frame in stack):
            continue
        total += delta / 1000
        for frame in set(stack):
            inclusive[frame] += delta / 1000
    print(f"\n{variant}: onContinue and goTo in one walk, {total:.0f} ms sampled, by function:")
    for frame, ms in sorted(inclusive.items(), key=lambda item: -item[1])[:40]:
        print(f"  {ms:8.1f}  {frame}")


def _print_frames(variant: str, frames: Sequence[dict[str, Any]]) -> None:
    """Each long animation frame of the walk: its time, render part, and page scripts."""
    print(f"\n{variant}: long animation frames (ms: duration, blocking, render, style+layout)")
    for frame in frames:
        print(
            f"  {frame['duration']:5.0f} {frame['blocking']:5.0f} {frame['render']:5.0f}"
            f" {frame['styleAndLayout']:5.0f}"
        )
        for script in frame["scripts"]:
            print(
                f"        script {script['duration']:5.0f} (forced style+layout"
                f" {script['forced']:4.0f}) {script['invoker']} {script['source']}"
            )


def _is_step_change(frame: dict[str, Any]) -> bool:
    """A long animation frame in which the form's submit handler ran."""
    return any(script["invoker"] == "FORM.onsubmit" for script in frame["scripts"])


def _range(values: Sequence[float]) -> str:
    return f"{median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


def summarise(walks: Sequence[Walk]) -> dict[str, dict[str, str]]:
    """Medians (and ranges) of each variant's walks."""
    by_variant: dict[str, list[Walk]] = defaultdict(list)
    for one in walks:
        by_variant[one.variant].append(one)
    table: dict[str, dict[str, str]] = {}
    for variant, group in by_variant.items():
        row: dict[str, str] = {
            "walks": str(len(group)),
            "total blocking time, ms": _range([w.blocking_ms for w in group]),
            "long tasks": _range([len(w.long_tasks) for w in group]),
            "longest task, ms": _range([max(w.long_tasks, default=0) for w in group]),
            "step click handler, ms (median per walk)": _range(
                [median([c["processing"] for c in w.clicks] or [0]) for w in group]
            ),
            "step click to next paint, ms (median per walk)": _range(
                [median([c["duration"] for c in w.clicks] or [0]) for w in group]
            ),
        }
        step_frames = [[f for f in w.frames if _is_step_change(f)] for w in group]
        for label, part in _FRAME_PARTS:
            row[f"step change's {label}, ms (median per walk)"] = _range(
                [median([part(f) for f in frames] or [0]) for frames in step_frames]
            )
        row["step changes in a long frame"] = _range([len(frames) for frames in step_frames])
        for name in METRICS:
            row[f"{name} per step (median per walk)"] = _range(
                [median([m[name] for m in w.metrics]) for w in group]
            )
        table[variant] = row
    return table


@contextmanager
def _browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def run(before: str, rounds: int, profile: bool) -> list[Walk]:
    """Walk each variant `rounds` times, alternating, after one discarded walk of each."""
    walks: list[Walk] = []
    with tempfile.TemporaryDirectory() as scratch:
        variants = {
            "before": web_tree(before, Path(scratch)),
            "after": PROJECT_DIR / "web",
        }
        with running_stack(Path(scratch) / "stack.log") as stack, _browser() as browser:
            for index in range(rounds + 1):
                for name, web in variants.items():
                    one = walk(browser, stack.web, name, web, profile and index == 0)
                    if index == 0:
                        continue  # warm-up: the stack's first answers, the browser's caches
                    walks.append(one)
                    print(
                        f"{name}: blocking {one.blocking_ms:.0f} ms, "
                        f"{len(one.long_tasks)} long tasks, {len(one.steps) + 1} step changes",
                        flush=True,
                    )
    return walks


def main(argv: list[str] | None = None) -> int:
    """Print the medians of each variant, and the steps walked."""
    parser = argparse.ArgumentParser(prog="python -m bench.step_cost")
    parser.add_argument("--before", default="HEAD", help="the git ref to compare with")
    parser.add_argument("--rounds", type=int, default=6, help="walks of each variant")
    parser.add_argument("--profile", action="store_true", help="sample one walk's JavaScript")
    args = parser.parse_args(argv)
    walks = run(args.before, args.rounds, args.profile)
    print(f"\nsteps walked: start, {', '.join(walks[0].steps)} (then the review)")
    table = summarise(walks)
    for name in next(iter(table.values())):
        print(f"{name:48} " + "  ".join(f"{v}: {table[v][name]:>18}" for v in table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
