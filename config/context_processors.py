from django.conf import settings

from . import policy

# (section, label, url name) in navigation order.
NAVIGATION = [
    ("keys", "Keys", "keys:key_list"),
    ("teams", "Teams", "accounts:team_list"),
    ("users", "Users", "accounts:user_list"),
    ("organizations", "Organizations", "accounts:org_list"),
    ("end_users", "End users", "accounts:enduser_list"),
    ("budgets", "Budgets", "budgets:budget_overview"),
    ("usage", "Usage", "usage:dashboard"),
    ("logs", "Request logs", "usage:spendlog_list"),
    ("invitations", "Invitations", "accounts:invitation_list"),
    ("audit", "Audit", "audit:audit_list"),
    ("database", "Database", "database:health"),
]


def console(request):
    principal = policy.principal(request) if hasattr(request, "user") else None
    nav = []
    if principal is not None:
        nav = [(s, label, url) for s, label, url in NAVIGATION if principal.can_open(s)]
    return {
        "principal": principal,
        "navigation": nav,
        "proxy_cache_ttl": settings.LITELLM_CACHE_TTL_SECONDS,
    }
