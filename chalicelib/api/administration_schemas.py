"""The shapes the administration routes answer with (imported when first needed)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class TrailEntryView(BaseModel):
    """One change: who, what, when, why."""

    model_config = ConfigDict(extra="forbid")

    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any]
    reason: str | None


class AdminTrailView(BaseModel):
    """The trail, oldest first, and whether its chain verifies (else the first bad link)."""

    model_config = ConfigDict(extra="forbid")

    intact: bool
    broken_at: int | None
    problem: str | None
    entries: list[TrailEntryView]
