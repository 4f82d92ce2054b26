"""The reporter pages' source, checked without a browser: nothing from another origin, nothing
the Content-Security-Policy would block, no storage but sessionStorage, and every interface
text in English and Welsh. (The browser tests check how the pages behave.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
REPORT_DIR = WEB_DIR / "report"
#: The library both sites import (DOM helpers, form widgets, the error summary).
SHARED_DIR = WEB_DIR / "shared"
HTML = sorted(REPORT_DIR.glob("*.html"))
#: Every script the reporter pages load: the form's modules (js/) and the shared library too.
SCRIPTS = sorted([*REPORT_DIR.rglob("*.js"), *SHARED_DIR.rglob("*.js")])
ALL_FILES = sorted(
    path for folder in (REPORT_DIR, SHARED_DIR) for path in folder.rglob("*") if path.is_file()
)
SITE_JS = REPORT_DIR / "site.js"
#: Pages that belong to the service (the neutral exit page does not look like one).
SERVICE_PAGES = [path for path in HTML if path.name != "exit.html"]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_reporter_pages_exist() -> None:
    names = {path.name for path in ALL_FILES}

    assert {"index.html", "resources.html", "privacy.html", "policies.html", "exit.html"} <= names
    assert {"report.js", "site.js", "report.css"} <= names


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.relative_to(WEB_DIR).as_posix())
def test_no_file_names_another_origin(path: Path) -> None:
    # Any absolute URL would be a request (or a link) to somewhere else.
    source = _text(path)

    assert re.findall(r"https?://", source, re.IGNORECASE) == []
    assert re.findall(r"""(?:src|href|action|url\()\s*=?\s*["']?//""", source, re.I) == []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(WEB_DIR).as_posix())
def test_scripts_keep_nothing_outside_session_storage(path: Path) -> None:
    source = _text(path)

    assert "localStorage" not in source
    assert "document.cookie" not in source
    assert "indexedDB" not in source
    assert "innerHTML" not in source  # text from the API is never parsed as HTML


@pytest.mark.parametrize("path", HTML, ids=lambda p: p.relative_to(WEB_DIR).as_posix())
def test_pages_have_nothing_the_content_security_policy_blocks(path: Path) -> None:
    page = _text(path)

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []  # inline script
    assert "<style" not in page
    assert re.findall(r"\sstyle=", page) == []
    assert re.findall(r"\son[a-z]+=", page) == []  # inline event handler


@pytest.mark.parametrize("path", HTML, ids=lambda p: p.relative_to(WEB_DIR).as_posix())
def test_pages_declare_language_viewport_and_title(path: Path) -> None:
    page = _text(path)

    assert '<html lang="en">' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert re.search(r"<title>[^<]+</title>", page)
    assert 'rel="icon" href="data:,"' in page  # no favicon request


@pytest.mark.parametrize("path", SERVICE_PAGES, ids=lambda p: p.relative_to(WEB_DIR).as_posix())
def test_every_service_page_offers_quick_exit_help_and_the_language_switch(path: Path) -> None:
    page = _text(path)

    assert 'data-action="quick-exit"' in page
    assert 'data-action="language"' in page
    assert "data-help-body" in page
    assert 'href="/report/resources.html"' in page
    assert "999" in page  # the emergency number, even before any script runs
    assert 'aria-live="polite"' in page


@pytest.mark.parametrize("path", SERVICE_PAGES, ids=lambda p: p.relative_to(WEB_DIR).as_posix())
def test_every_service_page_links_the_privacy_notice_and_the_policies(path: Path) -> None:
    footer = _text(path).split('<footer class="footer">', 1)[1]

    assert 'href="/report/privacy.html"' in footer
    assert 'href="/report/policies.html"' in footer


def test_the_exit_page_is_neutral_with_no_way_back() -> None:
    page = _text(REPORT_DIR / "exit.html")

    assert "<a " not in page
    assert "<script" not in page
    assert not re.search(r"report|harass|support", page.replace("/report/report.css", ""), re.I)


# --- the interface text --------------------------------------------------------------------


def _dictionary(language: str) -> set[str]:
    source = _text(SITE_JS)
    start = source.index(f"  {language}: {{")
    end = source.index("\n  },", start)
    return set(re.findall(r"^    (\w+):", source[start:end], re.MULTILINE))


def test_every_interface_text_is_in_english_and_welsh() -> None:
    english, welsh = _dictionary("en"), _dictionary("cy")

    assert len(english) > 50
    assert english == welsh


def test_every_text_the_pages_use_is_in_the_dictionary() -> None:
    used: set[str] = set()
    for path in SCRIPTS:
        source = _text(path)
        used |= set(re.findall(r"\bt\(\s*\"(\w+)\"", source))
        used |= set(re.findall(r"\"(err[A-Z]\w+)\"", source))
    for path in HTML:
        used |= set(re.findall(r'data-i18n="(\w+)"', _text(path)))

    assert used
    assert used - _dictionary("en") == set()
