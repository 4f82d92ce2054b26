"""The deployed site's `/config.json`, from the main stack's outputs (`infra/site.py`)."""

from __future__ import annotations

import json

import pytest

from infra.site import MissingOutput, hosted_site_config

OUTPUTS = {
    "SiteUrl": "https://report.example.ac.uk/",
    "DistributionDomain": "d111111abcdef8.cloudfront.net",
    "DistributionId": "E2QWRUHAPOMQZL",
    "SiteBucket": "reportsupport-prod-website1234-abcdef",
    "UserPoolId": "eu-west-2_AbCdEfGhI",
    "PortalClientId": "1example23456789abcdefghij",
    "HostedSignInUrl": "https://report-support-prod-default.auth.eu-west-2.amazoncognito.com",
}


def test_hosted_config_is_exactly_what_the_portal_reads() -> None:
    expected = json.loads(
        """
        {
          "apiUrl": "/api",
          "auth": {
            "mode": "hosted",
            "domain": "https://report-support-prod-default.auth.eu-west-2.amazoncognito.com",
            "clientId": "1example23456789abcdefghij",
            "redirectUri": "https://report.example.ac.uk/portal/",
            "scopes": "openid",
            "logoutUri": "https://report.example.ac.uk/portal/"
          }
        }
        """
    )
    assert hosted_site_config(OUTPUTS) == expected


def test_redirect_is_the_callback_url_whatever_the_site_url_ends_with() -> None:
    # The app client's callback URL is `https://<web_domain>/portal/` (infra/staff_pool.py):
    # Cognito refuses any other redirect_uri, so a missing or doubled slash breaks sign-in.
    outputs = OUTPUTS | {
        "SiteUrl": "https://report.example.ac.uk",
        "HostedSignInUrl": OUTPUTS["HostedSignInUrl"] + "/",
    }
    auth = hosted_site_config(outputs)["auth"]
    assert auth["redirectUri"] == "https://report.example.ac.uk/portal/"
    assert auth["logoutUri"] == auth["redirectUri"]
    assert auth["domain"] == OUTPUTS["HostedSignInUrl"]


@pytest.mark.parametrize("missing", ["SiteUrl", "HostedSignInUrl", "PortalClientId"])
def test_a_missing_output_is_named(missing: str) -> None:
    outputs = {name: value for name, value in OUTPUTS.items() if name != missing}
    with pytest.raises(MissingOutput, match=missing):
        hosted_site_config(outputs)
