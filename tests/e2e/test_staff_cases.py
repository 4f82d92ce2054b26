"""Case work over the running stack: staff sign in against moto's Cognito and work a named
report from submission to closure over real HTTP; then nothing anyone typed is in clear.

The report's identifying values are sentinels (`tests.factories.sentinel_submission`), and
so is every piece of free text staff write on the way: the assignment reason, the purposes
given to reveal contact details and to read the timeline, the contact note, the case note,
the transition reasons, and the purpose of a reveal that is refused. Each one that is kept
is read back once through the API, so the scans below search for values known to be
stored; none may appear in any table, queue, email or log line.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import requests
from moto.utilities.utils import load_resource

from chalicelib.directory import StaffMember
from chalicelib.resources import RESOURCES, physical_name
from devstack.demo import DEMO_MEMBERS
from devstack.emails import SentEmail
from tests.e2e.reports import (
    DELIVERY_SECONDS,
    EMAIL_POLL_SECONDS,
    about,
    email_blobs,
    emails,
    log_blob,
    submit,
    wait_for_emails,
    wait_for_screening,
    wait_until_drained,
)
from tests.e2e.running import RunningStack
from tests.factories import sentinel_submission
from tests.sentinels import every_queue_blob, every_table_blob, occurrences, wait_until

pytestmark = pytest.mark.e2e

SCREENER, ADVISOR, OTHER_ADVISOR = "ss-screener", "ss-advisor-1", "ss-advisor-2"
ADVISOR_ADDRESS = ("rhian.evans@example.ac.uk",)
#: A well-formed reference that no case has: what "not yours" must look like.
NO_SUCH_CASE = "RS-2222-2222"
#: Queue pages to follow at most (the session's other tests fill the team queue too).
MAX_QUEUE_PAGES = 40
AUDITED_ACTIONS = [
    "triage",
    "assign",
    "reveal",
    "add_contact_attempt",
    "add_note",
    "transition",
    "transition",
]


# --- signing in ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokens(stack: RunningStack) -> dict[str, str]:
    """A fresh access token for every demo member."""
    return {member.member_id: stack.access_token(member.member_id) for member in DEMO_MEMBERS}


def call(
    stack: RunningStack, token: str | None, method: str, path: str, body: Any = None
) -> requests.Response:
    """One staff API request over HTTP, as the portal makes it."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.request(method, stack.api + path, headers=headers, json=body, timeout=10)


def expect(response: requests.Response, status: int) -> requests.Response:
    """The response, once its status is the one the flow needs to go on."""
    request = response.request
    assert response.status_code == status, (
        f"{request.method} {request.path_url}: {response.status_code} {response.text}"
    )
    return response


def resigned(token: str, **claims: Any) -> str:
    """The token with some claims changed, signed again with moto's signing key.

    moto signs every pool's tokens with one key pair shipped in its package (key id
    "dummy"); the API trusts its public half through the pool's JWKS. Signing with it makes
    tokens the API must judge on their claims alone.
    """
    payload = jwt.decode(token, options={"verify_signature": False})
    payload.update(claims)
    key = jwt.PyJWK.from_dict(load_resource("cognitoidp/resources/jwks-private.json"))
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(payload, key.key, algorithm="RS256", headers={"kid": kid})


def expired(token: str) -> str:
    """The same token, expired an hour ago (well past any leeway)."""
    now = int(time.time())
    return resigned(token, iat=now - 7200, auth_time=now - 7200, exp=now - 3600)


def tampered(token: str) -> str:
    """The token claiming to be someone else, under the original signature."""
    header, _, signature = token.split(".")
    forged_payload = resigned(token, username="dpo-admin").split(".")[1]
    return f"{header}.{forged_payload}.{signature}"


@pytest.mark.parametrize("member", DEMO_MEMBERS, ids=lambda member: member.member_id)
def test_every_demo_member_signs_in_and_the_api_knows_them(
    stack: RunningStack, tokens: dict[str, str], member: StaffMember
) -> None:
    answer = expect(call(stack, tokens[member.member_id], "GET", "/staff/me"), 200)

    # (What the member may do, `allowed_staff_actions`, is the policy's: see
    # tests/api/test_allowed_actions.py, which writes it out for each role.)
    body = answer.json()
    assert body.pop("allowed_staff_actions"), member.member_id
    assert body == {
        "member_id": member.member_id,
        "team_id": member.team_id,
        "roles": sorted(member.roles),
    }


