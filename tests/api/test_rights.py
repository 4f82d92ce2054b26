"""Data-subject rights through the staff API: requests and their due dates, subject access,
rectification and erasure refused under legal hold, each audited on every case touched.

All tests of this module share one mocked stack (see `tests.api.shared_stack`); before each
test the case and rights tables are emptied and the clock set back.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib import services
from tests.api.shared_stack import Stack
from tests.factories import anonymous_submission, contact, named_submission
from tests.sentinels import Blob, leaves, occurrences, table_items

DPO, SCREENER, ADVISOR = "dpo-admin", "ss-screener", "ss-advisor-1"
REQUESTS = "/staff/rights/requests"


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


# --- helpers ---------------------------------------------------------------------------------


@dataclass
class Reporter:
    """A named reporter's sentinel values: every one unique and searchable."""

    tag: str
    name: str
    email: str
    phone: str
    safe_times: str
    narrative: str
    involved: str

    @classmethod
    def new(cls) -> Reporter:
        tag = uuid.uuid4().hex[:10]
        digits = str(uuid.uuid4().int)[:5]
        return cls(
            tag=tag,
            name=f"Subjectname {tag}",
            email=f"subject-{tag}@example.ac.uk",
            phone=f"+44 7700 9{digits}",
            safe_times=f"Subjectsafetimes {tag}",
            narrative=f"Subjectnarrative {tag}",
            involved=f"Thirdpartyname {tag}",
        )

    def submission(
        self, advisor_preferences: tuple[str, ...] = ("no_preference",), **answers: Any
    ) -> dict[str, Any]:
        body = named_submission(answers={"involved_names": [{"name": self.involved}], **answers})
        body["contact"] = contact(
            name=self.name,
            email=self.email,
            phone=self.phone,
            safe_times=self.safe_times,
            advisor_preferences=list(advisor_preferences),
        )
        body["narrative"] = self.narrative
        return body

    def values(self) -> list[str]:
        return [self.name, self.email, self.phone, self.safe_times, self.narrative, self.involved]


def log_request(stack: Stack, kind: str, email: str, **extra: Any) -> dict[str, Any]:
    response = stack.call("post", REQUESTS, DPO, {"kind": kind, "email": email, **extra})
    assert response.status_code == 201, response.json_body
    return dict(response.json_body)


def audit_entries(stack: Stack, reference: str) -> list[dict[str, Any]]:
    response = stack.call("get", f"/staff/cases/{reference}/audit", DPO)
    assert response.status_code == 200, response.json_body
    assert response.json_body["verification"]["intact"], response.json_body["verification"]
    return list(response.json_body["entries"])


def _without_audit(items: Any) -> Any:
    """A case's partition without its audit entries and chain head (which a look moves, and
    re-signs)."""
    kept = []
    for item in items:
        if str(item["sk"]["S"]).startswith("AUDIT#"):
            continue
        head = ("audit_seq", "audit_hash", "head_mac")
        kept.append({k: v for k, v in item.items() if k not in head})
    return kept


def assign_and_work(stack: Stack, reference: str, note: str) -> None:
    """Assign to the advisor, who logs a contact attempt (with a note) and an assessment."""
    version = stack.call("get", f"/staff/cases/{reference}", SCREENER).json_body["version"]
    assigned = stack.call(
        "post",
        f"/staff/cases/{reference}/assignment",
        SCREENER,
        {"advisor_id": ADVISOR, "reason": "Best placed advisor", "version": version},
    )
    assert assigned.status_code == 200, assigned.json_body
    for entry in (
        {"type": "contact_attempt", "method": "phone", "result": "reached", "note": note},
        {"type": "assessment", "risk_level": "low", "needs": ["counselling"]},
        {"type": "note", "text": f"{note} (case note)"},
    ):
        added = stack.call("post", f"/staff/cases/{reference}/timeline", ADVISOR, {"entry": entry})
        assert added.status_code == 201, added.json_body
    stack.drain()


def rights_blobs(stack: Stack) -> list[Blob]:
    items = table_items(services.dynamodb(), stack.settings.rights_table)
    return [blob for n, item in enumerate(items) for blob in leaves(item, f"rights item {n}")]


# --- subject access --------------------------------------------------------------------------


