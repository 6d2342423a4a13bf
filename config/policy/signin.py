"""Who is asking: the principal of a request, a Django user or a LiteLLM user, computed once
per request and ended when the person's password changed since they signed in."""

from __future__ import annotations

from .principal import Principal
from .roles import (
    INTERNAL_USER,
    LITELLM_USERNAME_PREFIX,
    ORG_ADMIN,
    PROXY_ADMIN,
    PROXY_ADMIN_VIEWER,
    USER_ROLES,
)


def litellm_user_id(user) -> str | None:
    """The LiteLLM user id of a Django user made for a LiteLLM sign-in, else None."""
    username = getattr(user, "username", "") or ""
    return username[len(LITELLM_USERNAME_PREFIX) :] if username.startswith(LITELLM_USERNAME_PREFIX) else None


def principal_for_user(user) -> Principal | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    user_id = litellm_user_id(user)
    if user_id is None:
        if user.is_superuser:
            role = PROXY_ADMIN
        elif user.is_staff:
            role = PROXY_ADMIN_VIEWER
        else:
            return None
        return Principal(label=user.get_username(), role=role, ops_username=user.get_username())
    return principal_for_litellm_user(user_id)


def principal_for_litellm_user(user_id: str) -> Principal | None:
    from accounts.models import OrganizationMembership, TeamTable, UserTable
    from accounts.sessions import password_stamp

    row = UserTable.objects.filter(user_id=user_id).values("user_email", "user_role", "teams", "password").first()
    if row is None:
        return None
    role = row["user_role"] or INTERNAL_USER  # LiteLLM treats NULL/unknown as internal_user
    if role not in dict(USER_ROLES):
        role = INTERNAL_USER
    memberships = list(
        OrganizationMembership.objects.filter(user_id=user_id).values_list("organization_id", "user_role")
    )
    org_ids = frozenset(o for o, _ in memberships)
    org_admin_of = frozenset(o for o, r in memberships if r == ORG_ADMIN)
    if role == ORG_ADMIN and not org_admin_of:
        org_admin_of = frozenset()
    team_ids = frozenset(row["teams"] or [])
    team_admin_of = frozenset(
        TeamTable.objects.filter(members_with_roles__contains=[{"user_id": user_id, "role": "admin"}]).values_list(
            "team_id", flat=True
        )
    )
    return Principal(
        label=row["user_email"] or user_id,
        role=role,
        user_id=user_id,
        org_admin_of=org_admin_of,
        team_admin_of=team_admin_of,
        team_ids=team_ids | team_admin_of,
        org_ids=org_ids,
        password_stamp=password_stamp(row["password"]),
    )


def principal(request) -> Principal | None:
    """The request's principal, computed once per request."""
    if not hasattr(request, "_principal"):
        found = principal_for_user(getattr(request, "user", None))
        if found is not None and found.user_id and hasattr(request, "session"):
            found = _check_password_stamp(request, found)
        request._principal = found
    return request._principal


def _check_password_stamp(request, found: Principal) -> Principal | None:
    """A session whose user's password changed since it signed in is ended (a session from
    before this check existed is stamped now)."""
    from django.contrib.auth import logout

    from accounts.sessions import SESSION_KEY

    stored = request.session.get(SESSION_KEY)
    if stored is None:
        request.session[SESSION_KEY] = found.password_stamp
    elif stored != found.password_stamp:
        logout(request)
        return None
    return found


# --- single sign-on: IdP groups -> LiteLLM role --------------------------------------------
# The most powerful mapped role wins when a person is in several mapped groups.
ROLE_RANK = (PROXY_ADMIN, PROXY_ADMIN_VIEWER, ORG_ADMIN, INTERNAL_USER, "internal_user_viewer")


def parse_role_map(text: str) -> dict[str, str]:
    """OIDC_ROLE_MAP `group=role,group=role` -> {group: role}; an unknown role is an error."""
    mapping = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        group, sep, role = part.rpartition("=")
        group, role = group.strip(), role.strip()
        if not sep or not group or role not in dict(USER_ROLES):
            raise ValueError(f"OIDC_ROLE_MAP entry {part.strip()!r}: write group=role, role one of {ROLE_RANK}")
        mapping[group] = role
    return mapping


def role_for_groups(groups, role_map: dict[str, str]) -> str | None:
    """The LiteLLM role the person's IdP groups give, or None when no group is mapped (their
    role in LiteLLM_UserTable then stays as it is)."""
    found = {role_map[g] for g in groups or () if g in role_map}
    return next((r for r in ROLE_RANK if r in found), None)


def system_principal(label: str) -> Principal:
    """Background work that reads the whole proxy on nobody's behalf (the alert evaluation): it
    sees every row, as a proxy admin does, and is never a signed-in person."""
    return Principal(label=label, role=PROXY_ADMIN)
