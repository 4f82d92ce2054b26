"""The Lambda deployment package: a staged Chalice project with its dependencies vendored,
trimmed and compiled, and the zip Chalice makes of it.

Chalice's own packager installs `requirements.txt` itself, but when a wheel is missing for the
Lambda platform it only prints "Could not install dependencies" and exits 0, leaving the
dependency out of the zip. So the project staged here has an *empty* `requirements.txt`, and
the dependencies are installed by pip into `vendor/` (which the packager copies into the zip
verbatim), where a missing wheel makes pip, and so the build, fail.

The dependencies are the wheels for **x86_64** Lambda (manylinux, CPython 3.11). x86_64
rather than arm64 because the package test (`tests/infra/test_lambda_package.py`) and the
cold-start benchmark run the exact binaries that ship, unpacked from the zip, on the build
machines, which are x86_64: a package for another architecture could not be proved before
it is deployed.

What is staged, and why:

- `app.py`, `chalicelib/` (without `__pycache__` of the developer's tree or tests) and
  `.chalice/config.json` from the repository.
- `vendor/`: the runtime dependencies, trimmed of what never runs in Lambda (tests, type
  stubs, console scripts, installer records; licences kept); botocore keeps only the API
  models of the services the app calls (`BOTOCORE_SERVICES`) and the files botocore itself
  reads (`BOTOCORE_DATA_FILES`). With `bundle_boto3=False`, boto3, botocore and what only
  they need are left out, and the Lambda runtime's own copies are used.
- Byte-code for every module (vendor, `app.py`, `chalicelib/`, and the two chalice modules
  the packager adds), compiled with `unchecked-hash` invalidation: `/var/task` is read-only,
  so a timestamp-checked cache that did not match would be recompiled in memory on every
  cold start; an unchecked one is used as it is. Code objects name their files as Lambda
  sees them (`/var/task/...`), not as the build machine did.

The packager walks `chalicelib/` whole (`_iter_chalice_lib_if_needed`), so its
`__pycache__` goes into the zip as it is; but it adds `app.py`, `chalice/app.py` and
`chalice/__init__.py` as single files. Their caches are therefore put in
`vendor/__pycache__/` and `vendor/chalice/__pycache__/`, which land in the zip exactly where
the interpreter looks for the cache of those three files; they shadow nothing, since a
`__pycache__` entry is only read for a source file beside it.

Installed trees are cached in `.build/lambda-deps/` (ignored by git through its own
`.gitignore`), keyed on `requirements.txt`'s hash and the platform, so a repeated build does
not reach the package index.
"""

from __future__ import annotations

import compileall
import hashlib
import inspect
import json
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
REQUIREMENTS = PROJECT_DIR / "requirements.txt"
CACHE_DIR = PROJECT_DIR / ".build" / "lambda-deps"
#: Where Lambda unpacks the function's code; compiled code objects name their files under it.
TASK_ROOT = "/var/task"
PYTHON_VERSION = "3.11"
PIP_PLATFORM = (
    "--only-binary=:all:",
    "--platform", "manylinux2014_x86_64",
    "--platform", "manylinux_2_17_x86_64",
    "--platform", "manylinux_2_28_x86_64",
    "--implementation", "cp",
    "--python-version", PYTHON_VERSION,
    "--abi", "cp311",
)  # fmt: skip
#: Bump to invalidate every cached install (e.g. when the pip arguments change).
CACHE_FORMAT = "1"

