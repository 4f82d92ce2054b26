"""`LocalStack`: moto, provisioning, the API, the pump, the scheduler and the web server.

Start order matters: the AWS environment must point at moto before any boto3 client exists,
and the app is imported only after its settings are in the environment. Those include the
portal's address, which notification emails link to, so the web server binds (on a port
known from then on) before the settings are made, and starts serving last. The demo staff
directory is seeded before the API takes its first request. Stop runs in reverse so nothing
calls a service that is already gone.

The app's clock is the stack's `MovableClock` (installed with `services.reset(clock=...)`
before the API takes a request); `time_machine` moves it, and the clock control port
(`devstack.clock_control`, 127.0.0.1 only) lets `python -m devstack.clock` do so from
another process.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, TypeVar

from chalicelib.resources import RESOURCES, dead_letter_queue_name, physical_name
from chalicelib.settings import ENV_PREFIX, Settings
from devstack.api import ApiServer, chalice_config, load_app
from devstack.aws import AwsClients, local_aws_environment, point_environment_at
from devstack.clock import MovableClock, TimeMachine
from devstack.clock_control import ClockControl
from devstack.demo import create_demo_users
from devstack.gateway import emulate_api_gateway_unauthorized
from devstack.moto_server import SerialisedMotoServer
from devstack.provision import provision
from devstack.pump import Pump, subscriptions
from devstack.scheduler import Scheduler, jobs
from devstack.static import StaticSite, local_site_config

if TYPE_CHECKING:
    from chalicelib.directory import StaffMember, Team

logger = logging.getLogger(__name__)
_Server = TypeVar("_Server")

PROJECT_DIR = Path(__file__).resolve().parent.parent
#: Settings that provisioning decides; the environment may tune every other one.
_PROVISIONED_FIELDS = frozenset(
    {"stage", "region", "staff_pool_id", "staff_client_id"}
    | {t.settings_field for t in RESOURCES.tables}
    | {q.settings_field for q in RESOURCES.queues}
    | {k.settings_field for k in RESOURCES.keys}
)


@dataclass(frozen=True)
class StackOptions:
    """Where each part listens and how the stack behaves. Port 0 picks a free port."""

    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 5000
    web_port: int = 8080
    #: The clock control's port, always on 127.0.0.1 (`python -m devstack.clock --port`).
    clock_port: int = 8001
    schedule_scale: float = 1.0
    #: Long-poll wait of the pump; 0 makes it poll as fast as moto answers.
    pump_wait_seconds: int = 1
    project_dir: Path = PROJECT_DIR
    #: The chalice stage whose `.chalice/config.json` settings apply, as `chalice local`.
    chalice_stage: str = "dev"
    #: The stage in physical resource names (`report-support-local-...`).
    resource_stage: str = "local"


@dataclass(frozen=True)
class StackUrls:
    """Where to reach each part."""

    api: str
    web: str
    moto: str
    #: The clock control (`devstack.clock_control`), on loopback.
    clock: str = ""


class _Stoppable(Protocol):
    def stop(self) -> None: ...


@dataclass
class LocalStack:
    """The whole system in this process. Use as a context manager or start()/stop().

    While it runs, `os.environ` points boto3 at its moto server and holds the app's `RS_*`
    settings (the app reads both from there); stop() puts the environment back.
    """

    options: StackOptions = field(default_factory=StackOptions)
    settings: Settings | None = None
    urls: StackUrls | None = None
    #: Logical queue name -> URL of its dead-letter queue.
    dead_letter_queues: dict[str, str] = field(default_factory=dict)
    clients: AwsClients | None = None
    pump: Pump | None = None
    scheduler: Scheduler | None = None
    #: The app's clock: the real time until the time machine moves it.
    clock: MovableClock = field(default_factory=MovableClock)
    time_machine: TimeMachine | None = None
    #: The demo staff directory seeded at start (demo data, printed in the summary).
    teams: tuple[Team, ...] = ()
    staff: tuple[StaffMember, ...] = ()
    sign_ins: list[tuple[str, str, list[str]]] = field(default_factory=list)
    _running: list[_Stoppable] = field(default_factory=list)
    _saved_environment: dict[str, str] | None = None

    def start(self) -> LocalStack:
        """Bring every part up; on failure, stop what started and re-raise."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every part that started, most recent first. Safe to call twice."""
        while self._running:
            part = self._running.pop()
            try:
                part.stop()
            except Exception as error:
                logger.warning("stopping %s failed: %s", type(part).__name__, error)
        if self._saved_environment is not None:
            # Leave the process as it was, so a test can run other things after the stack.
            os.environ.clear()
            os.environ.update(self._saved_environment)
            self._saved_environment = None
            _reset_services()

    def __enter__(self) -> LocalStack:
        """Start the stack."""
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stop the stack."""
        self.stop()

    def aws_environment(self) -> dict[str, str]:
        """Variables that point the AWS CLI or boto3 at this stack's moto server."""
        assert self.urls is not None, "start() first"
        region = self.settings.region if self.settings else os.environ["AWS_REGION"]
        return local_aws_environment(self.urls.moto, region)

    def _start(self) -> None:
        opts = self.options
        self._saved_environment = dict(os.environ)
        stage_config = chalice_config(opts.project_dir, opts.chalice_stage)
        # `chalice local` applies the stage's environment variables before importing the app.
        os.environ.update(stage_config.environment_variables)

        # moto binds to loopback whatever --host says: it has no authentication at all.
        _check_port_free("127.0.0.1", opts.moto_port)
        # Serialised: moto is not thread-safe, and the API serves requests concurrently.
        moto = SerialisedMotoServer(ip_address="127.0.0.1", port=opts.moto_port, verbose=False)
        moto.start()
        self._running.append(moto)
        moto_url = f"http://127.0.0.1:{moto.get_host_and_port()[1]}"
        point_environment_at(moto_url)

        self.clients = AwsClients.from_session()
        provisioned = provision(self.clients, opts.resource_stage)
        host = "127.0.0.1" if opts.host in ("0.0.0.0", "") else opts.host
        # The web server binds before the settings are made: notification emails link to the
        # portal it serves, so the portal's address (with the port bound) is a setting.
        site = _listening(
            "web",
            opts.host,
            opts.web_port,
            lambda: StaticSite(opts.project_dir / "web", opts.host, opts.web_port),
        )
        self._running.append(site)
        web_url = f"http://{host}:{site.port}"
        self.settings = _effective_settings(
            provisioned,
            os.environ,
            defaults={
                "portal_url": f"{web_url}/portal/",
                # moto serves the pool's signing keys where Cognito would, on its endpoint.
                "staff_jwks_url": f"{moto_url}/{provisioned.staff_pool_id}/.well-known/jwks.json",
            },
        )
        os.environ.update(self.settings.environment())
        self.dead_letter_queues = {
            queue.logical_name: self.clients.sqs.get_queue_url(
                QueueName=dead_letter_queue_name(opts.resource_stage, queue)
            )["QueueUrl"]
            for queue in RESOURCES.queues
        }

        app = load_app(opts.project_dir)
        _reset_services(self.clock)
        emulate_api_gateway_unauthorized()
        self.teams, self.staff = _seed_demo_directory()
        self.sign_ins = create_demo_users(self.clients.cognito, self.settings.staff_pool_id)
        config = chalice_config(opts.project_dir, opts.chalice_stage, app)
        api = _listening(
            "API", opts.host, opts.port, lambda: ApiServer(app, config, opts.host, opts.port)
        )
        api.start()
        self._running.append(api)

        self.pump = Pump(
            self.clients.sqs,
            subscriptions(app, self._queue_urls(), self.clients.sqs),
            self.settings.region,
            wait_seconds=opts.pump_wait_seconds,
        )
        self.pump.start()
        self._running.append(self.pump)

        self.scheduler = Scheduler(
            jobs(app, opts.schedule_scale),
            self.settings.region,
            rule_prefix=f"{app.app_name}-{opts.chalice_stage}-",
            clock=self.clock,
        )
        self.scheduler.start()
        self._running.append(self.scheduler)

        self.time_machine = TimeMachine(self.clock, self.scheduler, self.pump)
        control = _listening(
            "clock control",
            "127.0.0.1",
            opts.clock_port,
            lambda: ClockControl(self.time_machine, opts.clock_port),  # type: ignore[arg-type]
        )
        control.start()
        self._running.append(control)

        api_url = f"http://{host}:{api.port}"
        # The pages reach the API and Cognito through the web server's own origin.
        site.configure(
            local_site_config(self.settings.staff_client_id, self.settings.region),
            api_upstream=api_url,
            cognito_upstream=moto_url,
        )
        site.start()
        self.urls = StackUrls(
            api=api_url, web=web_url, moto=moto_url, clock=f"http://127.0.0.1:{control.port}"
        )

    def _queue_urls(self) -> dict[str, str]:
        """Logical and physical queue names -> URL, for binding SQS handlers."""
        assert self.settings is not None
        urls: dict[str, str] = {}
        for queue in RESOURCES.queues:
            url = str(getattr(self.settings, queue.settings_field))
            urls[queue.logical_name] = url
            urls[physical_name(self.options.resource_stage, queue.logical_name)] = url
        return urls


