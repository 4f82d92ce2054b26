"""The front ends' scripts as modules (checked without a browser): both sites build their pages
with one shared library, and every import names a file and an export that exist (there is no
build step to catch a wrong path before a browser would)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
SCRIPTS = sorted(p for p in WEB_DIR.rglob("*.js") if "vendor" not in p.relative_to(WEB_DIR).parts)
IMPORT = re.compile(r"^import\s*\{([^}]*)\}\s*from\s*\"([^\"]+)\";", re.MULTILINE)
EXPORT = re.compile(r"^export\s+(?:async\s+)?(?:function|const|let|class)\s+(\w+)", re.MULTILINE)
RE_EXPORT = re.compile(r"^export\s*\{([^}]*)\}", re.MULTILINE)


def _exports(path: Path) -> set[str]:
    source = path.read_text(encoding="utf-8")
    names = set(EXPORT.findall(source))
    for group in RE_EXPORT.findall(source):
        names |= {part.split(" as ")[-1].strip() for part in group.split(",") if part.strip()}
    return names


def _name(path: Path) -> str:
    return path.relative_to(WEB_DIR).as_posix()


def test_the_pages_are_built_with_one_shared_dom_library() -> None:
    # Given every front-end script, when looking for a definition of the element builder `h`
    defining_h = [
        _name(path)
        for path in SCRIPTS
        if re.search(r"^(?:export\s+)?function h\(", path.read_text("utf-8"), re.MULTILINE)
    ]

    # then there is exactly one, in the shared library, and both sites import it
    assert defining_h == ["shared/dom.js"]
    assert "h" in _exports(WEB_DIR / "shared" / "dom.js")
    assert re.search(r'from "\.\./shared/dom\.js"', (WEB_DIR / "report" / "site.js").read_text())
    assert re.search(
        r'from "\.\./\.\./shared/dom\.js"', (WEB_DIR / "portal" / "js" / "main.js").read_text()
    )


def test_the_error_summary_is_drawn_by_the_shared_library_alone() -> None:
    drawing = [
        _name(path)
        for path in SCRIPTS
        if re.search(r'"data-error-summary":', path.read_text("utf-8"))
    ]

    assert drawing == ["shared/forms.js"]
    assert "errorSummary" in _exports(WEB_DIR / "shared" / "forms.js")


@pytest.mark.parametrize("path", SCRIPTS, ids=_name)
def test_every_import_names_a_file_and_an_export_that_exist(path: Path) -> None:
    imports = IMPORT.findall(path.read_text(encoding="utf-8"))

    for names, target in imports:
        assert target.startswith("./") or target.startswith("../"), target
        module = (path.parent / target).resolve()
        assert module.is_file(), f"{_name(path)} imports {target}: no such file"
        wanted = {part.split(" as ")[0].strip() for part in names.split(",") if part.strip()}
        assert wanted <= _exports(module), f"{_name(path)}: {wanted - _exports(module)}"


def test_the_portal_views_share_one_copy_of_their_small_helpers() -> None:
    # Given every front-end script, when looking for definitions of the portal's tag, date,
    # and field-problem helpers
    helpers = ("tag", "when", "summaryList", "fieldProblems", "showFailure", "askInstead")
    defining = {
        name: [
            _name(path)
            for path in SCRIPTS
            if re.search(rf"^(?:export\s+)?function {name}\(", path.read_text("utf-8"), re.M)
        ]
        for name in helpers
    }

    # then each is defined once, in the views' shared parts, which exports it
    assert defining == {name: ["portal/js/views/parts.js"] for name in helpers}
    assert set(helpers) <= _exports(WEB_DIR / "portal" / "js" / "views" / "parts.js")