def test_the_summary_names_the_pool_and_client_moto_holds(stack: RunningStack) -> None:
    pool_id, client_id = stack.staff_pool()
    cognito = stack.client("cognito-idp")

    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert pool["Name"] == physical_name("local", RESOURCES.user_pool.logical_name)
    assert client["UserPoolClient"]["ClientName"] == "portal"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda _: None, id="no token"),
        pytest.param(lambda _: "not-a-token", id="garbage"),
        pytest.param(lambda good: good[:-8] + "AAAAAAAA", id="bad signature"),
        pytest.param(tampered, id="tampered claims"),
        pytest.param(expired, id="expired"),
    ],
)
def test_a_missing_or_bad_token_is_refused_with_401(
    stack: RunningStack, tokens: dict[str, str], token: Callable[[str], str | None]
) -> None:
    answer = call(stack, token(tokens[SCREENER]), "GET", "/staff/me")

    assert answer.status_code == 401, answer.text
    assert SCREENER not in answer.text


def test_a_re_signed_token_that_has_not_expired_is_accepted(
    stack: RunningStack, tokens: dict[str, str]
) -> None:
    # The control for "expired": the same signing, a future expiry, and the API says yes.
    fresh = resigned(tokens[SCREENER], exp=int(time.time()) + 600)

    assert expect(call(stack, fresh, "GET", "/staff/me"), 200).json()["member_id"] == SCREENER


# --- a case worked from submission to closure ----------------------------------------------


@dataclass
class Worked:
    """One sentinel report worked to closure: what was sent, and what the API answered."""

    reference: str
    #: The report as submitted: every identifying value in it is a sentinel.
    report: dict[str, Any]
    #: Those values (name, email, phone, narrative, ...).
    personal: list[str]
    #: What staff wrote, by step: each a unique sentinel.
    written: dict[str, str]
    #: The API's answer to each step, by step name.
    answers: dict[str, requests.Response] = field(default_factory=dict)
    #: References in a queue, by "whose queue, when".
    queues: dict[str, list[str]] = field(default_factory=dict)
    assignment_emails: list[SentEmail] = field(default_factory=list)

    @property
    def sentinels(self) -> list[str]:
        """Every value that must never be found in clear."""
        return [*self.personal, *self.written.values()]

    def json(self, step: str) -> Any:
        """The decoded answer to a step."""
        return self.answers[step].json()


def staff_sentinel(what: str) -> str:
    """Free text staff write: unique, searchable, and valid wherever staff text goes."""
    return f"Sentinel{what} {uuid.uuid4().hex[:12]}"


def queue_references(stack: RunningStack, token: str) -> list[str]:
    """Every reference in a member's queue, following the pages."""
    found: list[str] = []
    cursor: str | None = None
    for _ in range(MAX_QUEUE_PAGES):
        params = {"cursor": cursor} if cursor else {}
        answer = requests.get(
            f"{stack.api}/staff/queue",
            headers={"Authorization": f"Bearer {token}"},
            params=params,
            timeout=10,
        )
        page = expect(answer, 200).json()
        found += [row["reference"] for row in page["cases"]]
        cursor = page["next_cursor"]
        if not cursor:
            return found
    raise AssertionError(f"the queue has more than {MAX_QUEUE_PAGES} pages")


