"""The role names LiteLLM stores, the choices built from them, and the team the proxy keeps
its own UI sign-in keys in."""

from __future__ import annotations

LITELLM_USERNAME_PREFIX = "litellm:"

PROXY_ADMIN = "proxy_admin"
PROXY_ADMIN_VIEWER = "proxy_admin_viewer"
ORG_ADMIN = "org_admin"
INTERNAL_USER = "internal_user"
INTERNAL_USER_VIEWER = "internal_user_viewer"

USER_ROLES = [
    (PROXY_ADMIN, "Proxy admin"),
    (PROXY_ADMIN_VIEWER, "Proxy admin viewer"),
    (ORG_ADMIN, "Org admin"),
    (INTERNAL_USER, "Internal user"),
    (INTERNAL_USER_VIEWER, "Internal user viewer"),
]
ORG_ROLES = [(ORG_ADMIN, "Org admin"), (INTERNAL_USER, "Internal user"), (INTERNAL_USER_VIEWER, "Viewer")]
TEAM_ROLES = [("admin", "Admin"), ("user", "User")]
# Accounts only proxy admins touch (/user/new, /organization/member_update).
ADMIN_ROLES = (PROXY_ADMIN, PROXY_ADMIN_VIEWER)

from config.litellm import UI_SESSION_TEAM_ID  # noqa: E402,F401 (one definition)
