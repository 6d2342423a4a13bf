"""Entity lookups for filters (the selectors layer): one resolver per entity kind, turning what
a page shows (a team alias, an email, a key alias, a model group) into the internal ids the
tables hold, and one choice list per kind for the filters' datalists.

Every resolver and every list is scoped to what the viewer may see (the policy's Q objects):
a name outside that scope matches nothing, exactly as a name that does not exist, and no list
names an entity the viewer may not see. A resolver answers a Match; an empty one carries the
message the filter shows next to its field ("No team matches “foo”.").

Indexes each lookup relies on (`manage.py indexes`; ../shared/litellm-schema.md §4.1):
- ids are primary keys on both schemas (team_id, user_id, token, organization_id, the end
  user's user_id); an `sk-...` key is hashed first, then found by its primary key;
- team aliases: "LiteLLM_TeamTable_team_alias_idx" on the newest schema; the seed schema has
  none, and scans TeamTable (one row per team: hundreds at a large proxy, well under 1 ms);
- emails: "LiteLLM_UserTable_user_email_lower_idx" (LOWER(user_email)) on the newest schema,
  which is why the lookup compares LOWER(user_email), never ILIKE; the seed schema scans
  UserTable (20k rows at a large proxy: a few ms);
- key aliases: no index on either schema. Non-admins are narrowed first by keys_q() (the
  "user_id"/"(user_id, team_id)" indexes); for admins it is one scan of VerificationToken
  (~20 ms at 100k keys). `manage.py indexes` recommends VerificationToken(key_alias), which
  the alias lookup (alone, not ORed with key_name) and the key datalist's order then use;
  masked names ("sk-...abcd") are looked up by key_name only when the text is one;
- organization and end-user aliases: no index on either schema; both tables are small (an
  end user the proxy logged but never stored is found by "LiteLLM_SpendLogs_end_user_idx");
- models: the daily tables' "model" index (both schemas) answers "is this a model name";
  a model group is recognised from ProxyModelTable (one row per deployment) or, for groups
  only in the proxy's config.yaml, from the last LOOKBACK_DAYS of DailyTeamSpend through its
  "date" index (both schemas); there is no model_group index anywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import connections
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from config.litellm import UI_SESSION_TEAM_ID, table_name
from config.routers import read_alias

CHOICES_LIMIT = 500  # entries in one datalist; past that the field still accepts any typed value
LOOKBACK_DAYS = 31

NOUNS = {
    "team": "team",
    "user": "user",
    "key": "key",
    "org": "organization",
    "model": "model or model group",
    "end_user": "end user",
    "actor": "user or ops login",
}


@dataclass(frozen=True)
class Match:
    """What a typed value stands for: the internal ids (empty: nothing the viewer may see),
    and for models which column holds them ("model" or "model_group")."""

    kind: str
    typed: str
    ids: tuple[str, ...] = ()
    label: str = ""
    column: str = ""

    def __bool__(self) -> bool:
        return bool(self.ids)

    @property
    def message(self) -> str:
        return f"No {NOUNS[self.kind]} matches “{self.typed}”."


def _match(kind: str, typed: str, rows, label_of=None) -> Match:
    rows = list(rows)
    ids = tuple(dict.fromkeys(r[0] for r in rows))
    label = (label_of(rows[0]) if label_of else rows[0][1]) if rows else ""
    return Match(kind, typed, ids, label or (ids[0] if ids else ""))


# --- teams -----------------------------------------------------------------------------------


def _visible_teams(principal, purpose: str):
    from accounts.models import TeamTable

    if principal is None:
        return TeamTable.objects.exclude(team_id=UI_SESSION_TEAM_ID)
    return TeamTable.objects.filter(principal.team_choices_q(purpose))


def resolve_team(principal, text: str, purpose: str = "filter") -> Match:
    """A team id or alias (exact; an alias case-insensitively when no exact one matches)."""
    text = text.strip()
    teams = _visible_teams(principal, purpose)
    # team_id: the primary key; team_alias: "LiteLLM_TeamTable_team_alias_idx" (newest schema)
    rows = teams.filter(Q(team_id=text) | Q(team_alias=text)).values_list("team_id", "team_alias")
    if not rows:
        rows = teams.filter(team_alias__iexact=text).values_list("team_id", "team_alias")
    return _match("team", text, rows[:50])


def team_choices(principal, purpose: str = "filter") -> list[tuple[str, str]]:
    """(what to type, what it is) for a team datalist: aliases, and ids of teams without one."""
    rows = _visible_teams(principal, purpose).order_by("team_alias", "team_id").values_list("team_id", "team_alias")
    return [(alias or team_id, team_id) for team_id, alias in rows[:CHOICES_LIMIT]]


# --- users -----------------------------------------------------------------------------------


def _visible_users(principal):
    from accounts.models import UserTable

    return UserTable.objects.filter(principal.users_q()) if principal is not None else UserTable.objects.all()


def resolve_user(principal, text: str, *, partial: bool = False) -> Match:
    """A user id or an email (any case). `partial`: when neither matches exactly, the users
    whose email contains the text (a search, so it scans UserTable: the key list's owner)."""
    text = text.strip()
    users = _visible_users(principal)
    # user_id: the primary key; LOWER(user_email): "LiteLLM_UserTable_user_email_lower_idx"
    rows = users.filter(Q(user_id=text) | Exact(Lower("user_email"), text.lower())).values_list("user_id", "user_email")
    if partial and not rows:
        rows = users.filter(user_email__icontains=text).values_list("user_id", "user_email")
    return _match("user", text, rows[:50])


def user_choices(principal) -> list[tuple[str, str]]:
    rows = _visible_users(principal).order_by("user_email", "user_id").values_list("user_id", "user_email")
    return [(email or user_id, user_id if email else "") for user_id, email in rows[:CHOICES_LIMIT]]


# --- keys ------------------------------------------------------------------------------------


def _visible_keys(principal):
    from keys.models import VerificationToken

    keys = VerificationToken.objects.exclude(team_id=UI_SESSION_TEAM_ID)
    return keys.filter(principal.keys_q()) if principal is not None else keys


def key_hash(text: str) -> str | None:
    """The hash the proxy stores for a raw `sk-...` key or a 64-hex hash; None for anything else."""
    text = text.strip()
    if text.startswith("sk-") and not text.startswith("sk-..."):
        return hashlib.sha256(text.encode()).hexdigest()
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text.lower()):
        return text.lower()
    return None


