"""Who may do what: one place maps a signed-in person to what they may see and change.

A principal is either ops staff (a Django user: superuser = proxy admin, staff = admin
viewer) or a LiteLLM user signed in with their LiteLLM password, whose rights follow their
LiteLLM role, their org_admin memberships and their team-admin roles. Views ask this package
for scoped querysets (objects outside them answer 404) and for permission to act (403);
templates ask the principal's may_* properties what to show. Nothing outside it reads roles.

roles.py: role names; principal.py: the Principal and its can_*/may_* questions; scopes.py:
what they may see (Q objects, pickable teams and orgs); usage.py: usage and log questions;
signin.py: the request's principal; masking.py: ids that are secrets.
"""

from .masking import mask_secret, visible_invitation_id
from .principal import Principal
from .roles import (
    ADMIN_ROLES,
    INTERNAL_USER,
    INTERNAL_USER_VIEWER,
    LITELLM_USERNAME_PREFIX,
    ORG_ADMIN,
    ORG_ROLES,
    PROXY_ADMIN,
    PROXY_ADMIN_VIEWER,
    TEAM_ROLES,
    UI_SESSION_TEAM_ID,
    USER_ROLES,
)
from .scopes import ORG_CHOICE_PURPOSES, TEAM_CHOICE_PURPOSES, get_visible_or_404
from .signin import (
    litellm_user_id,
    parse_role_map,
    principal,
    principal_for_litellm_user,
    principal_for_user,
    role_for_groups,
    system_principal,
)
from .usage import USAGE_SCOPE_KINDS

__all__ = [
    "ADMIN_ROLES",
    "INTERNAL_USER",
    "INTERNAL_USER_VIEWER",
    "LITELLM_USERNAME_PREFIX",
    "ORG_ADMIN",
    "ORG_CHOICE_PURPOSES",
    "ORG_ROLES",
    "PROXY_ADMIN",
    "PROXY_ADMIN_VIEWER",
    "Principal",
    "TEAM_CHOICE_PURPOSES",
    "TEAM_ROLES",
    "UI_SESSION_TEAM_ID",
    "USAGE_SCOPE_KINDS",
    "USER_ROLES",
    "get_visible_or_404",
    "litellm_user_id",
    "mask_secret",
    "parse_role_map",
    "principal",
    "principal_for_litellm_user",
    "principal_for_user",
    "role_for_groups",
    "system_principal",
    "visible_invitation_id",
]
