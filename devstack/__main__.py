"""`python -m devstack`: run the local stack until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from devstack.stack import LocalStack, StackOptions
from devstack.summary import describe

logger = logging.getLogger("devstack")


def parse_args(argv: Sequence[str] | None = None) -> StackOptions:
    """Command-line options -> StackOptions."""
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
    args = parser.parse_args(argv)
    if args.schedule_scale <= 0:
        parser.error("--schedule-scale must be positive")
    return StackOptions(
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        web_port=args.web_port,
        clock_port=args.clock_port,
        schedule_scale=args.schedule_scale,
    )


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
    options = parse_args(argv)
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
    print(describe(stack), flush=True)
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


if __name__ == "__main__":
    sys.exit(main())