def test_an_export_holds_exactly_the_subjects_own_data_and_lists_what_it_withholds(
    stack: Stack, logs: list[str]
) -> None:
    subject, someone_else = Reporter.new(), Reporter.new()
    first = stack.submit(subject.submission())
    stack.clock.moment += timedelta(minutes=5)
    second = stack.submit(
        subject.submission(
            ("woman", "welsh_speaking"), where="online", online_platform="social_media"
        )
    )
    others = stack.submit(someone_else.submission())
    anonymous = stack.submit(anonymous_submission())
    staff_note = f"Staffnote mentions {subject.involved}"
    assign_and_work(stack, first, staff_note)
    before = {ref: len(audit_entries(stack, ref)) for ref in (first, second, others, anonymous)}
    request = log_request(stack, "access", subject.email.upper())

    response = stack.call(
        "post", f"{REQUESTS}/{request['request_id']}/export", DPO, {"reason": "SAR received"}
    )

    assert response.status_code == 200, response.json_body
    document = response.json_body
    assert document["subject_email"] == subject.email.upper()
    assert [report["reference"] for report in document["reports"]] == [first, second]
    for report in document["reports"]:
        assert report["mode"] == "named"
        assert report["contact"] == {
            "name": subject.name,
            "email": subject.email,
            "phone": subject.phone,
            "safe_times": subject.safe_times,
        }
    # Every advisor preference the subject ticked, by its label
    assert [report["preferences"] for report in document["reports"]] == [
        {"preferred_contact_method": "Email", "advisor_preferences": ["No preference"]},
        {
            "preferred_contact_method": "Email",
            "advisor_preferences": ["A woman", "Someone who speaks Welsh"],
        },
    ]
    for report in document["reports"]:
        assert {
            "question_id": "what_happened",
            "question": "What happened?",
            "answer": ["Verbal harassment"],
        } in report["answers"], report["answers"]
    worked = document["reports"][0]
    assert worked["first_contact_at"] is not None
    assert [(a["method"], a["result"]) for a in worked["contact_attempts"]] == [
        ("phone", "reached")
    ]
    assert [(s["type"], s["needs"]) for s in worked["support"]] == [("assessment", ["counselling"])]
    withheld = {(item["reference"], item["item"]) for item in document["withheld"]}
    for reference in (first, second):
        assert (reference, "narrative") in withheld
        assert (reference, "demographic answers") in withheld
        assert any(r == reference and i.startswith("answer: ") for r, i in withheld), withheld
    assert any(r == first and i.startswith("note on a contact attempt") for r, i in withheld)
    assert any(r == first and i.startswith("case note") for r, i in withheld)
    assert any(r == first and "reason" in i for r, i in withheld), "audit reasons are listed"
    assert any("insight key" in item["why"] for item in document["withheld"])
    assert any("Anonymous reports" in note for note in document["notes"])
    text = json.dumps(document)
    absent = [
        subject.narrative,
        subject.involved,
        staff_note,
        *someone_else.values(),
        others,
        anonymous,
        "Best placed advisor",
        "SAR received",
    ]
    assert [value for value in absent if value in text] == []
    after = {ref: audit_entries(stack, ref) for ref in (first, second, others, anonymous)}
    for reference in (first, second):
        assert len(after[reference]) == before[reference] + 1
        entry = after[reference][-1]
        assert (entry["actor"], entry["action"]) == (DPO, "subject_access_export")
        assert entry["details"] == {"request_id": request["request_id"], "fields": ["contact"]}
        assert entry["reason"] == "SAR received"
    assert {ref: len(after[ref]) for ref in (others, anonymous)} == {
        ref: before[ref] for ref in (others, anonymous)
    }
    logged = [Blob(f"log line {n}", line) for n, line in enumerate(logs)]
    assert logged, "the logs were captured"
    assert occurrences(logged, subject.values()) == []
    assert occurrences(rights_blobs(stack), [subject.email]) == []


def test_an_export_gives_each_answer_in_the_words_the_person_was_asked(stack: Stack) -> None:
    # given a witness and a reporter for themselves, each with a named report
    witness, myself = Reporter.new(), Reporter.new()
    body = witness.submission(reporting_for="witness", affected_role="student", under_18="yes")
    body.pop("demographics")  # a witness is not asked them
    stack.submit(body)
    stack.submit(myself.submission(under_18="yes"))

    exported = {}
    for person in (witness, myself):
        request = log_request(stack, "access", person.email)
        response = stack.call(
            "post", f"{REQUESTS}/{request['request_id']}/export", DPO, {"reason": "SAR received"}
        )
        assert response.status_code == 200, response.json_body
        [report] = response.json_body["reports"]
        exported[person.email] = {a["question_id"]: a for a in report["answers"]}

    # then the witness's export says what they were asked, about the person it happened to
    theirs = exported[witness.email]
    assert theirs["under_18"] == {
        "question_id": "under_18",
        "question": "Is the person it happened to under 18?",
        "answer": ["Yes"],
    }
    assert theirs["affected_role"]["question"] == "Which best describes the person it happened to?"
    assert theirs["affected_role"]["answer"] == ["Student"]
    # and the reporter for themselves is shown the question about them, as before
    assert exported[myself.email]["under_18"]["question"] == "Are you under 18?"
    assert "affected_role" not in exported[myself.email]


