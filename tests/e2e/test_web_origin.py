"""One origin for everything a page needs: the web server proxies `/api/` to the API and
`/cognito/` to Cognito (moto), serves `/config.json` saying so, and sends the security
headers with every response."""

from __future__ import annotations

import pytest
import requests

from devstack.demo import DEMO_PASSWORD
from devstack.static import SECURITY_HEADERS
from tests.e2e.reports import REFERENCE
from tests.e2e.running import REGION, RunningStack
from tests.factories import anonymous_submission, named_submission

pytestmark = pytest.mark.e2e

COGNITO = "AWSCognitoIdentityProviderService"
AMZ_JSON = "application/x-amz-json-1.1"


def cognito(stack: RunningStack, operation: str, body: dict[str, object]) -> requests.Response:
    """One Cognito call through the web origin, as the portal makes it."""
    return requests.post(
        f"{stack.web}/cognito/",
        json=body,
        headers={"X-Amz-Target": f"{COGNITO}.{operation}", "Content-Type": AMZ_JSON},
        timeout=10,
    )


def sign_in(stack: RunningStack, username: str, password: str = DEMO_PASSWORD) -> requests.Response:
    _, client_id = stack.staff_pool()
    return cognito(
        stack,
        "InitiateAuth",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client_id,
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        },
    )


# --- /config.json --------------------------------------------------------------------------


def test_config_points_the_pages_at_their_own_origin(stack: RunningStack) -> None:
    _, client_id = stack.staff_pool()

    response = requests.get(f"{stack.web}/config.json", timeout=5)

    assert response.status_code == 200
    assert response.json() == {
        "apiUrl": "/api",
        "auth": {
            "mode": "password",
            "cognitoUrl": "/cognito/",
            "clientId": client_id,
            "region": REGION,
        },
    }


# --- /api/ -----------------------------------------------------------------------------------


def test_the_form_is_served_through_the_web_origin(stack: RunningStack) -> None:
    direct = requests.get(f"{stack.api}/form", timeout=5)

    proxied = requests.get(f"{stack.web}/api/form", timeout=5)

    assert proxied.status_code == 200
    assert proxied.headers["Content-Type"].startswith("application/json")
    assert proxied.json() == direct.json()
    # The API's own caching advice passes through, not the static files' no-store.
    assert proxied.headers["Cache-Control"] == direct.headers["Cache-Control"]


def test_a_report_is_accepted_through_the_web_origin_once(stack: RunningStack) -> None:
    body = named_submission()

    first = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)
    again = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)

    assert first.status_code == 201, first.text
    assert REFERENCE.match(first.json()["reference"])
    assert again.status_code == 201
    assert again.json()["reference"] == first.json()["reference"]
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_bad_report_is_refused_field_by_field_through_the_web_origin(
    stack: RunningStack,
) -> None:
    body = anonymous_submission(answers={"when": "yesterday"})
    body["contact"] = {"name": "A"}

    response = requests.post(f"{stack.web}/api/reports", json=body, timeout=10)

    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"answers.when", "contact.email"} <= fields


def test_a_body_that_is_not_json_is_refused_through_the_web_origin(stack: RunningStack) -> None:
    response = requests.post(
        f"{stack.web}/api/reports",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json()["error"] == "malformed_request"


def test_query_strings_and_unknown_paths_pass_through(stack: RunningStack) -> None:
    assert requests.get(f"{stack.web}/api/health?probe=1", timeout=5).status_code == 200
    assert requests.get(f"{stack.web}/api/no-such-route", timeout=5).status_code in (403, 404)


def test_proxied_answers_carry_no_cors_headers(stack: RunningStack) -> None:
    response = requests.get(
        f"{stack.web}/api/form", headers={"Origin": "https://elsewhere.example"}, timeout=5
    )

    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


# --- /cognito/ -------------------------------------------------------------------------------


def test_staff_sign_in_through_the_web_origin_reaches_the_staff_api(stack: RunningStack) -> None:
    signed_in = sign_in(stack, "ss-screener")
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.headers["Content-Type"].startswith(AMZ_JSON)
    token = signed_in.json()["AuthenticationResult"]["AccessToken"]

    me = requests.get(
        f"{stack.web}/api/staff/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    anonymous = requests.get(f"{stack.web}/api/staff/me", timeout=10)

    assert me.status_code == 200, me.text
    assert anonymous.status_code == 401


def test_a_wrong_password_is_cognitos_answer_through_the_web_origin(stack: RunningStack) -> None:
    response = sign_in(stack, "ss-screener", password="not-the-password")

    assert response.status_code == 400
    assert response.json()["__type"] == "NotAuthorizedException"


@pytest.mark.parametrize(
    "target",
    [
        "DynamoDB_20120810.ListTables",
        "TrentService.ListKeys",
        f"{COGNITO}.AdminCreateUser",
        f"{COGNITO}.ListUsers",
        "",
    ],
)
def test_only_sign_in_operations_reach_moto(stack: RunningStack, target: str) -> None:
    response = requests.post(
        f"{stack.web}/cognito/",
        data=b"{}",
        headers={"X-Amz-Target": target, "Content-Type": AMZ_JSON},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_operation"


def test_static_paths_take_no_post(stack: RunningStack) -> None:
    assert requests.post(f"{stack.web}/report/", data=b"x", timeout=5).status_code == 405
    assert requests.get(f"{stack.web}/cognito/", timeout=5).status_code == 404


# --- security headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/report/",
        "/report/resources.html",
        "/report/privacy.html",
        "/report/policies.html",
        "/report/exit.html",
        "/report/report.js",
        "/report/report.css",
        "/portal/",
        "/config.json",
        "/api/form",
        "/no-such-page",
        "/",
    ],
)
def test_every_response_carries_the_security_headers(stack: RunningStack, path: str) -> None:
    response = requests.get(stack.web + path, timeout=5, allow_redirects=False)

    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize(
    "page", ["index.html", "resources.html", "privacy.html", "policies.html", "exit.html"]
)
def test_reporter_pages_are_served(stack: RunningStack, page: str) -> None:
    response = requests.get(f"{stack.web}/report/{page}", timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
