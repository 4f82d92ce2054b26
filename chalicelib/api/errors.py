"""Domain errors to HTTP, in one place.

Chalice turns an unhandled exception into a 500 before any middleware sees it, so views
are wrapped with `handles_domain_errors`. Anything unexpected is logged by type only —
an exception's text may quote input (pydantic's does), and input may be personal data —
and answered with a plain 500.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec

from chalice.app import Response

from chalicelib.errors import (
    AlreadyExists,
    ContentChanged,
    DependencyUnavailable,
    DirectoryRefused,
    DomainError,
    Forbidden,
    InvalidInput,
    LegalHoldActive,
    MalformedRequest,
    NotFound,
    PayloadTooLarge,
    ReceiptNotFound,
    RequestConflict,
    SealBroken,
    StaleVersion,
    SubmissionConflict,
    TooManyAttempts,
    TransitionRefused,
    Unauthenticated,
    UnknownReference,
    UnprocessableInput,
    UnsupportedMediaType,
)
from chalicelib.observability import SEAL_REFUSED, increment, logger
from chalicelib.problems import listed

_P = ParamSpec("_P")
JSON_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store"}


def error_response(error: Exception) -> Response:
    """The HTTP answer for an error."""
    if isinstance(error, InvalidInput):
        count = len(error.problems)
        shown, more = listed(error.problems)
        unprocessable = isinstance(error, UnprocessableInput)
        return _response(
            422 if unprocessable else 400,
            "unprocessable_input" if unprocessable else "invalid_input",
            f"{count} field{'s are' if count != 1 else ' is'} not right; see errors.",
            errors=[{"field": p.field, "message": p.message} for p in shown],
            **({"more": more} if more else {}),
        )
    if isinstance(error, MalformedRequest):
        return _response(400, "malformed_request", str(error))
    if isinstance(error, UnsupportedMediaType):
        return _response(415, "unsupported_media_type", str(error))
    if isinstance(error, PayloadTooLarge):
        return _response(413, "payload_too_large", str(error))
    if isinstance(error, SubmissionConflict):
        return _response(409, "conflict", str(error))
    if isinstance(error, Unauthenticated):
        return _response(401, "unauthenticated", "Sign in again.")
    if isinstance(error, Forbidden):
        return _response(403, "forbidden", str(error))
    if isinstance(error, NotFound):
        return _response(404, "not_found", "not found")
    if isinstance(error, ReceiptNotFound):
        # One answer for an unknown code, a wrong one and a deleted report (issue 14).
        return _response(404, "receipt_not_found", RECEIPT_NOT_FOUND)
    if isinstance(error, TooManyAttempts):
        response = _response(429, "too_many_attempts", TOO_MANY_ATTEMPTS)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, StaleVersion):
        return _response(409, "stale_version", str(error), current_version=error.current_version)
    if isinstance(error, TransitionRefused):
        return _response(409, "transition_refused", str(error), allowed=error.allowed)
    if isinstance(error, ContentChanged):
        return _response(409, "content_changed", str(error))
    if isinstance(error, RequestConflict):
        return _response(409, "request_conflict", str(error))
    if isinstance(error, LegalHoldActive):
        return _response(409, "legal_hold", str(error), references=error.references)
    if isinstance(error, DirectoryRefused):
        # A taken id is a conflict, a change that would lock every admin out too; naming a
        # team or member that does not exist is a sound request that cannot be carried out.
        status, code = 409, "would_lock_out"
        if isinstance(error, AlreadyExists):
            code = "already_exists"
        elif isinstance(error, UnknownReference):
            status, code = 422, "unknown_reference"
        problem = error.problem
        return _response(
            status, code, str(error), errors=[{"field": problem.field, "message": problem.message}]
        )
    if isinstance(error, SealBroken):
        # 409, not 422: the request is sound; what is stored conflicts with the record it
        # sits on, and asking again will not help until it is put right. The domain message
        # names only a field and a record id; the answer carries neither (a record id is
        # not for the caller), and nothing that was sealed.
        logger.warning(
            "sealed value refused", extra={"error_type": type(error).__name__, "seal": str(error)}
        )
        increment(SEAL_REFUSED)
        return _response(409, "seal_refused", _SEAL_REFUSED)
    if isinstance(error, DependencyUnavailable):
        logger.warning("dependency unavailable", extra={"dependency": error.service})
        response = _response(
            503, "unavailable", "We could not save this right now. Please try again shortly."
        )
        response.headers["Retry-After"] = "5"
        return response
    logger.error("unhandled error", extra={"error_type": type(error).__name__})
    return _response(500, "internal_error", "Something went wrong on our side.")


RECEIPT_NOT_FOUND = "No report matches this code. Check it, or the report may no longer exist."
TOO_MANY_ATTEMPTS = (
    "Too many receipt codes have been tried recently. Please try again after the time given."
)
_SEAL_REFUSED = (
    "Stored data did not pass its integrity check and was not opened. "
    "This has been recorded and the operations team alerted."
)


def handles_domain_errors(view: Callable[_P, Any]) -> Callable[_P, Any]:
    """Wrap a Chalice view so every error becomes a JSON answer without personal data."""

    @functools.wraps(view)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> Any:
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            return error_response(error)
        except Exception as error:
            return error_response(error)

    return wrapper


def _response(status: int, code: str, message: str, **extra: Any) -> Response:
    return Response(
        status_code=status,
        body={"error": code, "message": message, **extra},
        headers=dict(JSON_HEADERS),
    )
