"""The institution as reporters see it now: the deployed configuration with the published
content version applied, cached in the process.

Every reporter-facing read (`GET /form`, `POST /reports`, the staff labels, the statistics'
labels) asks `current()`. The published pointer is read at most once per `cache_seconds`
(the `content_cache_seconds` setting) per process, and a version's institution is validated
once and kept by its number, so a busy form costs one small read every half minute, not a
validation per request. A publish made by this process is seen at once here (`forget`);
other processes see it within `cache_seconds`.

If the admin table cannot be read, a reporter must still be able to report: the last
content this process served is served again (the deployed default if it has served none),
with a warning that names no one, and the table is tried again after `cache_seconds`. A
published version that no longer applies to the deployed configuration (a deploy changed
what it relies on) is not served: the deployed default is, with a warning, until an
administrator publishes a version that applies. Once a restore has brought the deployed
default back, it is served with the options published before kept, retired
(`deployed_with_retained`): reporters are offered the deployed form, and the answers of
reports sent meanwhile keep their labels.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from chalicelib.content.document import applied, deployed_with_retained, parse_document
from chalicelib.errors import DependencyUnavailable, InvalidInput
from chalicelib.institution.models import Institution
from chalicelib.observability import logger
from chalicelib.storage.content_versions import ContentVersions, Pointer

#: Validated institutions kept per process, by version (the current one and a few before).
KEPT_VERSIONS = 4


@dataclass(frozen=True)
class Served:
    """What reporters are served: the institution, its content version (None: the deployed
    default), and the form and privacy-notice versions a submission may have been made
    against (every one ever published: see `reports.validation`)."""

    institution: Institution
    version: int | None
    form_versions: frozenset[str]
    notice_versions: frozenset[str]
    checked_at: float = 0.0


@dataclass
class PublishedContent:
    """The published institution, cached. Takes the content items, the deployed
    configuration, how long a read of the pointer is trusted, and a monotonic clock."""

    versions: ContentVersions
    deployed: Institution
    cache_seconds: float
    monotonic: Callable[[], float] = time.monotonic
    _served: Served | None = None
    _institutions: dict[int, Institution] = field(default_factory=dict)
    #: The deployed default with the options ever published (retired), by those options.
    _default_with: tuple[str, Institution] | None = None

    def current(self) -> Served:
        """What reporters are served now (see the module docstring for failures)."""
        now = self.monotonic()
        served = self._served
        if served is not None and now - served.checked_at < self.cache_seconds:
            return served
        try:
            pointer = self.versions.pointer(consistent=False)
            institution = self._institution(pointer)
        except DependencyUnavailable:
            fallback = served or self._default()
            logger.warning(
                "published content unreadable; serving the last content served",
                extra={"content_version": fallback.version},
            )
            self._served = replace(fallback, checked_at=now)
            return self._served
        self._served = Served(
            institution=institution,
            version=pointer.current if institution is not self.deployed else None,
            form_versions=frozenset({self.deployed.form.version, *pointer.form_versions}),
            notice_versions=frozenset(
                {self.deployed.privacy_notice.version, *pointer.notice_versions}
            ),
            checked_at=now,
        )
        return self._served

    def institution(self) -> Institution:
        """The institution reporters are served now."""
        return self.current().institution

    def forget(self) -> None:
        """Read the pointer and the published version again at the next request (after a
        publish or restore in this process: rare, so validating again costs nothing)."""
        self._served = None
        self._institutions.clear()

    def _default(self) -> Served:
        return Served(
            institution=self.deployed,
            version=None,
            form_versions=frozenset({self.deployed.form.version}),
            notice_versions=frozenset({self.deployed.privacy_notice.version}),
        )

    def _institution(self, pointer: Pointer) -> Institution:
        number = pointer.current
        if number is None:
            return self._deployed_default(pointer)
        if number in self._institutions:
            return self._institutions[number]
        stored = self.versions.version(number)
        institution = self.deployed
        if stored is None:
            logger.warning("published content version missing", extra={"content_version": number})
        else:
            try:
                institution = applied(
                    self.deployed,
                    parse_document(stored.document),
                    number=number,
                    retained=pointer.retained_options,
                    strict=False,
                )
            except (InvalidInput, ValueError):
                # (Field names only: the content is the institution's, but keep logs plain.)
                logger.warning(
                    "published content does not apply to this deployment; serving the default",
                    extra={"content_version": number},
                )
        if len(self._institutions) >= KEPT_VERSIONS:
            self._institutions.pop(next(iter(self._institutions)))
        self._institutions[number] = institution
        return institution

    def _deployed_default(self, pointer: Pointer) -> Institution:
        # Before any publish nothing is retained: the deployed default itself. After a
        # restore of it, the options published meanwhile keep their labels (retired).
        if not pointer.retained_options:
            return self.deployed
        key = json.dumps(pointer.retained_options, sort_keys=True)
        if self._default_with is not None and self._default_with[0] == key:
            return self._default_with[1]
        try:
            institution = deployed_with_retained(self.deployed, pointer.retained_options)
        except InvalidInput:
            logger.warning("options published before do not apply to this deployment")
            institution = self.deployed
        self._default_with = (key, institution)
        return institution
