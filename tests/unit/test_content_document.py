"""The content document applied to the deployed configuration (`chalicelib.content.document`),
and the published institution served from it (`chalicelib.content.published`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.content.document import (
    ContentDocument,
    NoticeContent,
    applied,
    deployed_with_retained,
    document_of,
    document_text,
)
from chalicelib.content.published import PublishedContent
from chalicelib.errors import DependencyUnavailable, InvalidInput
from chalicelib.institution import load_institution
from chalicelib.institution.models import PrivacyNotice, Question
from chalicelib.storage.content_versions import Pointer, StoredVersion

DEPLOYED = load_institution()


def raw_document() -> dict[str, Any]:
    return document_of(DEPLOYED).model_dump(mode="json")


def document(raw: dict[str, Any]) -> ContentDocument:
    return ContentDocument.model_validate(raw)


# --- the document ----------------------------------------------------------------------------


def test_the_notice_in_the_document_is_the_privacy_notice_without_its_version() -> None:
    assert set(NoticeContent.model_fields) == set(PrivacyNotice.model_fields) - {"version"}


def test_the_deployed_document_applied_is_the_deployed_institution() -> None:
    assert applied(DEPLOYED, document_of(DEPLOYED), number=4) == DEPLOYED


def test_only_what_changed_gets_a_marked_version() -> None:
    raw = raw_document()
    raw["next_steps"]["named"] = {"en": "An advisor will write to you."}
    unchanged = applied(DEPLOYED, document(raw), number=4)
    raw["question_options"]["when"][0]["label"] = {"en": "In the last week", "cy": "Yr wythnos"}
    options = applied(DEPLOYED, document(raw), number=5)
    raw["privacy_notice"]["controller"] = {"en": "Example University, Example Street"}
    both = applied(DEPLOYED, document(raw), number=6)

    assert (unchanged.form.version, unchanged.privacy_notice.version) == ("2026.4", "2026-12")
    assert (options.form.version, options.privacy_notice.version) == ("2026.4+c5", "2026-12")
    assert (both.form.version, both.privacy_notice.version) == ("2026.4+c6", "2026-12+c6")
    assert unchanged.next_steps.named == {"en": "An advisor will write to you."}


def test_a_marked_version_stays_within_32_characters() -> None:
    long = DEPLOYED.model_copy(
        update={"form": DEPLOYED.form.model_copy(update={"version": "v" * 32})}
    )
    raw = raw_document()
    raw["question_options"]["when"][0]["retired"] = True

    marked = applied(long, document(raw), number=1234567)

    assert marked.form.version == "v" * 23 + "+c1234567"
    assert len(marked.form.version) == 32


def test_an_option_every_option_retired_is_refused_naming_the_question() -> None:
    raw = raw_document()
    for option in raw["question_options"]["ongoing"]:
        option["retired"] = True

    with pytest.raises(InvalidInput) as refused:
        applied(DEPLOYED, document(raw), number=1)

    assert [(p.field, p.message) for p in refused.value.problems] == [
        (
            "document.question_options.ongoing",
            "question ongoing needs an option that is not retired",
        )
    ]


def test_options_published_before_come_back_retired_when_a_version_leaves_them_out() -> None:
    retained = {"anyone_told": [{"id": "chaplaincy", "label": {"en": "The chaplaincy"}}]}

    restored = applied(DEPLOYED, document_of(DEPLOYED), number=2, retained=retained)

    question = restored.form.question("anyone_told")
    assert question is not None
    assert question.options[-1].model_dump() == {
        "id": "chaplaincy",
        "label": {"en": "The chaplaincy"},
        "retired": True,
    }
    assert "chaplaincy" not in question.offered_ids()
    assert restored.form.version == "2026.4+c2"


def test_the_deployed_default_restored_keeps_options_published_before_retired() -> None:
    retained = {
        "anyone_told": [
            {"id": "police", "label": {"en": "The police"}},
            {"id": "chaplaincy", "label": {"en": "The chaplaincy"}},
        ]
    }

    restored = deployed_with_retained(DEPLOYED, retained)

    question = restored.form.question("anyone_told")
    assert question is not None
    assert [o.model_dump() for o in question.options[-2:]] == [
        {"id": "other", "label": {"en": "Someone else", "cy": "Rhywun arall"}, "retired": False},
        {"id": "chaplaincy", "label": {"en": "The chaplaincy"}, "retired": True},
    ]
    assert "chaplaincy" not in question.offered_ids()
    # Nothing offered changes, so the deployed versions stand.
    assert (restored.form.version, restored.privacy_notice.version) == ("2026.4", "2026-12")
    assert deployed_with_retained(DEPLOYED, {}) is DEPLOYED


def test_a_version_saved_before_a_deploy_changed_the_form_is_still_served() -> None:
    raw = raw_document()
    raw["question_options"]["favourite_colour"] = [{"id": "red", "label": {"en": "Red"}}]
    del raw["question_options"]["when"]
    raw["next_steps"]["named"] = {"en": "We will write."}

    with pytest.raises(InvalidInput):
        applied(DEPLOYED, document(raw), number=3)
    served = applied(DEPLOYED, document(raw), number=3, strict=False)

    assert served.next_steps.named == {"en": "We will write."}
    assert served.form.question("when") == DEPLOYED.form.question("when")


def test_a_question_needs_an_option_not_retired() -> None:
    with pytest.raises(ValidationError, match="needs an option that is not retired"):
        Question.model_validate(
            {
                "id": "q",
                "kind": "single",
                "label": {"en": "Q"},
                "options": [{"id": "a", "label": {"en": "A"}, "retired": True}],
            }
        )


# --- the published institution ------------------------------------------------------------------


@dataclass
class FakeVersions:
    """The content items, in memory; `down` makes every read fail as DynamoDB would."""

    pointer_now: Pointer = field(default_factory=Pointer)
    stored: dict[int, StoredVersion] = field(default_factory=dict)
    down: bool = False
    pointer_reads: int = 0

    def pointer(self, *, consistent: bool = True) -> Pointer:
        self.pointer_reads += 1
        if self.down:
            raise DependencyUnavailable("dynamodb")
        return self.pointer_now

    def version(self, version: int, *, consistent: bool = True) -> StoredVersion | None:
        if self.down:
            raise DependencyUnavailable("dynamodb")
        return self.stored.get(version)

    def publish(self, number: int, raw: dict[str, Any]) -> None:
        self.stored[number] = StoredVersion(
            version=number,
            status="published",
            document=document_text(document(raw)),
            created_at="2026-11-20T10:30:00.000Z",
            created_by="dpo-admin",
            based_on=None,
            form_version="2026.4",
            privacy_notice_version="2026-12",
        )
        self.pointer_now = Pointer(current=number, form_versions=frozenset({f"2026.4+c{number}"}))


@dataclass
class Ticks:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def published(versions: FakeVersions, ticks: Ticks, seconds: float = 30) -> PublishedContent:
    return PublishedContent(versions, DEPLOYED, seconds, ticks)  # type: ignore[arg-type]


def with_new_phone(phone: str) -> dict[str, Any]:
    raw = raw_document()
    raw["support_resources"][2]["phone"] = phone
    return raw


def test_the_pointer_is_read_once_per_cache_time() -> None:
    versions, ticks = FakeVersions(), Ticks()
    content = published(versions, ticks)
    content.institution()
    versions.publish(1, with_new_phone("01234 000 001"))

    ticks.now += 29
    cached = content.institution()
    ticks.now += 1
    fresh = content.institution()

    assert cached == DEPLOYED
    assert fresh.support_resources[2].phone == "01234 000 001"
    assert versions.pointer_reads == 2
    assert content.current().form_versions == {"2026.4", "2026.4+c1"}


def test_an_unreadable_table_serves_the_last_content_served_and_logs_no_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    versions, ticks = FakeVersions(), Ticks()
    versions.publish(1, with_new_phone("01234 000 001"))
    content = published(versions, ticks, seconds=0)
    assert content.institution().support_resources[2].phone == "01234 000 001"

    versions.down = True
    ticks.now += 1
    served = content.institution()

    assert served.support_resources[2].phone == "01234 000 001"
    assert "published content unreadable" in caplog.text
    assert "01234 000 001" not in caplog.text
    # A process that has served nothing yet serves the deployed default.
    assert published(versions, ticks).institution() == DEPLOYED


def test_a_version_that_no_longer_applies_is_not_served() -> None:
    versions, ticks = FakeVersions(), Ticks()
    raw = raw_document()
    for resource in raw["support_resources"]:
        resource["emergency"] = False  # as if a deploy had made this a rule
    versions.publish(1, raw)

    assert published(versions, ticks).institution() == DEPLOYED
