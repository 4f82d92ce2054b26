"""Where the pool's keys may come from, and which sessions a revocation ends."""

from __future__ import annotations

import pytest

from chalicelib.api.staff_calls import signed_in_after
from chalicelib.errors import DependencyUnavailable
from chalicelib.staff_tokens import JwksEndpoint, fetch_json, jwks_endpoint

REGION = "eu-west-2"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Abc/.well-known/jwks.json",
            JwksEndpoint(
                "https",
                "cognito-idp.eu-west-2.amazonaws.com",
                None,
                "/eu-west-2_Abc/.well-known/jwks.json",
            ),
        ),
        (
            "http://127.0.0.1:5000/eu-west-2_Abc/.well-known/jwks.json",
            JwksEndpoint("http", "127.0.0.1", 5000, "/eu-west-2_Abc/.well-known/jwks.json"),
        ),
        ("http://localhost:8123/keys", JwksEndpoint("http", "localhost", 8123, "/keys")),
    ],
)
def test_the_pools_own_address_and_loopback_are_allowed(url: str, expected: JwksEndpoint) -> None:
    assert jwks_endpoint(url, REGION) == expected


HOSTILE = [
    "https://cognito-idp.eu-west-2.amazonaws.com.evil.example/keys",
    "https://evil.example/cognito-idp.eu-west-2.amazonaws.com/keys",
    "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc/.well-known/jwks.json",
    "https://cognito-idp.eu-west-2.amazonaws.com:8443/keys",
    "https://user@cognito-idp.eu-west-2.amazonaws.com/keys",
    "https://cognito-idp.eu-west-2.amazonaws.com/keys?next=https://evil.example/",
    "http://cognito-idp.eu-west-2.amazonaws.com/keys",
    "http://127.0.0.1@evil.example/keys",
    "http://127.0.0.1.evil.example/keys",
    "http://localhost.evil.example/keys",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/keys",
    "http://127.0.0.1:notaport/keys",
    "https://127.0.0.1/keys",
    "file:///etc/passwd",
    "ftp://127.0.0.1/keys",
    "gopher://localhost/keys",
    "//cognito-idp.eu-west-2.amazonaws.com/keys",
    "cognito-idp.eu-west-2.amazonaws.com/keys",
    "",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_any_other_address_is_refused_before_a_connection(url: str) -> None:
    assert jwks_endpoint(url, REGION) is None
    with pytest.raises(DependencyUnavailable):
        fetch_json(url, region=REGION)


def test_a_session_from_before_the_revocation_second_is_refused() -> None:
    # not_before 2023-11-14T22:13:20.500Z is epoch 1700000000.5
    assert signed_in_after(1700000000, "2023-11-14T22:13:20.500Z") is False
    assert signed_in_after(1700000001, "2023-11-14T22:13:20.500Z") is True


def test_a_whole_second_cut_off_lets_that_second_through() -> None:
    assert signed_in_after(1699999999, "2023-11-14T22:13:20.000Z") is False
    assert signed_in_after(1700000000, "2023-11-14T22:13:20.000Z") is True
    assert signed_in_after(1, None) is True
