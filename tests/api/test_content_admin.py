"""Content without a deploy (`/staff/admin/content`): an administrator saves a version of the
support services, policies, privacy notice and question options, previews it, publishes it,
and reporters are served it at once (`GET /form`, `POST /reports`); a bad edit is refused
naming the field and changes nothing; a publish over one the administrator did not see is
refused; the previous version comes back in one call; every publish is in the admin trail.

All tests share one mocked stack; the case tables and the admin table are emptied before
each (the test stack reads the published pointer on every request: `content_cache_seconds`
is 0 there).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chalicelib import services
from chalicelib.institution import load_institution
from tests.api.conftest import post_json, sent_emails
from tests.api.shared_stack import Stack
from tests.factories import anonymous_submission, contact, named_submission

ADMIN = "dpo-admin"
REASON = "Contentsentinel: the wellbeing line has a new number"
CONTENT = "/staff/admin/content"


@pytest.fixture(autouse=True)
def _fresh_tables(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()
    # Version numbers start again at 1 in each test, so the process's validated versions
    # (kept by number, which never changes in a deployment) are forgotten too.
    for built in (services.published_content, services.content_desk):
        built.cache_clear()  # type: ignore[attr-defined]


# --- helpers ---------------------------------------------------------------------------------


def deployed_document() -> dict[str, Any]:
    """The document the deployed default holds, as GET /staff/admin/content answers it."""
    return copy.deepcopy(overview_of_nothing_published()["document"])


def overview_of_nothing_published() -> dict[str, Any]:
    from chalicelib.content.document import document_of

    return {"document": document_of(load_institution()).model_dump(mode="json")}


def edited_document() -> dict[str, Any]:
    """A new wellbeing number, a new option, a retired one and a changed privacy notice."""
    document = deployed_document()
    wellbeing = next(r for r in document["support_resources"] if r["id"] == "wellbeing")
    wellbeing["phone"] = "01234 567 222"
    document["question_options"]["anyone_told"].append(
        {"id": "chaplaincy", "label": {"en": "The chaplaincy", "cy": "Y gaplaniaeth"}}
    )
    stalking = next(o for o in document["question_options"]["what_happened"] if o["id"] == "other")
    stalking["retired"] = True
    document["privacy_notice"]["supervisory_authority"] = {
        "en": "The Information Commissioner's Office, ico.org.uk, 0303 123 1113.",
        "cy": "Swyddfa'r Comisiynydd Gwybodaeth, ico.org.uk, 0303 123 1113.",
    }
    return document


def save(stack: Stack, document: dict[str, Any], based_on: int | None = None) -> Any:
    return stack.call(
        "post", f"{CONTENT}/versions", ADMIN, {"document": document, "based_on": based_on}
    )


def publish(stack: Stack, version: int, seen: int | None, reason: str = REASON) -> Any:
    return stack.call(
        "post",
        f"{CONTENT}/versions/{version}/publish",
        ADMIN,
        {"reason": reason, "published": seen},
    )


def form(stack: Stack) -> Any:
    return stack.client.http.get("/form")


def admin_items(stack: Stack) -> list[dict[str, Any]]:
    items = services.dynamodb().scan(TableName=stack.settings.admin_table, ConsistentRead=True)
    return sorted(items["Items"], key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def option_ids(body: dict[str, Any], question_id: str) -> list[str]:
    question = next(q for q in body["form"]["questions"] if q["id"] == question_id)
    return [option["id"] for option in question["options"]]


def resource(body: dict[str, Any], resource_id: str) -> dict[str, Any]:
    return dict(next(r for r in body["support_resources"] if r["id"] == resource_id))


def submit(stack: Stack, body: dict[str, Any]) -> Any:
    return post_json(stack.client, "/reports", body)


def stored_versions(stack: Stack, reference: str) -> tuple[str, str]:
    item = stack.case_item(reference)
    return item["form_version"]["S"], item["privacy_notice_version"]["S"]


# --- save, preview, publish --------------------------------------------------------------------


def test_a_saved_version_is_a_draft_that_reporters_do_not_see_until_it_is_published(
    stack: Stack,
) -> None:
    before = form(stack).body

    saved = save(stack, edited_document())

    assert saved.status_code == 201, saved.json_body
    assert saved.json_body == {
        "version": 1,
        "status": "draft",
        "created_at": "2026-11-20T10:30:00.000Z",
        "created_by": ADMIN,
        "published_at": None,
        "based_on": None,
        "form_version": "2026.4+c1",
        "privacy_notice_version": "2026-12+c1",
    }
    assert form(stack).body == before
    overview = stack.call("get", CONTENT, ADMIN).json_body
    assert (overview["published"], overview["previous"]) == (None, None)
    assert overview["restorable"] is False
    assert [v["version"] for v in overview["versions"]] == [1]
    assert overview["document"] == deployed_document()


def test_the_preview_is_what_the_form_will_serve_and_publishing_serves_it(stack: Stack) -> None:
    saved = save(stack, edited_document()).json_body
    preview = stack.call("get", f"{CONTENT}/versions/1/preview", ADMIN)
    assert preview.status_code == 200, preview.json_body

    published = publish(stack, saved["version"], None)

    assert published.status_code == 200, published.json_body
    assert published.json_body["status"] == "published"
    assert published.json_body["published_at"] == "2026-11-20T10:30:00.000Z"
    served = form(stack)
    assert served.json_body == preview.json_body
    assert resource(served.json_body, "wellbeing")["phone"] == "01234 567 222"
    assert option_ids(served.json_body, "anyone_told")[-1] == "chaplaincy"
    assert "other" not in option_ids(served.json_body, "what_happened")
    assert "stalking" in option_ids(served.json_body, "what_happened")
    assert served.json_body["form"]["version"] == "2026.4+c1"
    assert served.json_body["privacy_notice"]["version"] == "2026-12+c1"
    assert served.json_body["privacy_notice"]["supervisory_authority"]["en"] == (
        "The Information Commissioner's Office, ico.org.uk, 0303 123 1113."
    )
    # Staff reading old reports still get the retired option's label, marked.
    everything = stack.client.http.get("/form?options=all").json_body
    other = next(
        o
        for q in everything["form"]["questions"]
        if q["id"] == "what_happened"
        for o in q["options"]
        if o["id"] == "other"
    )
    assert other == {
        "id": "other",
        "label": {"en": "Something else", "cy": "Rhywbeth arall"},
        "retired": True,
    }


def test_a_report_on_the_published_form_records_its_versions(stack: Stack) -> None:
    save(stack, edited_document())
    publish(stack, 1, None)
    body = anonymous_submission(
        answers={"anyone_told": ["chaplaincy"]},
        form_version="2026.4+c1",
        privacy_notice_version="2026-12+c1",
    )

    response = submit(stack, body)

    assert response.status_code == 201, response.json_body
    assert stored_versions(stack, response.json_body["reference"]) == ("2026.4+c1", "2026-12+c1")


def test_a_report_begun_before_the_publish_is_accepted_and_records_what_the_reporter_saw(
    stack: Stack,
) -> None:
    loaded = anonymous_submission()  # made against the deployed form: 2026.4, 2026-12
    save(stack, edited_document())
    publish(stack, 1, None)

    response = submit(stack, loaded)

    assert response.status_code == 201, response.json_body
    assert stored_versions(stack, response.json_body["reference"]) == ("2026.4", "2026-12")


def test_a_version_never_published_is_refused_as_before(stack: Stack) -> None:
    save(stack, edited_document())  # a draft: its versions were never served

    response = submit(
        stack,
        anonymous_submission(form_version="2026.4+c1", privacy_notice_version="2026-12+c1"),
    )

    assert response.status_code == 400
    assert [e["field"] for e in response.json_body["errors"]] == [
        "form_version",
        "privacy_notice_version",
    ]
    assert submit(stack, anonymous_submission()).status_code == 201


def test_a_retired_option_is_refused_in_a_new_report_naming_the_answer(stack: Stack) -> None:
    save(stack, edited_document())
    publish(stack, 1, None)

    refused = submit(stack, anonymous_submission(answers={"what_happened": ["other"]}))
    accepted = submit(stack, anonymous_submission(answers={"what_happened": ["stalking"]}))

    assert refused.status_code == 400
    assert refused.json_body["errors"] == [
        {
            "field": "answers.what_happened",
            "message": "other is no longer offered; reload the form and choose again",
        }
    ]
    assert accepted.status_code == 201, accepted.json_body


# --- refused edits change nothing ---------------------------------------------------------------


def _bad_url(document: dict[str, Any]) -> None:
    document["policies"][1]["url"] = "http://example.ac.uk/policy"


def _no_emergency_contact(document: dict[str, Any]) -> None:
    for entry in document["support_resources"]:
        entry["emergency"] = False


def _role_option_added(document: dict[str, Any]) -> None:
    document["question_options"]["affected_role"].append(
        {"id": "alumni", "label": {"en": "A former student"}}
    )


def _option_removed(document: dict[str, Any]) -> None:
    document["question_options"]["when"] = document["question_options"]["when"][:-1]


def _unknown_question(document: dict[str, Any]) -> None:
    document["question_options"]["favourite_colour"] = [{"id": "red", "label": {"en": "Red"}}]


def _resource_url_not_https(document: dict[str, Any]) -> None:
    document["support_resources"][2]["url"] = "ftp://files.example.ac.uk"


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (
            _bad_url,
            "document.policies.1.url",
            "must be an https address or a page of this site (starting with /)",
        ),
        (
            _no_emergency_contact,
            "document.support_resources",
            "at least one support resource must be an emergency contact",
        ),
        (
            _role_option_added,
            "document.question_options.affected_role",
            "triage.routing.by_role misses ['alumni']",
        ),
        (
            _option_removed,
            "document.question_options.when",
            "leaves out not_sure: an option reports may hold is never removed; "
            'retire it instead ("retired": true)',
        ),
        (
            _unknown_question,
            "document.question_options.favourite_colour",
            "is not a single or multiple choice question of the form "
            "(questions themselves are changed in code)",
        ),
        (
            _resource_url_not_https,
            "document.support_resources.2.url",
            "support resource wellbeing url must be https, tel, mailto or local",
        ),
    ],
)
def test_a_bad_edit_is_refused_naming_the_field_and_nothing_changes(
    stack: Stack, edit: Any, field: str, message: str
) -> None:
    before_form, before_items = form(stack).body, admin_items(stack)
    document = deployed_document()
    edit(document)

    refused = save(stack, document)

    assert refused.status_code == 400, refused.json_body
    assert refused.json_body["error"] == "invalid_input"
    assert refused.json_body["errors"] == [{"field": field, "message": message}]
    assert form(stack).body == before_form
    assert admin_items(stack) == before_items == []
    assert stack.call("get", CONTENT, ADMIN).json_body["versions"] == []
    # The same document without the edit is saved.
    assert save(stack, deployed_document()).status_code == 201


# --- conflicts, restore, the trail ----------------------------------------------------------------


def test_a_publish_over_one_the_admin_did_not_see_is_refused_and_changes_nothing(
    stack: Stack,
) -> None:
    save(stack, edited_document())
    save(stack, deployed_document())
    assert publish(stack, 1, None).status_code == 200
    before_form, before_items = form(stack).body, admin_items(stack)

    stale = publish(stack, 2, None)

    assert stale.status_code == 409
    assert stale.json_body == {
        "error": "content_changed",
        "message": "the published content has changed (now version 1); reload it",
    }
    assert form(stack).body == before_form
    assert admin_items(stack) == before_items
    assert publish(stack, 2, 1).status_code == 200


def test_restore_publishes_the_previous_version_again_in_one_call(stack: Stack) -> None:
    save(stack, edited_document())
    second = deployed_document()
    second["next_steps"]["anonymous"] = {"en": "Thank you. We read every report.", "cy": "Diolch."}
    save(stack, second, based_on=1)
    publish(stack, 1, None)
    first_form = form(stack).body
    publish(stack, 2, 1, reason="Shorter next steps")
    assert form(stack).body != first_form

    restored = stack.call(
        "post",
        f"{CONTENT}/restore",
        ADMIN,
        {"reason": "The new text confused people", "published": 2},
    )

    assert restored.status_code == 200, restored.json_body
    assert restored.json_body == {"published": 1, "previous": 2}
    assert form(stack).body == first_form
    overview = stack.call("get", CONTENT, ADMIN).json_body
    assert (overview["published"], overview["previous"]) == (1, 2)
    assert [(v["version"], v["status"], v["based_on"]) for v in overview["versions"]] == [
        (2, "retired", 1),
        (1, "published", None),
    ]
    trail = stack.call("get", "/staff/admin/trail", ADMIN).json_body
    assert trail["intact"] is True
    assert [(e["action"], e["details"], e["reason"]) for e in trail["entries"]] == [
        (
            "content_published",
            {"version": 1, "form_version": "2026.4+c1", "privacy_notice_version": "2026-12+c1"},
            REASON,
        ),
        (
            "content_published",
            {
                "version": 2,
                "replaced": 1,
                # Version 2 leaves out the option version 1 published: it stays, retired.
                "form_version": "2026.4+c2",
                "privacy_notice_version": "2026-12",
            },
            "Shorter next steps",
        ),
        (
            "content_restored",
            {
                "version": 1,
                "replaced": 2,
                "form_version": "2026.4+c1",
                "privacy_notice_version": "2026-12+c1",
            },
            "The new text confused people",
        ),
        ("admin_trail_read", {}, None),
    ]


def test_the_first_publish_is_undone_by_restoring_the_deployed_default(stack: Stack) -> None:
    deployed_form = form(stack).body
    save(stack, edited_document())
    publish(stack, 1, None)
    first_form = form(stack).body
    assert first_form != deployed_form
    overview = stack.call("get", CONTENT, ADMIN).json_body
    assert (overview["published"], overview["previous"], overview["restorable"]) == (1, None, True)

    restored = stack.call(
        "post", f"{CONTENT}/restore", ADMIN, {"reason": "Not ready yet", "published": 1}
    )

    assert restored.status_code == 200, restored.json_body
    assert restored.json_body == {"published": None, "previous": 1}
    # Reporters are served exactly what they were before any publish.
    assert form(stack).body == deployed_form
    overview = stack.call("get", CONTENT, ADMIN).json_body
    assert (overview["published"], overview["previous"], overview["restorable"]) == (None, 1, True)
    assert [(v["version"], v["status"]) for v in overview["versions"]] == [(1, "retired")]
    # The option version 1 added stays known, retired: reports holding it keep its label,
    # and a draft from this document may not drop it.
    chaplaincy = {
        "id": "chaplaincy",
        "label": {"en": "The chaplaincy", "cy": "Y gaplaniaeth"},
        "retired": True,
    }
    assert overview["document"]["question_options"]["anyone_told"][-1] == chaplaincy
    assert overview["document"]["support_resources"] == deployed_document()["support_resources"]
    everything = stack.client.http.get("/form?options=all").json_body
    told = next(q for q in everything["form"]["questions"] if q["id"] == "anyone_told")
    assert told["options"][-1] == chaplaincy
    assert everything["form"]["version"] == "2026.4"
    trail = stack.call("get", "/staff/admin/trail", ADMIN).json_body
    assert trail["intact"] is True
    assert [(e["action"], e["details"], e["reason"]) for e in trail["entries"]][1:] == [
        (
            "content_restored",
            # No "version": the deployed default (as a first publish names no "replaced").
            {"replaced": 1, "form_version": "2026.4", "privacy_notice_version": "2026-12"},
            "Not ready yet",
        ),
        ("admin_trail_read", {}, None),
    ]

    again = stack.call(
        "post", f"{CONTENT}/restore", ADMIN, {"reason": "Ready after all", "published": None}
    )

    assert again.status_code == 200, again.json_body
    assert again.json_body == {"published": 1, "previous": None}
    assert form(stack).body == first_form
    overview = stack.call("get", CONTENT, ADMIN).json_body
    assert (overview["published"], overview["previous"], overview["restorable"]) == (1, None, True)


def test_a_draft_saved_after_restoring_the_deployed_default_is_published_with_its_options(
    stack: Stack,
) -> None:
    save(stack, edited_document())
    publish(stack, 1, None)
    stack.call("post", f"{CONTENT}/restore", ADMIN, {"reason": "Undo", "published": 1})
    document = stack.call("get", CONTENT, ADMIN).json_body["document"]

    saved = save(stack, document, based_on=None)
    published = publish(stack, 2, None)

    assert saved.status_code == 201, saved.json_body
    assert published.status_code == 200, published.json_body
    served = form(stack).json_body
    assert "chaplaincy" not in option_ids(served, "anyone_told")
    assert "police" in option_ids(served, "anyone_told")
    overview = stack.call("get", CONTENT, ADMIN).json_body
    assert (overview["published"], overview["previous"]) == (2, None)


def test_restore_with_nothing_to_restore_or_a_stale_view_is_refused(stack: Stack) -> None:
    nothing = stack.call("post", f"{CONTENT}/restore", ADMIN, {"reason": "Undo", "published": None})
    save(stack, edited_document())
    publish(stack, 1, None)
    stale = stack.call("post", f"{CONTENT}/restore", ADMIN, {"reason": "Undo", "published": None})

    assert (nothing.status_code, nothing.json_body["error"]) == (409, "content_changed")
    assert nothing.json_body["message"] == "there is no previous version to restore"
    assert (stale.status_code, stale.json_body["error"]) == (409, "content_changed")
    assert stack.call("get", CONTENT, ADMIN).json_body["published"] == 1


def test_the_reason_is_sealed_and_the_document_holds_no_reason(stack: Stack) -> None:
    save(stack, edited_document())
    publish(stack, 1, None)

    raw = str(admin_items(stack))

    assert "Contentsentinel" not in raw
    assert "01234 567 222" in raw  # the content itself is the institution's, in clear


def test_a_version_and_an_unknown_one(stack: Stack) -> None:
    save(stack, edited_document())

    found = stack.call("get", f"{CONTENT}/versions/1", ADMIN)
    unknown = stack.call("get", f"{CONTENT}/versions/7", ADMIN)
    not_a_number = stack.call("get", f"{CONTENT}/versions/first", ADMIN)

    assert found.status_code == 200
    assert found.json_body["document"] == edited_document() | {
        "question_options": found.json_body["document"]["question_options"]
    }
    assert resource(found.json_body["document"], "wellbeing")["phone"] == "01234 567 222"
    assert (unknown.status_code, not_a_number.status_code) == (404, 404)


@pytest.mark.parametrize("user", ["ss-screener", "ss-advisor-1", "di-analyst"])
def test_no_other_role_saves_or_publishes_content(stack: Stack, user: str) -> None:
    before = form(stack).body

    refused_save = stack.call(
        "post", f"{CONTENT}/versions", user, {"document": edited_document(), "based_on": None}
    )
    assert save(stack, edited_document()).status_code == 201
    refused_publish = stack.call(
        "post", f"{CONTENT}/versions/1/publish", user, {"reason": "Mine", "published": None}
    )
    refused_read = stack.call("get", CONTENT, user)

    assert (refused_save.status_code, refused_publish.status_code) == (403, 403)
    assert refused_read.status_code == 403
    assert form(stack).body == before
    assert publish(stack, 1, None).status_code == 200


# --- the labels of added options, wherever an answer is named ----------------------------------

CHAPLAINCY = {"en": "The chaplaincy", "cy": "Y gaplaniaeth"}
#: The versions a report sent against version 1 of `edited_document()` records.
EDITED = {"form_version": "2026.4+c1", "privacy_notice_version": "2026-12+c1"}


def told(copy: dict[str, Any]) -> Any:
    """The answer to "Have you told anyone about it?" in a reporter's follow-up copy."""
    question = {
        "en": "Have you told anyone about it?",
        "cy": "Ydych chi wedi dweud wrth unrhyw un am hyn?",
    }
    return next(a["answer"] for a in copy["answers"] if a["question"] == question)


