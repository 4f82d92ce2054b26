"""In-process API tests: chalice's test client against moto's `mock_aws`."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import services
from chalicelib.clock import FixedClock
from chalicelib.institution.models import Screening
from chalicelib.observability import logger as app_logger
from chalicelib.settings import Settings
from devstack.demo import DEMO_PASSWORD, create_demo_users, seed_directory
from devstack.gateway import emulate_api_gateway_unauthorized
from devstack.jwks import serve_moto_jwks
from devstack.provision import provision

if TYPE_CHECKING:
    from tests.api.shared_stack import Stack

REGION = "eu-west-2"
emulate_api_gateway_unauthorized()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 20, 10, 30, tzinfo=UTC))


@pytest.fixture(scope="package")
def jwks_url() -> Iterator[str]:
    """moto's Cognito signing keys, published on loopback as Cognito publishes a pool's."""
    with serve_moto_jwks() as url:
        yield url


@pytest.fixture(scope="package")
def mocked_account() -> Iterator[None]:
    """One mocked AWS account for the API tests (ended before the e2e tests run).

    KMS keys are made once per account (moto generates key material for each, the slowest
    part of provisioning); tables, queues and sent emails are made fresh for every test.
    """
    endpoint = os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        yield
    if endpoint is not None:
        os.environ["AWS_ENDPOINT_URL"] = endpoint


@pytest.fixture
def aws(
    mocked_account: None, jwks_url: str, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> Iterator[Settings]:
    """Fresh tables and queues in the mocked account, and the app pointed at them."""
    services.reset(clock=clock)
    aws_session = boto3.Session(botocore_session=services.botocore_session(), region_name=REGION)
    _remove_tables_queues_and_emails(aws_session)
    # A content publish is seen by the next request (`content_cache_seconds`).
    settings = provision(aws_session, "test").model_copy(
        update={"staff_jwks_url": jwks_url, "content_cache_seconds": 0}
    )
    for name, value in settings.environment().items():
        monkeypatch.setenv(name, value)
    yield settings
    services.reset()


def _remove_tables_queues_and_emails(session: boto3.Session) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.model_instances import reset_model_data
    from moto.ses.models import ses_backends

    dynamodb, sqs = session.client("dynamodb"), session.client("sqs")
    for table in dynamodb.list_tables()["TableNames"]:
        dynamodb.delete_table(TableName=table)
    for url in sqs.list_queues().get("QueueUrls", []):
        sqs.delete_queue(QueueUrl=url)
    ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages.clear()
    cognito = session.client("cognito-idp")
    for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        cognito.delete_user_pool(UserPoolId=pool["Id"])
    # moto keeps every model object it ever made for its dashboard; the tests need none.
    reset_model_data()


@pytest.fixture
def staff(aws: Settings) -> None:
    """The demo staff directory, seeded, each member with a sign-in (see `sign_in`)."""
    seed_directory(services.staff_directory())
    create_demo_users(services.cognito(), aws.staff_pool_id)


def use_screening(monkeypatch: pytest.MonkeyPatch, screening: Screening) -> None:
    """Triage, for this test, as an institution whose `triage.screening` is `screening`.

    The default institution screens every report (`every_report`); a test of the other
    setting, or one that needs anonymous reports filed by the machine, switches it (after
    the `aws` fixture or the shared stack is set up); the test's end switches it back.
    """
    triage = services.triage_service()
    institution = triage.institution
    chosen = institution.triage.model_copy(update={"screening": screening})
    monkeypatch.setattr(triage, "institution", institution.model_copy(update={"triage": chosen}))


def file_quiet_anonymous_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """The other screening setting: an anonymous report with no risk flag is filed unseen."""
    use_screening(monkeypatch, "named_or_flagged")


def sign_in(aws: Settings, username: str) -> str:
    """An access token for a demo member, from (mocked) Cognito."""
    response = services.cognito().initiate_auth(
        ClientId=aws.staff_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
    )
    return str(response["AuthenticationResult"]["AccessToken"])


def as_staff(token: str) -> dict[str, str]:
    """Request headers carrying a staff token."""
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


@pytest.fixture
def client(aws: Settings) -> Iterator[Client]:
    from app import app

    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def logs() -> Iterator[list[str]]:
    """Every log line the app writes while the test runs, formatted as it would be shipped."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(level=logging.DEBUG)
    handler.setFormatter(app_logger.registered_formatter)
    targets = [logging.getLogger(), app_logger._logger]
    previous = [target.level for target in targets]
    for target in targets:
        target.addHandler(handler)
        target.setLevel(logging.DEBUG)
    yield lines
    for target, level in zip(targets, previous, strict=True):
        target.removeHandler(handler)
        target.setLevel(level)


def post_json(client: Client, path: str, body: Any) -> Any:
    """POST a JSON body; returns chalice's test response."""
    return client.http.post(
        path, body=json.dumps(body), headers={"Content-Type": "application/json"}
    )


def report_items(aws: Settings) -> list[dict[str, Any]]:
    """The report items (not claims) in the reports table, low-level form."""
    dynamodb = services.dynamodb()
    items = dynamodb.scan(TableName=aws.reports_table)["Items"]
    return [item for item in items if item["sk"]["S"] == "REPORT"]


def queued_bodies(aws: Settings) -> list[dict[str, Any]]:
    """Bodies of the messages waiting on the triage queue (left visible)."""
    sqs = services.sqs()
    messages = sqs.receive_message(
        QueueUrl=aws.triage_queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    ).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def sent_emails(aws: Settings) -> list[Any]:
    """Every email moto's SES has accepted in this test, parsed (`email.message.Message`)."""
    import email
    import email.policy

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID][aws.region]
    return [
        email.message_from_string(message.raw_data, policy=email.policy.default)
        for message in backend.sent_messages
    ]


def deliver(client: Client, handler: str, *bodies: str) -> Any:
    """Invoke an SQS handler with one batch of these bodies; the Lambda result."""
    event = client.events.generate_sqs_event(queue_name=handler, message_bodies=list(bodies))
    return client.lambda_.invoke(handler, event)


def drain(client: Client, aws: Settings) -> None:
    """Deliver every queued triage and notify message to its handler, as Lambda would."""
    queues = {
        aws.triage_queue_url: "on_triage_message",
        aws.notify_queue_url: "on_notify_message",
    }
    sqs = services.sqs()
    moved = True
    while moved:
        moved = False
        for url, handler in queues.items():
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if messages:
                moved = True
                result = deliver(client, handler, *(m["Body"] for m in messages))
                assert result.payload == {"batchItemFailures": []}, result.payload
                for message in messages:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture(scope="module")
def stack(mocked_account: None, jwks_url: str) -> Iterator[Stack]:
    """One mocked stack shared by the tests of a module (see `tests/api/shared_stack.py`)."""
    # Imported here: shared_stack imports this module's fixtures and helpers.
    from tests.api.shared_stack import shared_stack

    with shared_stack(jwks_url) as shared:
        yield shared
