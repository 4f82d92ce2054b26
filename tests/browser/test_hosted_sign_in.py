"""The staff portal's hosted mode (a deployment's sign-in) in Chromium, end to end.

The portal is served by a static server of its own with the `/config.json` a deployment
writes (`infra.site.hosted_site_config`) and a CSP whose `connect-src` also allows the hosted
sign-in's origin, as the deployment's does; the hosted sign-in is `hosted_ui.HostedSignIn`, a
stand-in for Cognito's hosted UI on another origin: authorization code + PKCE (S256), a
password and then an authenticator code (MFA required), tokens that are the local stack's
real Cognito (moto) tokens, so the API accepts them.

Proved: signing in through the hosted pages (a wrong authenticator code refused, the right
one accepted) lands back on the portal signed in, with the code and state gone from the
address and a token the API accepts; a redirect whose state is not the one this tab sent, or
whose code was already used, is refused and keeps no token; signing out ends the hosted
session too and forgets the token.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from botocore.exceptions import ClientError
from playwright.sync_api import Browser, Page, expect

from devstack.demo import DEMO_PASSWORD
from devstack.static import StaticSite
from infra.site import hosted_site_config
from tests.browser.browsing import SCREENSHOTS, OriginGuard, origin_of, slug
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.form import Checkpoint, persistent_storage, session_storage
from tests.browser.hosted_ui import (
    HostedSignIn,
    code_outside_browser,
    totp,
    wrong_code,
)
from tests.browser.portal import API_TIMEOUT_SECONDS, PORTAL_PATH, CspWatch
from tests.e2e.running import PROJECT_DIR, RunningStack

pytestmark = pytest.mark.browser

SCREENER = "ss-screener"
ADVISOR = "ss-advisor-1"
SESSION_KEY = "rs-portal.session"
PENDING_KEY = "rs-portal.sign-in"


@dataclass(frozen=True)
class HostedSite:
    """The portal in hosted mode and the hosted sign-in it uses."""

    origin: str
    hosted: HostedSignIn
    config: dict[str, Any]


@pytest.fixture(scope="module")
def site(stack: RunningStack) -> Iterator[HostedSite]:
    """The stand-in hosted sign-in, and a static server for `web/` with a deployment's
    `/config.json` pointing at it and its origin allowed in `connect-src`."""
    _, client_id = stack.staff_pool()
    cognito = stack.client("cognito-idp")

    def authenticate(username: str, password: str) -> dict[str, Any] | None:
        try:
            answer = cognito.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError:
            return None
        result: dict[str, Any] = answer["AuthenticationResult"]
        return result

    hosted = HostedSignIn(
        client_id=client_id, authenticate=authenticate, totp_secret=secrets.token_bytes(20)
    )
    static = StaticSite(PROJECT_DIR / "web", "127.0.0.1", 0, connect_src=[hosted.origin])
    origin = f"http://127.0.0.1:{static.port}"
    config = hosted_site_config(
        {"SiteUrl": origin, "HostedSignInUrl": hosted.origin, "PortalClientId": client_id}
    )
    hosted.redirect_uri = config["auth"]["redirectUri"]
    hosted.logout_uri = config["auth"]["logoutUri"]
    static.configure(config, api_upstream=stack.api)
    hosted.start()
    static.start()
    try:
        yield HostedSite(origin, hosted, config)
    finally:
        static.stop()
        hosted.stop()


@pytest.fixture
def open_page(
    browser: Browser, site: HostedSite, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Page]]:
    """Pages in fresh contexts on the hosted-mode portal. Requests may go to the portal's
    origin and the hosted sign-in's, nowhere else; no page may throw an uncaught error."""
    opened: list[tuple[Any, OriginGuard, list[str]]] = []

    def open_one() -> Page:
        context = browser.new_context(
            base_url=site.origin,
            locale="en-GB",
            viewport={"width": 1280, "height": 900},
            service_workers="block",
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        guard = OriginGuard(site.origin)
        errors: list[str] = []
        context.on("request", guard.on_request)
        context.on("weberror", lambda error: errors.append(str(error.error)))
        opened.append((context, guard, errors))
        return context.new_page()

    yield open_one

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = SCREENSHOTS / slug(request.node.name)
        folder.mkdir(parents=True, exist_ok=True)
        for number, (context, _, _) in enumerate(opened, start=1):
            for index, page in enumerate(context.pages, start=1):
                page.screenshot(path=folder / f"failure-{number}-{index}.png", full_page=True)
    for context, guard, errors in opened:
        context.close()
        assert guard.requested, "no request was recorded: is the guard listening?"
        elsewhere = [
            what for what in guard.outside if origin_of(what.split(" ", 1)[1]) != site.hosted.origin
        ]
        assert not elsewhere, f"requests went beyond the portal and the hosted sign-in: {elsewhere}"
        assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(open_page: Callable[[], Page]) -> Page:
    """A page in a fresh browser context on the hosted-mode portal."""
    return open_page()


def go_to_hosted_sign_in(page: Page, site: HostedSite) -> None:
    """From the portal's sign-in page, press Sign in: the hosted sign-in asks for a password."""
    expect(page.locator("main h1")).to_have_text("Sign in")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile("^" + re.escape(f"{site.hosted.origin}/oauth2/authorize?")))
    expect(page.locator("h1")).to_have_text("Sign in")


