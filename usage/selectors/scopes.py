"""Scopes: what the figures are about, which rows of each daily table belong to one, and
which scopes a person may pick (the policy decides; this module asks it)."""

from __future__ import annotations

from dataclasses import dataclass

from config import lookups
from config.litellm import catalog, table_name

SCOPE_KINDS = [
    ("proxy", "Whole proxy"),
    ("org", "Organization"),
    ("team", "Team"),
    ("user", "User"),
    ("key", "Key"),
    ("tag", "Tag"),
    ("model", "Model"),
]
SCOPE_LABELS = dict(SCOPE_KINDS)
ENTITY_COLUMN = {"DailyUserSpend": "user_id", "DailyTeamSpend": "team_id", "DailyTagSpend": "tag"}


@dataclass(frozen=True)
class Scope:
    kind: str
    value: str | None = None
    label: str = "Whole proxy"
    budget: float | None = None  # max_budget of the team/user/key/org, when it has one
    column: str = "model"  # a model scope: "model" (a logged model name) or "model_group"

    @property
    def base_table(self) -> str:
        """The daily table the headline figures come from."""
        if self.kind == "user":
            return "DailyUserSpend"
        if self.kind == "tag":
            return "DailyTagSpend"
        return "DailyTeamSpend"

    def breakdowns(self) -> list[str]:
        """Breakdown tables that make sense for this scope."""
        if self.kind == "tag":
            return ["keys", "models", "providers"]
        kinds = ["teams", "users", "keys", "models", "providers", "tags"]
        drop = {"team": {"teams"}, "user": {"users"}, "key": {"keys", "teams", "users"}, "model": {"models"}}
        return [k for k in kinds if k not in drop.get(self.kind, set())]

    def stack_choices(self) -> list[str]:
        return ["model"] if self.kind in ("tag", "team", "key", "user") else ["model", "team"]


def _keys_sql(where: str, column: str = "token") -> str:
    return f'SELECT {column} FROM "{table_name("VerificationToken")}" WHERE {where}'


def scope_filter(scope: Scope, table: str) -> tuple[str, list]:
    """(SQL condition, params) selecting `table`'s rows that belong to `scope`.

    Where a table has no column for the scope, rows are matched through the scope's keys. Where
    the table has no api_key index (the seed schema), the entity column is narrowed too (the
    owners of those keys), so the (entity, date) index does the work instead of a scan of the
    whole date range."""
    teams_of_org = f'SELECT team_id FROM "{table_name("TeamTable")}" WHERE organization_id = %s'
    if scope.kind == "proxy":
        return "TRUE", []
    if scope.kind == "key":
        return "api_key = %s", [scope.value]
    if scope.kind == "model":
        if scope.column == "model_group":
            # a group (the name keys are given): no model_group index on either schema; the
            # period's date condition this is ANDed with narrows the rows first
            return "model_group = %s", [scope.value]
        # the bare column, so the model index serves it (a model scope is never "none")
        return "model = %s", [scope.value]
    if scope.kind == "tag" and table == "DailyTagSpend":
        return "tag = %s", [scope.value]
    if scope.kind == "team":
        if table == "DailyTeamSpend":
            return "team_id = %s", [scope.value]
        keys_where, params = "team_id = %s", [scope.value]
    elif scope.kind == "org":
        if table == "DailyTeamSpend":
            return f"team_id IN ({teams_of_org})", [scope.value]
        keys_where, params = f"team_id IN ({teams_of_org})", [scope.value]
    elif scope.kind == "user":
        if table == "DailyUserSpend":
            return "user_id = %s", [scope.value]
        keys_where, params = "user_id = %s", [scope.value]
    else:
        raise ValueError(f"scope {scope.kind} has no rows in {table}")
    if scope.kind == "org":
        # An organization's keys are thousands at a large proxy: the planner, which sees how
        # many the subquery returns, picks between the api_key index and the date range.
        condition = f"api_key IN ({_keys_sql(keys_where)})"
    else:
        # A team's or a user's keys are few: resolved first (an InitPlan, through the
        # VerificationToken team_id / user_id index), then their rows are read through the
        # daily table's api_key index. As `IN (subquery)` the planner hash-joined the keys
        # with every row of the period instead (the whole proxy's users for a team's top
        # users: BENCHMARKS.md Notes, issue 17 third pass).
        condition = f"api_key = ANY(ARRAY({_keys_sql(keys_where)}))"
    if catalog().has_index(table, ("api_key",)):
        # Newer schemas index api_key on the daily tables: the key list alone is the fast
        # path (adding the owners below would make the planner try every key x owner pair).
        return condition, params
    if table == "DailyUserSpend":
        # (COALESCE: the keys without an owner charge the '' row)
        owners = _keys_sql(keys_where, "COALESCE(user_id, '')")
        condition += f" AND user_id IN ({owners})"
        params = params * 2
    elif table == "DailyTeamSpend":
        teams = _keys_sql(keys_where, "COALESCE(team_id, '')")
        condition += f" AND team_id IN ({teams})"
        params = params * 2
    return condition, params


