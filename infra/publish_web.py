"""Publish `web/` to a deployed stack's site bucket, write `/config.json`, refresh CloudFront.

    .venv/bin/python -m infra.publish_web --stack ReportSupport-prod --region eu-west-2

`scripts/deploy` runs this after `cdk deploy`; run it alone to publish changed pages. It reads
the main stack's outputs (`SiteBucket`, `DistributionId` and what `infra/site.py` needs), then:

1. uploads every file under `web/` (but developer notes, `README.md`) with its Content-Type
   and a Cache-Control: HTML pages revalidate on every visit (`no-cache`), everything else is
   cached for five minutes (the scripts are ES modules with fixed names, so a long cache would
   mix old and new modules after a publish). Assets go first, pages after them, so a new page
   never arrives before the scripts it loads;
2. writes `/config.json` (`no-cache`) from the outputs: the API at `/api`, hosted sign-in;
3. deletes every object the bucket holds that `web/` no longer has (the bucket is versioned:
   earlier versions stay recoverable until a lifecycle rule or an operator removes them);
4. invalidates `/*` on the distribution, so visitors get the new files within minutes.

A file of a type not listed in `CONTENT_TYPES` stops the publish before anything is uploaded
(the site sends `X-Content-Type-Options: nosniff`: a wrong type would break the page).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.site import REQUIRED_OUTPUTS as CONFIG_OUTPUTS
from infra.site import hosted_site_config

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
CONFIG_KEY = "config.json"
#: The main stack's outputs a publish needs.
REQUIRED_OUTPUTS = ("SiteBucket", "DistributionId", *CONFIG_OUTPUTS)

#: Content-Type by file name suffix. Text types say their charset.
CONTENT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}

#: Pages and the configuration: the browser asks every time (CloudFront answers from its cache
#: only until the next publish invalidates it).
NO_CACHE = "no-cache"
#: Scripts, styles, images: five minutes.
SHORT_CACHE = "public, max-age=300"

#: Developer documentation kept beside the pages, never published.
NOT_PUBLISHED = frozenset({"README.md"})


class PublishProblem(RuntimeError):
    """The site cannot be published as it is (the message says why)."""


@dataclass(frozen=True)
class SiteFile:
    """One object of the site: its key, where its bytes come from, and its headers."""

    key: str
    path: Path
    content_type: str
    cache_control: str


@dataclass
class Published:
    """What a publish did."""

    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    invalidation_id: str = ""


def cache_control(key: str) -> str:
    """`no-cache` for pages and the configuration, a short cache for everything else."""
    return NO_CACHE if key.endswith(".html") or key == CONFIG_KEY else SHORT_CACHE


def site_files(web_dir: Path = WEB_DIR) -> list[SiteFile]:
    """Every file to upload, assets before pages; refuses a type it does not know."""
    files: list[SiteFile] = []
    unknown: list[str] = []
    for path in sorted(p for p in web_dir.rglob("*") if p.is_file()):
        key = path.relative_to(web_dir).as_posix()
        if path.name in NOT_PUBLISHED or key == CONFIG_KEY or path.name.startswith("."):
            # `/config.json` is written from the stack's outputs, never from a local copy.
            continue
        content_type = CONTENT_TYPES.get(path.suffix.lower())
        if content_type is None:
            unknown.append(key)
            continue
        files.append(SiteFile(key, path, content_type, cache_control(key)))
    if unknown:
        raise PublishProblem(
            "no Content-Type is known for: "
            + ", ".join(unknown)
            + " (add the suffix to CONTENT_TYPES in infra/publish_web.py)"
        )
    files.sort(key=lambda f: (f.key.endswith(".html"), f.key))
    return files


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """The stack's outputs by name."""
    from botocore.exceptions import ClientError

    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        raise PublishProblem(f"stack {stack_name} not found: {error}") from None
    return {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}


def publish(
    *,
    s3: Any,
    cloudfront: Any,
    outputs: Mapping[str, str],
    web_dir: Path = WEB_DIR,
) -> Published:
    """Upload the site and its configuration, delete what is gone, invalidate the cache."""
    missing = [name for name in REQUIRED_OUTPUTS if not outputs.get(name)]
    if missing:
        raise PublishProblem(f"the stack has no {', '.join(missing)} output (is it deployed?)")
    bucket = outputs["SiteBucket"]
    files = site_files(web_dir)
    config = json.dumps(hosted_site_config(outputs), indent=2).encode("utf-8")
    result = Published()
    for site_file in files:
        s3.put_object(
            Bucket=bucket,
            Key=site_file.key,
            Body=site_file.path.read_bytes(),
            ContentType=site_file.content_type,
            CacheControl=site_file.cache_control,
        )
        result.uploaded.append(site_file.key)
    s3.put_object(
        Bucket=bucket,
        Key=CONFIG_KEY,
        Body=config,
        ContentType=CONTENT_TYPES[".json"],
        CacheControl=cache_control(CONFIG_KEY),
    )
    result.uploaded.append(CONFIG_KEY)
    kept = set(result.uploaded)
    stale = [key for key in _keys(s3, bucket) if key not in kept]
    for start in range(0, len(stale), 1000):  # DeleteObjects takes 1,000 keys at most
        batch = stale[start : start + 1000]
        answer = s3.delete_objects(
            Bucket=bucket,
            Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
        )
        if answer.get("Errors"):
            failed = ", ".join(e["Key"] for e in answer["Errors"])
            raise PublishProblem(f"could not delete {failed}")
        result.deleted.extend(batch)
    invalidation = cloudfront.create_invalidation(
        DistributionId=outputs["DistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"publish-{int(time.time())}-{uuid.uuid4().hex[:8]}",
        },
    )
    result.invalidation_id = str(invalidation["Invalidation"]["Id"])
    return result


def _keys(s3: Any, bucket: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.publish_web",
        description="Publish web/ and /config.json to a deployed Report + Support stack.",
    )
    parser.add_argument("--stack", required=True, help="the main stack, ReportSupport-<stage>")
    parser.add_argument("--region", required=True, help="the stack's region, e.g. eu-west-2")
    parser.add_argument("--web-dir", type=Path, default=WEB_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    import boto3

    session = boto3.Session(region_name=args.region)
    try:
        outputs = stack_outputs(session.client("cloudformation"), args.stack)
        result = publish(
            s3=session.client("s3"),
            cloudfront=session.client("cloudfront"),
            outputs=outputs,
            web_dir=args.web_dir,
        )
    except PublishProblem as problem:
        print(f"publish_web: {problem}", file=sys.stderr)
        return 1
    print(
        f"Published {len(result.uploaded)} files to s3://{outputs['SiteBucket']} "
        f"({len(result.deleted)} removed); CloudFront invalidation {result.invalidation_id} "
        f"for {outputs.get('SiteUrl', 'the site')}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
