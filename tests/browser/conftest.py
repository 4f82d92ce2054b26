"""Browser-test fixtures: Debian's Chromium driven by Playwright against the local stack.

- `stack` (package): the local stack as a subprocess, as the e2e tests run it.
- `browser` (package): headless Chromium, launched with the flags in `browsing.launch_args`;
  once the browser tests are done, its net-log must show no connection to any host but
  127.0.0.1.
- `open_page` / `page`: a page in a fresh browser context (its own sessionStorage) on the
  stack's web server; every request of the context must stay on that origin, and no page may
  throw an uncaught error.
- `checkpoint(page, step)`: a screenshot of the step in `test-artifacts/screenshots/<test>/`,
  and axe-core on the page: no serious or critical WCAG 2.2 AA violation.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.browsing import (
    AXE_RESULTS,
    CHROMIUM,
    NET_LOG,
    SCREENSHOTS,
    OriginGuard,
    blocking,
    describe_violations,
    launch_args,
    net_log_finished,
    read_net_log,
    run_axe,
    slug,
    summarise_net_log,
)
from tests.e2e.running import RunningStack, running_stack

#: How long a page may take to show what a test waits for (ms); the stack answers in ms.
DEFAULT_TIMEOUT_MS = 10_000
#: A small page on the app's origin, loaded at the end to flush the net-log (see below).
FLUSH_PATH = "/report/exit.html"
NET_LOG_FLUSH_SECONDS = 0.2
#: How long Chromium's network process may take to close the net-log after the browser.
NET_LOG_CLOSE_SECONDS = 5


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The local stack, started as the e2e tests start theirs, but a stack of its own: the
    e2e tests assert things of the whole stack (every email sent, every queue) that the
    browser tests' cases would change. Stopped once the browser tests are done."""
    with running_stack(tmp_path_factory.mktemp("devstack-browser")) as running:
        yield running


@pytest.fixture(scope="package")
def browser(stack: RunningStack) -> Iterator[Browser]:
    """Headless Chromium for the browser tests; afterwards, its net-log must show no outside
    traffic."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium package "
            "(apt-get install --no-install-recommends chromium; .ci/run does this)"
        )
    NET_LOG.parent.mkdir(parents=True, exist_ok=True)
    NET_LOG.unlink(missing_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=launch_args(NET_LOG)
        )
        try:
            yield launched
        finally:
            try:
                _flush_net_log(launched, stack)
            finally:
                launched.close()
    _check_net_log()


def _flush_net_log(browser: Browser, stack: RunningStack) -> None:
    """Put every event of the tests on disk before Chromium shuts down.

    Chromium writes net-log events in batches, and its network process may stop before it
    writes the last batch: a page load on the app's own origin makes enough events to push
    out everything before it.
    """
    context = browser.new_context()
    try:
        context.new_page().goto(f"{stack.web}{FLUSH_PATH}")
    finally:
        context.close()
    time.sleep(NET_LOG_FLUSH_SECONDS)


def _check_net_log() -> None:
    """Prove from Chromium's own net-log that nothing but 127.0.0.1 was contacted."""
    deadline = time.monotonic() + NET_LOG_CLOSE_SECONDS
    while not net_log_finished(NET_LOG) and time.monotonic() < deadline:
        time.sleep(0.1)
    log, finished = read_net_log(NET_LOG)
    summary = summarise_net_log(log)
    NET_LOG.with_suffix(".summary.json").write_text(
        json.dumps(
            {
                "finished": finished,
                "events": len(log["events"]),
                "connections": sorted(set(summary.connections)),
                "refused_urls": summary.refused_urls,
                "silent_udp": summary.silent_udp,
            },
            indent=2,
        )
    )
    assert summary.local, f"the net-log ({NET_LOG}) records no connection at all: is it read?"
    assert not summary.outside, f"Chromium connected outside 127.0.0.1: {summary.outside}"


@dataclass
class _Opened:
    context: BrowserContext
    guard: OriginGuard
    errors: list[str] = field(default_factory=list)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so fixtures can see whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "report_call", None)
    return bool(report is not None and report.failed)


@pytest.fixture
def open_page(
    browser: Browser, stack: RunningStack, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Opens pages, each in a fresh context (as a new person on a new machine would be),
    with a viewport of `width` x `height` CSS pixels (1280 x 900 unless given); `phone=True`
    makes it a touch screen without a mouse, as a phone is.

    When the test fails, every page it opened is screenshotted as it was at the failure.
    """
    opened: list[_Opened] = []

    def open_one(width: int = 1280, height: int = 900, *, phone: bool = False) -> Page:
        context = browser.new_context(
            base_url=stack.web,
            locale="en-GB",
            viewport={"width": width, "height": height},
            service_workers="block",
            # A phone: touch only, no mouse (so no hover and a coarse pointer), no keyboard.
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        entry = _Opened(context, OriginGuard(stack.web))
        context.on("request", entry.guard.on_request)
        context.on("weberror", lambda error: entry.errors.append(str(error.error)))
        context.on("page", lambda page: page.on("websocket", entry.guard.on_websocket))
        opened.append(entry)
        return context.new_page()

    yield open_one

    if _failed(request):
        folder = SCREENSHOTS / slug(request.node.name)
        folder.mkdir(parents=True, exist_ok=True)
        for number, entry in enumerate(opened, start=1):
            for index, page in enumerate(entry.context.pages, start=1):
                page.screenshot(path=folder / f"failure-{number}-{index}.png", full_page=True)
    for entry in opened:
        entry.context.close()
    for entry in opened:
        assert entry.guard.requested, "no request was recorded: is the guard listening?"
        assert not entry.guard.outside, (
            f"requests left the app's origin {entry.guard.origin}: {entry.guard.outside}"
        )
        assert not entry.errors, f"uncaught errors in the page: {entry.errors}"


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A page in a fresh browser context on the stack's web server."""
    return open_page()


@pytest.fixture
def checkpoint(request: pytest.FixtureRequest) -> Callable[[Page, str], None]:
    """Screenshot the page as step N of this test, then check it with axe-core."""
    test_name = slug(request.node.name)
    shots_dir = SCREENSHOTS / test_name
    axe_dir = AXE_RESULTS / test_name
    for folder in (shots_dir, axe_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    counter = iter(range(1, 1000))

    def check(page: Page, step: str) -> None:
        name = f"{next(counter):02d}-{slug(step)}"
        page.screenshot(path=shots_dir / f"{name}.png", full_page=True)
        results = run_axe(page)
        violations = results["violations"]
        (axe_dir / f"{name}.json").write_text(json.dumps(violations, indent=2))
        bad = blocking(violations)
        assert not bad, (
            f"{len(bad)} serious or critical accessibility violation(s) at step {step!r} "
            f"({page.url}):\n{describe_violations(bad)}"
        )

    return check