def scope_kinds_for(principal) -> list[str]:
    """Scope kinds a person may pick, in SCOPE_KINDS order (the policy decides)."""
    return [k for k, _ in SCOPE_KINDS if principal.may_pick_usage_scope(k)]


def default_scope_value(principal) -> tuple[str, str | None]:
    return principal.default_usage_scope()


def visible_teams(principal):
    """Teams a person may pick as a scope (id, label), ordered by name."""
    from accounts.models import TeamTable

    qs = TeamTable.objects.filter(principal.team_choices_q("usage"))
    return [(t, a or t) for t, a in qs.order_by("team_alias", "team_id").values_list("team_id", "team_alias")]


def visible_orgs(principal):
    from accounts.models import OrganizationTable

    qs = OrganizationTable.objects.filter(principal.org_choices_q("usage"))
    return list(qs.order_by("organization_alias").values_list("organization_id", "organization_alias"))


class ScopeRefused(Exception):
    """The person may not look at this kind of scope at all (403)."""


class ScopeNotFound(Exception):
    """No such team/user/key/org among those the person may see (404). `message` says what
    was looked for, for the field it was typed into."""

    def __init__(self, kind: str, message: str = ""):
        super().__init__(kind)
        self.message = message


def pick_scope(principal, kind: str | None, value: str | None) -> Scope:
    """The scope a dashboard request asks for: the role's default when it names none; the first
    team or organization one may see when a tab is picked without one; and, for kinds whose
    value is typed (user, key, tag, model), a Scope with value None until one is given.
    Raises ScopeRefused (403) or ScopeNotFound (404)."""
    default_kind, default_value = default_scope_value(principal)
    kind = kind or default_kind
    value = (value or "").strip() or (default_value if kind == default_kind else None)
    if kind not in scope_kinds_for(principal):
        raise ScopeRefused(kind)
    if value is None and kind in ("team", "org"):
        choices = visible_teams(principal) if kind == "team" else visible_orgs(principal)
        value = choices[0][0] if choices else None
    if value is None and kind in ("user", "key", "tag", "model") and not (kind == "user" and principal.user_id):
        return Scope(kind, None, f"pick a {SCOPE_LABELS[kind].lower()}")
    return resolve_scope(principal, kind, value)


def resolve_scope(principal, kind: str, value: str | None) -> Scope:
    """Check the person may see `kind`/`value`, and load its label and budget."""
    from accounts.models import OrganizationTable, TeamTable, UserTable
    from budgets.models import BudgetTable
    from keys.models import VerificationToken

    if kind not in scope_kinds_for(principal):
        raise ScopeRefused(kind)
    value = (value or "").strip() or None
    if kind == "proxy":
        return Scope("proxy")
    if kind == "user" and value is None and principal.user_id:
        value = principal.user_id
    if value is None:
        raise ScopeNotFound(kind)
    if kind == "org":
        if not principal.can_see_usage_of_org(value):
            raise ScopeNotFound(kind)
        org = OrganizationTable.objects.filter(organization_id=value).values("organization_alias", "budget_id").first()
        if org is None:
            raise ScopeNotFound(kind)
        budget = BudgetTable.objects.filter(budget_id=org["budget_id"]).values_list("max_budget", flat=True).first()
        return Scope("org", value, org["organization_alias"] or value, budget)
    if kind == "team":
        team = TeamTable.objects.filter(team_id=value).values("team_alias", "organization_id", "max_budget").first()
        if team is None or not principal.can_see_usage_of_team(value, team["organization_id"]):
            raise ScopeNotFound(kind)
        return Scope("team", value, team["team_alias"] or value, team["max_budget"])
    if kind == "user":
        match = lookups.resolve_user(principal, value)
        user_id = next((u for u in match.ids if principal.can_see_usage_of_user(u)), None)
        if user_id is None:
            raise ScopeNotFound(kind, match.message)
        row = UserTable.objects.filter(user_id=user_id).values("user_id", "user_email", "max_budget").first()
        return Scope("user", row["user_id"], row["user_email"] or row["user_id"], row["max_budget"])
    if kind == "key":
        match = lookups.resolve_key(principal, value)
        if not match:
            raise ScopeNotFound(kind, match.message)
        keys = VerificationToken.objects.filter(token=match.ids[0])
        row = keys.values("token", "key_alias", "key_name", "max_budget").first()
        return Scope("key", row["token"], row["key_alias"] or row["key_name"] or row["token"][:12], row["max_budget"])
    if kind == "tag":
        return Scope("tag", value, value)
    if kind == "model":
        match = lookups.resolve_model(principal, value)
        if not match:
            raise ScopeNotFound(kind, match.message)
        return Scope("model", value, value, column=match.column)
    raise ScopeRefused(kind)
