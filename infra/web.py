"""The two web front ends and the API on one origin: S3 + CloudFront.

- A private bucket (public access blocked, S3-managed encryption, versioned, TLS only) read
  by CloudFront alone through origin access control. `scripts/deploy` uploads `web/` and
  writes `/config.json` (`infra/site.py`) after the stack is up.
- `/api/*` goes to the regional API Gateway (its stage is named `api`), uncached, with every
  viewer header but Host; everything else is the bucket, where a CloudFront function turns
  `/report/` into `/report/index.html` (S3 has no directory index behind OAC).
- Response headers on everything: a strict Content-Security-Policy (the portal's also lets it
  reach the hosted sign-in's token endpoint), HSTS, no referrer, no framing, no sniffing.
- The WAF web ACL (CloudFront scope, made by the edge stack in us-east-1) guards every path.
- No CloudFront access logs: they would hold every reporter's IP address (M1).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.config import DeploymentConfig

_BASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)

#: `/report/` -> `/report/index.html`: S3 behind OAC serves no directory index.
_INDEX_FUNCTION = """
function handler(event) {
  var request = event.request;
  if (request.uri === '/') {
    return {statusCode: 302, statusDescription: 'Found',
            headers: {location: {value: '/report/'}}};
  }
  if (request.uri.endsWith('/')) { request.uri += 'index.html'; }
  return request;
}
"""


def content_security_policy(hosted_sign_in_url: str | None = None) -> str:
    """The CSP: only this origin, and for the portal also the hosted sign-in's endpoints."""
    connect = "'self'" if hosted_sign_in_url is None else f"'self' {hosted_sign_in_url}"
    return _BASE_CSP.format(connect=connect)


class WebFront(Construct):
    """The bucket, the distribution and its behaviours."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        rest_api_id: str,
        hosted_sign_in_url: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.bucket = s3.Bucket(
            self,
            "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        pages_headers = self._headers("Pages", content_security_policy())
        portal_headers = self._headers("Portal", content_security_policy(hosted_sign_in_url))
        index = cloudfront.Function(
            self,
            "DirectoryIndex",
            code=cloudfront.FunctionCode.from_inline(_INDEX_FUNCTION),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        site = origins.S3BucketOrigin.with_origin_access_control(self.bucket)

        def static(headers: cloudfront.IResponseHeadersPolicy) -> cloudfront.BehaviorOptions:
            return cloudfront.BehaviorOptions(
                origin=site,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=index, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            )

        api_origin = origins.HttpOrigin(
            f"{rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{config.prefix}: report form, staff portal and API",
            domain_names=[config.web_domain],
            certificate=acm.Certificate.from_certificate_arn(
                self, "Certificate", config.certificate_arn
            ),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            web_acl_id=config.web_acl_arn,
            default_root_object="",
            enable_logging=False,
            default_behavior=static(pages_headers),
            additional_behaviors={
                "/portal/*": static(portal_headers),
                "/api/*": cloudfront.BehaviorOptions(
                    origin=api_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=(
                        cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER
                    ),
                    response_headers_policy=pages_headers,
                ),
            },
        )

    def _headers(self, name: str, csp: str) -> cloudfront.ResponseHeadersPolicy:
        return cloudfront.ResponseHeadersPolicy(
            self,
            f"{name}Headers",
            comment=f"Report + Support security headers ({name.lower()})",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=csp, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(730),
                    include_subdomains=True,
                    preload=False,
                    override=True,
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy",
                        value="camera=(), microphone=(), geolocation=()",
                        override=True,
                    )
                ]
            ),
        )
