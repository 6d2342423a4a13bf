"""Reads for the key pages: scoped querysets, key status, a key's daily usage and latest
requests. Bounded queries only: the keys table may hold 100,000 rows and SpendLogs millions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import OrganizationTable, TeamTable, UserTable
from budgets.models import BudgetTable
from config import writes
from config.litellm import catalog
from config.models import ProxyModelTable
from usage import daily
from usage.daily import DailyUsage  # noqa: F401 (the key page's rows)
from usage.models import SpendLogs

from .models import VerificationToken

# Key status has one definition (keys/status.py); re-exported for the key pages.
from .status import (  # noqa: E402,F401
    ACTIVE,
    BLOCKED,
    EXPIRED,
    EXPIRING,
    NOT_UI_SESSION_Q,
    OVER_BUDGET,
    STATUS_CHOICES,
    is_over_budget,
    key_status,
    status_q,
)

RECENT_REQUESTS_DAYS = 7
RECENT_REQUESTS_LIMIT = 20
USAGE_DAYS = 30

# Columns a list page needs (never the wide JSON columns); optional ones added when present.
LIST_COLUMNS = (
    "token",
    "key_name",
    "key_alias",
    "user_id",
    "team_id",
    "organization_id",
    "spend",
    "max_budget",
    "budget_duration",
    "budget_reset_at",
    "blocked",
    "expires",
    "created_at",
    "models",
)


def has_last_active() -> bool:
    return VerificationToken.has_column("last_active")


def key_queryset(principal, *, include_ui_sessions: bool = False) -> QuerySet:
    """Keys the principal may see, the list's columns only. Team aliases and owner emails
    are not joined in here: `attach_labels` adds them to the rows shown, after the LIMIT
    (a subquery in the SELECT list runs for every row an OFFSET skips, 10,000 on page 200)."""
    columns = list(LIST_COLUMNS) + (["last_active"] if has_last_active() else [])
    qs = VerificationToken.objects.filter(principal.keys_q()).only(*columns)
    if not include_ui_sessions:
        # The proxy's own filter: team_id IS NULL OR team_id <> 'litellm-dashboard'.
        qs = qs.filter(NOT_UI_SESSION_Q)
    return qs


def attach_labels(keys) -> None:
    """Set `team_alias` and `user_email` on each key: two primary-key lookups for the lot."""
    keys = list(keys)
    team_ids = {k.team_id for k in keys if k.team_id}
    user_ids = {k.user_id for k in keys if k.user_id}
    teams = TeamTable.objects.filter(team_id__in=team_ids).values_list("team_id", "team_alias")
    emails = UserTable.objects.filter(user_id__in=user_ids).values_list("user_id", "user_email")
    teams, emails = dict(teams) if team_ids else {}, dict(emails) if user_ids else {}
    for key in keys:
        key.team_alias = teams.get(key.team_id)
        key.user_email = emails.get(key.user_id)


def sees_only_own_keys(principal) -> bool:
    """True when keys_q() is just "my keys" (no admin, org admin or team admin scope)."""
    return not principal.may_see_others_keys()


def team_choices(principal) -> list[tuple[str, str]]:
    """Teams the key list may be filtered by."""
    qs = TeamTable.objects.filter(principal.team_choices_q("filter"))
    return [(t, a or t) for t, a in qs.order_by("team_alias", "team_id").values_list("team_id", "team_alias")]


def org_choices(principal) -> list[tuple[str, str]]:
    qs = OrganizationTable.objects.filter(principal.orgs_q())
    return [
        (o, a or o) for o, a in qs.order_by("organization_alias").values_list("organization_id", "organization_alias")
    ]


def org_keys_q(organization_id: str) -> Q:
    """Keys of an org: their own organization_id, or their team's."""
    in_team = TeamTable.objects.filter(organization_id=organization_id, team_id=OuterRef("team_id"))
    return Q(organization_id=organization_id) | Q(Exists(in_team))


def user_keys_q(text: str) -> Q:
    """A user id, or (part of) an email."""
    text = text.strip()
    ids = UserTable.objects.filter(Q(user_id=text) | Q(user_email__icontains=text)).values("user_id")
    return Q(user_id=text) | Q(user_id__in=ids)


def key_team_choices(principal) -> list[tuple[str, str]]:
    """Teams offered on the key form: only those the principal may put a key in."""
    qs = TeamTable.objects.filter(principal.team_choices_q())
    return [(t, a or t) for t, a in qs.order_by("team_alias", "team_id").values_list("team_id", "team_alias")]


# LiteLLM's special model names (_types.py::SpecialModelNames).
ALL_TEAM_MODELS, ALL_PROXY_MODELS, NO_DEFAULT_MODELS = "all-team-models", "all-proxy-models", "no-default-models"
SPECIAL_MODELS = (ALL_TEAM_MODELS, ALL_PROXY_MODELS, NO_DEFAULT_MODELS)
MODEL_MATCHES_LIMIT = 50


