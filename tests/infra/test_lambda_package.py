"""The Lambda package as it ships: built for the Lambda platform, unpacked into an empty
directory, and run in a fresh interpreter that sees only that directory and the standard
library.

A dependency missing from the package (Chalice's packager only prints "Could not install
dependencies" and exits 0) fails here, at the import or at the first request, not in the
first Lambda invocation after a deploy.
"""

from __future__ import annotations

import importlib.util
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.cold_start import (
    MotoStack,
    Unpacked,
    invoke,
    moto_stack,
    report_event,
    sqs_event,
    stdlib_paths,
    unpack,
)
from infra.lambda_package import (
    BOTOCORE_SERVICES,
    PackageError,
    describe,
    installed_dependencies,
    missing_requirements,
    package,
    requirement_pins,
)
from tests.factories import anonymous_submission

pytestmark = pytest.mark.infra

MAX_ZIPPED_BYTES = 15_000_000


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """deployment.zip, built as a deploy builds it (pinned boto3 bundled)."""
    return package(tmp_path_factory.mktemp("lambda-build"), bundle_boto3=True)


@pytest.fixture(scope="module")
def task_root(deployment: Path, tmp_path_factory: pytest.TempPathFactory) -> Unpacked:
    """The package unpacked into an empty directory, as Lambda unpacks it into /var/task."""
    return Unpacked("bundled", unpack(deployment, tmp_path_factory.mktemp("task") / "task"))


@pytest.fixture(scope="module")
def aws() -> Iterator[MotoStack]:
    """A moto server with every resource provisioned."""
    with moto_stack() as stack:
        yield stack


def test_the_package_is_at_most_15_mb_zipped(deployment: Path) -> None:
    figures = describe(deployment)
    assert figures["zipped_bytes"] <= MAX_ZIPPED_BYTES, figures


def test_every_requirement_is_in_the_package_at_its_pinned_version(deployment: Path) -> None:
    with zipfile.ZipFile(deployment) as archive:
        names = archive.namelist()
    assert missing_requirements(names) == []


def test_the_package_holds_the_app_clock_and_nothing_of_the_local_stack(deployment: Path) -> None:
    # Issue 16: the movable clock is devstack's; a deployment has no clock to move.
    with zipfile.ZipFile(deployment) as archive:
        names = archive.namelist()
    local_stack = [
        name for name in names if name.split("/")[0] == "devstack" or "/devstack/" in name
    ]

    assert local_stack == []
    assert [name for name in names if name.startswith("chalicelib/clock.")] != []


def test_a_missing_requirement_would_be_found() -> None:
    # Given a package listing that holds every pinned requirement but the first
    pins = requirement_pins()
    names = [f"{name.replace('-', '_')}-{pin}.dist-info/METADATA" for name, pin in pins.items()]
    first = next(iter(pins))

    # Then exactly that one is reported missing
    assert missing_requirements(names, pins) == []
    assert missing_requirements(names[1:], pins) == [f"{first}=={pins[first]}"]


def test_a_requirement_without_a_lambda_wheel_fails_the_build(tmp_path: Path) -> None:
    # Given a requirement that has no wheel for the Lambda platform (no such release)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pyjwt==0.0.0.1\n", encoding="utf-8")

    # Then the build stops, rather than shipping a package without it
    with pytest.raises(PackageError, match="pip could not install"):
        installed_dependencies(requirements)


def test_every_module_is_byte_compiled_for_its_source(task_root: Unpacked) -> None:
    # Every .py has a cache beside it that was built from exactly that source (unchecked
    # hash: the interpreter trusts it without looking); dependencies ship byte-code alone.
    for source in task_root.root.rglob("*.py"):
        cached = Path(importlib.util.cache_from_source(str(source)))
        assert cached.is_file(), f"no byte-code for {source.relative_to(task_root.root)}"
        data = cached.read_bytes()
        flags = int.from_bytes(data[4:8], "little")
        assert flags == 0b01, f"{cached.name} is not an unchecked-hash pyc"
        assert data[8:16] == importlib.util.source_hash(source.read_bytes()), source
    assert next(task_root.root.rglob("botocore/client.pyc"), None) is not None


def test_botocore_keeps_only_the_models_of_the_services_the_app_calls(
    task_root: Unpacked,
) -> None:
    data = task_root.root / "botocore" / "data"
    assert {path.name for path in data.iterdir() if path.is_dir()} == BOTOCORE_SERVICES


def test_the_fresh_interpreter_sees_only_the_package_and_the_standard_library(
    task_root: Unpacked,
) -> None:
    assert task_root.sys_path()[0] == str(task_root.root)
    assert not [path for path in task_root.sys_path() if "site-packages" in path]
    assert all(Path(path).is_absolute() for path in stdlib_paths())


def test_the_packaged_app_takes_a_report_and_triages_it(
    task_root: Unpacked, aws: MotoStack
) -> None:
    # Given the unpacked package in a fresh interpreter, against moto
    # When API Gateway hands it POST /reports with a valid anonymous report
    posted = invoke(task_root, aws.env, "app.app", report_event(anonymous_submission()))

    # Then the report is taken, imported from nothing but the package
    assert posted.report["site_packages_on_path"] == []
    assert posted.result["statusCode"] == 201, posted.result
    assert '"reference":"RS-' in posted.result["body"]

    # And when SQS hands the triage function that report's message
    event = sqs_event(aws.clients.sqs, aws.settings.triage_queue_url)
    assert len(event["Records"]) == 1
    assert '"report_id"' in event["Records"][0]["body"]
    triaged = invoke(task_root, aws.env, "app.on_triage_message", event)

    # Then it is triaged, with no message failed
    assert triaged.result == {"batchItemFailures": []}