def test_the_reporters_copy_names_an_added_option_by_its_label_even_once_restored_away(
    stack: Stack,
) -> None:
    # given an answer added from the portal, chosen by a reporter who asked for follow-up
    save(stack, edited_document())
    publish(stack, 1, None)
    accepted = submit(
        stack,
        anonymous_submission(
            follow_up=True, answers={"anyone_told": ["friend_or_family", "chaplaincy"]}, **EDITED
        ),
    )
    assert accepted.status_code == 201, accepted.json_body
    stack.drain()
    code = accepted.json_body["follow_up"]["receipt_code"]

    # when they open their copy
    copy = post_json(stack.client, "/reports/follow-up", {"receipt_code": code})

    # then the answer is in their words, the added one too, not its id
    assert copy.status_code == 200, copy.json_body
    assert told(copy.json_body) == {
        "en": "A friend or family member, The chaplaincy",
        "cy": "Ffrind neu aelod o'r teulu, Y gaplaniaeth",
    }
    # and so it stays once the deployed content is restored (the option kept, retired)
    stack.call("post", f"{CONTENT}/restore", ADMIN, {"reason": "Undo", "published": 1})
    again = post_json(stack.client, "/reports/follow-up", {"receipt_code": code})
    assert told(again.json_body)["en"] == "A friend or family member, The chaplaincy"


