"""Cold start of the packaged function: the first `POST /reports` as Lambda pays for it.

Measured: a fresh interpreter that sees only the unpacked `deployment.zip` and the standard
library (`python -I -S -B`, `sys.path` set explicitly, no site-packages) imports `app` and
serves one API Gateway proxy event for `POST /reports` against a moto server (interpreter
start, import, settings, clients, KMS, DynamoDB, SQS, all of it: a Lambda init plus its
first invoke).

Floor: a fresh interpreter with the same `sys.path` that imports boto3 and makes the same AWS
calls that first request made, with plain clients. The calls are captured from a recording
run of the packaged app (their parameters through botocore's `provide-client-params` event)
and replayed with fresh report ids, as `bench/intake.py` does for the warm case. The ratio is
what the app's own code costs on top of the SDK and the round trips it cannot avoid.

Both run with the package shipping its pinned boto3 (`bundled`) and with boto3 taken from a
directory outside the package (`runtime`: the pinned version installed whole, as the Lambda
runtime's own copy is; the package then ships without boto3, botocore, s3transfer, jmespath
and urllib3). Pairs are interleaved (app, floor, app, floor, ...) after a discarded warm-up
pair; figures are medians of wall times seen from the parent.

Also measured: peak RSS (`ru_maxrss`) of each function's first invocation in a fresh
interpreter, the figure `infra/sizing.py` sizes the functions' memory from.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from bench.stats import Row, median, median_p95_text, summary_ms
from devstack.scheduler import scheduled_event

GOAL_RATIO = 1.5
PAIRS = 11
WARMUPS = 1
REGION = "eu-west-2"
STAGE = "cold"
PROJECT_DIR = Path(__file__).resolve().parent.parent
BUILD_DIR = PROJECT_DIR / ".build" / "cold-start"
ACCOUNT = "123456789012"

#: Run in the fresh interpreter. Reads a JSON spec on stdin, prints one JSON line.
CHILD = r"""
import sys
spec_text = sys.stdin.read()
import json
spec = json.loads(spec_text)
sys.path[:] = spec["path"]
import base64, importlib, resource, time

def decode(value):
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value

def encode(value):
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value

class Context:
    function_name = spec.get("function", "cold-start")
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:cold-start"
    log_group_name = "/aws/lambda/cold-start"
    log_stream_name = "cold-start"
    def get_remaining_time_in_millis(self):
        return 60000

started = time.perf_counter()
out = {}
if spec["kind"] == "handler":
    module_name, _, attribute = spec["handler"].rpartition(".")
    module = importlib.import_module(module_name)
    handler = getattr(module, attribute)
    imported = time.perf_counter()
    calls = []
    if spec.get("record"):
        from chalicelib import services
        def on_params(params, model, **_):
            calls.append({
                "service": model.service_model.service_name,
                "operation": model.name,
                "params": encode(params),
            })
        services.botocore_session().register("provide-client-params", on_params)
    result = handler(spec["event"], Context())
    out["result"] = result
    out["calls"] = calls
else:
    import boto3
    imported = time.perf_counter()
    session = boto3.session.Session()
    clients = {}
    for call in spec["calls"]:
        client = clients.get(call["service"])
        if client is None:
            client = clients[call["service"]] = session.client(call["service"])
        names = {api: method for method, api in client.meta.method_to_api_mapping.items()}
        getattr(client, names[call["operation"]])(**decode(call["params"]))
    out["result"] = None