def enter_password(page: Page, username: str) -> None:
    """On the hosted sign-in: username and password; it then asks for the authenticator code."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Enter your authenticator code")


def enter_code(page: Page, code: str) -> None:
    """On the hosted sign-in: the authenticator code."""
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Continue").click()


def sign_in_hosted(page: Page, site: HostedSite, username: str) -> None:
    """The whole hosted sign-in, from the portal's sign-in page to signed in."""
    go_to_hosted_sign_in(page, site)
    enter_password(page, username)
    enter_code(page, totp(site.hosted.totp_secret))
    expect(page.locator("#signed-in-as")).to_contain_text(username)


def expect_no_session(page: Page) -> None:
    """No token, no sign-in in progress, nothing beyond the tab."""
    stored = session_storage(page)
    assert SESSION_KEY not in stored, stored
    assert PENDING_KEY not in stored, stored
    assert persistent_storage(page) == (0, "")


def test_totp_is_rfc_6238() -> None:
    # RFC 6238 appendix B, SHA-1, 8 digits.
    secret = b"12345678901234567890"
    assert totp(secret, 59, digits=8) == "94287082"
    assert totp(secret, 1111111109, digits=8) == "07081804"
    assert totp(secret, 20000000000, digits=8) == "65353130"


def test_staff_sign_in_through_the_hosted_pages_with_an_authenticator_code(
    page: Page, site: HostedSite, checkpoint: Checkpoint
) -> None:
    hosted = site.hosted
    csp = CspWatch(page)
    served = requests.get(f"{site.origin}{PORTAL_PATH}", timeout=API_TIMEOUT_SECONDS)
    assert f"connect-src 'self' {hosted.origin};" in served.headers["Content-Security-Policy"]

    page.goto(PORTAL_PATH)
    expect(page.locator("main h1")).to_have_text("Sign in")
    checkpoint(page, "portal-sign-in")
    go_to_hosted_sign_in(page, site)
    query = parse_qs(urlsplit(page.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [site.config["auth"]["redirectUri"]]
    assert len(query["state"][0]) >= 43, "the state is not 32 random bytes"
    checkpoint(page, "hosted-password")
    enter_password(page, SCREENER)
    issued_before = len(hosted.issued_codes)

    # The second factor: a wrong code is refused and the hosted page asks again.
    enter_code(page, wrong_code(hosted.totp_secret))
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    expect(page.locator("h1")).to_have_text("Enter your authenticator code")
    assert page.url == f"{hosted.origin}/mfa"
    assert len(hosted.issued_codes) == issued_before, "a wrong authenticator code got a code"
    checkpoint(page, "hosted-wrong-code")

    enter_code(page, totp(hosted.totp_secret))
    expect(page.locator("#signed-in-as")).to_contain_text(SCREENER)
    expect(page.locator("main h1")).to_have_text("Screening queue")
    assert page.url == f"{site.origin}{PORTAL_PATH}#/", "the code and state stayed in the address"
    checkpoint(page, "signed-in")

    assert len(hosted.issued_codes) == issued_before + 1
    assert hosted.code_used(hosted.issued_codes[-1])
    assert hosted.token_requests[-1] == {"origin": site.origin, "outcome": "issued"}
    stored = session_storage(page)
    assert PENDING_KEY not in stored, "the PKCE verifier and state outlived the sign-in"
    session = json.loads(stored[SESSION_KEY])
    assert persistent_storage(page) == (0, ""), "tokens were kept beyond the tab"
    assert not csp.violations, csp.violations

    # The token the portal keeps is one the API accepts.
    me = requests.get(
        f"{site.origin}/api/staff/me",
        headers={"Authorization": f"Bearer {session['accessToken']}"},
        timeout=API_TIMEOUT_SECONDS,
    )
    assert me.status_code == 200, me.text
    assert me.json()["member_id"] == SCREENER


def test_a_redirect_with_another_state_or_a_used_code_is_refused(
    open_page: Callable[[], Page], site: HostedSite, checkpoint: Checkpoint
) -> None:
    hosted = site.hosted

    # Someone signs in elsewhere and sends a link with their own code and state to a member
    # of staff who has started signing in: the state is not the one this tab sent.
    victim = open_page()
    victim.goto(PORTAL_PATH)
    go_to_hosted_sign_in(victim, site)
    crafted = code_outside_browser(
        hosted, ADVISOR, DEMO_PASSWORD, state="someone-elses-state", verifier="v" * 64
    )
    victim.goto(f"{PORTAL_PATH}?code={crafted}&state=someone-elses-state")
    expect(victim.locator("main")).to_contain_text(
        "That sign-in could not be checked. Sign in again."
    )
    expect(victim.locator("main h1")).to_have_text("Sign in")
    expect(victim.locator("#signed-in-as")).to_be_hidden()
    assert "code=" not in victim.url and "state=" not in victim.url
    assert not hosted.code_used(crafted), "the portal exchanged a code it could not check"
    expect_no_session(victim)
    checkpoint(victim, "state-refused")

    # A code already exchanged, sent back with the state this tab is waiting for.
    first = open_page()
    first.goto(PORTAL_PATH)
    sign_in_hosted(first, site, SCREENER)
    used = hosted.issued_codes[-1]
    assert hosted.code_used(used)

    replay = open_page()
    replay.goto(PORTAL_PATH)
    go_to_hosted_sign_in(replay, site)
    replay.goto(PORTAL_PATH)  # back on the portal, the sign-in still pending in this tab
    expect(replay.locator("main h1")).to_have_text("Sign in")
    state = json.loads(session_storage(replay)[PENDING_KEY])["state"]
    requests_before = len(hosted.token_requests)
    replay.goto(f"{PORTAL_PATH}?code={used}&state={state}")
    expect(replay.locator("main")).to_contain_text(
        "That sign-in could not be completed. Sign in again."
    )
    expect(replay.locator("#signed-in-as")).to_be_hidden()
    assert hosted.token_requests[requests_before:] == [
        {"origin": site.origin, "outcome": "invalid_grant"}
    ]
    assert "code=" not in replay.url
    expect_no_session(replay)


def test_signing_out_ends_the_hosted_session_and_forgets_the_token(
    page: Page, site: HostedSite, checkpoint: Checkpoint
) -> None:
    hosted = site.hosted
    page.goto(PORTAL_PATH)
    sign_in_hosted(page, site, SCREENER)
    logouts_before = len(hosted.logouts)

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("main h1")).to_have_text("Sign in")
    assert page.url == site.config["auth"]["logoutUri"]
    assert hosted.logouts[logouts_before:] == [site.config["auth"]["logoutUri"]]
    expect(page.locator("#signed-in-as")).to_be_hidden()
    expect_no_session(page)
    checkpoint(page, "signed-out")

    # Reloading does not sign back in.
    page.reload()
    expect(page.locator("main h1")).to_have_text("Sign in")
    expect_no_session(page)
