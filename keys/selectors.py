"""Reads for the key pages: scoped querysets, key status, a key's daily usage and latest
requests. Bounded queries only: the keys table may hold 100,000 rows and SpendLogs millions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import OrganizationTable, TeamTable, UserTable
from budgets.models import BudgetTable
from config import writes
from config.litellm import catalog
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

RECENT_REQUESTS_DAYS = 7  # with an (api_key, "startTime") index
RECENT_REQUESTS_HOURS = 24  # without it: at most this window ...
RECENT_SCAN_ROWS = 5_000  # ... and at most this many of the proxy's newest requests
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


KNOWN_LABELS_LIMIT = 100_000


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


def attach_labels(keys, known: dict | None = None) -> None:
    """Set `team_alias` and `user_email` on each key: two primary-key lookups for the lot.
    `known` ({"team": {}, "user": {}}, kept by the caller across batches of one export) holds
    the labels already looked up, so later batches ask only for ids not seen yet (an export's
    400 teams are found in its first batch)."""
    keys = list(keys)
    known = known if known is not None else {"team": {}, "user": {}}
    teams, emails = known["team"], known["user"]
    if len(teams) + len(emails) > KNOWN_LABELS_LIMIT:  # an export's memory stays bounded
        teams.clear(), emails.clear()
    team_ids = list({k.team_id for k in keys if k.team_id and k.team_id not in teams})
    user_ids = list({k.user_id for k in keys if k.user_id and k.user_id not in emails})
    if team_ids:
        teams.update(dict.fromkeys(team_ids))  # ids without a row stay None, asked once
        teams.update(TeamTable.objects.filter(team_id__any=team_ids).values_list("team_id", "team_alias"))
    if user_ids:
        emails.update(dict.fromkeys(user_ids))
        emails.update(UserTable.objects.filter(user_id__any=user_ids).values_list("user_id", "user_email"))
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
            # The deployments' public names and access groups (deployments/selectors.py); a
            # team's own (BYOK) models carry model_info.team_id: never offered to others.
            from deployments.selectors import grantable_names

            found += [n for n in grantable_names(self.team_id) if text in n.lower()][: limit + 1]
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
    """Read once per process from pg_indexes (config.litellm.catalog)."""
    return catalog().has_index("SpendLogs", ("api_key", "startTime"))


@dataclass(frozen=True)
class RecentRequests:
    """The key page's latest requests and the window they were looked for in, so the page can
    say exactly what it read: `since` is where the search stopped (the window's start, or the
    oldest request read when the scan cap was reached first, `capped`)."""

    rows: list
    since: datetime
    hours: int
    capped: bool = False
    indexed: bool = True

    @property
    def window(self) -> str:
        """What was read, for the page: "last 7 days", "last 24 hours" or "since <time> UTC"."""
        if self.capped:
            return f"since {self.since:%Y-%m-%d %H:%M} UTC"
        return (
            f"last {self.hours // 24} days" if self.hours % 24 == 0 and self.hours > 24 else f"last {self.hours} hours"
        )

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


def _fields() -> list[str]:
    fields = ["request_id", "start_time", "model", "spend", "total_tokens", "call_type"]
    return fields + (["status"] if SpendLogs.has_column("status") else [])


def key_recent_requests(key, usage: list[DailyUsage] | None = None, *, now: datetime | None = None) -> RecentRequests:
    """The key's latest requests, newest first, at most RECENT_REQUESTS_LIMIT.

    Index-aware and bounded (issue 17). With an (api_key, "startTime") index on SpendLogs
    (detected once per process from pg_indexes) this is one indexed read of the last
    RECENT_REQUESTS_DAYS days. Without it (the seed schema, or a database migrated by SQL
    alone) a filter on api_key reads every log row of the window, ~22,000 a day on a busy
    proxy, so the key is looked for only in a small recent window: the newest
    RECENT_SCAN_ROWS requests of the proxy within the last RECENT_REQUESTS_HOURS, read
    backwards through the "startTime" index with a LIMIT (one statement; the cost is that
    LIMIT, whatever the traffic); when fewer than a page of the key's requests are found, a
    second indexed statement tells whether the cap was reached before the window's start and
    `since` then says how far back the page got. If the daily table (`usage`) shows no request of the key on the
    window's days, the logs are not read at all (a request of the last seconds, before the
    proxy flushes its daily table, may then not be shown yet)."""
    now = now or writes.now_utc()
    fields = _fields()
    if has_api_key_log_index():
        since = now - timedelta(days=RECENT_REQUESTS_DAYS)
        logs = SpendLogs.objects.filter(api_key=key.token, start_time__gte=since).only(*fields)
        return RecentRequests(
            list(logs.order_by("-start_time")[:RECENT_REQUESTS_LIMIT]), since, RECENT_REQUESTS_DAYS * 24
        )
    since = now - timedelta(hours=RECENT_REQUESTS_HOURS)
    if usage is not None and not any(d.requests and since.date() <= d.day <= now.date() for d in usage):
        return RecentRequests([], since, RECENT_REQUESTS_HOURS, indexed=False)
    quote = connections[SpendLogs.objects.db].ops.quote_name
    columns = ", ".join(quote(SpendLogs._meta.get_field(f).column) for f in fields)
    table, start = quote(SpendLogs._meta.db_table), quote("startTime")
    # A subquery, not a CTE: the planner keeps the inner LIMIT on the backward index scan and
    # filters its rows as they come (a materialized CTE cost 4-8x more here).
    sql = f"""
        SELECT {columns} FROM (
            SELECT {columns}, api_key FROM {table} WHERE {start} >= %s ORDER BY {start} DESC LIMIT %s
        ) newest WHERE api_key = %s ORDER BY {start} DESC LIMIT %s"""
    found = list(SpendLogs.objects.raw(sql, [since, RECENT_SCAN_ROWS, key.token, RECENT_REQUESTS_LIMIT]))
    capped, shown_since = False, since
    if len(found) < RECENT_REQUESTS_LIMIT:
        # Fewer than a page found: did the scan stop at its cap before the window's start?
        # (With a full page, those are the key's newest requests whatever the cap.) The
        # RECENT_SCAN_ROWS-th newest request's time, from the same index.
        window = SpendLogs.objects.filter(start_time__gte=since).order_by("-start_time")
        edge = list(window.values_list("start_time", flat=True)[RECENT_SCAN_ROWS - 1 : RECENT_SCAN_ROWS])
        if edge:
            capped, shown_since = True, edge[0]
    return RecentRequests(found, shown_since, RECENT_REQUESTS_HOURS, capped=capped, indexed=False)


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