ended = time.perf_counter()
out["import_s"] = imported - started
out["first_call_s"] = ended - imported
out["ru_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# ru_maxrss survives exec on Linux, so in a child forked from a large parent it reports the
# parent's size; the kernel's high-water mark of this image's own memory does not.
with open("/proc/self/status") as status:
    for line in status:
        if line.startswith("VmHWM:"):
            out["peak_rss_kb"] = int(line.split()[1])
out["site_packages_on_path"] = [p for p in sys.path if "site-packages" in p]
out["modules"] = len(sys.modules)
sys.stdout.write("\n" + json.dumps(out, default=str) + "\n")
sys.stdout.flush()
# A Lambda environment is frozen, not torn down, after its first invocation: leave without
# paying for interpreter shutdown, which neither side of a comparison would pay there.
import os
os._exit(0)
"""


def stdlib_paths() -> list[str]:
    """The standard library's directories (and zip) of this interpreter, nothing else."""
    paths = sysconfig.get_paths()
    stdlib = paths["stdlib"]
    major, minor = sys.version_info[:2]
    candidates = [
        str(Path(sys.base_prefix) / "lib" / f"python{major}{minor}.zip"),
        stdlib,
        str(Path(stdlib) / "lib-dynload"),
        paths["platstdlib"],
    ]
    unique: list[str] = []
    for path in candidates:
        if path not in unique and "site-packages" not in path:
            unique.append(path)
    return unique


def unpack(deployment: Path, into: Path) -> Path:
    """Unzip a deployment package into an empty directory, as Lambda does into /var/task."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    with zipfile.ZipFile(deployment) as archive:
        archive.extractall(into)
    return into


@dataclass(frozen=True)
class Unpacked:
    """An unpacked package and whatever else its interpreter sees before the stdlib."""

    label: str
    root: Path
    #: Directories after the package, as the Lambda runtime's own site-packages are.
    runtime: tuple[Path, ...] = ()

    def sys_path(self) -> list[str]:
        """The child's whole `sys.path`: the package, the runtime's libraries, the stdlib."""
        return [str(self.root), *(str(p) for p in self.runtime), *stdlib_paths()]


def runtime_boto3() -> Path:
    """boto3 as a Lambda runtime provides it: the pinned version, whole, byte-compiled,
    outside the package (built once into `.build/`)."""
    from infra.lambda_package import (
        PIP_PLATFORM,
        RUNTIME_BOTO3,
        PackageError,
        compile_tree,
        requirement_pins,
    )

    target = BUILD_DIR / "runtime-boto3"
    if (target / ".complete").exists():
        return target
    pins = requirement_pins()
    shutil.rmtree(target, ignore_errors=True)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
        "--disable-pip-version-check", *PIP_PLATFORM, "--target", str(target),
        f"boto3=={pins['boto3']}",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackageError(f"pip could not install boto3:\n{result.stderr}")
    installed = {p.name.split("-")[0].lower() for p in target.glob("*.dist-info")}
    if RUNTIME_BOTO3 - installed:
        raise PackageError(f"runtime boto3 lacks {sorted(RUNTIME_BOTO3 - installed)}")
    compile_tree(target, "/var/runtime")
    (target / ".complete").write_text("", encoding="utf-8")
    return target


def build(bundle_boto3: bool, work: Path | None = None) -> tuple[Unpacked, dict[str, int]]:
    """Build the package, unpack it into an empty directory; its size figures too."""
    from infra.lambda_package import describe, package

    work = work or BUILD_DIR
    label = "bundled" if bundle_boto3 else "runtime"
    deployment = package(work / f"build-{label}", bundle_boto3=bundle_boto3)
    root = unpack(deployment, work / f"task-{label}")
    runtime = () if bundle_boto3 else (runtime_boto3(),)
    return Unpacked(label, root, runtime), describe(deployment)


# --- the AWS side: a moto server, provisioned -------------------------------------------------


@dataclass
class MotoStack:
    """A moto server on a free port with every resource provisioned."""

    endpoint: str
    settings: Any
    clients: Any
    env: dict[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def moto_stack() -> Iterator[MotoStack]:
    """Start moto in this process, provision, and yield what a child's environment needs."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    from devstack.aws import AwsClients, local_aws_environment
    from devstack.provision import provision

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
        aws_env = local_aws_environment(endpoint, REGION)
        session = boto3.session.Session(
            aws_access_key_id=aws_env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=aws_env["AWS_SECRET_ACCESS_KEY"],
            region_name=REGION,
        )
        clients = AwsClients.from_session(session, endpoint_url=endpoint)
        settings = provision(clients, STAGE).model_copy(
            update={"staff_jwks_url": f"{endpoint}/{{pool}}/.well-known/jwks.json"}
        )
        settings = settings.model_copy(
            update={"staff_jwks_url": settings.staff_jwks_url.format(pool=settings.staff_pool_id)}
        )
        env = {
            # What a Lambda environment has, and nothing of this process's own.
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "AWS_LAMBDA_FUNCTION_NAME": "cold-start",
            **aws_env,
            **settings.environment(),
        }
        yield MotoStack(endpoint=endpoint, settings=settings, clients=clients, env=env)
    finally:
        server.stop()


# --- events --------------------------------------------------------------------------------


def api_event(method: str, path: str, body: str | None, headers: dict[str, str]) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event for a route without path parameters."""
    now = datetime.now(UTC)
    all_headers = {"Host": "example.execute-api.eu-west-2.amazonaws.com", **headers}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "accountId": ACCOUNT,
            "apiId": "example",
            "requestId": str(uuid.uuid4()),
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "identity": {"sourceIp": "198.51.100.7", "userAgent": "cold-start"},
            "domainName": all_headers["Host"],
        },
        "body": body,
        "isBase64Encoded": False,
    }


def report_event(body: dict[str, Any]) -> dict[str, Any]:
    """`POST /reports` with a JSON body."""
    return api_event("POST", "/reports", json.dumps(body), {"Content-Type": "application/json"})


def sqs_event(client: Any, queue_url: str, *, max_messages: int = 10) -> dict[str, Any]:
    """An SQS event for Lambda made of the messages waiting on a queue (received now)."""
    arn = client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    received = client.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=max_messages,
        WaitTimeSeconds=1,
        MessageSystemAttributeNames=["All"],
    ).get("Messages", [])
    records = [
        {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": REGION,
        }
        for message in received
    ]
    return {"Records": records}


def drain(client: Any, queue_url: str) -> None:
    """Delete every message waiting on a queue."""
    while True:
        waiting = client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not waiting:
            return
        client.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(waiting)
            ],
        )


def authorizer_event(token: str) -> dict[str, Any]:
    """An API Gateway TOKEN authorizer event."""
    return {
        "type": "TOKEN",
        "authorizationToken": f"Bearer {token}",
        "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:example/api/GET/staff/me",
    }


def seed_staff(stack: MotoStack) -> None:
    """The demo teams and members in the staff table (notifications need recipients)."""
    from chalicelib import services
    from devstack.demo import seed_directory

    saved = dict(os.environ)
    os.environ.update(stack.env)
    try:
        services.reset()
        seed_directory(services.staff_directory())
    finally:
        services.reset()
        os.environ.clear()
        os.environ.update(saved)


def staff_token(stack: MotoStack) -> str:
    """An access token of a demo member, from the stack's Cognito app client."""
    from devstack.demo import DEMO_PASSWORD, create_demo_users

    cognito = stack.clients.cognito
    username = create_demo_users(cognito, stack.settings.staff_pool_id)[0][0]
    answer = cognito.initiate_auth(
        ClientId=stack.settings.staff_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
    )
    return str(answer["AuthenticationResult"]["AccessToken"])


# --- running a fresh interpreter -----------------------------------------------------------------


@dataclass(frozen=True)
class Invocation:
    """What a fresh interpreter reported, and its wall time seen from here."""

    wall_s: float
    report: dict[str, Any]

    @property
    def result(self) -> Any:
        """The handler's return value (None for the floor)."""
        return self.report["result"]


def _run(spec: dict[str, Any], env: dict[str, str], cwd: Path) -> Invocation:
    command = [sys.executable, "-I", "-S", "-B", "-c", CHILD]
    payload = json.dumps(spec)
    start = perf_counter()
    result = subprocess.run(
        command, input=payload, capture_output=True, text=True, env=env, cwd=cwd, check=False
    )
    wall = perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"fresh interpreter failed ({result.returncode}):\n{result.stderr}")
    return Invocation(wall, json.loads(result.stdout.strip().splitlines()[-1]))