def test_a_request_lists_the_references_found_and_never_the_anonymous_ones(stack: Stack) -> None:
    subject = Reporter.new()
    named = stack.submit(subject.submission())
    stack.submit(anonymous_submission())

    request = log_request(stack, "access", f"  {subject.email} ")
    shown = stack.call("get", f"{REQUESTS}/{request['request_id']}", DPO)

    assert shown.status_code == 200, shown.json_body
    assert [report["reference"] for report in shown.json_body["reports"]] == [named]
    assert shown.json_body["history"][0]["action"] == "logged"
    nobody = log_request(stack, "access", "nobody-here@example.ac.uk")
    assert nobody["reports"] == []
    exported = stack.call(
        "post", f"{REQUESTS}/{nobody['request_id']}/export", DPO, {"reason": "SAR received"}
    ).json_body
    assert exported["reports"] == []
    assert exported["notes"][0] == "No report was found for this email address."


def test_an_access_request_is_completed_only_after_its_export(stack: Stack) -> None:
    request_id = log_request(stack, "access", "subject@example.ac.uk")["request_id"]
    close = {"outcome": "completed", "reason": "Answer sent by post"}

    early = stack.call("post", f"{REQUESTS}/{request_id}/close", DPO, close)
    stack.call("post", f"{REQUESTS}/{request_id}/export", DPO, {"reason": "SAR received"})
    closed = stack.call("post", f"{REQUESTS}/{request_id}/close", DPO, close)
    again = stack.call("post", f"{REQUESTS}/{request_id}/export", DPO, {"reason": "Again"})

    assert early.status_code == 400
    assert [e["field"] for e in early.json_body["errors"]] == ["outcome"]
    assert closed.status_code == 200, closed.json_body
    assert closed.json_body["status"] == "completed"
    assert closed.json_body["outcome"] == "exported"
    assert closed.json_body["reason"] == "Answer sent by post"
    assert closed.json_body["completed_by"] == DPO
    assert [e["action"] for e in closed.json_body["history"]] == ["logged", "export", "completed"]
    assert (again.status_code, again.json_body["error"]) == (409, "request_conflict")
    listed = stack.call("get", REQUESTS, DPO).json_body["requests"]
    assert request_id not in [row["request_id"] for row in listed]


def test_each_step_answers_only_its_own_kind_of_request(stack: Stack) -> None:
    erasure = log_request(stack, "erasure", "subject@example.ac.uk")["request_id"]

    response = stack.call("post", f"{REQUESTS}/{erasure}/export", DPO, {"reason": "SAR received"})

    assert (response.status_code, response.json_body["error"]) == (409, "request_conflict")
    assert "erasure" in response.json_body["message"]


# --- rectification ---------------------------------------------------------------------------


def test_rectification_reseals_the_contact_and_moves_the_blind_index(stack: Stack) -> None:
    subject = Reporter.new()
    reference = stack.submit(subject.submission())
    request_id = log_request(stack, "rectification", subject.email)["request_id"]
    before = len(audit_entries(stack, reference))
    new_email = f"corrected-{subject.tag}@example.ac.uk"

    response = stack.call(
        "post",
        f"{REQUESTS}/{request_id}/rectification",
        DPO,
        {
            "reference": reference,
            "contact": {"email": new_email, "phone": None},
            "reason": "Subject changed address",
        },
    )

    assert response.status_code == 200, response.json_body
    assert [r["reference"] for r in response.json_body["reports"]] == [reference]
    assert response.json_body["history"][-1]["fields"] == ["email", "phone"]
    revealed = stack.call(
        "post", f"/staff/cases/{reference}/reveal", SCREENER, {"purpose": "Calling back"}
    ).json_body
    assert revealed["contact"] == {
        "name": subject.name,
        "email": new_email,
        "phone": None,
        "safe_times": subject.safe_times,
    }
    entries = audit_entries(stack, reference)
    rectified = entries[before]
    assert (rectified["actor"], rectified["action"]) == (DPO, "rectification")
    assert rectified["details"] == {"request_id": request_id, "fields": ["email", "phone"]}
    assert rectified["reason"] == "Subject changed address"
    assert log_request(stack, "access", subject.email)["reports"] == []
    assert [r["reference"] for r in log_request(stack, "access", new_email)["reports"]] == [
        reference
    ]
    assert occurrences(rights_blobs(stack), [subject.email, new_email]) == []


