"""The institution's configuration: form questions, support resources, privacy notice.

Institutions are JSON documents beside this module, validated by the models in
`chalicelib.institution.models` when first loaded (so a bad file fails loudly, once).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from pydantic import ValidationError

from chalicelib.errors import ConfigurationError
from chalicelib.institution.models import Form, Institution, Question

__all__ = ["Form", "Institution", "Question", "load_institution"]


@cache
def load_institution(name: str = "default") -> Institution:
    """Load and validate the named institution's configuration (cached per process)."""
    if not name.isidentifier():
        raise ConfigurationError(f"institution name {name!r} is not a plain identifier")
    try:
        text = resources.files(__package__).joinpath(f"{name}.json").read_text("utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"no institution called {name!r}") from None
    try:
        return Institution.model_validate(json.loads(text))
    except (ValidationError, ValueError) as error:
        raise ConfigurationError(f"institution {name!r} is invalid: {error}") from None
