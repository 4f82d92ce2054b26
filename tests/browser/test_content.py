"""The portal's Content page in Chromium: an admin changes what reporters see without a deploy.

The admin changes Campus Security's phone number and retires one answer of "Have you told
anyone about it?", saves (a bad web address first: the error is shown beside its field and
in the summary at the top), previews the draft in English and Welsh, and publishes it with
a reason. The reporter pages then show the new number, and the form's step no longer offers
the retired answer; "Restore the content deployed with the service" brings both back (a
first publish can be undone, and the restore itself too). A screener has no
Content page. Every page is checked with axe-core; the content page also at a phone's width.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.browser.form import Checkpoint, advance, current_step, open_form
from tests.browser.portal import expect_banner, section_links, sign_in, staff_call
from tests.e2e.running import RunningStack

pytestmark = pytest.mark.browser

ADMIN = "dpo-admin"
SCREENER = "ss-screener"
CONTENT = "/portal/#/content"
CONTENT_API = "/staff/admin/content"
#: The content cache of the API process (`content_cache_seconds`, 30 by default) and more.
PUBLISH_SEEN_SECONDS = 45
RESOURCES_PATH = "/report/resources.html"
OLD_PHONE = "01234 567 999"
NEW_PHONE = "01234 567 888"
BAD_URL = "http://www.example.ac.uk/security"
GOOD_URL = "https://www.example.ac.uk/security"
PHONE = {"width": 390, "height": 844}
#: The answers that reach the "Have you told anyone about it?" step.
PLAN = {
    "reporter_role": "student",
    "reporting_for": "myself",
    "what_happened": "verbal_harassment",
    "when": "last_week",
    "where": "online",
}
MAX_STEPS = 20


def admin_call(stack: RunningStack, method: str, path: str, body: Any = None) -> Any:
    """A content call as the admin; its JSON answer (the call must succeed)."""
    answer = staff_call(stack, stack.access_token(ADMIN), method, path, body)
    assert answer.ok, answer.text
    return answer.json()


@pytest.fixture
def deployed_content(stack: RunningStack) -> Iterator[None]:
    """Reporters see the content deployed with the service before the test (nothing is
    published on a fresh stack, and each test using this fixture restores it) and after it,
    whatever the test published: a restore after a first publish brings the deployed
    content back (the other browser tests report against it)."""
    assert admin_call(stack, "GET", CONTENT_API)["published"] is None
    yield
    now = admin_call(stack, "GET", CONTENT_API)
    if now["published"] is not None and now["previous"] is None:
        admin_call(
            stack,
            "POST",
            f"{CONTENT_API}/restore",
            {"reason": "Browser test clean-up", "published": now["published"]},
        )


def wait_for_form(stack: RunningStack, shows: Callable[[dict[str, Any]], bool]) -> None:
    """Wait until `GET /form` serves the content a publish made (a process reads which
    version is published again every `content_cache_seconds`)."""
    deadline = time.monotonic() + PUBLISH_SEEN_SECONDS
    while True:
        form = requests.get(f"{stack.web}/api/form", timeout=10).json()
        if shows(form):
            return
        assert time.monotonic() < deadline, "the published content never reached GET /form"
        time.sleep(0.5)


def security_phone(form: dict[str, Any]) -> str:
    """Campus Security's phone number, as `GET /form` serves it."""
    return str(next(r["phone"] for r in form["support_resources"] if r["id"] == "campus_security"))


def campus_security(page: Page) -> Locator:
    """Campus Security's entry in the editor (a fieldset named by its legend)."""
    return page.get_by_role("group", name=re.compile(r"^Support service \d+: Campus Security$"))


def told_anyone_step(page: Page) -> None:
    """Walk the reporter form to the "Have you told anyone about it?" step."""
    open_form(page)
    step = current_step(page)
    for _ in range(MAX_STEPS):
        if step == "anyone_told":
            return
        if step in PLAN:
            page.locator(f"main #{step}-{PLAN[step]}").check()
        step = advance(
            page, step, lambda: page.locator("main [data-form] button[type=submit]").click()
        )
    raise AssertionError("the form never reached the anyone_told step")


def expect_reporter_sees(
    open_page: Callable[..., Page], checkpoint: Checkpoint, *, new: bool
) -> None:
    """The support page shows the phone number, and the step offers the answers, of the
    content published now (each reporter in a fresh browser, so nothing cached)."""
    reporter = open_page()
    reporter.goto(RESOURCES_PATH)
    security = reporter.locator("main li.resource", has_text="Campus Security")
    expect(security).to_contain_text(NEW_PHONE if new else OLD_PHONE)
    expect(security).not_to_contain_text(OLD_PHONE if new else NEW_PHONE)
    checkpoint(reporter, f"resources-{'new' if new else 'old'}")

    told_anyone_step(reporter)
    expect(reporter.locator("main #anyone_told-police")).to_be_visible()
    expect(reporter.locator("main #anyone_told-students_union")).to_have_count(0 if new else 1)
    checkpoint(reporter, f"told-anyone-{'new' if new else 'old'}")