@pytest.fixture(scope="module")
def worked(stack: RunningStack, tokens: dict[str, str]) -> Worked:
    """Submit a sentinel report and work it to closure, step by step, over HTTP."""
    body, personal = sentinel_submission()
    written = {
        step: staff_sentinel(step)
        for step in (
            "assignreason",
            "refusedpurpose",
            "revealpurpose",
            "contactnote",
            "notetext",
            "supportreason",
            "closereason",
            "timelinepurpose",
        )
    }
    submitted = expect(submit(stack, body), 201)
    reference = str(submitted.json()["reference"])
    run = Worked(reference, body, personal, written)
    case = f"/staff/cases/{reference}"

    def step(name: str, who: str, method: str, path: str, payload: Any = None) -> requests.Response:
        run.answers[name] = call(stack, tokens[who], method, path, payload)
        return run.answers[name]

    wait_for_screening(stack, reference)
    run.queues["screener before assignment"] = queue_references(stack, tokens[SCREENER])
    version = expect(step("view", SCREENER, "GET", case), 200).json()["version"]
    expect(step("advisors", SCREENER, "GET", f"{case}/advisors"), 200)
    assignment = {"advisor_id": ADVISOR, "reason": written["assignreason"], "version": version}
    expect(step("assign", SCREENER, "POST", f"{case}/assignment", assignment), 200)

    subject = f"[Report + Support] Case {reference} has been assigned to you"
    run.assignment_emails = wait_until(
        lambda: [sent for sent in about(emails(stack), reference) if sent.subject == subject],
        DELIVERY_SECONDS,
        interval=EMAIL_POLL_SECONDS,
    )
    for who in (SCREENER, ADVISOR, OTHER_ADVISOR, "hr-advisor", "di-screener"):
        run.queues[f"{who} after assignment"] = queue_references(stack, tokens[who])

    # Everyone who may not see the case tries; none of it may be recorded or leak.
    refused_purpose = {"purpose": written["refusedpurpose"]}
    for who in (OTHER_ADVISOR, "hr-screener", "hr-advisor", "di-analyst", "dpo-admin"):
        step(f"{who} view", who, "GET", case)
        step(f"{who} reveal", who, "POST", f"{case}/reveal", refused_purpose)
    step("hr-screener audit", "hr-screener", "GET", f"{case}/audit")
    step("no such case", SCREENER, "GET", f"/staff/cases/{NO_SUCH_CASE}")

    reveal = {"purpose": written["revealpurpose"]}
    expect(step("reveal", ADVISOR, "POST", f"{case}/reveal", reveal), 200)
    contact = {
        "entry": {
            "type": "contact_attempt",
            "method": "phone",
            "result": "reached",
            "note": written["contactnote"],
        }
    }
    expect(step("contact", ADVISOR, "POST", f"{case}/timeline", contact), 201)
    note = {"entry": {"type": "note", "text": written["notetext"]}}
    noted = expect(step("note", ADVISOR, "POST", f"{case}/timeline", note), 201).json()
    support = {"to": "in_support", "reason": written["supportreason"], "version": noted["version"]}
    supported = expect(step("support", ADVISOR, "POST", f"{case}/transitions", support), 200)
    close = {
        "to": "closed",
        "reason": written["closereason"],
        "outcome": "informal_resolution",
        "version": supported.json()["version"],
    }
    expect(step("close", ADVISOR, "POST", f"{case}/transitions", close), 200)
    for who in (SCREENER, ADVISOR):
        run.queues[f"{who} after closure"] = queue_references(stack, tokens[who])

    expect(step("audit", SCREENER, "GET", f"{case}/audit"), 200)
    # Read last, so the audit above ends with the closure; reading is itself audited.
    read = {"purpose": written["timelinepurpose"]}
    expect(step("timeline", ADVISOR, "POST", f"{case}/timeline/read", read), 200)

    wait_for_emails(stack, [reference])
    assert wait_until_drained(stack), "queues still hold messages"
    return run


def test_triage_puts_the_report_in_the_student_support_queue(worked: Worked) -> None:
    view = worked.json("view")

    assert worked.reference in worked.queues["screener before assignment"]
    assert view["status"] == "awaiting_screening"
    assert view["team_id"] == "student_support"
    assert view["advisor_id"] is None
    assert "contact" in view["sealed_fields"]


def test_the_screener_assigns_an_advisor_of_the_team(worked: Worked) -> None:
    advisors = worked.json("advisors")["advisors"]
    assigned = worked.json("assign")

    assert {advisor["member_id"] for advisor in advisors} == {ADVISOR, OTHER_ADVISOR}
    assert assigned["status"] == "assigned"
    assert assigned["advisor_id"] == ADVISOR


def test_the_advisor_is_emailed_a_link_and_nothing_personal(
    stack: RunningStack, worked: Worked
) -> None:
    assert len(worked.assignment_emails) == 1, "no single assignment email within the wait"
    [sent] = worked.assignment_emails

    assert sent.to == ADVISOR_ADDRESS
    assert f"{stack.web}/portal/#/cases/{worked.reference}" in sent.text
    assert occurrences(email_blobs([sent]), worked.sentinels) == []


