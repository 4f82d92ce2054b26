"""The staff user pool: sign-in for screeners, advisors, analysts and admins.

- MFA is required, by authenticator app (TOTP): a stolen password alone opens nothing. The
  hosted sign-in enrols the authenticator at the first sign-in and asks for a code every time.
- Nobody signs themselves up; an admin invites staff (the first admin: `docs/deploy.md`).
- A strong password policy (14 characters, every kind) and 3-day temporary passwords.
- The portal's app client uses the hosted sign-in with the authorization code flow and PKCE,
  no client secret (the portal is a public client), tokens for an hour at most.
- Optionally the university's single sign-on (SAML or OIDC) as an identity provider. Roles
  stay the pool's groups: a federated member appears in the pool at their first sign-in and
  an admin adds them to a group (`docs/deploy.md`), so the university's directory can never
  grant access to case data by itself.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from chalicelib.resources import RESOURCES, physical_name
from infra.config import DeploymentConfig


class StaffPool(Construct):
    """The user pool, its groups (the roles), the hosted sign-in and the portal's client."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        spec = RESOURCES.user_pool
        self.pool = cognito.UserPool(
            self,
            "Pool",
            user_pool_name=physical_name(config.stage, spec.logical_name),
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            sign_in_case_sensitive=False,
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            feature_plan=(
                cognito.FeaturePlan.PLUS
                if config.threat_protection
                else cognito.FeaturePlan.ESSENTIALS
            ),
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION
                if config.threat_protection
                else None
            ),
            deletion_protection=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        for group in spec.groups:
            cognito.CfnUserPoolGroup(
                self,
                f"{group.capitalize()}Group",
                user_pool_id=self.pool.user_pool_id,
                group_name=group,
                description=f"Report + Support {group}",
            )
        self.domain = self.pool.add_domain(
            "HostedSignIn",
            cognito_domain=cognito.CognitoDomainOptions(
                domain_prefix=config.hosted_sign_in_domain.split(".", 1)[0]
            ),
        )
        providers = [cognito.UserPoolClientIdentityProvider.COGNITO]
        if config.single_sign_on is not None:
            providers = [self._single_sign_on(config)]
        self.client = self.pool.add_client(
            "Portal",
            user_pool_client_name="portal",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=False, user_password=False, custom=False),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID],
                callback_urls=[config.portal_url],
                logout_urls=[config.portal_url],
            ),
            supported_identity_providers=providers,
            access_token_validity=cdk.Duration.minutes(spec.access_token_minutes),
            id_token_validity=cdk.Duration.minutes(spec.access_token_minutes),
            refresh_token_validity=cdk.Duration.hours(8),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
        )

    def _single_sign_on(self, config: DeploymentConfig) -> cognito.UserPoolClientIdentityProvider:
        sso = config.single_sign_on
        assert sso is not None
        mapping = cognito.AttributeMapping(email=cognito.ProviderAttribute.other("email"))
        if sso.kind == "saml":
            provider: cognito.UserPoolIdentityProviderSaml | cognito.UserPoolIdentityProviderOidc
            provider = cognito.UserPoolIdentityProviderSaml(
                self,
                "University",
                user_pool=self.pool,
                name=sso.name,
                metadata=cognito.UserPoolIdentityProviderSamlMetadata.url(sso.metadata_url),
                attribute_mapping=mapping,
            )
        else:
            provider = cognito.UserPoolIdentityProviderOidc(
                self,
                "University",
                user_pool=self.pool,
                name=sso.name,
                issuer_url=sso.metadata_url,
                client_id=sso.client_id,
                client_secret=sso.client_secret,
                scopes=["openid", "email"],
                attribute_mapping=mapping,
            )
        self.pool.register_identity_provider(provider)
        return cognito.UserPoolClientIdentityProvider.custom(sso.name)

    @property
    def hosted_domain_url(self) -> str:
        """`https://<prefix>.auth.<region>.amazoncognito.com`."""
        # Spelled out from the settings (not the domain resource's token), so the CSP is text.
        return f"https://{self.config.hosted_sign_in_domain}"
