"""Headline figures for the home page: one query per figure set."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, Sum

from accounts.models import InvitationLink, TeamTable, UserTable
from config.litellm import logical_name
from config.models import AuditLog
from config.policy import UI_SESSION_TEAM_ID
from config.views.audit import actor_emails
from keys.models import VerificationToken
from usage.models import DailyUserSpend

from .writes import now_utc


def month_bounds(today: date) -> tuple[date, date, date]:
    """(first of this month, first of last month, last day of last month)."""
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return first, last_month_end.replace(day=1), last_month_end


def active_keys_q(now=None) -> Q:
    """Usable keys: not blocked, not expired, and not the proxy's UI-session keys."""
    now = now or now_utc()
    return (
        (Q(blocked__isnull=True) | Q(blocked=False))
        & (Q(expires__isnull=True) | Q(expires__gt=now))
        & (Q(team_id__isnull=True) | ~Q(team_id=UI_SESSION_TEAM_ID))
    )


def home_figures(principal) -> dict:
    today = now_utc().date()
    first, last_first, last_end = month_bounds(today)
    spend_rows = DailyUserSpend.objects.filter(date__gte=last_first.isoformat(), date__lte=today.isoformat())
    keys = VerificationToken.objects.filter(active_keys_q())
    if not principal.sees_everything:
        spend_rows = spend_rows.filter(user_id=principal.user_id)
        keys = keys.filter(principal.keys_q())
    spend = spend_rows.aggregate(
        this_month=Sum("spend", filter=Q(date__gte=first.isoformat())),
        last_month=Sum("spend", filter=Q(date__lte=last_end.isoformat())),
    )
    figures = {
        "spend_this_month": spend["this_month"] or 0.0,
        "spend_last_month": spend["last_month"] or 0.0,
        "active_keys": keys.count(),
        "month_label": first.strftime("%B %Y"),
        "last_month_label": last_first.strftime("%B %Y"),
    }
    if principal.sees_everything or principal.is_org_admin:
        users = UserTable.objects.filter(principal.users_q())
        teams = TeamTable.objects.filter(principal.teams_q())
        figures["users"] = users.count()
        figures["teams"] = teams.count()
        invitations = InvitationLink.objects.filter(is_accepted=False, expires_at__date__gte=today)
        if not principal.sees_everything:
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
