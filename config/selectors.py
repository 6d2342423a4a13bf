"""Headline figures for the home page: one query per figure set."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q

from accounts.models import InvitationLink, TeamTable, UserTable
from config.litellm import logical_name
from config.models import AuditLog
from config.views.audit import actor_emails
from keys.models import VerificationToken

from .routers import LITELLM_ALIAS
from .writes import now_utc


def month_bounds(today: date) -> tuple[date, date, date]:
    """(first of this month, first of last month, last day of last month)."""
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return first, last_month_end.replace(day=1), last_month_end


def active_keys_q(now=None) -> Q:
    """Usable keys: not blocked, not expired, and not the proxy's UI-session keys."""
    from keys.status import usable_keys_q

    return usable_keys_q(now)


HOME_FIGURES_KEY = "home-figures-v1"


def _home_figures_key(principal) -> str:
    from django.conf import settings

    name = settings.DATABASES[LITELLM_ALIAS]["NAME"]
    return f"{HOME_FIGURES_KEY}:{name}:{int(principal.may_see_people_figures)}"


def home_figures(principal) -> dict:
    """The whole proxy's figures are counted once per HOME_FIGURES_SECONDS (100,000 keys to
    count, the open days to sum: ~80 ms at the benchmark's scale) and dropped at once when the
    console writes a row (`forget_home_figures`); `as_of` says when they were counted. A
    person who sees only their own keys and teams gets them live (their indexes make it cheap)."""
    from django.conf import settings
    from django.core.cache import cache

    seconds = getattr(settings, "HOME_FIGURES_SECONDS", 60)
    if not principal.may_see_whole_proxy or seconds <= 0:
        return _count_home_figures(principal)
    key = _home_figures_key(principal)
    figures = cache.get(key)
    if figures is None or figures["month_label"] != now_utc().date().replace(day=1).strftime("%B %Y"):
        figures = {**_count_home_figures(principal), "as_of": now_utc(), "kept_seconds": seconds}
        cache.set(key, figures, seconds)
    return figures


def forget_home_figures(model, **kwargs) -> None:
    """rows_written receiver (config/apps.py): after a change to a table the figures count,
    the next home page counts again."""
    from django.conf import settings
    from django.core.cache import cache

    from usage.models import DailyUserSpend

    if not issubclass(model, (VerificationToken, UserTable, TeamTable, InvitationLink, DailyUserSpend)):
        return
    name = settings.DATABASES[LITELLM_ALIAS]["NAME"]
    cache.delete_many([f"{HOME_FIGURES_KEY}:{name}:{people}" for people in (0, 1)])


def _count_home_figures(principal) -> dict:
    from accounts.invitation_status import PENDING, invitation_status_q
    from usage import daily

    today = now_utc().date()
    first, last_first, last_end = month_bounds(today)
    # The usage dashboard's numbers (usage/daily.py): the whole proxy, or the person's own.
    scope = daily.scope("proxy") if principal.may_see_whole_proxy else daily.scope("user", principal.user_id)
    # closed days from the dashboard's closed-days cache, the open days live (usage/daily.py)
    days = daily.spend_by_day(scope, first=last_first, last=today)
    keys = VerificationToken.objects.filter(active_keys_q())
    if not principal.may_see_whole_proxy:
        keys = keys.filter(principal.keys_q())
    figures = {
        "spend_this_month": sum(spend for day, spend in days if day >= first),
        "spend_last_month": sum(spend for day, spend in days if day <= last_end),
        "active_keys": keys.count(),
        "month_label": first.strftime("%B %Y"),
        "last_month_label": last_first.strftime("%B %Y"),
    }
    if principal.may_see_people_figures:
        users = UserTable.objects.filter(principal.users_q())
        teams = TeamTable.objects.filter(principal.teams_q())
        figures["users"] = users.count()
        figures["teams"] = teams.count()
        invitations = InvitationLink.objects.filter(invitation_status_q(PENDING, today))
        if not principal.may_see_whole_proxy:
            invitations = invitations.filter(user_id__in=users.values("user_id"))
        figures["pending_invitations"] = invitations.aggregate(n=Count("id"))["n"]
    else:
        figures["teams"] = len(principal.team_ids)
    return figures


def recent_audit_entries(*, limit: int = 6) -> list:
    """The newest audit rows, with the actor's email where the actor is a LiteLLM user."""
    entries = list(AuditLog.objects.defer("before_value", "updated_values").order_by("-updated_at")[:limit])
    emails = actor_emails({e.changed_by for e in entries})
    for entry in entries:
        entry.actor_label = emails.get(entry.changed_by, entry.changed_by)
        logical = logical_name(entry.table_name)
        entry.table_label = AUDIT_TABLE_LABELS.get(logical, logical)
    return entries


# LiteLLM's audit table names, in words (LitellmTableNames and the console's own).
AUDIT_TABLE_LABELS = {
    "VerificationToken": "key",
    "TeamTable": "team",
    "UserTable": "user",
    "OrganizationTable": "organization",
    "BudgetTable": "budget",
    "InvitationLink": "invitation",
    "EndUserTable": "end user",
    "ProxyModelTable": "model",
    "Config": "config",
}