def resolve_key(principal, text: str) -> Match:
    """A raw key, its hash, its alias, or its masked name ("sk-...abcd")."""
    text = text.strip()
    keys = _visible_keys(principal)
    hashed = key_hash(text)
    columns = ("token", "key_alias", "key_name")
    if hashed:
        return _match("key", text, keys.filter(token=hashed).values_list(*columns)[:50], lambda r: r[1] or r[2])
    # The alias alone first: one column, so a VerificationToken(key_alias) index (`manage.py
    # indexes`) serves it; `key_alias = X OR key_name = X` scans every key even with one.
    rows = list(keys.filter(key_alias=text).values_list(*columns)[:50])
    if not rows and text.startswith("sk-..."):
        # A masked name: LiteLLM writes key_name as "sk-..." + the key's last 4 characters
        # (litellm/proxy/auth/auth_utils.py::abbreviate_api_key), so nothing else can match
        # one. No index on key_name (a scan of the keys, only for this kind of text).
        rows = list(keys.filter(key_name=text).values_list(*columns)[:50])
    return _match("key", text, rows, lambda r: r[1] or r[2])


def key_choices(principal) -> list[tuple[str, str]]:
    rows = (
        _visible_keys(principal)
        .exclude(key_alias__isnull=True)
        .exclude(key_alias="")
        .order_by("key_alias")
        .values_list("key_alias", "key_name")
    )
    return [(alias, name or "") for alias, name in rows[:CHOICES_LIMIT]]