def test_a_subject_access_export_names_an_added_option_by_its_label(stack: Stack) -> None:
    # given a named report choosing an answer added from the portal
    save(stack, edited_document())
    publish(stack, 1, None)
    email = "subject-content@example.ac.uk"
    body = named_submission(answers={"anyone_told": ["chaplaincy", "police"]}, **EDITED)
    body["contact"] = contact(email=email)
    stack.submit(body)
    request = stack.call(
        "post", "/staff/rights/requests", ADMIN, {"kind": "access", "email": email}
    ).json_body

    # when the data protection officer exports what is held about them
    exported = stack.call(
        "post",
        f"/staff/rights/requests/{request['request_id']}/export",
        ADMIN,
        {"reason": "SAR received"},
    )

    # then the answer is named by its labels, the added one's too
    assert exported.status_code == 200, exported.json_body
    [report] = exported.json_body["reports"]
    answers = {a["question_id"]: a for a in report["answers"]}
    assert answers["anyone_told"] == {
        "question_id": "anyone_told",
        "question": "Have you told anyone about it?",
        "answer": ["The chaplaincy", "The police"],
    }


def test_a_trend_alert_names_a_place_added_from_the_portal_by_its_label(stack: Stack) -> None:
    # given a place added to "Where on campus?" from the portal, and published
    document = deployed_document()
    document["question_options"]["campus_area"].append(
        {"id": "new_gym", "label": {"en": "The new gym", "cy": "Y gampfa newydd"}}
    )
    save(stack, document)
    publish(stack, 1, None)
    gym = {"where": "on_campus", "campus_area": "new_gym"}

    # when three reports are about it (the location alert's threshold)
    references = [
        stack.submit(anonymous_submission(answers=gym, form_version="2026.4+c1")) for _ in range(3)
    ]

    # then the alert names it as reporters were offered it, not by its id
    [email] = [m for m in sent_emails(stack.settings) if "Trend alert" in m["Subject"]]
    assert email["Subject"] == (
        "[Report + Support] Trend alert: 3 reports about On campus: The new gym within 30 days "
        f"(latest {references[-1]})"
    )
    assert "new_gym" not in email.get_body(("plain",)).get_content()


# --- statistics ----------------------------------------------------------------------------------


def test_statistics_count_a_retired_option_under_its_label_and_name_a_new_one(
    stack: Stack,
) -> None:
    before = stack.submit(anonymous_submission(answers={"what_happened": ["other"]}))
    document = edited_document()  # retires what_happened: other
    document["question_options"]["what_happened"].append(
        {"id": "spiking", "label": {"en": "Spiking", "cy": "Sbeicio"}}
    )
    save(stack, document)
    publish(stack, 1, None)
    after = stack.submit(
        anonymous_submission(
            answers={"what_happened": ["spiking"]},
            form_version="2026.4+c1",
            privacy_notice_version="2026-12+c1",
        )
    )
    assert before != after
    event = stack.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    assert stack.client.lambda_.invoke("build_insights", event).payload["counted"] == 2

    answer = stack.call("get", "/staff/insights?from=2026-01&to=2026-12", "di-analyst")

    assert answer.status_code == 200, answer.json_body
    behaviour = next(d for d in answer.json_body["counts"] if d["dimension"] == "behaviour")
    counted = {v["value"]: (v["label"], v["count"]) for v in behaviour["values"] if v["count"]}
    assert counted == {"other": ("Something else", 1), "spiking": ("Spiking", 1)}
