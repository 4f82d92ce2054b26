"""Domain errors. No web framework here: `chalicelib.api.errors` maps them to HTTP once.

Messages never carry personal data: they name fields and rules, not the values submitted.
"""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class ConfigurationError(DomainError):
    """The deployment is misconfigured (missing setting, invalid institution data)."""


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: where it is (dotted path) and what is wrong with it."""

    field: str
    message: str


class InvalidInput(DomainError):
    """The request was understood but one or more fields are wrong."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} invalid field(s): " + ", ".join(p.field for p in problems)
        )


class UnprocessableInput(InvalidInput):
    """Well-formed fields that do not fit what is stored (words to remove that are not in the
    text as it is now): answered 422, naming each field, where `InvalidInput` is 400."""


class MalformedRequest(DomainError):
    """The request body could not be read at all (not JSON, not an object, too deep)."""


class UnsupportedMediaType(DomainError):
    """The request body is not declared as JSON (its Content-Type is missing or another)."""


class PayloadTooLarge(DomainError):
    """The request body is larger than any legitimate submission."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        super().__init__(f"request body is larger than {limit_bytes} bytes")


class SubmissionConflict(DomainError):
    """A submission id was reused for a different report."""


class Unauthenticated(DomainError):
    """No token, or one that is expired, forged, or from another pool or client."""


class Forbidden(DomainError):
    """A signed-in staff member without the role this needs."""


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know that it does)."""


class DependencyUnavailable(DomainError):
    """A backing service (DynamoDB, KMS, SQS) failed; nothing was half-written."""

    def __init__(self, service: str) -> None:
        self.service = service
        super().__init__(f"{service} is unavailable")


class SealBroken(DomainError):
    """A sealed value failed to open: wrong record, wrong field, or tampered ciphertext; or
    the case's signed head does not cover it (put back from before, or the case rolled back).

    `reason` says which: "unopenable" (the ciphertext itself), "unsigned" (no signed head),
    "stale" (not the value last signed) or "rolled_back" (audit entries beyond the head).
    The message names the record and the field only.
    """

    def __init__(self, message: str = "", reason: str = "unopenable") -> None:
        self.reason = reason
        super().__init__(message)


class StaleVersion(DomainError):
    """The case changed since the caller read it; nothing was written."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(f"the case has changed (now version {current_version}); reload it")


class TransitionRefused(DomainError):
    """A move the workflow does not allow from the case's state."""

    def __init__(self, current: str, wanted: str, allowed: frozenset[str]) -> None:
        self.current = current
        self.wanted = wanted
        self.allowed = sorted(allowed)
        shown = ", ".join(self.allowed) or "none"
        super().__init__(f"a case that is {current} cannot become {wanted}; allowed: {shown}")


class CaseLacks(TransitionRefused):
    """An action the case's state allows but the case itself cannot take: it lacks what the
    action needs (a message thread on a case whose reporter kept no receipt code)."""

    def __init__(
        self, current: str, wanted: str, allowed: frozenset[str], lacking: list[str]
    ) -> None:
        super().__init__(current, wanted, allowed)
        self.lacking = lacking
        shown = ", ".join(self.allowed) or "none"
        self.args = (f"a case without {', '.join(lacking)} cannot {wanted}; allowed: {shown}",)


class LegalHoldActive(DomainError):
    """A legal hold forbids this (redaction, deletion, erasure) until it is lifted."""

    def __init__(self, references: list[str]) -> None:
        self.references = sorted(references)
        super().__init__(
            "a legal hold forbids removing data from "
            + ", ".join(self.references)
            + " until the hold is lifted"
        )


class RequestConflict(DomainError):
    """A data-subject request cannot take this step: it is closed, or of another kind."""


class ReceiptNotFound(DomainError):
    """No report matches a receipt code: unknown, wrong, or its report deleted. One error
    for all three, answered identically, so that nothing tells them apart."""


class TooManyAttempts(DomainError):
    """Too many receipt codes have failed in this window; every receipt call waits for the
    next one (`retry_after` seconds)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many attempts; retry after {retry_after} seconds")


class ContentChanged(DomainError):
    """The published content is not what the administrator saw (another publish came
    first), or the step asked for cannot be taken from it (nothing to restore); nothing
    was written."""


class DirectoryRefused(DomainError):
    """A change to the staff directory refused for what it names (one field), not its form.

    Subclasses say how; the message names the field and the rule, never a value sent (it
    may be a name or an email address).
    """

    def __init__(self, field: str, message: str) -> None:
        self.problem = FieldProblem(field, message)
        super().__init__(f"{field} {message}")


class AlreadyExists(DirectoryRefused):
    """The id (or address) a new team or member would take is taken (409)."""


class UnknownReference(DirectoryRefused):
    """The request names a team or member that does not exist (422)."""


class WouldLockOut(DirectoryRefused):
    """The change would leave the directory with no active admin (409)."""