def test_only_the_assigned_advisor_and_the_team_see_the_case(worked: Worked) -> None:
    queues, reference = worked.queues, worked.reference
    not_found = worked.answers["no such case"]

    assert reference in queues[f"{ADVISOR} after assignment"]
    assert reference in queues[f"{SCREENER} after assignment"]
    for who in (OTHER_ADVISOR, "hr-advisor", "di-screener"):
        assert reference not in queues[f"{who} after assignment"], who
    # Another advisor, or another team, is told what a case that does not exist gets.
    assert not_found.status_code == 404
    for step in ("ss-advisor-2 view", "ss-advisor-2 reveal", "hr-screener view"):
        assert worked.answers[step].status_code == 404, step
        assert worked.json(step) == not_found.json(), step
    for step in ("hr-screener reveal", "hr-screener audit", "hr-advisor view", "hr-advisor reveal"):
        assert worked.answers[step].status_code == 404, step
    # Analysts have no access to cases at all; an admin may read a case but never reveal.
    for step in ("di-analyst view", "di-analyst reveal", "dpo-admin reveal"):
        assert worked.answers[step].status_code == 403, step
    assert worked.answers["dpo-admin view"].status_code == 200


def test_the_advisor_reveals_the_contact_details_for_a_purpose(worked: Worked) -> None:
    revealed = worked.json("reveal")
    contact, report = revealed["contact"], worked.report

    # The one answer where the reporter's details may appear: to the assigned advisor.
    assert revealed["reference"] == worked.reference
    for detail in ("name", "email", "safe_times"):
        assert contact[detail] == report["contact"][detail], detail
    assert re.sub(r"\D", "", report["contact"]["phone"]) in re.sub(r"\D", "", contact["phone"])
    assert revealed["narrative"] == report["narrative"]
    assert revealed["answers"]["involved_names"] == report["answers"]["involved_names"]


def test_first_contact_is_logged_and_met(worked: Worked) -> None:
    contacted = worked.json("contact")

    assert contacted["status"] == "contacted"
    assert contacted["first_contact_at"] is not None
    assert contacted["first_contact_met"] is True


def test_the_case_is_closed_with_its_outcome_and_leaves_the_queues(worked: Worked) -> None:
    closed = worked.json("close")

    assert worked.json("support")["status"] == "in_support"
    assert closed["status"] == "closed"
    assert closed["outcome"] == "informal_resolution"
    assert closed["closed_at"] is not None
    assert worked.reference not in worked.queues[f"{SCREENER} after closure"]
    assert worked.reference not in worked.queues[f"{ADVISOR} after closure"]


def test_the_audit_trail_is_intact_and_in_order(worked: Worked) -> None:
    audit = worked.json("audit")
    entries = audit["entries"]
    written = worked.written

    assert audit["verification"]["intact"] is True
    assert audit["verification"]["entries"] == len(AUDITED_ACTIONS)
    assert [entry["action"] for entry in entries] == AUDITED_ACTIONS
    assert [entry["actor"] for entry in entries][1:] == [SCREENER] + [ADVISOR] * 5
    # Reasons and purposes are kept sealed and open again for the screener.
    assert [entry["reason"] for entry in entries][1:] == [
        written["assignreason"],
        written["revealpurpose"],
        None,
        None,
        written["supportreason"],
        written["closereason"],
    ]
    assert [entry["details"].get("to") for entry in entries][-2:] == ["in_support", "closed"]


def test_the_timeline_keeps_the_notes_and_opens_them_for_the_advisor(worked: Worked) -> None:
    entries = worked.json("timeline")["entries"]

    assert [(entry["type"], entry["text"]) for entry in entries] == [
        ("contact_attempt", worked.written["contactnote"]),
        ("note", worked.written["notetext"]),
    ]
    assert {entry["actor"] for entry in entries} == {ADVISOR}


def test_no_table_holds_a_sentinel(stack: RunningStack, worked: Worked) -> None:
    assert occurrences(every_table_blob(stack.client("dynamodb")), worked.sentinels) == []


def test_no_queue_holds_a_sentinel(stack: RunningStack, worked: Worked) -> None:
    assert occurrences(every_queue_blob(stack.client("sqs")), worked.sentinels) == []


def test_no_email_holds_a_sentinel(stack: RunningStack, worked: Worked) -> None:
    sent = emails(stack)

    assert about(sent, worked.reference), "not even the case's own emails were found"
    assert occurrences(email_blobs(sent), worked.sentinels) == []


def test_no_log_line_holds_a_sentinel(stack: RunningStack, worked: Worked) -> None:
    assert occurrences([log_blob(stack)], worked.sentinels) == []
