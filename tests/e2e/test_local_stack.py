"""`LocalStack` used in-process, as a test would: start, submit, wait for the pump, stop."""

from __future__ import annotations

import os

import pytest
import requests

from devstack.demo import DEMO_MEMBERS
from devstack.emails import sent_emails
from devstack.stack import LocalStack, StackOptions
from tests.factories import anonymous_submission, named_submission
from tests.sentinels import wait_until

pytestmark = pytest.mark.e2e


def test_in_process_stack_triages_and_notifies_and_restores_the_environment() -> None:
    before = dict(os.environ)
    options = StackOptions(port=0, moto_port=0, web_port=0, clock_port=0, pump_wait_seconds=0)

    with LocalStack(options) as stack:
        assert stack.urls is not None and stack.settings is not None and stack.pump
        assert os.environ["AWS_ENDPOINT_URL"] == stack.urls.moto
        assert stack.settings.portal_url == f"{stack.urls.web}/portal/"
        assert stack.staff == DEMO_MEMBERS
        for body in (anonymous_submission(), named_submission()):
            response = requests.post(f"{stack.urls.api}/reports", json=body, timeout=10)
            assert response.status_code == 201, response.text
        reference = response.json()["reference"]
        moto = stack.urls.moto  # narrowed here; a lambda would lose the narrowing
        # every report alerts its team, the anonymous one too (`triage.screening` default)
        sent = wait_until(lambda: len(sent_emails(moto)) == 2 and sent_emails(moto), 10)
        assert [reference in email.subject for email in sent].count(True) == 1
        assert {email.to for email in sent} == {("sam.okafor@example.ac.uk",)}
        assert stack.pump.wait_until_idle(10)
        assert stack.clients is not None
        items = stack.clients.dynamodb.scan(TableName=stack.settings.reports_table)["Items"]
        statuses = sorted(i["status"]["S"] for i in items if i["sk"]["S"] == "REPORT")
        assert statuses == ["awaiting_screening", "awaiting_screening"]

    assert dict(os.environ) == before
