"""Personal data never exists in clear outside a sealed field.

Reports are submitted with unique sentinel values for every identifying field; then every
raw DynamoDB item, every queued message and every log line is searched for them.
"""

from __future__ import annotations

import ast
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import services
from chalicelib.errors import SealBroken
from chalicelib.reports.models import CONTACT
from chalicelib.settings import Settings
from tests.api.conftest import as_staff, drain, post_json, report_items, sent_emails, sign_in
from tests.api.recorders import Calls, CancelledTransactions, hooked
from tests.factories import sentinel_submission
from tests.sentinels import Blob, every_queue_blob, every_table_blob, occurrences


@pytest.mark.usefixtures("staff")
def test_no_sentinel_is_in_clear_in_any_table_queue_email_or_log(
    client: Client, aws: Settings, logs: list[str]
) -> None:
    sentinels: list[str] = []
    for _ in range(3):
        body, values = sentinel_submission()
        sentinels += values
        assert post_json(client, "/reports", body).status_code == 201
        # a refused submission quoting the same values must not echo them into logs either
        body["contact"]["email"] = values[1] + "@@"
        assert post_json(client, "/reports", body).status_code == 400
        # nor a refused list of people (a name and "not known" at once) naming them
        people = [{"name": name, "name_unknown": True} for name in values[5:7]]
        body["answers"]["involved_names"] = people
        assert post_json(client, "/reports", body).status_code == 400
    # one urgent report too, so that both kinds of email are sent
    body, values = sentinel_submission()
    body["answers"]["immediate_danger"] = "yes"
    sentinels += values
    assert post_json(client, "/reports", body).status_code == 201
    queued = list(every_queue_blob(services.sqs(), hide_for_seconds=0))
    drain(client, aws)

    stored = list(every_table_blob(services.dynamodb()))
    logged = [Blob(f"log line {number}", line) for number, line in enumerate(logs)]
    emailed = [
        Blob(f"email {n}", message.as_string()) for n, message in enumerate(sent_emails(aws))
    ]

    assert stored and queued and logged and len(emailed) == 4, "the scan must search something"
    assert occurrences(stored, sentinels) == []
    assert occurrences(queued, sentinels) == []
    assert occurrences(logged, sentinels) == []
    assert occurrences(emailed, sentinels) == []


def test_the_sealed_contact_opens_on_its_own_record(client: Client, aws: Settings) -> None:
    body, _values = sentinel_submission()
    post_json(client, "/reports", body)
    [item] = report_items(aws)
    report_id = item["report_id"]["S"]

    sealed = services.report_store().sealed_value(report_id, CONTACT)
    contact = services.identity_sealer().unseal(report_id, CONTACT, sealed)

    assert contact["name"] == body["contact"]["name"]
    assert contact["email"] == body["contact"]["email"]


def test_a_ciphertext_moved_onto_another_report_refuses_to_open(
    client: Client, aws: Settings
) -> None:
    post_json(client, "/reports", sentinel_submission()[0])
    post_json(client, "/reports", sentinel_submission()[0])
    first, second = (item["report_id"]["S"] for item in report_items(aws))
    dynamodb = services.dynamodb()
    stolen = services.report_store().sealed_value(first, CONTACT)
    dynamodb.update_item(
        TableName=aws.reports_table,
        Key={"pk": {"S": f"REPORT#{second}"}, "sk": {"S": "REPORT"}},
        UpdateExpression="SET sealed.#contact = :stolen",
        ExpressionAttributeNames={"#contact": CONTACT},
        ExpressionAttributeValues={":stolen": {"B": stolen}},
    )

    moved = services.report_store().sealed_value(second, CONTACT)
    with pytest.raises(SealBroken):
        services.identity_sealer().unseal(second, CONTACT, moved)


def test_the_api_never_asks_kms_to_decrypt_with_the_insight_key(
    client: Client, aws: Settings
) -> None:
    recorder = Calls()
    services.botocore_session().register("before-call.kms", recorder)
    body, _ = sentinel_submission()
    post_json(client, "/reports", body)
    post_json(client, "/reports", body)  # a replay unseals the submission digest
    [item] = report_items(aws)
    report_id = item["report_id"]["S"]
    services.identity_sealer().unseal(
        report_id, CONTACT, services.report_store().sealed_value(report_id, CONTACT)
    )

    operations = [name for name, _ in recorder.calls]
    assert "GenerateDataKey" in operations  # the recorder does see the SDK's calls
    insight_key_id = aws.insight_key_arn.rsplit("/", 1)[1]
    assert not [
        request
        for name, request in recorder.calls
        if name == "Decrypt" and insight_key_id in request
    ]


