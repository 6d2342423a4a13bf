"""OpenID Connect single sign-on: the IdP says who the person is, LiteLLM's tables say what they
may do.

Authlib (not mozilla-django-oidc) because it reads the provider's discovery document itself
(`server_metadata_url`: OIDC_ISSUER/.well-known/openid-configuration), does PKCE (S256) and the
nonce for us, and validates the ID token's signature (the provider's JWKS), `iss`, `aud`, `exp`
and `nonce` in one call (CodeIDToken); mozilla-django-oidc wants every endpoint configured by
hand and leaves issuer checks to the caller. The state lives in the session until the callback,
which removes it; tokens are never stored (only the claims are read, then dropped).

The person is matched to exactly one LiteLLM_UserTable row by verified email, case-insensitively
(as the password sign-in in accounts/auth.py), signed in as the same `litellm:<user_id>` Django
user, so config/policy/signin.py computes their rights from LiteLLM's tables as for a password
sign-in. Creating the user (OIDC_CREATE_USERS) and writing a role from OIDC_ROLE_MAP go through
accounts.services (audited), as LiteLLM's own SSO does through /user/new and /user/update with a
proxy-admin caller (proxy/management_endpoints/ui_sso.py insert_sso_user).
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import audit_trail, policy

from .models import UserTable

logger = logging.getLogger(__name__)


class SignInRefused(Exception):
    """The IdP's answer cannot sign anyone in; the message is shown to the person."""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def discovery_url() -> str:
    return settings.OIDC_ISSUER + "/.well-known/openid-configuration"


@functools.cache
def _client(issuer: str, client_id: str, client_secret: str, scopes: str):
    from authlib.integrations.django_client import OAuth

    oauth = OAuth()
    return oauth.register(
        name="sso",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "code_challenge_method": "S256"},
    )


def client():
    """The Authlib client for the configured provider (one per configuration, metadata cached)."""
    if not settings.OIDC_CLIENT_ID:
        raise ImproperlyConfigured("OIDC_ISSUER is set: set OIDC_CLIENT_ID (and OIDC_CLIENT_SECRET) too.")
    if "openid" not in settings.OIDC_SCOPES.split():
        raise ImproperlyConfigured("OIDC_SCOPES must include openid.")
    return _client(settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET, settings.OIDC_SCOPES)


def metadata() -> dict:
    """The provider's discovery document; its `issuer` must be OIDC_ISSUER exactly
    (OpenID Connect Discovery 1.0, section 4.3)."""
    found = client().load_server_metadata()
    if (found.get("issuer") or "").rstrip("/") != settings.OIDC_ISSUER:
        raise SignInRefused("The identity provider answered for another issuer than OIDC_ISSUER.")
    return found


def start(request, redirect_uri: str):
    """The redirect to the provider: code flow with PKCE (S256), a fresh state and nonce."""
    metadata()
    return client().authorize_redirect(request, redirect_uri)


def finish(request) -> dict:
    """The callback: state checked against the session, code exchanged with the PKCE verifier,
    the ID token validated (signature, iss = OIDC_ISSUER, aud = OIDC_CLIENT_ID, exp, nonce).
    Returns the ID token's claims; raises SignInRefused."""
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError

    state = request.GET.get("state") or ""
    if not state or f"_state_sso_{state}" not in request.session:
        raise SignInRefused("This sign-in was not started here, or it was already used (state does not match).")
    session_data = request.session.get(f"_state_sso_{state}", {}).get("data") or {}
    if not session_data.get("nonce"):
        raise SignInRefused("This sign-in has no nonce; start again.")
    try:
        metadata()
        token = client().authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "values": [settings.OIDC_ISSUER]},
                "aud": {"essential": True, "values": [settings.OIDC_CLIENT_ID]},
            },
        )
    except (AuthlibBaseError, JoseError, ValueError) as exc:
        logger.warning("sso sign-in refused: %s", exc)
        raise SignInRefused(f"The identity provider's answer was refused ({_reason(exc)}).") from exc
    claims = dict(token.get("userinfo") or {})
    token.clear()  # the access/refresh/ID tokens are not kept anywhere
    if not claims:
        raise SignInRefused("The identity provider sent no ID token.")
    return claims


def _reason(exc) -> str:
    text = getattr(exc, "description", None) or getattr(exc, "error", None) or str(exc) or type(exc).__name__
    return str(text).splitlines()[0][:160]


def verified_email(claims: dict) -> str:
    email = claims.get(settings.OIDC_EMAIL_CLAIM)
    if not isinstance(email, str) or "@" not in email:
        raise SignInRefused(f"The identity provider sent no email address (claim {settings.OIDC_EMAIL_CLAIM}).")
    if claims.get("email_verified") is not True:
        raise SignInRefused(f"The identity provider has not verified the email address {email}.")
    return email.strip()


def groups_of(claims: dict) -> list[str]:
    if not settings.OIDC_GROUPS_CLAIM:
        return []
    found = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(found, str):
        found = [found]
    return [str(g) for g in found]


def _actor(request):
    # LiteLLM's SSO writes as a proxy-admin caller without a user (ui_sso.py insert_sso_user):
    # the master-key shape, with "sso" as who in the console's own trail.
    return audit_trail.actor_for(None, request, fallback_username="sso")


def litellm_user_for(request, claims: dict) -> str:
    """The LiteLLM user id the claims sign in as: matched by verified email (any case), created
    when OIDC_CREATE_USERS allows, its role set from OIDC_ROLE_MAP when a group is mapped."""
    from . import services

    email = verified_email(claims)
    role_map = policy.parse_role_map(settings.OIDC_ROLE_MAP)
    mapped = policy.role_for_groups(groups_of(claims), role_map)
    rows = list(UserTable.objects.filter(user_email__iexact=email).values("user_id", "user_role")[:2])
    if len(rows) > 1:
        raise SignInRefused(f"More than one LiteLLM user has the email {email}: ask an admin to merge them.")
    if not rows:
        if not settings.OIDC_CREATE_USERS:
            raise SignInRefused(f"There is no LiteLLM user with the email {email}. Ask an admin to invite you.")
        row = services.user_create(actor=_actor(request), email=email, role=mapped or settings.OIDC_DEFAULT_ROLE)
        logger.info("sso created LiteLLM user %s for %s", row["user_id"], email)
        return row["user_id"]
    user_id = rows[0]["user_id"]
    if mapped and rows[0]["user_role"] != mapped:
        services.user_update(actor=_actor(request), user_id=user_id, changes={"user_role": mapped})
        logger.info("sso set role of %s to %s from IdP groups", user_id, mapped)
    return user_id


def end_session_url(post_logout_redirect_uri: str) -> str | None:
    """The provider's RP-initiated logout address, when it has one."""
    from urllib.parse import urlencode

    try:
        endpoint = metadata().get("end_session_endpoint")
    except Exception:  # noqa: BLE001 - a provider down at sign-out must not keep anyone signed in
        return None
    if not endpoint:
        return None
    query = urlencode({"client_id": settings.OIDC_CLIENT_ID, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