def _effective_settings(
    provisioned: Settings, environ: Mapping[str, str], defaults: Mapping[str, str] | None = None
) -> Settings:
    """Provisioned resources, plus any tunable (`RS_LOG_LEVEL`, ...) the environment sets.

    Resource names always come from provisioning, so a stale `RS_REPORTS_TABLE` in the shell
    or in `.chalice/config.json` cannot point the app at a table that does not exist here.
    `defaults` (settings field -> value) apply where the environment sets nothing.
    """
    merged = {ENV_PREFIX + name.upper(): value for name, value in (defaults or {}).items()}
    merged.update({key: value for key, value in environ.items() if key.startswith(ENV_PREFIX)})
    merged.update(
        {
            ENV_PREFIX + name.upper(): str(value)
            for name, value in provisioned.model_dump().items()
            if name in _PROVISIONED_FIELDS
        }
    )
    return Settings.from_environment(merged)


def _seed_demo_directory() -> tuple[tuple[Team, ...], tuple[StaffMember, ...]]:
    """Write the demo staff directory through the app's own adapter; return what was written.

    The adapter seals each member's name and address, so the app's settings must already be
    in the environment. Imported here, like the app, only once they are.
    """
    from chalicelib import services
    from devstack.demo import DEMO_MEMBERS, DEMO_TEAMS, seed_directory

    seed_directory(services.staff_directory())
    return DEMO_TEAMS, DEMO_MEMBERS


def _reset_services(clock: MovableClock | None = None) -> None:
    """Drop clients an earlier import built (tests may import the app before the stack), and
    install `clock` as the app's clock (None: the system clock again)."""
    try:
        from chalicelib import services
    except ImportError:
        return
    reset = getattr(services, "reset", None)
    if callable(reset):
        reset(clock=clock)


def _check_port_free(host: str, port: int) -> None:
    """Fail fast: moto's server start() waits forever if its port is taken."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # The same option werkzeug sets, so a port in TIME_WAIT is not reported as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(error.errno, f"moto: cannot listen on {host}:{port}: in use") from None


def _listening(what: str, host: str, port: int, build: Callable[[], _Server]) -> _Server:
    """Build a server that binds at construction, naming the port if it cannot."""
    try:
        return build()
    except OSError as error:
        raise OSError(
            error.errno, f"{what}: cannot listen on {host}:{port}: {error.strerror}"
        ) from None