def test_no_api_module_can_reach_an_insight_unseal() -> None:
    """Static guard: API and intake code hold the insight sealer only as write-only."""
    root = Path(__file__).resolve().parents[2] / "chalicelib"
    offenders = []
    for path in [*root.joinpath("api").glob("*.py"), *root.joinpath("reports").glob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "unseal":
                source = ast.unparse(node.value)
                if "insight" in source:
                    offenders.append(f"{path.name}: {source}.unseal")
    assert offenders == []
    assert not hasattr(services.insight_sealer.__wrapped__, "unseal")  # type: ignore[attr-defined]


def _staff_call(client: Client, token: str, method: str, path: str, body: Any = None) -> Any:
    request = getattr(client.http, method)
    if body is None:
        return request(path, headers=as_staff(token))
    return request(path, headers=as_staff(token), body=json.dumps(body))


@pytest.mark.usefixtures("staff")
def test_no_path_that_unseals_writes_what_it_opened_to_a_log(
    client: Client, aws: Settings, logs: list[str], capfd: pytest.CaptureFixture[str]
) -> None:
    """Every path that unseals a reporter's data is walked once; what it opened is in its
    answer (so it really was unsealed) and in no log line, on stdout or stderr, or in an
    error answer: a reveal (and one whose audit entry fails), the timeline and audit reads,
    a replayed submission, the insights job, a subject access export and a rectification."""
    body, sentinels = sentinel_submission()
    email, name = body["contact"]["email"], body["contact"]["name"]
    tag = uuid.uuid4().hex[:12]
    note, purpose = f"Sentinelnote {tag}", f"Sentinelpurpose {tag}"
    corrected = f"sentinel-corrected-{tag}@example.ac.uk"
    sentinels += [note, purpose, corrected]
    reference = post_json(client, "/reports", body).json_body["reference"]
    drain(client, aws)
    screener, advisor = sign_in(aws, "ss-screener"), sign_in(aws, "ss-advisor-1")
    dpo = sign_in(aws, "dpo-admin")
    case = f"/staff/cases/{reference}"
    answers: dict[str, Any] = {}

    def call(label: str, token: str, method: str, path: str, payload: Any = None) -> Any:
        response = _staff_call(client, token, method, path, payload)
        answers[label] = response.json_body
        return response

    version = call("view", screener, "get", case).json_body["version"]
    assigned = call(
        "assign",
        screener,
        "post",
        f"{case}/assignment",
        {"advisor_id": "ss-advisor-1", "reason": "Best placed", "version": version},
    )
    assert assigned.status_code == 200, assigned.json_body
    drain(client, aws)  # the assignment email names the advisor (the directory unseals)
    assert (
        call("reveal", advisor, "post", f"{case}/reveal", {"purpose": purpose}).status_code == 200
    )
    note_entry = {"entry": {"type": "note", "text": note}}
    assert call("note", advisor, "post", f"{case}/timeline", note_entry).status_code == 201
    read = call("timeline", advisor, "post", f"{case}/timeline/read", {"purpose": "Next call"})
    assert read.status_code == 200
    assert call("audit", screener, "get", f"{case}/audit").status_code == 200
    refusing = CancelledTransactions("TransactionConflict")
    with hooked(services.dynamodb(), "before-call.dynamodb.TransactWriteItems", refusing):
        failed = call("failed reveal", advisor, "post", f"{case}/reveal", {"purpose": purpose})
    assert failed.status_code == 503
    replayed = post_json(client, "/reports", body)
    assert replayed.status_code in (200, 201), replayed.json_body
    answers["replay"] = replayed.json_body
    scheduled = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    client.lambda_.invoke("build_insights", scheduled)
    access = call(
        "access", dpo, "post", "/staff/rights/requests", {"kind": "access", "email": email}
    )
    assert access.status_code == 201, access.json_body
    export_path = f"/staff/rights/requests/{access.json_body['request_id']}/export"
    assert call("export", dpo, "post", export_path, {"reason": "SAR received"}).status_code == 200
    rectification = {"kind": "rectification", "email": email}
    logged = call("rectification request", dpo, "post", "/staff/rights/requests", rectification)
    rectify_path = f"/staff/rights/requests/{logged.json_body['request_id']}/rectification"
    rectified = call(
        "rectify",
        dpo,
        "post",
        rectify_path,
        {"reference": reference, "contact": {"email": corrected}, "reason": "New address"},
    )
    assert rectified.status_code == 200, rectified.json_body
    again = call("reveal again", screener, "post", f"{case}/reveal", {"purpose": "Call back"})
    assert again.status_code == 200

    # what was unsealed is in the answers that are for it...
    assert (answers["reveal"]["contact"]["email"], answers["reveal"]["contact"]["name"]) == (
        email,
        name,
    )
    assert note in {entry.get("text") for entry in answers["timeline"]["entries"]}
    assert purpose in {entry["reason"] for entry in answers["audit"]["entries"]}
    assert [report["contact"]["email"] for report in answers["export"]["reports"]] == [email]
    assert answers["reveal again"]["contact"]["email"] == corrected
    # ...and in no log line, on neither stream, nor in an answer that reports a failure
    captured = capfd.readouterr()
    streams = [Blob("stdout", captured.out), Blob("stderr", captured.err)]
    logged_lines = [Blob(f"log line {n}", line) for n, line in enumerate(logs)]
    failures = [Blob(label, json.dumps(answers[label])) for label in ("failed reveal", "replay")]
    assert logged_lines, "the scan must search something"
    assert occurrences(logged_lines, sentinels) == []
    assert occurrences(streams, sentinels) == []
    assert occurrences(failures, sentinels) == []