@dataclass(frozen=True)
class ModelScope:
    """The models a person may give a key. `names` None: every proxy model (a team or user
    with `models` empty or holding all-proxy-models, as LiteLLM reads it), so any name grants
    nothing beyond what the owner already has."""

    names: frozenset[str] | None
    specials: tuple[str, ...]
    owner_label: str
    team_id: str | None = None

    def allows(self, name: str) -> bool:
        return name in self.specials or self.names is None or name in self.names

    def matches(self, text: str, limit: int = MODEL_MATCHES_LIMIT) -> list[str]:
        """Up to `limit` grantable names containing `text` (case-insensitive), specials first."""
        text = text.strip().lower()
        found = [m for m in self.specials if text in m]
        if self.names is None:
            # A team's own (BYOK) models carry model_info.team_id: never offered to others.
            private = Q(model_info__team_id__isnull=False) & ~Q(model_info__team_id=self.team_id or "")
            qs = ProxyModelTable.objects.exclude(model_name="").exclude(private)
            if text:
                qs = qs.filter(model_name__icontains=text)
            names = qs.order_by("model_name").values_list("model_name", flat=True).distinct()[: limit + 1]
            found += list(names)
        else:
            found += sorted(m for m in self.names if text in m.lower())[: limit + 1]
        return found[: limit + 1]


def _scope_of(models, specials: tuple[str, ...], label: str, team_id: str | None = None) -> ModelScope:
    models = [m for m in (models or []) if m]
    if not models or ALL_PROXY_MODELS in models:
        return ModelScope(None, specials + (ALL_PROXY_MODELS,), label, team_id)
    return ModelScope(frozenset(m for m in models if m not in SPECIAL_MODELS), specials, label, team_id)


def grantable_models(principal, team: TeamTable | None) -> ModelScope:
    """What a key of `team` (None: a personal key) may be given by this principal: a team
    key the team's models (the proxy checks a team key's models against its team's); a
    personal key the principal's own user models (proxy admins: every model)."""
    if team is not None:
        return _scope_of(team.models, (ALL_TEAM_MODELS,), f"team {team.team_alias or team.team_id}", team.team_id)
    if principal.can_grant_any_model():
        return ModelScope(None, (ALL_PROXY_MODELS, NO_DEFAULT_MODELS), "you")
    own = UserTable.objects.filter(user_id=principal.user_id).values_list("models", flat=True).first()
    return _scope_of(own, (NO_DEFAULT_MODELS,), "you")


# --- The key page ------------------------------------------------------------------------------


def key_daily_usage(key, *, days: int = USAGE_DAYS, today: date | None = None) -> list[DailyUsage]:
    """The key's spend per day: usage/daily.py, the dashboard's key scope (api_key = the hash)."""
    return daily.last_days(daily.scope("key", key.token), days, today=today)


def has_api_key_log_index() -> bool:
    return catalog().has_index("SpendLogs", ("api_key", "startTime"))


def key_recent_requests(key, usage: list[DailyUsage] | None = None, *, now: datetime | None = None) -> list:
    """The key's latest requests (newest first, at most RECENT_REQUESTS_LIMIT) from the last
    RECENT_REQUESTS_DAYS days.

    With an (api_key, "startTime") index this is one indexed read. Without it (the seed schema,
    or a database migrated by SQL alone) every log row in the window is scanned, so only the
    days the daily spend table shows the key active are read, one day at a time, newest first,
    until enough requests are found: usually one day instead of seven. (A request made in the
    last seconds, before the proxy flushes the daily table, may not be shown yet.)"""
    now = now or writes.now_utc()
    fields = ["request_id", "start_time", "model", "spend", "total_tokens", "call_type"]
    if SpendLogs.has_column("status"):
        fields.append("status")
    logs = SpendLogs.objects.filter(api_key=key.token).only(*fields).order_by("-start_time")
    if usage is None or has_api_key_log_index():
        return list(logs.filter(start_time__gte=now - timedelta(days=RECENT_REQUESTS_DAYS))[:RECENT_REQUESTS_LIMIT])
    horizon = now.date() - timedelta(days=RECENT_REQUESTS_DAYS - 1)
    active = sorted({d.day for d in usage if d.requests and horizon <= d.day <= now.date()}, reverse=True)
    found: list = []
    for day in active:
        start = datetime.combine(day, datetime.min.time())
        window = logs.filter(start_time__gte=start, start_time__lt=start + timedelta(days=1))
        found += list(window[: RECENT_REQUESTS_LIMIT - len(found)])
        if len(found) >= RECENT_REQUESTS_LIMIT:
            break
    return found


def key_labels(key) -> dict[str, str | None]:
    """Team alias, owner and creator emails and org alias for one key (primary-key lookups)."""
    team = (
        TeamTable.objects.filter(team_id=key.team_id).values("team_alias", "organization_id", "blocked").first()
        if key.team_id
        else None
    )
    org_id = key.organization_id or (team or {}).get("organization_id")
    people = dict(
        UserTable.objects.filter(user_id__in=[u for u in (key.user_id, key.created_by) if u]).values_list(
            "user_id", "user_email"
        )
    )
    return {
        "created_by": people.get(key.created_by) or key.created_by,
        "team_blocked": bool((team or {}).get("blocked")),
        "team_alias": (team or {}).get("team_alias"),
        "user_email": people.get(key.user_id),
        "organization_id": org_id,
        "org_alias": OrganizationTable.objects.filter(organization_id=org_id)
        .values_list("organization_alias", flat=True)
        .first()
        if org_id
        else None,
    }


def key_soft_budget(key) -> float | None:
    if not key.budget_id:
        return None

    return BudgetTable.objects.filter(budget_id=key.budget_id).values_list("soft_budget", flat=True).first()
