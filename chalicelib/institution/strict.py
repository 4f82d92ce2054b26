"""The base of every configuration model: unknown keys are mistakes, values never change.

Its own module so that each part of the configuration (`models`, `working_time`) can build
on it without importing the others.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base for configuration models: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
