"""What Chalice packages into the Lambda pins the same versions as the project itself."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;#]+)$")
#: Provided by the packager, so listed in pyproject.toml only.
PACKAGER_PROVIDED = {"chalice"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines: list[str]) -> dict[str, str]:
    """name -> version for each `name==version` line; any other requirement is an error."""
    found: dict[str, str] = {}
    for line in lines:
        match = PIN.match(line.strip())
        assert match, f"not pinned with ==: {line!r}"
        found[normalised(match["name"])] = match["version"]
    return found


def requirements_txt() -> dict[str, str]:
    text = (ROOT / "requirements.txt").read_text("utf-8")
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    return pins([line for line in lines if line.strip()])


def pyproject_dependencies() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    return pins(project["dependencies"])


def test_every_runtime_dependency_is_pinned_in_both_files() -> None:
    assert requirements_txt()
    assert pyproject_dependencies()


def test_requirements_txt_and_pyproject_pin_the_same_versions() -> None:
    packaged = requirements_txt()
    declared = pyproject_dependencies()

    assert packaged == {
        name: version for name, version in declared.items() if name not in PACKAGER_PROVIDED
    }


def test_chalice_is_declared_but_left_to_the_packager() -> None:
    assert "chalice" in pyproject_dependencies()
    assert "chalice" not in requirements_txt()


def test_pins_are_compared_by_normalised_name() -> None:
    assert pins(["Email_Validator==2.4.0", "aws.encryption-sdk==4.0.7"]) == {
        "email-validator": "2.4.0",
        "aws-encryption-sdk": "4.0.7",
    }