# --- organizations -----------------------------------------------------------------------------


def _visible_orgs(principal, purpose: str):
    from accounts.models import OrganizationTable

    orgs = OrganizationTable.objects.all()
    return orgs.filter(principal.org_choices_q(purpose)) if principal is not None else orgs


def resolve_org(principal, text: str, purpose: str = "filter") -> Match:
    text = text.strip()
    orgs = _visible_orgs(principal, purpose)
    rows = orgs.filter(Q(organization_id=text) | Q(organization_alias=text)).values_list(
        "organization_id", "organization_alias"
    )
    if not rows:
        rows = orgs.filter(organization_alias__iexact=text).values_list("organization_id", "organization_alias")
    return _match("org", text, rows[:50])


def org_choices(principal, purpose: str = "filter") -> list[tuple[str, str]]:
    rows = (
        _visible_orgs(principal, purpose)
        .order_by("organization_alias")
        .values_list("organization_id", "organization_alias")
    )
    return [(alias or org_id, org_id) for org_id, alias in rows[:CHOICES_LIMIT]]


# --- end users ---------------------------------------------------------------------------------


def resolve_end_user(principal, text: str) -> Match:
    """An end user's id (what SpendLogs.end_user holds) or alias. Only those who see the end
    users list look them up; for anyone else the typed id is taken as it is (their request
    logs are narrowed to their own keys anyway) and no list is offered."""
    from accounts.models import EndUserTable

    text = text.strip()
    if principal is not None and not principal.may_see_whole_proxy:
        return Match("end_user", text, (text,), text)
    rows = EndUserTable.objects.filter(Q(user_id=text) | Q(alias=text)).values_list("user_id", "alias")[:50]
    if not rows:
        from usage.models import SpendLogs

        # the proxy logs end users it never stored: "LiteLLM_SpendLogs_end_user_idx" (both schemas)
        rows = [(text, text)] if SpendLogs.objects.filter(end_user=text).exists() else []
    return _match("end_user", text, rows)


def end_user_choices(principal) -> list[tuple[str, str]]:
    from accounts.models import EndUserTable

    if principal is not None and not principal.may_see_whole_proxy:
        return []
    rows = EndUserTable.objects.order_by("user_id").values_list("user_id", "alias")
    return [(user_id, alias or "") for user_id, alias in rows[:CHOICES_LIMIT]]


# --- models ------------------------------------------------------------------------------------


def _has_rows(where: str, params: list) -> bool:
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table_name("DailyTeamSpend")}" WHERE {where})', params)
        return bool(cursor.fetchone()[0])


def _model_groups_in_db() -> list[str]:
    from config.models import ProxyModelTable

    return list(ProxyModelTable.objects.exclude(model_name="").values_list("model_name", flat=True).distinct())


def resolve_model(principal, text: str) -> Match:
    """A model group (the name keys and teams are given, e.g. `claude-3-5-sonnet`) or a model
    name as the proxy logs it (e.g. `claude-3-5-sonnet-20241022`). column says which of the
    logs' columns to filter: "model_group" or "model". A name that is both (LiteLLM often
    names a group after its model) is taken as the group: it counts every deployment's rows."""
    from config.models import ProxyModelTable

    from .writes import now_utc

    text = text.strip()
    if not text:
        return Match("model", text)
    if ProxyModelTable.objects.filter(model_name=text).exists():
        return Match("model", text, (text,), text, "model_group")
    since = (now_utc() - timedelta(days=LOOKBACK_DAYS)).date().isoformat()
    # "date" index, then a filter on model_group (config.yaml groups are in no table)
    if _has_rows("date >= %s AND model_group = %s", [since, text]):
        return Match("model", text, (text,), text, "model_group")
    if _has_rows("model = %s", [text]):  # the "model" index, both schemas
        return Match("model", text, (text,), text, "model")
    return Match("model", text)


