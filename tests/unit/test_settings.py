"""Settings come from `RS_*` variables, once, and go back to them unchanged."""

from __future__ import annotations

import pytest

from chalicelib.errors import ConfigurationError
from chalicelib.settings import Settings

REQUIRED = {
    "RS_REGION": "eu-west-1",
    "RS_REPORTS_TABLE": "reports-test",
    "RS_DEMOGRAPHICS_TABLE": "demographics-test",
    "RS_STAFF_TABLE": "staff-test",
    "RS_NOTIFICATIONS_TABLE": "notifications-test",
    "RS_INSIGHTS_TABLE": "insights-test",
    "RS_RIGHTS_TABLE": "rights-test",
    "RS_ADMIN_TABLE": "admin-test",
    "RS_TRIAGE_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/triage-test",
    "RS_NOTIFY_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/notify-test",
    "RS_IDENTITY_KEY_ARN": "arn:aws:kms:eu-west-1:123456789012:key/identity",
    "RS_INSIGHT_KEY_ARN": "arn:aws:kms:eu-west-1:123456789012:key/insight",
    "RS_BLIND_INDEX_KEY_ARN": "arn:aws:kms:eu-west-1:123456789012:key/blind-index",
    "RS_AUDIT_KEY_ARN": "arn:aws:kms:eu-west-1:123456789012:key/audit",
    "RS_STAFF_POOL_ID": "eu-west-1_TestPool1",
    "RS_STAFF_CLIENT_ID": "portalclient",
}


def environ(**changes: str | None) -> dict[str, str]:
    """The required variables with some changed (`None` removes one)."""
    merged: dict[str, str | None] = {**REQUIRED, **changes}
    return {name: value for name, value in merged.items() if value is not None}


def test_settings_are_read_from_rs_variables() -> None:
    settings = Settings.from_environment(
        environ(
            RS_STAGE="prod",
            RS_TRIAGE_REDRIVE_AFTER_SECONDS="600",
            RS_SEAL_CACHE_MAX_AGE_SECONDS="60.5",
            RS_SEAL_CACHE_MAX_MESSAGES="50",
            RS_RECEIPT_FAILURE_BUDGET="50",
        )
    )

    assert settings.region == "eu-west-1"
    assert settings.reports_table == "reports-test"
    assert settings.identity_key_arn == REQUIRED["RS_IDENTITY_KEY_ARN"]
    assert settings.stage == "prod"
    assert settings.triage_redrive_after_seconds == 600
    assert settings.seal_cache_max_age_seconds == 60.5
    assert settings.seal_cache_max_messages == 50
    assert settings.receipt_failure_budget == 50


def test_optional_settings_have_defaults() -> None:
    settings = Settings.from_environment(environ())

    assert settings.app_name == "report-support"
    assert settings.institution == "default"
    assert settings.triage_redrive_after_seconds == 300
    assert settings.receipt_failure_budget == 1000


@pytest.mark.parametrize(
    ("aws", "expected"),
    [
        ({"AWS_REGION": "eu-central-1"}, "eu-central-1"),
        ({"AWS_DEFAULT_REGION": "us-east-1"}, "us-east-1"),
        ({"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-east-1"}, "eu-central-1"),
    ],
    ids=["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_REGION first"],
)
def test_the_region_falls_back_to_the_aws_variables(aws: dict[str, str], expected: str) -> None:
    settings = Settings.from_environment({**environ(RS_REGION=None), **aws})

    assert settings.region == expected


def test_rs_region_wins_over_the_aws_variables() -> None:
    settings = Settings.from_environment({**environ(), "AWS_REGION": "us-east-1"})

    assert settings.region == "eu-west-1"


def test_missing_settings_are_a_configuration_error_naming_each_variable() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_environment({})

    for name in REQUIRED:
        assert name in str(refused.value)


def test_one_missing_setting_is_named_alone() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_environment(environ(RS_INSIGHT_KEY_ARN=None))

    assert "RS_INSIGHT_KEY_ARN" in str(refused.value)
    assert "RS_IDENTITY_KEY_ARN" not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RS_TRIAGE_REDRIVE_AFTER_SECONDS", "soon"),
        ("RS_TRIAGE_REDRIVE_AFTER_SECONDS", "5"),
        ("RS_SEAL_CACHE_MAX_AGE_SECONDS", "0"),
        ("RS_SEAL_CACHE_MAX_MESSAGES", "0"),
        ("RS_RECEIPT_FAILURE_BUDGET", "0"),
        ("RS_RECEIPT_FAILURE_BUDGET", "many"),
    ],
)
def test_an_invalid_setting_is_a_configuration_error_naming_it(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_environment(environ(**{name: value}))

    assert name in str(refused.value)
    assert value not in str(refused.value)


def test_settings_round_trip_through_the_environment() -> None:
    settings = Settings.from_environment(
        environ(RS_STAGE="test", RS_SEAL_CACHE_MAX_AGE_SECONDS="12.5", RS_LOG_LEVEL="DEBUG")
    )

    variables = settings.environment()

    assert all(name.startswith("RS_") for name in variables)
    assert all(isinstance(value, str) for value in variables.values())
    assert Settings.from_environment(variables) == settings


def test_unknown_rs_variables_are_ignored() -> None:
    settings = Settings.from_environment(environ(RS_FAVOURITE_COLOUR="blue", RS_=""))

    assert settings == Settings.from_environment(environ())


def test_settings_cannot_be_changed_once_read() -> None:
    settings = Settings.from_environment(environ())

    with pytest.raises(ValueError, match="frozen"):
        settings.region = "us-east-1"  # type: ignore[misc]
