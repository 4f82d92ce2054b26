"""Saving, reading, previewing, publishing and restoring content versions (admins only).

Every step checks the `manage_content` row of `chalicelib.cases.policy`. A version is
validated when saved (against the deployed configuration and what is published) and again
when published (a deploy may have come between). Publishing and restoring are one
transaction: the pointer moves (only from the version the administrator saw published),
the two versions' statuses change and the admin trail's entry (`content_published`,
`content_restored`, the reason sealed) is appended, all or nothing. A restore after the
first publish publishes the deployed default again (the pointer names no version; the one
it replaces is what the next restore brings back), so every publish can be undone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from chalicelib.admin_trail import AdminTrail
from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.clock import Clock, iso
from chalicelib.content.document import (
    ContentDocument,
    applied,
    deployed_with_retained,
    document_of,
    document_text,
    option_ids,
    parse_document,
    published_options,
    removed_options,
)
from chalicelib.content.published import PublishedContent
from chalicelib.errors import (
    ContentChanged,
    DependencyUnavailable,
    FieldProblem,
    InvalidInput,
    NotFound,
)
from chalicelib.institution.models import Institution
from chalicelib.storage.content_versions import ContentVersions, Pointer, StoredVersion

#: Attempts at a version number before giving up (two admins saving at the same moment).
SAVE_ATTEMPTS = 3


@dataclass(frozen=True)
class ContentOverview:
    """What is published, what a restore would publish (`restorable`; `previous` None then:
    the deployed default), every version, and the document reporters see now."""

    published: int | None
    previous: int | None
    restorable: bool
    versions: list[StoredVersion]
    document: ContentDocument


@dataclass(frozen=True)
class Restored:
    """What a restore left published (None: the deployed default) and what a restore
    would now publish again (None: the deployed default)."""

    published: int | None
    previous: int | None


@dataclass
class ContentDesk:
    """The administrators' content versions. Takes the content items, the admin trail, the
    deployed configuration, the published content (told of a publish) and a clock."""

    versions: ContentVersions
    trail: AdminTrail
    deployed: Institution
    published: PublishedContent
    clock: Clock

    def overview(self, principal: Principal) -> ContentOverview:
        """The published version, the previous one, every version, the published document."""
        policy.require(principal, "manage_content")
        pointer = self.versions.pointer()
        versions = self.versions.versions()
        current = next((v for v in versions if v.version == pointer.current), None)
        document = parse_document(current.document) if current else self._default(pointer)
        return ContentOverview(
            pointer.current, pointer.previous, _restorable(pointer), versions, document
        )

    def version(self, principal: Principal, number: int) -> tuple[StoredVersion, ContentDocument]:
        """One version and its document; `NotFound` if there is none."""
        policy.require(principal, "manage_content")
        stored = self._stored(number)
        return stored, parse_document(stored.document)

    def save(
        self, principal: Principal, document: ContentDocument, based_on: int | None
    ) -> StoredVersion:
        """Save `document` as a new draft version; `InvalidInput` naming every problem
        (nothing stored then)."""
        policy.require(principal, "manage_content")
        pointer = self.versions.pointer()
        problems: list[FieldProblem] = []
        if based_on is not None and self.versions.version(based_on) is None:
            problems.append(FieldProblem("based_on", "is not a saved version"))
        kept = {
            question: {*ids, *(o["id"] for o in pointer.retained_options.get(question, []))}
            for question, ids in option_ids(self.deployed).items()
        }
        problems += removed_options(document, kept)
        for _attempt in range(SAVE_ATTEMPTS):
            number = self.versions.latest_number() + 1
            try:
                effective = self._applied(document, number, pointer)
            except InvalidInput as invalid:
                problems += invalid.problems
            if problems:
                raise InvalidInput(problems)
            stored = StoredVersion(
                version=number,
                status="draft",
                document=document_text(document),
                created_at=iso(self.clock.now()),
                created_by=principal.member_id,
                based_on=based_on,
                form_version=effective.form.version,
                privacy_notice_version=effective.privacy_notice.version,
            )
            if self.versions.add(stored):
                return stored
            # The number was taken meanwhile (another save): the next one.
        raise DependencyUnavailable("dynamodb")

    def preview(self, principal: Principal, number: int) -> Institution:
        """The institution reporters would see if version `number` were published now."""
        policy.require(principal, "manage_content")
        stored = self._stored(number)
        return self._applied(parse_document(stored.document), number, self.versions.pointer())

    def publish(
        self, principal: Principal, number: int, reason: str, seen: int | None
    ) -> StoredVersion:
        """Publish version `number`, if `seen` is still the published version."""
        policy.require(principal, "manage_content")
        pointer = self._pointer_as_seen(seen)
        if number == pointer.current:
            raise ContentChanged(f"version {number} is already published")
        return self._publish(principal, self._stored(number), pointer, reason, "content_published")

    def restore(self, principal: Principal, reason: str, seen: int | None) -> Restored:
        """Publish the previous version again, if `seen` is still the published version:
        after a first publish, the deployed default (and a second restore brings the
        version back). `ContentChanged` if nothing was ever published."""
        policy.require(principal, "manage_content")
        pointer = self._pointer_as_seen(seen)
        if not _restorable(pointer):
            raise ContentChanged("there is no previous version to restore")
        if pointer.previous is None:
            self._restore_default(principal, pointer, reason)
        else:
            stored = self._stored(pointer.previous)
            self._publish(principal, stored, pointer, reason, "content_restored")
        return Restored(published=pointer.previous, previous=pointer.current)

    # --- internals ------------------------------------------------------------------------

    def _stored(self, number: int) -> StoredVersion:
        stored = self.versions.version(number)
        if stored is None:
            raise NotFound(f"no content version {number}")
        return stored

    def _default(self, pointer: Pointer) -> ContentDocument:
        # The options published before stay in it, retired: a draft may not drop them.
        try:
            return document_of(deployed_with_retained(self.deployed, pointer.retained_options))
        except InvalidInput:
            return document_of(self.deployed)

    def _pointer_as_seen(self, seen: int | None) -> Pointer:
        pointer = self.versions.pointer()
        if pointer.current != seen:
            raise ContentChanged(_changed(pointer.current))
        return pointer

    def _applied(self, document: ContentDocument, number: int, pointer: Pointer) -> Institution:
        return applied(self.deployed, document, number=number, retained=pointer.retained_options)

    def _publish(
        self,
        principal: Principal,
        stored: StoredVersion,
        pointer: Pointer,
        reason: str,
        action: str,
    ) -> StoredVersion:
        effective = self._applied(parse_document(stored.document), stored.version, pointer)
        published = replace(
            stored,
            status="published",
            published_at=iso(self.clock.now()),
            form_version=effective.form.version,
            privacy_notice_version=effective.privacy_notice.version,
        )
        retained: dict[str, list[dict[str, Any]]] = {
            question: list(options) for question, options in pointer.retained_options.items()
        }
        for question, options in published_options(effective).items():
            known = {option["id"] for option in retained.get(question, [])}
            retained.setdefault(question, []).extend(
                option for option in options if option["id"] not in known
            )
        moved = Pointer(
            current=stored.version,
            previous=pointer.current,
            form_versions=pointer.form_versions | {published.form_version},
            notice_versions=pointer.notice_versions | {published.privacy_notice_version},
            retained_options=retained,
        )
        writes = self.versions.publish_writes(pointer, moved, published, pointer.current)
        details = {
            "version": stored.version,
            "replaced": pointer.current,
            "form_version": published.form_version,
            "privacy_notice_version": published.privacy_notice_version,
        }
        self._record(principal, action, details, reason, pointer, writes)
        return published

    def _restore_default(self, principal: Principal, pointer: Pointer, reason: str) -> None:
        """Publish the deployed default again in place of `pointer.current`: the pointer
        names no version (and the replaced one as what a restore would bring back), that
        version is retired; the options it published stay known (`retained_options`)."""
        moved = replace(pointer, current=None, previous=pointer.current)
        writes = self.versions.publish_writes(pointer, moved, None, pointer.current)
        # No "version": the trail keeps no empty values, and a missing version is the
        # deployed default (as a first publish's missing "replaced" is).
        details = {
            "version": None,
            "replaced": pointer.current,
            "form_version": self.deployed.form.version,
            "privacy_notice_version": self.deployed.privacy_notice.version,
        }
        self._record(principal, "content_restored", details, reason, pointer, writes)

    def _record(
        self,
        principal: Principal,
        action: str,
        details: dict[str, Any],
        reason: str,
        pointer: Pointer,
        writes: list[dict[str, Any]],
    ) -> None:
        """The trail's entry with the pointer's move, one transaction; then this process
        serves what is published now."""
        try:
            self.trail.record(principal.member_id, action, details, reason, also=writes)
        except DependencyUnavailable:
            # The trail retries a head that moved; a pointer that moved is a publish made
            # meanwhile, which the administrator must see before publishing over it.
            now = self.versions.pointer().current
            if now != pointer.current:
                raise ContentChanged(_changed(now)) from None
            raise
        self.published.forget()


def _restorable(pointer: Pointer) -> bool:
    # A version to publish again, or the deployed default in place of the first publish.
    return pointer.previous is not None or pointer.current is not None


def _changed(current: int | None) -> str:
    shown = f"version {current}" if current is not None else "the deployed default"
    return f"the published content has changed (now {shown}); reload it"