#: The AWS services the app and its libraries call (aws-encryption-sdk: kms).
BOTOCORE_SERVICES = frozenset({"dynamodb", "sqs", "kms", "sesv2", "cognito-idp"})
#: Distributions installed only as another's optional need that the app never reaches:
#: email-validator imports dnspython only for its deliverability check (DNS lookups), which
#: `chalicelib/addresses.py` turns off (`tests/unit/test_cold_start.py` holds that `dns` is
#: never imported).
UNUSED_DISTRIBUTIONS = frozenset({"dnspython"})
#: Files of a dependency that the app never reaches: the Swagger UI that powertools' own
#: HTTP router serves (Chalice routes this app's requests), and the translations of holiday
#: names (the working calendar reads only the dates; without a translation `holidays` keeps
#: the name as written, the dates are the same: `tests/infra/test_lambda_package.py`).
UNUSED_FILES = (
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/*.js",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/*.css",
    "holidays/locale/*/LC_MESSAGES/*.mo",
)

#: Files of `botocore/data/` that botocore reads whatever the service.
BOTOCORE_DATA_FILES = frozenset(
    {"endpoints.json", "partitions.json", "sdk-default-configuration.json", "_retry.json"}
)
#: Files of a service model directory that are never read at run time.
BOTOCORE_UNUSED_MODEL_FILES = frozenset({"examples-1.json"})

#: Distributions the Lambda Python runtime provides and only boto3 needs: left out of the
#: package when it uses the runtime's boto3 (python-dateutil and six stay: holidays needs them).
RUNTIME_BOTO3 = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3"})

#: Files kept in a `*.dist-info` directory: the metadata `importlib.metadata` reads (pydantic
#: checks email-validator's version through it) and the licences.
_DIST_INFO_KEEP = re.compile(
    r"^(METADATA|entry_points\.txt|top_level\.txt|(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*"
    r"|licenses/.*)$",
    re.IGNORECASE,
)
#: Directories never needed at run time.
_DROP_DIRS = frozenset({"tests", "test", "__pycache__"})
#: Files never needed at run time.
_DROP_SUFFIXES = (".pyi", ".pyc", ".pyo")
_DROP_NAMES = frozenset({"py.typed"})


class PackageError(RuntimeError):
    """The package could not be built, or is missing something it must hold."""


def requirement_pins(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """Distribution name (normalised) to pinned version, from a `name==version` file."""
    pins: dict[str, str] = {}
    for line in requirements.read_text("utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        name, separator, version = text.partition("==")
        if not separator:
            raise PackageError(f"{requirements.name}: {text!r} is not pinned with ==")
        pins[normalise(name)] = version.strip()
    return pins


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them (`Email_Validator` is `email-validator`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def stage_project(
    out_dir: Path, *, bundle_boto3: bool = True, vendor_sources: bool = False
) -> Path:
    """Write a Chalice project ready for `chalice.api.package_app` into `out_dir`; return it.

    `out_dir` is emptied first. With `bundle_boto3=False` the package relies on the Lambda
    runtime's boto3 and botocore instead of shipping the pinned ones; with
    `vendor_sources=True` the dependencies keep their `.py` files (see `compile_project`).
    """
    out_dir = Path(out_dir).resolve()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)

    shutil.copy2(PROJECT_DIR / "app.py", out_dir / "app.py")
    shutil.copytree(
        PROJECT_DIR / "chalicelib",
        out_dir / "chalicelib",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "tests", "test_*.py"),
    )
    (out_dir / ".chalice").mkdir()
    shutil.copy2(PROJECT_DIR / ".chalice" / "config.json", out_dir / ".chalice" / "config.json")
    # Empty on purpose: the packager's own install hides a missing wheel (see module doc).
    (out_dir / "requirements.txt").write_text("", encoding="utf-8")

    vendor = out_dir / "vendor"
    shutil.copytree(installed_dependencies(), vendor, ignore=shutil.ignore_patterns(".complete"))
    remove_distributions(vendor, UNUSED_DISTRIBUTIONS)
    if not bundle_boto3:
        remove_distributions(vendor, RUNTIME_BOTO3)
    trim(vendor)
    strip_binaries(vendor)
    compile_project(out_dir, vendor_sources=vendor_sources)
    return out_dir


def installed_dependencies(requirements: Path = REQUIREMENTS) -> Path:
    """The requirements installed for the Lambda platform (cached); pip's failure is ours.

    Returns a directory shared between builds: copy it, never change it.
    """
    key = hashlib.sha256(
        "\n".join([CACHE_FORMAT, *PIP_PLATFORM]).encode() + requirements.read_bytes()
    ).hexdigest()[:16]
    target = CACHE_DIR / key
    if (target / ".complete").exists():
        return target
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    ignore = CACHE_DIR.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Build caches (infra/lambda_package.py); never committed.\n*\n")
    with tempfile.TemporaryDirectory(dir=CACHE_DIR, prefix="installing-") as scratch:
        staging = Path(scratch) / "site"
        command = [
            sys.executable, "-m", "pip", "install",
            "--quiet", "--no-compile", "--disable-pip-version-check", "--no-input",
            *PIP_PLATFORM,
            "--target", str(staging),
            "--requirement", str(requirements),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise PackageError(
                "pip could not install the Lambda dependencies "
                f"(exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        (staging / ".complete").write_text(key, encoding="utf-8")
        try:
            staging.rename(target)
        except OSError:
            # Another build finished the same install first; theirs is as good.
            if not (target / ".complete").exists():
                raise
    return target


def remove_distributions(site: Path, names: Iterable[str]) -> None:
    """Delete installed distributions (their files as their RECORD lists them) from `site`."""
    wanted = {normalise(name) for name in names}
    for dist_info in list(site.glob("*.dist-info")):
        name = normalise(dist_info.name.removesuffix(".dist-info").rsplit("-", 1)[0])
        if name not in wanted:
            continue
        record = dist_info / "RECORD"
        tops = {
            line.split(",", 1)[0].split("/", 1)[0]
            for line in record.read_text("utf-8").splitlines()
            if line.strip()
        }
        for top in tops:
            path = site / top
            if path == dist_info or top.endswith(".dist-info") or top in {"..", "bin"}:
                continue
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        shutil.rmtree(dist_info)


def trim(site: Path) -> None:
    """Remove from an installed tree what never runs in Lambda (see the module doc)."""
    shutil.rmtree(site / "bin", ignore_errors=True)
    for path in sorted(site.rglob("*"), reverse=True):
        if not path.exists():
            continue
        relative = path.relative_to(site)
        if path.is_dir():
            stubs = path.name.endswith("-stubs") and len(relative.parts) == 1
            if path.name in _DROP_DIRS or stubs:
                shutil.rmtree(path)
            continue
        if path.name in _DROP_NAMES or path.name.endswith(_DROP_SUFFIXES):
            path.unlink()
            continue
        dist_info = relative.parts[0]
        if dist_info.endswith(".dist-info"):
            inside = "/".join(relative.parts[1:])
            if not _DIST_INFO_KEEP.match(inside):
                path.unlink()
    for pattern in UNUSED_FILES:
        for unused in site.glob(pattern):
            unused.unlink()
    _trim_botocore(site / "botocore" / "data")
    for path in sorted(site.rglob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def strip_binaries(site: Path) -> None:
    """Drop the symbol tables some wheels leave in their extension modules (cryptography's
    alone is 3 MB); `strip --strip-unneeded` keeps what the dynamic loader needs. Skipped
    where binutils' `strip` is not installed (the package is then larger, not broken)."""
    strip = shutil.which("strip")
    if strip is None:
        return
    for library in sorted(site.rglob("*.so")):
        result = subprocess.run(  # noqa: S603 (binutils on our own build output)
            [strip, "--strip-unneeded", str(library)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise PackageError(f"strip failed on {library.name}: {result.stderr}")


def _trim_botocore(data: Path) -> None:
    if not data.is_dir():
        return
    for path in data.iterdir():
        if path.is_dir():
            if path.name not in BOTOCORE_SERVICES:
                shutil.rmtree(path)
                continue
            for unused in path.glob("*/*"):
                if unused.name in BOTOCORE_UNUSED_MODEL_FILES:
                    unused.unlink()
        elif path.name not in BOTOCORE_DATA_FILES:
            path.unlink()


def compile_project(project: Path, *, vendor_sources: bool = False) -> None:
    """Byte-compile everything the zip will hold (see the module doc for where caches go).

    Without `vendor_sources` the dependencies ship as byte-code alone (`module.pyc` where
    `module.py` was): their sources are a third of the zip, and Lambda never reads them;
    a traceback through a dependency still names its file and line, without the line's text.
    The app's own code keeps its sources beside its caches.
    """
    vendor = project / "vendor"
    if vendor_sources:
        compile_tree(vendor, TASK_ROOT)
    else:
        compile_sourceless(vendor, TASK_ROOT)
    compile_tree(project / "chalicelib", f"{TASK_ROOT}/chalicelib")
    import chalice
    import chalice.app

    singles = {
        project / "app.py": vendor / "app.py",
        Path(inspect.getfile(chalice.app)): vendor / "chalice" / "app.py",
        Path(inspect.getfile(chalice)): vendor / "chalice" / "__init__.py",
    }
    for source, as_if in singles.items():
        relative = as_if.relative_to(vendor).as_posix()
        py_compile.compile(
            str(source),
            cfile=_cache_path(as_if),
            dfile=f"{TASK_ROOT}/{relative}",
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )


def _cache_path(source: Path) -> str:
    tag = sys.implementation.cache_tag
    return str(source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc")


def compile_sourceless(root: Path, as_dir: str) -> None:
    """Replace every `.py` under `root` by its byte-code (`.pyc` in the same place)."""
    for source in sorted(root.rglob("*.py")):
        relative = source.relative_to(root).as_posix()
        try:
            py_compile.compile(
                str(source),
                cfile=str(source.with_suffix(".pyc")),
                dfile=f"{as_dir}/{relative}",
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
        except py_compile.PyCompileError as error:
            raise PackageError(f"byte-compiling {relative} failed: {error}") from None
        source.unlink()


def compile_tree(root: Path, as_dir: str) -> None:
    """Byte-compile a tree (unchecked-hash), its code naming files under `as_dir`."""
    if sys.version_info[:2] != (3, 11):
        raise PackageError(f"byte-code must be built by Python {PYTHON_VERSION}")
    ok = compileall.compile_dir(
        str(root),
        ddir=as_dir,
        quiet=1,
        workers=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not ok:
        raise PackageError(f"byte-compiling {root} failed")


def package(
    out_dir: Path, *, bundle_boto3: bool = True, stage: str = "dev", region: str | None = None
) -> Path:
    """Stage the project in `out_dir/project`, run Chalice's packager into `out_dir/package`,
    check the zip and return the path of `deployment.zip`."""
    from chalice.api import package_app

    out_dir = Path(out_dir).resolve()
    project = stage_project(out_dir / "project", bundle_boto3=bundle_boto3)
    output = out_dir / "package"
    if output.exists():
        shutil.rmtree(output)
    saved = os.environ.get("AWS_DEFAULT_REGION")
    # The packager imports app.py and builds a boto3 session, which needs a region.
    os.environ["AWS_DEFAULT_REGION"] = region or saved or "eu-west-2"
    try:
        package_app(str(project), str(output), stage)
    finally:
        if saved is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved
    deployment = output / "deployment.zip"
    check_package(deployment, bundle_boto3=bundle_boto3)
    return deployment


def missing_requirements(names: Iterable[str], pins: dict[str, str] | None = None) -> list[str]:
    """The pinned requirements that `names` (a zip's or a directory's entries) do not hold.

    A requirement is held when its `name-version.dist-info/METADATA` is there with the pinned
    version.
    """
    pins = requirement_pins() if pins is None else pins
    present: dict[str, str] = {}
    for entry in names:
        top, _, rest = entry.partition("/")
        if rest == "METADATA" and top.endswith(".dist-info"):
            name, _, version = top.removesuffix(".dist-info").rpartition("-")
            present[normalise(name)] = version
    return sorted(
        f"{name}=={version}" for name, version in pins.items() if present.get(name) != version
    )


def check_package(deployment: Path, *, bundle_boto3: bool = True) -> None:
    """Fail unless the zip holds every requirement, the app, and byte-code for every module."""
    if not deployment.is_file():
        raise PackageError(f"the packager wrote no {deployment.name}")
    with zipfile.ZipFile(deployment) as archive:
        names = archive.namelist()
    pins = requirement_pins()
    if not bundle_boto3:
        pins = {name: pin for name, pin in pins.items() if name not in RUNTIME_BOTO3}
    problems = [f"missing requirement {pin}" for pin in missing_requirements(names, pins)]
    problems += [f"missing {name}" for name in ("app.py", "chalice/app.py") if name not in names]
    held = set(names)
    problems += [f"no byte-code for {name}" for name in names if _pyc_of(name) not in held]
    if problems:
        raise PackageError(f"{deployment}: " + "; ".join(problems[:20]))


def _pyc_of(name: str) -> str:
    if not name.endswith(".py"):
        return name
    folder, _, file = name.rpartition("/")
    cached = f"__pycache__/{file[:-3]}.{sys.implementation.cache_tag}.pyc"
    return f"{folder}/{cached}" if folder else cached


def describe(deployment: Path) -> dict[str, int]:
    """Size figures of a deployment zip: zipped and unzipped bytes, and its file count."""
    with zipfile.ZipFile(deployment) as archive:
        infos = archive.infolist()
    return {
        "zipped_bytes": deployment.stat().st_size,
        "unzipped_bytes": sum(info.file_size for info in infos),
        "files": sum(1 for info in infos if not info.is_dir()),
    }


if __name__ == "__main__":
    built = package(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_DIR / ".build" / "pkg")
    print(json.dumps({"deployment": str(built), **describe(built)}))
