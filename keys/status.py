"""A key's status: the one definition every list, filter, count, badge and CSV uses.

LiteLLM rejects a key as expired when `expires < now` (litellm/proxy/auth/user_api_key_auth.py,
validate_resolved_virtual_key "Check 3" and _run_post_custom_auth_checks: `if expiry_time <
current_time`), and /key/list derives blocked > expired > active the same way
(key_management_endpoints.py::_derive_key_status). So a key whose `expires` equals now is
still active; one microsecond later it is expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q

from config import writes
from config.litellm import UI_SESSION_TEAM_ID

ACTIVE, BLOCKED, EXPIRED, EXPIRING, OVER_BUDGET = "active", "blocked", "expired", "expiring", "over_budget"
STATUS_CHOICES = [
    (ACTIVE, "Active"),
    (BLOCKED, "Blocked"),
    (EXPIRED, "Expired"),
    (EXPIRING, "Expiring soon"),
    (OVER_BUDGET, "Over budget"),
]
EXPIRING_WITHIN_DAYS = 7

# blocked is a nullable boolean: NULL and false both mean usable.
NOT_BLOCKED_Q = Q(blocked__isnull=True) | Q(blocked=False)
NOT_UI_SESSION_Q = Q(team_id__isnull=True) | ~Q(team_id=UI_SESSION_TEAM_ID)


def is_expired(expires: datetime | None, now: datetime | None = None) -> bool:
    """The proxy's comparison: expired strictly after the expiry instant."""
    return expires is not None and expires < (now or writes.now_utc())


def is_over_budget(key) -> bool:
    return key.max_budget is not None and (key.spend or 0) >= key.max_budget


def key_status(key, now: datetime | None = None) -> str:
    """blocked > expired > active, as _derive_key_status ("over budget" is shown alongside)."""
    if key.blocked:
        return BLOCKED
    if is_expired(key.expires, now):
        return EXPIRED
    return ACTIVE


def status_q(status: str, now: datetime | None = None, *, within_days: int = EXPIRING_WITHIN_DAYS) -> Q:
    """The same rule as key_status, as a filter: rows where key_status(row) == status."""
    now = now or writes.now_utc()
    if status == BLOCKED:
        return Q(blocked=True)
    if status == EXPIRED:
        return NOT_BLOCKED_Q & Q(expires__lt=now)
    if status == ACTIVE:
        return NOT_BLOCKED_Q & (Q(expires__isnull=True) | Q(expires__gte=now))
    if status == EXPIRING:
        return NOT_BLOCKED_Q & Q(expires__gte=now, expires__lt=now + timedelta(days=within_days))
    if status == OVER_BUDGET:
        return Q(max_budget__isnull=False, spend__gte=F("max_budget"))
    return Q()


def usable_keys_q(now: datetime | None = None) -> Q:
    """Active keys a person made (the proxy's UI-login session keys are not counted)."""
    return status_q(ACTIVE, now) & NOT_UI_SESSION_Q


def status_label(key, now: datetime | None = None) -> str:
    """The CSV text: the status, plus " over budget" when it is."""
    label = key_status(key, now)
    return f"{label} over budget" if is_over_budget(key) else label


_BADGES = {
    ACTIVE: '<span class="badge badge-ok">Active</span>',
    BLOCKED: '<span class="badge badge-danger">Blocked</span>',
    EXPIRED: '<span class="badge">Expired</span>',
}


def status_badge(key, now: datetime | None = None) -> str:
    """The badge every page shows for a key (list, key page, user and team pages)."""
    from django.utils.safestring import mark_safe

    return mark_safe(_BADGES[key_status(key, now)])