def test_an_admin_publishes_a_change_reporters_see_and_restores_the_previous_version(
    open_page: Callable[..., Page],
    checkpoint: Checkpoint,
    stack: RunningStack,
    deployed_content: None,
) -> None:
    admin = open_page()
    sign_in(admin, checkpoint, ADMIN)
    assert "Content" in section_links(admin), section_links(admin)
    admin.locator("nav#section-nav").get_by_role("link", name="Content").click()
    expect(admin.locator("main h1")).to_have_text("Content")
    checkpoint(admin, "content-page")
    expect(admin.locator("#content-published")).to_have_text(
        "Reporters see the content deployed with the service."
    )
    expect(admin.locator("#restore-details")).to_have_count(0)

    # Campus Security's new number, and a web address the models refuse (http, not https).
    admin.locator("summary", has_text="Support services").click()
    service = campus_security(admin)
    service.get_by_label("Phone number").fill(NEW_PHONE)
    service.get_by_label("Web address").fill(BAD_URL)
    # "The students' union" is no longer offered; an answer cannot be deleted, only retired.
    admin.locator("summary", has_text="Answers to the form's questions").click()
    question = admin.get_by_role("group", name="Have you told anyone about it?", exact=True)
    expect(admin.locator("#content-question_options-section")).to_contain_text(
        "An answer cannot be deleted"
    )
    union = question.get_by_role("group", name="The students' union", exact=True)
    expect(union.get_by_role("button", name=re.compile("Remove"))).to_have_count(0)
    union.get_by_label("Retired").check()
    admin.get_by_role("button", name="Save draft").click()

    summary = admin.locator("#content-form [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Campus Security, web address")
    url_field = service.get_by_label("Web address")
    error = admin.locator(f"#{url_field.get_attribute('id')}-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("https")
    expect(url_field).to_have_attribute("aria-invalid", "true")
    checkpoint(admin, "refused-draft")
    # nothing was saved
    assert not admin.locator("#content-versions tr[data-status=draft]").count()

    url_field.fill(GOOD_URL)
    admin.get_by_role("button", name="Save draft").click()
    expect_banner(admin, "saved")
    expect(summary).to_have_count(0)
    expect(error).to_be_hidden()
    draft = admin.locator("#content-draft")
    version = re.search(r"Draft version (\d+)", draft.locator("h2").inner_text())
    assert version is not None
    number = version[1]
    expect(admin.locator(f"#content-versions tr[data-version='{number}']")).to_contain_text("Draft")

    # The preview: what reporters would see, in English and in Welsh.
    draft.get_by_role("button", name=f"Preview version {number}").click()
    preview = admin.locator("#content-preview")
    expect(preview.get_by_role("heading", name=f"Preview of version {number}")).to_be_focused()
    english = preview.locator("[data-lang=en]")
    welsh = preview.locator("[data-lang=cy]")
    expect(english.locator("[data-emergency=true]")).to_contain_text("Campus Security")
    expect(english.locator("[data-emergency=true]")).to_contain_text(NEW_PHONE)
    expect(welsh.locator("[data-emergency=true]")).to_contain_text("Diogelwch y Campws")
    expect(welsh.locator("[data-emergency=true]")).to_contain_text(NEW_PHONE)
    told = english.locator("[data-question=anyone_told]")
    expect(told.locator("[data-offered]")).to_contain_text("The police")
    expect(told.locator("[data-offered]")).not_to_contain_text("The students' union")
    expect(told.locator("[data-retired]")).to_contain_text("The students' union")
    expect(welsh.locator("[data-question=anyone_told] [data-retired]")).to_contain_text(
        "Undeb y myfyrwyr"
    )
    checkpoint(admin, "preview")

    # Publishing needs a reason.
    publish = admin.locator("#publish-form")
    publish.get_by_role("button", name=f"Publish version {number}").click()
    expect(publish.get_by_role("alert")).to_contain_text("Enter the reason")
    publish.get_by_label("Reason").fill(
        "Campus Security's new number; the union no longer takes reports"
    )
    publish.get_by_role("button", name=f"Publish version {number}").click()
    expect_banner(admin, f"Version {number} published.")
    expect(admin.locator("#content-published")).to_have_text(f"Reporters see version {number}.")
    expect(admin.locator(f"#content-versions tr[data-version='{number}']")).to_contain_text(
        "Published"
    )
    checkpoint(admin, "published")

    wait_for_form(stack, lambda form: security_phone(form) == NEW_PHONE)
    expect_reporter_sees(open_page, checkpoint, new=True)

    # Restore: the first publish is undone too, in one action, with a reason.
    admin.locator("summary", has_text="Restore the content deployed with the service").click()
    restore = admin.locator("#restore-form")
    restore.get_by_label("Reason").fill("The new number is not live yet")
    restore.get_by_role("button", name="Restore the content deployed with the service").click()
    expect_banner(admin, "The content deployed with the service is restored.")
    expect(admin.locator("#content-published")).to_have_text(
        "Reporters see the content deployed with the service."
    )
    # ... and can itself be undone: the version just replaced is what a restore brings back.
    expect(admin.locator("#restore-details summary")).to_have_text("Restore the previous version")
    expect(admin.locator("#restore-form").get_by_test_id("restore")).to_have_text(
        f"Restore version {number}"
    )
    checkpoint(admin, "restored")

    wait_for_form(stack, lambda form: security_phone(form) == OLD_PHONE)
    expect_reporter_sees(open_page, checkpoint, new=False)


def test_the_content_page_works_at_a_phone_width(
    open_page: Callable[..., Page], checkpoint: Checkpoint
) -> None:
    admin = open_page(**PHONE, phone=True)
    sign_in(admin, checkpoint, ADMIN)
    admin.goto(CONTENT)
    expect(admin.locator("main h1")).to_have_text("Content")
    admin.locator("summary", has_text="Support services").click()
    expect(campus_security(admin).get_by_label("Phone number")).to_have_value(OLD_PHONE)
    checkpoint(admin, "content-on-a-phone")
    overflow = admin.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone's screen"


def test_a_screener_has_no_content_page(
    open_page: Callable[..., Page], checkpoint: Checkpoint
) -> None:
    screener = open_page()
    asked: list[str] = []
    screener.on("request", lambda request: asked.append(request.url))
    sign_in(screener, checkpoint, SCREENER)
    links = section_links(screener)
    assert "Screening queue" in links, links
    assert "Content" not in links, links
    screener.goto(CONTENT)
    expect(screener.locator("main h1")).to_have_text("No access to this page")
    checkpoint(screener, "no-content-page")
    assert [url for url in asked if "/staff/me" in url], "the portal asked who is signed in"
    assert not [url for url in asked if "/staff/admin/" in url], asked
    expect(screener.locator("main")).not_to_contain_text("Save draft")


def test_a_publish_by_someone_else_meanwhile_is_not_undone(
    open_page: Callable[..., Page],
    checkpoint: Checkpoint,
    stack: RunningStack,
    deployed_content: None,
) -> None:
    admin = open_page()
    sign_in(admin, checkpoint, ADMIN)
    admin.goto(CONTENT)
    expect(admin.locator("main h1")).to_have_text("Content")
    seen = admin.locator("#content-published").get_attribute("data-published")
    admin.get_by_role("button", name="Save draft").click()
    expect_banner(admin, "saved")
    mine = admin.locator("#content-draft h2").inner_text().removeprefix("Draft version ")

    # Another admin publishes a version of their own while this page is open.
    content = admin_call(stack, "GET", CONTENT_API)
    theirs = admin_call(
        stack,
        "POST",
        f"{CONTENT_API}/versions",
        {"document": content["document"], "based_on": content["published"]},
    )["version"]
    admin_call(
        stack,
        "POST",
        f"{CONTENT_API}/versions/{theirs}/publish",
        {"reason": "Another admin's change", "published": content["published"]},
    )

    publish = admin.locator("#publish-form")
    publish.get_by_label("Reason").fill("My change")
    publish.get_by_role("button", name=f"Publish version {mine}").click()
    expect_banner(admin, "Someone else published a version since this page was loaded.")
    expect(admin.get_by_test_id("status-banner")).to_be_focused()
    # the page is loaded again: theirs is what reporters see, mine is still a draft
    expect(admin.locator("#content-published")).to_have_text(f"Reporters see version {theirs}.")
    expect(admin.locator(f"#content-versions tr[data-version='{mine}']")).to_contain_text("Draft")
    checkpoint(admin, "refused-publish")
    assert admin_call(stack, "GET", CONTENT_API)["published"] == theirs
    assert seen == "", "the page saw the content deployed with the service (the fixture)"
