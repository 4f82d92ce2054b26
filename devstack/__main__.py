"""`python -m devstack`: run the local stack until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING

from devstack.demo_data.plan import DEFAULT_REPORTS, DEFAULT_SEED, MAX_REPORTS, MIN_REPORTS
from devstack.stack import LocalStack, StackOptions
from devstack.summary import describe

if TYPE_CHECKING:
    from devstack.demo_data.seeding import SeedResult

logger = logging.getLogger("devstack")


@dataclass(frozen=True)
class DemoOptions:
    """Whether to seed demo data at start, and which data set (`devstack.demo_data`)."""

    seed: int = DEFAULT_SEED
    reports: int = DEFAULT_REPORTS


def parse_args(argv: Sequence[str] | None = None) -> StackOptions:
    """Command-line options -> StackOptions."""
    return parse_command(argv)[0]


def parse_command(argv: Sequence[str] | None = None) -> tuple[StackOptions, DemoOptions | None]:
    """Command-line options -> StackOptions, and DemoOptions when `--demo` is given."""
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description="Run Report + Support locally: moto, chalice local, an SQS pump, "
        "a scheduler and the static front ends, in one process. No AWS account needed.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="API and web host (default %(default)s)"
    )
    parser.add_argument("--port", type=int, default=8000, help="API port (default %(default)s)")
    parser.add_argument(
        "--moto-port",
        type=int,
        default=5000,
        help="moto server port, always on 127.0.0.1 (default %(default)s)",
    )
    parser.add_argument(
        "--web-port", type=int, default=8080, help="static front ends port (default %(default)s)"
    )
    parser.add_argument(
        "--clock-port",
        type=int,
        default=8001,
        help="clock control port, always on 127.0.0.1: `python -m devstack.clock` "
        "talks to it (default %(default)s)",
    )
    parser.add_argument(
        "--schedule-scale",
        type=float,
        default=1.0,
        help="divide every schedule interval by this, e.g. 60 runs a 5-minute "
        "job every 5 s (default %(default)s)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="seed a fictional data set through the API at start: two academic years of "
        "reports and case work, the clock moved forward through them (3 to 4 minutes)",
    )
    parser.add_argument(
        "--demo-seed",
        type=int,
        default=DEFAULT_SEED,
        help="the demo data set's seed: the same seed gives the same data (default %(default)s)",
    )
    parser.add_argument(
        "--demo-reports",
        type=int,
        default=DEFAULT_REPORTS,
        help=f"how many demo reports, {MIN_REPORTS} to {MAX_REPORTS} (default %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.schedule_scale <= 0:
        parser.error("--schedule-scale must be positive")
    if not MIN_REPORTS <= args.demo_reports <= MAX_REPORTS:
        parser.error(f"--demo-reports must be between {MIN_REPORTS} and {MAX_REPORTS}")
    demo = DemoOptions(seed=args.demo_seed, reports=args.demo_reports) if args.demo else None
    stack = StackOptions(
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        web_port=args.web_port,
        clock_port=args.clock_port,
        schedule_scale=args.schedule_scale,
    )
    return stack, demo


def configure_logging() -> None:
    """One line per event on stdout, as `chalice local` does; quiet the chatty libraries."""
    logging.basicConfig(
        stream=sys.stdout,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name in ("werkzeug", "botocore", "boto3", "urllib3", "aws_encryption_sdk"):
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the stack, print where everything is, wait for a stop signal, stop cleanly."""
    options, demo = parse_command(argv)
    configure_logging()
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    stack = LocalStack(options)
    try:
        stack.start()
    except OSError as error:
        # Almost always a port in use: the message says which; a traceback would bury it.
        logger.error("local stack failed to start: %s", error)
        return 1
    except Exception:
        logger.exception("local stack failed to start")
        return 1
    summary = describe(stack)
    if demo is not None:
        from devstack.demo_data.seeding import SeedingStopped

        try:
            summary += "\n".join(seed_demo(stack, demo, stopping)) + "\n"
        except SeedingStopped:
            logger.info("stopped while seeding demo data")
            stack.stop()
            return 0
        except Exception:
            logger.exception("demo data failed")
            stack.stop()
            return 1
    print(summary, flush=True)
    logger.info("local stack ready")
    try:
        # A timed wait keeps the main thread responsive to signals on every platform.
        while not stopping.wait(0.5):
            pass
    finally:
        logger.info("stopping")
        stack.stop()
        logger.info("stopped")
    return 0


def seed_demo(stack: LocalStack, demo: DemoOptions, stopping: threading.Event) -> list[str]:
    """Seed the demo data set, logging each month as it is reached; the summary's lines."""
    from devstack.demo_data.seeding import seed_stack, summary_lines

    logger.info("seeding demo data: %d reports, seed %d", demo.reports, demo.seed)

    def progress(month: str, result: SeedResult) -> None:
        logger.info("demo data: %s (%d requests so far)", month, sum(result.done.values()))

    plan, result = seed_stack(
        stack, seed=demo.seed, reports=demo.reports, on_month=progress, stop=stopping
    )
    # The plan's bounds, so a test can build the same plan and know every value it sent.
    logger.info(
        "demo data ready in %.0f s: seed %d, %d reports, from %s to %s",
        result.seconds,
        plan.seed,
        len(plan.reports),
        plan.start.isoformat(),
        plan.end.isoformat(),
    )
    return summary_lines(plan, result)


if __name__ == "__main__":
    sys.exit(main())
