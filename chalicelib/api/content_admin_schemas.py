"""The shapes of the content routes (`chalicelib.api.content_admin`), imported when first
needed: the requests an administrator sends and the answers they get."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from chalicelib.content.document import ContentDocument

#: Why the administrator publishes or restores (sealed in the admin trail).
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
#: A content version's number, or null for the deployed default.
SeenVersion = Annotated[
    int | None,
    Field(ge=1, description="The version you saw published (null: the deployed default)"),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SaveContent(_Strict):
    """A new version of the content, saved as a draft."""

    document: ContentDocument
    based_on: Annotated[int | None, Field(ge=1)] = None


class PublishContent(_Strict):
    """Publish a version (or restore the previous one), from the version seen published."""

    reason: Reason
    published: SeenVersion


class VersionSummary(_Strict):
    """One saved version of the content, without its document."""

    version: int
    status: Literal["draft", "published", "retired"]
    created_at: str
    created_by: str
    published_at: str | None
    based_on: int | None
    form_version: str
    privacy_notice_version: str


class VersionDetail(VersionSummary):
    """One saved version with its document."""

    document: ContentDocument


class ContentOverviewView(_Strict):
    """What is published, what a restore would publish, every version (newest first) and
    the document reporters see now."""

    published: int | None = Field(
        description="The version reporters see now (null: the content deployed with the service)"
    )
    previous: int | None = Field(
        description="The version a restore would publish again (null: the content deployed "
        "with the service, if restorable)"
    )
    restorable: bool = Field(description="Whether a restore would change what reporters see")
    versions: list[VersionSummary]
    document: ContentDocument


class RestoredContent(_Strict):
    """What a restore left published, and what the next restore would publish again."""

    published: int | None = Field(
        description="The version reporters see now (null: the content deployed with the service)"
    )
    previous: int | None = Field(
        description="The version the next restore would publish again (null: the content "
        "deployed with the service)"
    )