def invoke(
    package: Unpacked,
    env: dict[str, str],
    handler: str,
    event: dict[str, Any],
    *,
    record: bool = False,
) -> Invocation:
    """Run one handler (`module.attribute`, as in the template) once in a fresh interpreter."""
    spec = {
        "kind": "handler",
        "path": package.sys_path(),
        "handler": handler,
        "event": event,
        "record": record,
        "function": handler,
    }
    return _run(spec, env, package.root)


def bare_calls(package: Unpacked, env: dict[str, str], calls: list[dict[str, Any]]) -> Invocation:
    """Make `calls` with plain boto3 clients in a fresh interpreter (the floor)."""
    return _run({"kind": "floor", "path": package.sys_path(), "calls": calls}, env, package.root)


def fresh_ids(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The recorded calls with the report's ids replaced by new ones (write conditions pass)."""
    from bench.intake import substitute
    from chalicelib.reports.reference import new_reference

    for call in calls:
        for write in call["params"].get("TransactItems", []):
            item = write.get("Put", {}).get("Item", {})
            if item.get("sk", {}).get("S") == "REPORT":
                fresh = {
                    item["report_id"]["S"]: uuid.uuid4().hex,
                    item["submission_id"]["S"]: str(uuid.uuid4()),
                    item["reference"]["S"]: new_reference(),
                }
                return [substitute(call, fresh) for call in calls]
    raise RuntimeError("the recorded request wrote no report item")


# --- the benchmark -----------------------------------------------------------------------------


def measure_post(
    package: Unpacked, stack: MotoStack, pairs: int, mode: str
) -> tuple[dict[str, Any], Row]:
    """Interleaved cold first `POST /reports` and its floor, for one package."""
    from tests.factories import anonymous_submission, named_submission

    factory = {"anonymous": anonymous_submission, "named": named_submission}[mode]
    recorded = invoke(package, stack.env, "app.app", report_event(factory()), record=True)
    if recorded.result["statusCode"] != 201:
        raise RuntimeError(f"POST /reports answered {recorded.result}")
    calls = recorded.report["calls"]
    print(
        f"  cold start {package.label} {mode}: {pairs} interleaved pairs ({len(calls)} AWS calls)",
        file=sys.stderr,
        flush=True,
    )
    samples: dict[str, list[float]] = {"app": [], "floor": []}
    inner: dict[str, list[float]] = {"app_import": [], "app_call": [], "floor_import": []}
    for index in range(WARMUPS + pairs):
        app = invoke(package, stack.env, "app.app", report_event(factory()))
        if app.result["statusCode"] != 201:
            raise RuntimeError(f"POST /reports answered {app.result}")
        floor = bare_calls(package, stack.env, fresh_ids(calls))
        if index < WARMUPS:
            continue
        samples["app"].append(app.wall_s)
        samples["floor"].append(floor.wall_s)
        inner["app_import"].append(app.report["import_s"])
        inner["app_call"].append(app.report["first_call_s"])
        inner["floor_import"].append(floor.report["import_s"])
    ratio = median(samples["app"]) / median(samples["floor"])
    raw = {
        "operations": [f"{c['service']}.{c['operation']}" for c in calls],
        "app": summary_ms(samples["app"]),
        "floor": summary_ms(samples["floor"]),
        "ratio": round(ratio, 3),
        "app_import_median_ms": round(median(inner["app_import"]) * 1000, 1),
        "app_first_request_median_ms": round(median(inner["app_call"]) * 1000, 1),
        "floor_import_boto3_median_ms": round(median(inner["floor_import"]) * 1000, 1),
        "goal_ratio": GOAL_RATIO,
        "met": ratio <= GOAL_RATIO,
        "samples_ms": {k: [round(s * 1000, 2) for s in v] for k, v in samples.items()},
    }
    row = Row(
        benchmark=f"cold POST /reports {mode}, boto3 {package.label} (median ms)",
        measured=median_p95_text(samples["app"], 0),
        floor=median_p95_text(samples["floor"], 0),
        ratio=f"{ratio:.2f}x",
        goal=f"<= {GOAL_RATIO:.1f}x",
        met=ratio <= GOAL_RATIO,
    )
    return raw, row


#: Chalice's logical function names and their handlers (as in the packaged template).
FUNCTIONS = {
    "APIHandler": "app.app",
    "StaffAuthorizer": "chalicelib.api.portal.staff_authorizer",
    "OnTriageMessage": "app.on_triage_message",
    "OnNotifyMessage": "app.on_notify_message",
    "RedriveOutbox": "app.redrive_outbox",
    "SlaWatch": "app.sla_watch",
    "RetentionSweep": "app.retention_sweep",
    "BuildInsights": "app.build_insights",
}


def first_invocations(package: Unpacked, stack: MotoStack) -> dict[str, dict[str, Any]]:
    """Each function's first invocation in a fresh interpreter: wall time and peak RSS.

    In order, so each has work to do: a named report (API), its triage, the notification
    triage queued, an authorizer call with a real token, then the schedules.
    """
    from tests.factories import named_submission

    settings = stack.settings
    sqs = stack.clients.sqs
    seed_staff(stack)
    # moto's state is per process, not per server: what earlier runs queued is still there.
    for queue_url in (settings.triage_queue_url, settings.notify_queue_url):
        drain(sqs, queue_url)
    events: dict[str, Any] = {"APIHandler": lambda: report_event(named_submission())}
    events["OnTriageMessage"] = lambda: sqs_event(sqs, settings.triage_queue_url)
    events["OnNotifyMessage"] = lambda: sqs_event(sqs, settings.notify_queue_url)
    events["StaffAuthorizer"] = lambda: authorizer_event(staff_token(stack))
    for name in ("RedriveOutbox", "SlaWatch", "RetentionSweep", "BuildInsights"):
        events[name] = lambda: scheduled_event("cold-start", REGION)
    figures: dict[str, dict[str, Any]] = {}
    for name in events:
        event = events[name]()
        if name.startswith("On") and not event["Records"]:
            raise RuntimeError(f"nothing on the queue for {name}")
        done = invoke(package, stack.env, FUNCTIONS[name], event)
        if name.startswith("On") and done.result != {"batchItemFailures": []}:
            raise RuntimeError(f"{name} failed: {done.result}")
        figures[name] = {
            "peak_rss_mb": round(done.report["peak_rss_kb"] / 1024, 1),
            "wall_ms": round(done.wall_s * 1000, 1),
            "modules": done.report["modules"],
        }
    return figures


def run(pairs: int = PAIRS) -> tuple[list[Row], dict[str, Any]]:
    """Build both packages, measure both against a moto server; table rows and raw figures."""
    rows: list[Row] = []
    raw: dict[str, Any] = {"pairs": pairs, "warmups": WARMUPS, "goal_ratio": GOAL_RATIO}
    built = {}
    for bundle in (True, False):
        package, size = build(bundle)
        built[package.label] = package
        raw[f"package_{package.label}"] = size
        rows.append(
            Row(
                benchmark=f"package, boto3 {package.label} (zipped MB)",
                measured=f"{size['zipped_bytes'] / 1e6:.1f} ({size['files']} files, "
                f"{size['unzipped_bytes'] / 1e6:.1f} MB unzipped)",
                floor="-",
                ratio="-",
                goal="<= 15.0",
                met=size["zipped_bytes"] <= 15_000_000,
            )
        )
    with moto_stack() as stack:
        for mode in ("anonymous", "named"):
            for label, package in built.items():
                raw[f"post_{mode}_{label}"], row = measure_post(package, stack, pairs, mode)
                rows.append(row)
    for label, package in built.items():
        # A moto server of its own: each function's first call finds one report's work.
        with moto_stack() as stack:
            raw[f"first_invocation_{label}"] = first_invocations(package, stack)
            for name, figure in raw[f"first_invocation_{label}"].items():
                rows.append(
                    Row(
                        benchmark=f"first invocation {name}, boto3 {label} (peak RSS, wall)",
                        measured=f"{figure['peak_rss_mb']:.0f} MB, {figure['wall_ms']:.0f} ms",
                        floor="-",
                        ratio="-",
                        goal="-",
                        met=None,
                    )
                )
    return rows, raw
