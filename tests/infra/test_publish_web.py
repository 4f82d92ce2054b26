"""Publishing `web/` to a deployed stack (`infra/publish_web.py`), against moto's S3,
CloudFront and CloudFormation: what is uploaded, with which headers, what is deleted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.publish_web import (
    NO_CACHE,
    SHORT_CACHE,
    PublishProblem,
    main,
    publish,
    site_files,
    stack_outputs,
)

pytestmark = pytest.mark.infra

REGION = "eu-west-2"
STACK = "ReportSupport-ci"
HOSTED = "https://report-support-ci-default.auth.eu-west-2.amazoncognito.com"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """moto's S3, CloudFront and a CloudFormation stack with the main stack's outputs."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        cloudfront = session.client("cloudfront")
        distribution = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": "publish-test",
                "Comment": "publish test",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "site",
                            "DomainName": "site.s3.eu-west-2.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "site",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                },
            }
        )["Distribution"]
        template = {
            "Resources": {"Site": {"Type": "AWS::S3::Bucket"}},
            "Outputs": {
                "SiteBucket": {"Value": {"Ref": "Site"}},
                "DistributionId": {"Value": distribution["Id"]},
                "SiteUrl": {"Value": "https://report.example.ac.uk/"},
                "HostedSignInUrl": {"Value": HOSTED},
                "PortalClientId": {"Value": "portalclient123"},
            },
        }
        cloudformation = session.client("cloudformation")
        cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(template))
        outputs = stack_outputs(cloudformation, STACK)
        yield {
            "s3": session.client("s3"),
            "cloudfront": cloudfront,
            "outputs": outputs,
            "distribution_id": distribution["Id"],
        }


@pytest.fixture
def web(tmp_path: Path) -> Path:
    """A small site shaped like `web/`."""
    files = {
        "README.md": "# notes for developers",
        "report/index.html": "<!doctype html><title>Report</title>",
        "report/report.js": "export const x = 1;",
        "report/report.css": "body { margin: 0 }",
        "portal/index.html": "<!doctype html><title>Portal</title>",
        "portal/js/main.js": "import './config.js';",
        "portal/favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "portal/vendor/lib-1.0/LICENSE.md": "MIT",
        "config.json": '{"auth": {"mode": "password"}}',
    }
    for name, text in files.items():
        path = tmp_path / "web" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "web"


def _objects(s3: Any, bucket: str) -> dict[str, dict[str, Any]]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key) for key in keys}


def test_uploads_every_file_with_its_type_and_cache(aws: dict[str, Any], web: Path) -> None:
    result = publish(
        s3=aws["s3"], cloudfront=aws["cloudfront"], outputs=aws["outputs"], web_dir=web
    )

    objects = _objects(aws["s3"], aws["outputs"]["SiteBucket"])
    headers = {key: (o["ContentType"], o["CacheControl"]) for key, o in objects.items()}
    assert headers == {
        "report/index.html": ("text/html; charset=utf-8", NO_CACHE),
        "report/report.js": ("text/javascript; charset=utf-8", SHORT_CACHE),
        "report/report.css": ("text/css; charset=utf-8", SHORT_CACHE),
        "portal/index.html": ("text/html; charset=utf-8", NO_CACHE),
        "portal/js/main.js": ("text/javascript; charset=utf-8", SHORT_CACHE),
        "portal/favicon.svg": ("image/svg+xml", SHORT_CACHE),
        "portal/vendor/lib-1.0/LICENSE.md": ("text/markdown; charset=utf-8", SHORT_CACHE),
        "config.json": ("application/json", NO_CACHE),
    }
    assert objects["report/report.js"]["Body"].read() == b"export const x = 1;"
    assert sorted(result.uploaded) == sorted(headers)
    # Pages go up after the scripts and styles they load; the configuration after the pages.
    assert result.uploaded[-1] == "config.json"
    first_page = min(i for i, key in enumerate(result.uploaded) if key.endswith(".html"))
    assert all(not key.endswith(".html") for key in result.uploaded[:first_page])
    assert all(key.endswith(".html") for key in result.uploaded[first_page:-1])


def test_config_json_is_the_hosted_one_not_the_local_copy(aws: dict[str, Any], web: Path) -> None:
    publish(s3=aws["s3"], cloudfront=aws["cloudfront"], outputs=aws["outputs"], web_dir=web)

    body = aws["s3"].get_object(Bucket=aws["outputs"]["SiteBucket"], Key="config.json")["Body"]
    assert json.loads(body.read()) == {
        "apiUrl": "/api",
        "auth": {
            "mode": "hosted",
            "domain": HOSTED,
            "clientId": "portalclient123",
            "redirectUri": "https://report.example.ac.uk/portal/",
            "scopes": "openid",
            "logoutUri": "https://report.example.ac.uk/portal/",
        },
    }


def test_deletes_what_web_no_longer_has_and_invalidates(aws: dict[str, Any], web: Path) -> None:
    s3, bucket = aws["s3"], aws["outputs"]["SiteBucket"]
    publish(s3=s3, cloudfront=aws["cloudfront"], outputs=aws["outputs"], web_dir=web)
    (web / "report" / "report.css").unlink()
    (web / "report" / "new.js").write_text("export {};")

    result = publish(s3=s3, cloudfront=aws["cloudfront"], outputs=aws["outputs"], web_dir=web)

    assert result.deleted == ["report/report.css"]
    keys = set(_objects(s3, bucket))
    assert "report/report.css" not in keys
    assert {"report/new.js", "config.json", "report/index.html"} <= keys
    invalidation = aws["cloudfront"].get_invalidation(
        DistributionId=aws["distribution_id"], Id=result.invalidation_id
    )["Invalidation"]
    assert invalidation["InvalidationBatch"]["Paths"]["Items"] == ["/*"]


def test_an_unknown_file_type_stops_before_anything_is_uploaded(
    aws: dict[str, Any], web: Path
) -> None:
    (web / "report" / "data.bin").write_bytes(b"\0")
    with pytest.raises(PublishProblem, match=r"report/data\.bin"):
        publish(s3=aws["s3"], cloudfront=aws["cloudfront"], outputs=aws["outputs"], web_dir=web)
    assert _objects(aws["s3"], aws["outputs"]["SiteBucket"]) == {}


def test_a_stack_without_the_outputs_is_refused(aws: dict[str, Any], web: Path) -> None:
    outputs = {k: v for k, v in aws["outputs"].items() if k != "DistributionId"}
    with pytest.raises(PublishProblem, match="DistributionId"):
        publish(s3=aws["s3"], cloudfront=aws["cloudfront"], outputs=outputs, web_dir=web)


def test_command_line_reads_the_stack(
    aws: dict[str, Any], web: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--stack", STACK, "--region", REGION, "--web-dir", str(web)]) == 0
    assert "Published 8 files" in capsys.readouterr().out
    assert main(["--stack", "ReportSupport-missing", "--region", REGION]) == 1


def test_the_real_web_directory_publishes_every_file() -> None:
    # Every file under web/ has a known type (else a deploy would stop), and the developer
    # notes stay behind.
    keys = {f.key for f in site_files()}
    assert {"report/index.html", "portal/index.html", "portal/js/config.js"} <= keys
    assert "README.md" not in keys
