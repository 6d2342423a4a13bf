from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import dates, policy


def _pending(principal) -> int:
    from deployments.selectors import pending_count

    return pending_count(principal)


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
    ("reports", "Reports", "reports:month_list"),
    ("invitations", "Invitations", "accounts:invitation_list"),
    ("models", "Models", "deployments:model_list"),
    ("model_requests", "Model requests", "deployments:request_list"),
    ("audit", "Audit", "audit:audit_list"),
    ("alerts", "Alerts", "alerts:alert_list"),
    ("jobs", "Jobs", "jobs:job_list"),
    ("database", "Database", "database:health"),
]


def console(request):
    principal = policy.principal(request) if hasattr(request, "user") else None
    nav, pending = [], 0
    if principal is not None:
        nav = [(s, label, url) for s, label, url in NAVIGATION if principal.can_open(s)]
        if principal.may_review_model_requests():
            # Counted only when a template shows it (never on the ops admin's pages), once per
            # request: a page may render several templates with this context.
            if not hasattr(request, "_model_request_count"):
                request._model_request_count = SimpleLazyObject(lambda: _pending(principal))
            pending = request._model_request_count
    return {
        "principal": principal,
        "navigation": nav,
        "model_request_count": pending,
        "proxy_cache_ttl": settings.LITELLM_CACHE_TTL_SECONDS,
        "console_time_zone": dates.zone_name(),
        # Where this page's LiteLLM reads came from, when a replica is configured (config/replica.py).
        "replica_reads": getattr(request, "replica_reads", None) if principal is not None else None,
    }