def test_rectification_refuses_a_report_of_someone_else(stack: Stack) -> None:
    subject, someone_else = Reporter.new(), Reporter.new()
    stack.submit(subject.submission())
    theirs = stack.submit(someone_else.submission())
    request_id = log_request(stack, "rectification", subject.email)["request_id"]
    baseline = stack.partition(theirs)

    response = stack.call(
        "post",
        f"{REQUESTS}/{request_id}/rectification",
        DPO,
        {"reference": theirs, "contact": {"name": "Someone"}, "reason": "Subject asked"},
    )

    assert response.status_code == 400
    assert [e["field"] for e in response.json_body["errors"]] == ["reference"]
    assert stack.partition(theirs) == baseline


# --- erasure ---------------------------------------------------------------------------------


def test_erasure_is_refused_as_a_whole_under_legal_hold_and_the_refusal_recorded(
    stack: Stack,
) -> None:
    subject = Reporter.new()
    free = stack.submit(subject.submission())
    held = stack.submit(subject.submission())
    version = stack.call("get", f"/staff/cases/{held}", DPO).json_body["version"]
    hold = stack.call(
        "post",
        f"/staff/cases/{held}/flags",
        DPO,
        {"flag": "legal_hold", "value": True, "reason": "Tribunal claim", "version": version},
    )
    assert hold.status_code == 200, hold.json_body
    request_id = log_request(stack, "erasure", subject.email)["request_id"]
    baselines = {ref: stack.partition(ref) for ref in (free, held)}

    response = stack.call(
        "post", f"{REQUESTS}/{request_id}/erasure", DPO, {"reason": "Subject asked to be forgotten"}
    )

    assert response.status_code == 409
    assert response.json_body["error"] == "legal_hold"
    assert response.json_body["references"] == [held]
    for reference in (free, held):
        # Nothing erased: every item as it was, but for one audit entry recording the refusal.
        before, after = baselines[reference], stack.partition(reference)
        assert _without_audit(after) == _without_audit(before), "nothing erased"
        refusal = audit_entries(stack, reference)[-1]
        assert (refusal["actor"], refusal["action"]) == (DPO, "erasure_refused")
        assert refusal["details"] == {"request_id": request_id, "legal_hold_on": [held]}
        assert refusal["reason"] == "Subject asked to be forgotten"
    shown = stack.call("get", f"{REQUESTS}/{request_id}", DPO).json_body
    assert (shown["status"], shown["outcome"]) == ("refused", "legal_hold")
    assert held in shown["reason"] and "nothing was erased" in shown["reason"]
    assert shown["history"][-1]["references"] == [held]
    listed = stack.call("get", REQUESTS, DPO).json_body["requests"]
    assert request_id not in [row["request_id"] for row in listed]


def test_erasure_with_nothing_found_completes_and_erases_nothing(stack: Stack) -> None:
    subject = Reporter.new()
    reference = stack.submit(subject.submission())
    baseline = stack.partition(reference)
    request_id = log_request(stack, "erasure", "nobody-here@example.ac.uk")["request_id"]

    response = stack.call(
        "post", f"{REQUESTS}/{request_id}/erasure", DPO, {"reason": "Subject asked"}
    )

    assert response.status_code == 200, response.json_body
    assert (response.json_body["status"], response.json_body["outcome"]) == (
        "completed",
        "erased",
    )
    assert stack.partition(reference) == baseline


# --- requests and their due dates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_on", "due_at"),
    [
        ("2026-01-31", "2026-02-28"),
        ("2024-01-31", "2024-02-29"),
        ("2026-03-31", "2026-04-30"),
        ("2025-12-15", "2026-01-15"),
        ("2026-11-20", "2026-12-20"),
    ],
)
def test_a_request_is_due_one_calendar_month_after_receipt(
    stack: Stack, received_on: str, due_at: str
) -> None:
    # Logged on the day it was received: a receipt date must be recent (see the next test).
    stack.clock.moment = datetime.fromisoformat(f"{received_on}T10:30:00+00:00")
    request = log_request(stack, "access", "subject@example.ac.uk", received_on=received_on)

    assert (request["received_on"], request["due_at"]) == (received_on, due_at)