def _logged_models() -> list[str]:
    """Distinct DailyTeamSpend.model values, read as a loose scan of its "model" index (one
    index probe per name, however many rows each name has)."""
    t = table_name("DailyTeamSpend")
    sql = f"""
        WITH RECURSIVE m(model) AS (
            (SELECT model FROM "{t}" WHERE model IS NOT NULL AND model <> '' ORDER BY model LIMIT 1)
            UNION ALL
            SELECT (SELECT model FROM "{t}" WHERE model > m.model ORDER BY model LIMIT 1)
            FROM m WHERE m.model IS NOT NULL
        )
        SELECT model FROM m WHERE model IS NOT NULL LIMIT %s
    """
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, [CHOICES_LIMIT])
        return [row[0] for row in cursor.fetchall()]


def model_choices(principal) -> list[tuple[str, str]]:
    """Model groups (as the key form shows them) then the model names the proxy logged.
    People who do not see the whole proxy get the groups their teams and they may call
    (every group when one of those lists is empty or says all-proxy-models, as LiteLLM reads it)."""
    groups = _model_groups_in_db()
    logged = _logged_models()
    if principal is not None and not principal.may_see_whole_proxy:
        allowed = _callable_models(principal)
        if allowed is not None:
            return [(m, "model group") for m in sorted(allowed)]
    choices = [(g, "model group") for g in sorted(set(groups))]
    choices += [(m, "model") for m in logged if m not in set(groups)]
    return choices[:CHOICES_LIMIT]


def _callable_models(principal) -> set[str] | None:
    """The models a non-admin's teams and own account allow; None: every proxy model."""
    names: set[str] = set()
    lists = list(_visible_teams(principal, "filter").values_list("models", flat=True))
    lists += list(_visible_users(principal).filter(user_id=principal.user_id).values_list("models", flat=True))
    for models in lists:
        models = [m for m in (models or []) if m]
        if not models or "all-proxy-models" in models:
            return None
        names.update(m for m in models if m not in ("all-team-models", "no-default-models"))
    return names


# --- audit actors ------------------------------------------------------------------------------


def resolve_actor(text: str) -> Match:
    """An audit row's actor as the page shows it: a user's email or id, or an ops login. ids
    are what the trails' changed_by holds (user ids, and the typed text itself, which covers
    ids of deleted users and LiteLLM's "default_user_id"); column "ops" marks an ops login,
    whose rows are found through AuditAttribution. Empty when none of these exist."""
    from django.contrib.auth import get_user_model

    from config.models import AuditAttribution, AuditLog, ConsoleAuditLog

    text = text.strip()
    users = resolve_user(None, text)
    if users:
        return Match("actor", text, users.ids, users.label)
    # ops logins: console tables (auth_user.username is unique; the attribution is small)
    if (
        get_user_model().objects.filter(username=text).exists()
        or AuditAttribution.objects.filter(ops_username=text).exists()
    ):
        return Match("actor", text, (text,), text, "ops")
    # a changed_by no user row has (a deleted user, default_user_id): no index on changed_by
    if AuditLog.objects.filter(changed_by=text).exists() or ConsoleAuditLog.objects.filter(changed_by=text).exists():
        return Match("actor", text, (text,), text)
    return Match("actor", text)


def actor_choices() -> list[tuple[str, str]]:
    """Users' emails, then the ops logins the trail names (only those who see the whole proxy
    read the audit log; ops logins that never changed anything are not listed)."""
    from accounts.models import UserTable
    from config.models import AuditAttribution

    ops = AuditAttribution.objects.order_by("ops_username").values_list("ops_username", flat=True).distinct()
    users = UserTable.objects.exclude(user_email__isnull=True).order_by("user_email")
    choices = [(email, user_id) for email, user_id in users.values_list("user_email", "user_id")[:CHOICES_LIMIT]]
    return choices + [(name, "ops login") for name in ops[:100]]