@pytest.mark.parametrize("received_on", ["2025-11-18", "1970-01-01"])
def test_a_receipt_date_more_than_366_days_ago_is_refused_naming_it(
    stack: Stack, received_on: str
) -> None:
    # Today is 2026-11-20: 366 days ago was 2025-11-19.
    refused = stack.call(
        "post",
        REQUESTS,
        DPO,
        {"kind": "access", "email": "a@example.ac.uk", "received_on": received_on},
    )
    oldest = log_request(stack, "access", "b@example.ac.uk", received_on="2025-11-19")

    assert refused.status_code == 400
    assert refused.json_body["errors"] == [
        {"field": "received_on", "message": "must be within the last 366 days"}
    ]
    assert (oldest["received_on"], oldest["due_at"]) == ("2025-11-19", "2025-12-19")
    assert [r["request_id"] for r in stack.call("get", REQUESTS, DPO).json_body["requests"]] == [
        oldest["request_id"]
    ]


def test_open_requests_come_soonest_due_first_with_the_overdue_flagged(stack: Stack) -> None:
    today = log_request(stack, "erasure", "one@example.ac.uk")
    late = log_request(stack, "access", "two@example.ac.uk", received_on="2026-10-10")
    middle = log_request(stack, "rectification", "three@example.ac.uk", received_on="2026-11-01")

    first = stack.call("get", REQUESTS, DPO).json_body["requests"]
    stack.clock.moment += timedelta(days=30)
    later = stack.call("get", REQUESTS, DPO).json_body["requests"]

    assert today["received_on"] == "2026-11-20"
    order = [late["request_id"], middle["request_id"], today["request_id"]]
    assert [row["request_id"] for row in first] == order
    assert [row["overdue"] for row in first] == [True, False, False]
    assert [row["overdue"] for row in later] == [True, True, False]
    assert "subject_email" not in first[0]


def test_bad_input_is_refused_naming_each_field_and_writes_nothing(stack: Stack) -> None:
    response = stack.call(
        "post",
        REQUESTS,
        DPO,
        {"kind": "deletion", "email": "not-an-address", "received_on": "soon", "extra": 1},
    )
    future = stack.call(
        "post",
        REQUESTS,
        DPO,
        {"kind": "access", "email": "a@example.ac.uk", "received_on": "2027-01-01"},
    )

    assert response.status_code == 400
    assert sorted(e["field"] for e in response.json_body["errors"]) == [
        "email",
        "extra",
        "kind",
        "received_on",
    ]
    assert "not-an-address" not in json.dumps(response.json_body)
    assert future.status_code == 400
    assert [e["field"] for e in future.json_body["errors"]] == ["received_on"]
    assert table_items(services.dynamodb(), stack.settings.rights_table) == []


def test_a_rectification_must_correct_something_and_cannot_remove_a_name(stack: Stack) -> None:
    request_id = log_request(stack, "rectification", "subject@example.ac.uk")["request_id"]
    path = f"{REQUESTS}/{request_id}/rectification"

    empty = stack.call(
        "post", path, DPO, {"reference": "RS-AAAA-AAAA", "contact": {}, "reason": "x"}
    )
    removed = stack.call(
        "post",
        path,
        DPO,
        {"reference": "bad", "contact": {"name": None, "phone": "12"}, "reason": "Fixing"},
    )

    assert empty.status_code == 400
    assert sorted(e["field"] for e in empty.json_body["errors"]) == ["contact", "reason"]
    assert removed.status_code == 400
    assert sorted(e["field"] for e in removed.json_body["errors"]) == [
        "contact.name",
        "contact.phone",
        "reference",
    ]


@pytest.mark.parametrize("path", ["/nope", "/0123456789abcdef0123456789abcdef"])
def test_a_request_that_is_not_there_answers_400_or_404(stack: Stack, path: str) -> None:
    response = stack.call("get", REQUESTS + path, DPO)

    assert response.status_code == (400 if path == "/nope" else 404)
    if response.status_code == 400:
        assert [e["field"] for e in response.json_body["errors"]] == ["request_id"]
