"""A realistic LiteLLM deployment, written the way the proxy would have written it.

`build_deployment()` fills an empty LiteLLM schema (either version) with organizations and
their budget rows, teams whose rosters agree in all three places the proxy keeps them, users
of every role (the demo accounts below among them), virtual keys (blocked, expired, budgeted,
UI-session ones), end users, invitations, 90 days of daily user/team/tag spend whose per-day
totals agree across the three tables, spend logs for the last few days that sum to those
days' daily rows, a few error logs and audit rows; the spend counters on keys, users, teams
and orgs roughly match the daily rows.

It stands in for the proxy, so it writes the proxy's counters itself (with COPY on the
`litellm` connection: a few seconds at demo size). Used by `manage.py demo` on the embedded
database and by the browser tests; never run against a real proxy's database.
"""

from __future__ import annotations

import base64
import hashlib
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import JSONField
from psycopg.types.json import Jsonb

from . import writes
from .litellm import UI_SESSION_TEAM_ID
from .routers import LITELLM_ALIAS

DEMO_PASSWORD = "Demo-Password-1!"

# (email, name, LiteLLM role, org alias, [(team alias, team role)], org role)
DEMO_ACCOUNTS = [
    ("admin@acme.example", "Alex Morgan", "proxy_admin", None, [], None),
    ("viewer@acme.example", "Vera Lindqvist", "proxy_admin_viewer", None, [], None),
    ("orgadmin@acme.example", "Omar Haddad", "org_admin", "Acme Corp", [], "org_admin"),
    ("lead@acme.example", "Lena Fischer", "internal_user", "Acme Corp", [("ml-research", "admin")], "internal_user"),
    (
        "dev@acme.example",
        "Dev Patel",
        "internal_user",
        "Acme Corp",
        [("ml-research", "user"), ("platform", "user")],
        "internal_user",
    ),
    (
        "intern@acme.example",
        "Iris Novak",
        "internal_user_viewer",
        "Acme Corp",
        [("ml-research", "user")],
        "internal_user_viewer",
    ),
]

# (alias, domain, max_budget, budget_duration)
ORGS = [
    ("Acme Corp", "acme.example", 1000.0, "1mo"),
    ("Globex Research", "globex.example", 400.0, "1mo"),
    ("Initech", "initech.example", 300.0, None),
]

# (alias, org alias, max_budget, budget_duration, models, blocked)
TEAMS = [
    ("ml-research", "Acme Corp", 200.0, "1mo", ["gpt-4o", "claude-3-5-sonnet", "gpt-4o-mini"], False),
    ("platform", "Acme Corp", 100.0, "1mo", [], False),
    ("data-eng", "Acme Corp", 50.0, "30d", ["gpt-4o-mini", "text-embedding-3-small"], False),
    ("support-bots", "Globex Research", 120.0, "1mo", ["gpt-4o-mini", "claude-3-5-haiku"], False),
    ("growth", "Globex Research", 20.0, "7d", [], False),
    ("security", "Initech", None, None, ["gpt-4o", "claude-3-5-sonnet"], False),
    ("finance-analytics", "Initech", 40.0, "1mo", ["gpt-4o-mini", "gemini-1.5-pro"], False),
    ("legacy-chatbot", None, 10.0, None, ["gpt-4o-mini"], True),
]

# (model, model group, provider, $ per 1M prompt tokens, $ per 1M completion tokens, call type)
MODELS = [
    ("gpt-4o", "gpt-4o", "openai", 2.5, 10.0, "acompletion"),
    ("gpt-4o-mini", "gpt-4o-mini", "openai", 0.15, 0.6, "acompletion"),
    ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet", "anthropic", 3.0, 15.0, "acompletion"),
    ("claude-3-5-haiku-20241022", "claude-3-5-haiku", "anthropic", 0.8, 4.0, "acompletion"),
    ("gemini-1.5-pro", "gemini-1.5-pro", "vertex_ai", 1.25, 5.0, "acompletion"),
    ("text-embedding-3-small", "text-embedding-3-small", "openai", 0.02, 0.0, "aembedding"),
]
MODEL_BY_GROUP = {m[1]: m for m in MODELS}
MODEL_POPULARITY = {
    "gpt-4o": 5,
    "gpt-4o-mini": 8,
    "claude-3-5-sonnet": 4,
    "claude-3-5-haiku": 3,
    "gemini-1.5-pro": 2,
    "text-embedding-3-small": 2,
}
API_BASES = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "vertex_ai": "https://us-central1-aiplatform.googleapis.com",
}
ENDPOINTS = {"acompletion": "/chat/completions", "aembedding": "/embeddings"}
TAGS = [
    "User-Agent: OpenAI/Python 1.54.3",
    "User-Agent: langchain/0.3.7",
    "feature:chat",
    "feature:search",
    "batch",
    "eval",
]
KEY_PURPOSES = ["laptop", "notebook", "ci", "prod", "staging", "batch", "eval", "agent", "scratch", "backfill"]
FIRST_NAMES = (
    "Maya Noah Priya Lucas Sofia Mateo Aisha Jonas Chloe Kenji Elena Tariq Hannah Diego Mei Felix Amara Oskar "
    "Leila Tomás Ingrid Ravi Zoe Emil Yara Hugo Nadia Arjun Clara Malik Freya Sami Lucia Theo Anya Bruno Ines Kai"
).split()
LAST_NAMES = (
    "Chen Okafor Silva Berg Kowalski Rossi Tanaka Dubois Nguyen Müller Haddad Kim Novak Costa Ibrahim Larsen "
    "Moreau Sato Jensen Romero Petrov Hughes Khan Olsen"
).split()
END_USERS = [
    ("cust-northwind", "Northwind Traders"),
    ("cust-contoso", "Contoso Ltd"),
    ("cust-fabrikam", "Fabrikam"),
    ("cust-tailspin", "Tailspin Toys"),
    ("cust-wingtip", "Wingtip Toys"),
    ("cust-adventure", "Adventure Works"),
    ("cust-litware", "Litware Inc"),
    ("cust-proseware", "Proseware"),
    ("cust-fourthcoffee", "Fourth Coffee"),
    ("cust-woodgrove", "Woodgrove Bank"),
]
LOG_DAYS = 3  # spend logs cover today and the two days before; older days are daily rows only


@dataclass
class _Key:
    token: str
    raw: str
    alias: str | None
    user_id: str | None
    team_id: str | None
    org_id: str | None
    created_at: datetime
    models: list[str]  # model groups it uses
    tags: list[str]
    weight: float
    active_until: datetime
    budget_duration: str | None = None
    session: bool = False
    spend_by_day: dict = field(default_factory=lambda: defaultdict(float))
    spend_by_model: dict = field(default_factory=lambda: defaultdict(float))
    last_active: datetime | None = None


class _Ids:
    """uuid4-shaped ids and sk- keys from the seeded generator, so a seed always yields the same rows."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def raw_key(self) -> str:
        return "sk-" + base64.urlsafe_b64encode(self.rng.getrandbits(128).to_bytes(16, "big")).decode().rstrip("=")


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_built(using: str = LITELLM_ALIAS) -> bool:
    """True once any LiteLLM user exists (a demo deployment, or anyone's real data)."""
    from accounts.models import UserTable

    return UserTable.objects.using(using).exists()


def _copy(model, rows: list[dict]) -> int:
    """COPY `rows` (dicts keyed by field name) into `model`'s table, skipping columns the live
    table lacks (newer-schema columns on a seed-era database)."""
    if not rows:
        return 0
    names: list[str] = []
    for row in rows:
        for name in row:
            if name not in names:
                names.append(name)
    fields = [model._meta.get_field(n) for n in names]
    present = [(n, f) for n, f in zip(names, fields, strict=True) if model.has_column(f.column)]
    connection = connections[LITELLM_ALIAS]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for _, f in present)
    json_fields = {n for n, f in present if isinstance(f, JSONField)}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for name, _field in present:
                    value = row.get(name)
                    if name in json_fields and value is not None:
                        value = Jsonb(value)
                    values.append(value)
                copy.write_row(values)
    return len(rows)


def _reset_at(duration: str | None, now: datetime) -> datetime | None:
    if not duration:
        return None
    from budgets.durations import budget_reset_at

    return budget_reset_at(duration, now)


def _period_start(duration: str | None, now: datetime) -> datetime | None:
    """Start of the current budget period (spend counters restart there); None = lifetime."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if duration in ("1mo", "30d"):
        return midnight.replace(day=1)
    if duration in ("7d", "1w"):
        return midnight - timedelta(days=midnight.weekday())
    if duration in ("1d", "24h"):
        return midnight
    return None


def _money(value: float) -> float:
    return round(value, 6)


def build_deployment(*, users=40, teams=8, keys=180, days=90, spend_logs=3000, seed=42) -> dict:
    """Write the demo deployment into the `litellm` connection; returns a summary with the ids
    of the demo accounts, teams and orgs. Refuses to run on a database that holds users."""
    if is_built():
        raise RuntimeError("The LiteLLM database already holds users; the demo data goes into an empty one.")
    with writes.atomic():
        return _Builder(users=users, teams=teams, keys=keys, days=days, spend_logs=spend_logs, seed=seed).build()


class _Builder:
    def __init__(self, *, users, teams, keys, days, spend_logs, seed):
        self.rng = random.Random(seed)
        self.ids = _Ids(self.rng)
        self.n_users, self.n_teams, self.n_keys = users, teams, keys
        self.days, self.n_logs = days, spend_logs
        self.now = writes.now_utc()
        self.today = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        self.admin_id = settings.LITELLM_PROXY_ADMIN_ID
        self.password_hash = None
        self.rows: dict[str, list[dict]] = defaultdict(list)

    # -- helpers ---------------------------------------------------------------------------
    def ago(self, days: float, jitter_hours: float = 0.0) -> datetime:
        moment = self.now - timedelta(days=days, hours=self.rng.uniform(0, jitter_hours))
        return moment.replace(microsecond=(moment.microsecond // 1000) * 1000)

    def budget_row(self, *, created_by: str, budget_id: str | None = None, **values) -> str:
        budget_id = budget_id or self.ids.uuid()
        created = self.ago(self.rng.uniform(100, 140))
        self.rows["budget"].append(
            {
                "budget_id": budget_id,
                "created_at": created,
                "updated_at": created,
                "created_by": created_by,
                "updated_by": created_by,
                **values,
            }
        )
        return budget_id

    # -- the build -------------------------------------------------------------------------
    def build(self) -> dict:
        from accounts.passwords import hash_password

        self.password_hash = hash_password(DEMO_PASSWORD)  # one scrypt, reused: the demo is about rows
        self.make_orgs()
        self.make_teams()
        self.make_users()
        self.make_keys()
        self.make_end_users()
        self.make_invitations()
        self.make_usage()
        self.make_counters()
        self.make_models_and_config()
        self.make_audit_rows()
        self.make_proxy_shaped_rows()
        self.write()
        return self.summary()

    def make_orgs(self):
        self.orgs = {}
        for alias, domain, max_budget, duration in ORGS:
            budget_id = self.budget_row(created_by=self.admin_id, max_budget=max_budget, budget_duration=duration)
            org_id = self.ids.uuid()
            created = self.ago(self.rng.uniform(120, 150))
            self.orgs[alias] = {
                "organization_id": org_id,
                "organization_alias": alias,
                "budget_id": budget_id,
                "metadata": {},
                "models": [],
                "spend": 0.0,
                "model_spend": {},
                "created_at": created,
                "updated_at": created,
                "created_by": self.admin_id,
                "updated_by": self.admin_id,
                "_domain": domain,
            }
        # Key tiers made with /budget/new (custom budget ids are allowed there).
        self.tiers = [
            self.budget_row(
                created_by=self.admin_id,
                budget_id="tier-basic",
                max_budget=25.0,
                soft_budget=20.0,
                rpm_limit=60,
                tpm_limit=100_000,
                budget_duration="1mo",
                budget_reset_at=_reset_at("1mo", self.now),
            ),
            self.budget_row(
                created_by=self.admin_id,
                budget_id="tier-pro",
                max_budget=200.0,
                soft_budget=150.0,
                rpm_limit=600,
                tpm_limit=1_000_000,
                budget_duration="1mo",
                budget_reset_at=_reset_at("1mo", self.now),
            ),
        ]

    def make_teams(self):
        self.teams = {}
        specs = list(TEAMS[: self.n_teams])
        for n in range(len(specs), self.n_teams):
            specs.append((f"team-{n + 1}", ORGS[n % len(ORGS)][0], 50.0, "1mo", [], False))
        for alias, org_alias, max_budget, duration, models, blocked in specs:
            created = self.ago(self.rng.uniform(90, 120))
            team_id = self.ids.uuid()
            metadata = {}
            if alias == "ml-research":
                # A default member budget, as /team/new with team_member_budget makes it.
                budget_id = f"team-{alias}-budget-{uuid.UUID(self.ids.uuid()).hex}"
                self.budget_row(created_by=self.admin_id, budget_id=budget_id, max_budget=50.0, budget_duration="1mo")
                metadata["team_member_budget_id"] = budget_id
            self.teams[alias] = {
                "team_id": team_id,
                "team_alias": alias,
                "organization_id": self.orgs[org_alias]["organization_id"] if org_alias else None,
                "admins": [],
                "members": [],
                "members_with_roles": [],
                "metadata": metadata,
                "max_budget": max_budget,
                "spend": 0.0,
                "models": [MODEL_BY_GROUP[m][1] for m in models],
                "tpm_limit": 2_000_000 if alias == "ml-research" else None,
                "rpm_limit": 3000 if alias == "ml-research" else None,
                "budget_duration": duration,
                "budget_reset_at": _reset_at(duration, self.now),
                "blocked": blocked,
                "created_at": created,
                "updated_at": created,
                "model_spend": {},
                "model_max_budget": {},
                "team_member_permissions": [],
                "_org_alias": org_alias,
            }

    def new_user(self, *, email, name, role, org_alias, status="active", sso=False) -> dict:
        created = self.ago(self.rng.uniform(60, 130))
        user = {
            "user_id": self.ids.uuid(),
            "user_alias": name,
            "user_email": email,
            "user_role": role,
            "organization_id": self.orgs[org_alias]["organization_id"] if org_alias else None,
            "password": self.password_hash if status == "active" and not sso else None,
            "sso_user_id": self.ids.uuid() if sso else None,
            "teams": [],
            "models": [],
            "metadata": {},
            "spend": 0.0,
            "model_spend": {},
            "model_max_budget": {},
            "allowed_cache_controls": [],
            "created_at": created,
            "updated_at": created,
            "_status": status,
            "_org_alias": org_alias,
        }
        self.users.append(user)
        return user

    def join_team(self, user: dict, team_alias: str, role: str, *, budget_id: str | None = None) -> None:
        """The roster in all three places: members_with_roles, UserTable.teams, TeamMembership."""
        team = self.teams.get(team_alias)
        if team is None or any(m["user_id"] == user["user_id"] for m in team["members_with_roles"]):
            return
        team["members_with_roles"].append({"user_id": user["user_id"], "user_email": user["user_email"], "role": role})
        user["teams"].append(team["team_id"])
        self.rows["team_membership"].append(
            {
                "user_id": user["user_id"],
                "team_id": team["team_id"],
                "spend": 0.0,
                "total_spend": 0.0,
                "budget_id": budget_id,
            }
        )

    def join_org(self, user: dict, org_alias: str, role: str) -> None:
        created = user["created_at"]
        self.rows["org_membership"].append(
            {
                "user_id": user["user_id"],
                "organization_id": self.orgs[org_alias]["organization_id"],
                "user_role": role,
                "spend": 0.0,
                "created_at": created,
                "updated_at": created,
            }
        )

    def make_users(self):
        self.users: list[dict] = []
        self.accounts: dict[str, dict] = {}
        # LiteLLM's master-key user, upserted by the proxy on an admin UI login.
        master = {
            "user_id": self.admin_id,
            "user_role": "proxy_admin",
            "teams": [],
            "models": [],
            "metadata": {},
            "spend": 0.0,
            "model_spend": {},
            "model_max_budget": {},
            "allowed_cache_controls": [],
            "created_at": self.ago(150),
            "updated_at": self.ago(150),
            "_status": "active",
            "_org_alias": None,
        }
        self.users.append(master)
        for email, name, role, org_alias, team_roles, org_role in DEMO_ACCOUNTS:
            user = self.new_user(email=email, name=name, role=role, org_alias=org_alias)
            self.accounts[email] = user
            if org_alias:
                self.join_org(user, org_alias, org_role)
            for team_alias, team_role in team_roles:
                budget_id = self.teams["ml-research"]["metadata"].get("team_member_budget_id")
                self.join_team(
                    user, team_alias, team_role, budget_id=budget_id if team_alias == "ml-research" else None
                )

        team_aliases_by_org = defaultdict(list)
        for alias, team in self.teams.items():
            team_aliases_by_org[team["_org_alias"]].append(alias)
        others = max(0, self.n_users - len(self.users))
        names = [(f, last) for last in LAST_NAMES for f in FIRST_NAMES]
        self.rng.shuffle(names)
        org_cycle = [a for a, *_ in ORGS]
        org_admin_made = set()
        for n in range(others):
            first, last = names[n % len(names)]
            org_alias = org_cycle[n % len(org_cycle)] if n % 9 != 8 else None
            domain = self.orgs[org_alias]["_domain"] if org_alias else "contractors.example"
            email = f"{first.lower()}.{last.lower()}{'' if n < len(names) else n}@{domain}".replace("ü", "u")
            email = email.replace("á", "a")
            status = "active"
            if n % 10 == 3:
                status = "invited"  # pending invitation: no password yet
            elif n % 17 == 5:
                status = "expired"  # never accepted an invitation that has expired
            sso = n % 13 == 7
            role = "internal_user"
            if n % 6 == 4:
                role = "internal_user_viewer"
            if org_alias and org_alias != "Acme Corp" and org_alias not in org_admin_made and status == "active":
                role = "org_admin"
                org_admin_made.add(org_alias)
            if n == 11:
                role = "proxy_admin_viewer"
            user = self.new_user(
                email=email, name=f"{first} {last}", role=role, org_alias=org_alias, status=status, sso=sso
            )
            if org_alias:
                self.join_org(user, org_alias, "org_admin" if role == "org_admin" else "internal_user")
            if status != "active" or role in ("org_admin", "proxy_admin_viewer"):
                continue
            candidates = team_aliases_by_org[org_alias] or ["legacy-chatbot"]
            for pos, team_alias in enumerate(
                self.rng.sample(candidates, k=min(len(candidates), self.rng.choice((1, 1, 2))))
            ):
                team = self.teams[team_alias]
                has_admin = any(m["role"] == "admin" for m in team["members_with_roles"])
                self.join_team(user, team_alias, "user" if has_admin or pos else "admin")
            if n % 5 == 0:
                user["max_budget"] = float(self.rng.choice((25, 50, 100)))
                user["budget_duration"] = "1mo"
                user["budget_reset_at"] = _reset_at("1mo", self.now)
        # Every team gets an admin (a team without one is managed by org admins only).
        for team in self.teams.values():
            if team["members_with_roles"] and not any(m["role"] == "admin" for m in team["members_with_roles"]):
                team["members_with_roles"][0]["role"] = "admin"

    def make_keys(self):
        self.keys: list[_Key] = []
        self.rows["key"] = []
        users_by_id = {u["user_id"]: u for u in self.users}
        team_by_id = {t["team_id"]: t for t in self.teams.values()}
        aliases = set()

        def alias_for(base: str) -> str:
            candidate, n = base, 2
            while candidate in aliases:
                candidate, n = f"{base}-{n}", n + 1
            aliases.add(candidate)
            return candidate

        def add_key(*, user, team, alias, session=False, created_by=None, usable=False):
            raw = self.ids.raw_key()
            token = hash_key(raw)
            created = self.ago(self.rng.uniform(2, min(120, self.days + 20)), 12) if not session else self.ago(0, 30)
            if team is not None and team["team_id"] in team_by_id:
                created = max(created, team["created_at"])
            org_id = team["organization_id"] if team else None
            allowed = team["models"] if team and team["models"] else list(MODEL_POPULARITY)
            weights = [MODEL_POPULARITY[m] for m in allowed]
            uses = sorted(set(self.rng.choices(allowed, weights=weights, k=self.rng.choice((1, 2, 2, 3)))))
            row = {
                "token": token,
                "key_name": f"sk-...{raw[-4:]}",
                "key_alias": alias,
                "soft_budget_cooldown": False,
                "spend": 0.0,
                "expires": None,
                "models": [],
                "aliases": {},
                "config": {},
                "permissions": {},
                "metadata": {},
                "user_id": user["user_id"] if user else None,
                "team_id": UI_SESSION_TEAM_ID if session else (team["team_id"] if team else None),
                "organization_id": org_id,
                "blocked": None,
                "allowed_cache_controls": [],
                "allowed_routes": [],
                "model_spend": {},
                "model_max_budget": {},
                "budget_fallbacks": {},
                "created_at": created,
                "updated_at": created,
                "created_by": created_by,
                "updated_by": created_by,
            }
            key = _Key(
                token=token,
                raw=raw,
                alias=alias,
                user_id=row["user_id"],
                team_id=row["team_id"],
                org_id=org_id,
                created_at=created,
                models=uses,
                tags=self.rng.sample(TAGS, k=self.rng.choice((1, 2))),
                weight=self.rng.lognormvariate(0, 1.0),
                active_until=self.now,
                session=session,
            )
            r = 1.0 if usable else self.rng.random()
            if session:
                row.update(expires=created + timedelta(hours=24), max_budget=None)
                key.weight = 0
            elif r < 0.06:
                row["blocked"] = True
                row["settings_updated_at"] = self.ago(self.rng.uniform(1, 15))
                key.active_until = row["settings_updated_at"]
            elif r < 0.13:
                row["expires"] = self.ago(self.rng.uniform(1, 40))
                key.active_until = max(row["expires"], created)
            elif r < 0.30:
                row["expires"] = self.now + timedelta(days=self.rng.choice((7, 30, 90, 365)))
            if not session and self.rng.random() < 0.3:
                duration = self.rng.choice(("30d", "1mo", "7d", "1d"))
                row.update(
                    max_budget=float(self.rng.choice((5, 10, 25, 50, 100))),
                    budget_duration=duration,
                    budget_reset_at=_reset_at(duration, self.now),
                )
                key.budget_duration = duration
            elif not session and self.rng.random() < 0.12:
                row["budget_id"] = self.rng.choice(self.tiers)
            if not session and self.rng.random() < 0.2:
                row.update(tpm_limit=self.rng.choice((50_000, 100_000, 500_000)), rpm_limit=self.rng.choice((60, 300)))
            if not session and self.rng.random() < 0.25:
                row["models"] = uses
            if not session and self.rng.random() < 0.3:
                row["metadata"] = {"tags": key.tags}
            if not session:
                row["settings_updated_at"] = row.get("settings_updated_at") or created
            self.rows["key"].append(row)
            self.keys.append(key)

        # A few UI-session keys: the proxy mints one per dashboard login (team litellm-dashboard).
        admin = self.accounts["admin@acme.example"]
        for user in (admin, admin, self.accounts["lead@acme.example"], users_by_id[self.admin_id]):
            add_key(user=user, team=None, alias=None, session=True)
        # One service key per team, owned by the team only.
        for team in self.teams.values():
            add_key(user=None, team=team, alias=alias_for(f"{team['team_alias']}-service"), created_by=self.admin_id)
        # The rest belong to people with a team (or none), created by themselves or an admin.
        holders = [u for u in self.users if u.get("_status") == "active" and u.get("user_email")]
        weights = [3 if u["teams"] else 1 for u in holders]
        # The demo accounts' own keys; the first of each is always usable (the tour starts there).
        own_keys = {
            "dev@acme.example": ("laptop", "notebook", "ci"),
            "lead@acme.example": ("laptop", "notebook", "ci"),
            "intern@acme.example": ("notebook",),
            "orgadmin@acme.example": ("laptop",),
        }
        for known, purposes in own_keys.items():
            user = self.accounts[known]
            for n, purpose in enumerate(purposes):
                team = team_by_id[user["teams"][0]] if user["teams"] else None
                creator = admin["user_id"] if user["user_role"] == "internal_user_viewer" else user["user_id"]
                add_key(
                    user=user,
                    team=team,
                    alias=alias_for(f"{known.split('@')[0]}-{purpose}"),
                    created_by=creator,
                    usable=n == 0,
                )
        while len(self.keys) < self.n_keys:
            user = self.rng.choices(holders, weights=weights)[0]
            team = team_by_id[self.rng.choice(user["teams"])] if user["teams"] and self.rng.random() < 0.85 else None
            base = (user.get("user_alias") or "key").split()[0].lower()
            creator = (
                user["user_id"]
                if user["user_role"] == "internal_user" and self.rng.random() < 0.6
                else admin["user_id"]
            )
            alias = alias_for(f"{base}-{self.rng.choice(KEY_PURPOSES)}") if self.rng.random() < 0.92 else None
            add_key(user=user, team=team, alias=alias, created_by=creator)

    def make_end_users(self):
        for n, (user_id, alias) in enumerate(END_USERS):
            budget_id = None
            if n % 3 == 0:
                budget_id = self.budget_row(
                    created_by=self.admin_id, max_budget=float(20 + 10 * n), budget_duration="1mo"
                )
            self.rows["end_user"].append(
                {
                    "user_id": user_id,
                    "alias": alias,
                    "spend": 0.0,
                    "allowed_model_region": "eu" if n % 4 == 1 else None,
                    "default_model": "gpt-4o-mini" if n % 2 else None,
                    "budget_id": budget_id,
                    "blocked": n == 7,
                    "models": [],
                }
            )

    def make_invitations(self):
        admin_id = self.accounts["admin@acme.example"]["user_id"]
        orgadmin_id = self.accounts["orgadmin@acme.example"]["user_id"]
        for user in self.users:
            status = user.get("_status")
            if not user.get("user_email") or user.get("sso_user_id"):
                continue
            creator = orgadmin_id if user["_org_alias"] == "Acme Corp" and self.rng.random() < 0.5 else admin_id
            if creator == user["user_id"]:
                creator = self.admin_id
            if status == "invited":
                created = self.ago(self.rng.uniform(0.2, 5))
                expires, accepted_at = created + timedelta(days=7), None
            elif status == "expired":
                created = self.ago(self.rng.uniform(12, 40))
                expires, accepted_at = created + timedelta(days=7), None
            else:
                created = user["created_at"]
                expires, accepted_at = created + timedelta(days=7), created + timedelta(hours=self.rng.uniform(1, 60))
            self.rows["invitation"].append(
                {
                    "id": self.ids.uuid(),
                    "user_id": user["user_id"],
                    "is_accepted": accepted_at is not None,
                    "accepted_at": accepted_at,
                    "expires_at": expires,
                    "created_at": created,
                    "created_by": creator,
                    "updated_at": accepted_at or created,
                    "updated_by": user["user_id"] if accepted_at else creator,
                }
            )

    # -- usage -------------------------------------------------------------------------------
    def _tokens(self, group: str) -> tuple[int, int, int]:
        if group.startswith("text-embedding"):
            return int(self.rng.uniform(200, 2000)), 0, 0
        prompt = int(self.rng.lognormvariate(8.4, 0.8))
        completion = int(self.rng.lognormvariate(6.0, 0.6))
        cached = int(prompt * self.rng.uniform(0.2, 0.6)) if self.rng.random() < 0.25 else 0
        return prompt, completion, cached

    def _cost(self, group: str, prompt: int, completion: int) -> float:
        _, _, _, p_in, p_out, _ = MODEL_BY_GROUP[group]
        return prompt * p_in / 1e6 + completion * p_out / 1e6

    def make_usage(self):
        """Daily rows keyed (key, model, date): one user row, one team row and one tag row each,
        so a day's totals agree across the three tables. The last LOG_DAYS days are built from
        individual spend logs; older days from sampled aggregates of the same volume."""
        working = [k for k in self.keys if k.weight > 0]
        total_weight = sum(k.weight for k in working) or 1.0
        per_day = max(1.0, self.n_logs / LOG_DAYS)
        log_start = self.today - timedelta(days=LOG_DAYS - 1)
        self.daily: dict[tuple, dict] = {}
        team_alias = {t["team_id"]: t["team_alias"] for t in self.teams.values()}
        deployments = {m[1]: self.ids.uuid() for m in MODELS}
        self.deployments = deployments
        end_users = [e[0] for e in END_USERS]

        def bucket(key: _Key, group: str, day: str, tag: str) -> dict:
            slot = (key.token, group, day)
            if slot not in self.daily:
                self.daily[slot] = {
                    "key": key,
                    "group": group,
                    "date": day,
                    "tag": tag,
                    "prompt_tokens": 0,
                    "completion_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "cache_creation_input_tokens": 0,
                    "spend": 0.0,
                    "api_requests": 0,
                    "successful_requests": 0,
                    "failed_requests": 0,
                    "total_response_time_ms": 0,
                    "timed_requests": 0,
                }
            return self.daily[slot]

        # Older days: aggregates. Volume grows over the period and dips on weekends.
        for back in range(LOG_DAYS, self.days):
            day = self.today - timedelta(days=back)
            growth = 0.55 + 0.45 * (1 - back / max(self.days, 1))
            weekend = 0.35 if day.weekday() >= 5 else 1.0
            for key in working:
                if not (key.created_at <= day + timedelta(days=1) and key.active_until >= day):
                    continue
                expected = per_day * growth * weekend * key.weight / total_weight
                if self.rng.random() > min(1.0, 0.3 + expected):
                    continue
                requests = max(1, int(self.rng.expovariate(1 / max(expected, 0.5))))
                for group in key.models:
                    share = requests if len(key.models) == 1 else max(1, requests // len(key.models))
                    row = bucket(key, group, day.date().isoformat(), self.rng.choice(key.tags))
                    failed = sum(1 for _ in range(min(share, 50)) if self.rng.random() < 0.03)
                    prompt, completion, cached = self._tokens(group)
                    row["prompt_tokens"] += prompt * share
                    row["completion_tokens"] += completion * share
                    row["cache_read_input_tokens"] += cached * share
                    row["api_requests"] += share
                    row["failed_requests"] += failed
                    row["successful_requests"] += share - failed
                    row["spend"] += self._cost(group, prompt, completion) * (share - failed)
                    latency = int(self.rng.uniform(400, 4000))
                    row["total_response_time_ms"] += latency * (share - failed)
                    row["timed_requests"] += share - failed
                    key.last_active = max(key.last_active or day, day + timedelta(hours=self.rng.uniform(8, 20)))

        # The last LOG_DAYS days: one spend log per request, summed into the daily rows.
        window = (self.now - log_start).total_seconds()
        self.rows["spend_log"] = []
        for _ in range(self.n_logs):
            start = log_start + timedelta(seconds=self.rng.uniform(0, window))
            start = start.replace(microsecond=(start.microsecond // 1000) * 1000)
            live = [k for k in working if k.created_at <= start <= k.active_until]
            if not live:
                continue
            key = self.rng.choices(live, weights=[k.weight for k in live])[0]
            group = self.rng.choice(key.models)
            model, _, provider, _, _, call_type = MODEL_BY_GROUP[group]
            failed = self.rng.random() < 0.03
            prompt, completion, cached = self._tokens(group)
            if failed:
                completion, cached = 0, 0
            spend = 0.0 if failed else _money(self._cost(group, prompt, completion))  # as the log stores it
            latency = int(self.rng.uniform(300, 5000))
            end = start + timedelta(milliseconds=latency)
            row = bucket(key, group, start.date().isoformat(), self.rng.choice(key.tags))
            tag = row["tag"]  # one tag per daily slot keeps the tag table's totals equal to the others
            row["prompt_tokens"] += prompt
            row["completion_tokens"] += completion
            row["cache_read_input_tokens"] += cached
            row["api_requests"] += 1
            row["failed_requests" if failed else "successful_requests"] += 1
            row["spend"] += spend
            if not failed:
                row["total_response_time_ms"] += latency
                row["timed_requests"] += 1
            key.last_active = max(key.last_active or start, end)
            status = "failure" if failed else "success"
            request_id = f"chatcmpl-{self.ids.uuid()}" if provider == "openai" else self.ids.uuid()
            end_user = self.rng.choice(end_users) if key.team_id and self.rng.random() < 0.15 else ""
            metadata = {
                "user_api_key": key.token,
                "user_api_key_alias": key.alias,
                "user_api_key_team_id": key.team_id,
                "user_api_key_org_id": key.org_id,
                "user_api_key_user_id": key.user_id,
                "user_api_key_team_alias": team_alias.get(key.team_id),
                "spend_logs_metadata": None,
                "requester_ip_address": "",
                "status": status,
            }
            if failed:
                metadata["error_information"] = {
                    "error_code": "429",
                    "error_class": "RateLimitError",
                    "llm_provider": provider,
                    "error_message": f"litellm.RateLimitError: {provider} rate limit exceeded",
                }
            self.rows["spend_log"].append(
                {
                    "request_id": request_id,
                    "call_type": call_type,
                    "api_key": key.token,
                    "spend": _money(spend),
                    "total_tokens": prompt + completion,
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "start_time": start,
                    "end_time": end,
                    "completion_start_time": start + timedelta(milliseconds=latency // 3) if not failed else None,
                    "model": model,
                    "model_id": deployments[group],
                    "model_group": group,
                    "custom_llm_provider": provider,
                    "api_base": API_BASES[provider],
                    "user": key.user_id or "",
                    "metadata": metadata,
                    "cache_hit": "False",
                    "cache_key": "Cache OFF",
                    "request_tags": [tag],
                    "team_id": key.team_id,
                    "end_user": end_user,
                    "requester_ip_address": "",
                    "messages": {},
                    "response": {},
                    "proxy_server_request": {},
                    "session_id": None,
                    "status": status,
                    "organization_id": key.org_id,
                    "request_duration_ms": latency,
                    "litellm_call_id": self.ids.uuid(),
                    "created_at": end,
                    "updated_at": end,
                }
            )
            if failed and len(self.rows["error_log"]) < 25:
                self.rows["error_log"].append(
                    {
                        "request_id": request_id,
                        "start_time": start,
                        "end_time": end,
                        "api_base": API_BASES[provider],
                        "model_group": group,
                        "litellm_model_name": f"{provider}/{model}",
                        "model_id": deployments[group],
                        "request_kwargs": {"model": group, "user": key.user_id or ""},
                        "exception_type": "RateLimitError",
                        "exception_string": f"litellm.RateLimitError: {provider} rate limit exceeded for {model}",
                        "status_code": "429",
                    }
                )

        for row in self.daily.values():
            key: _Key = row["key"]
            group = row["group"]
            model, _, provider, _, _, call_type = MODEL_BY_GROUP[group]
            row["spend"] = _money(row["spend"])
            key.spend_by_day[row["date"]] += row["spend"]
            key.spend_by_model[group] += row["spend"]
            updated = datetime.fromisoformat(row["date"]) + timedelta(hours=23, minutes=59)
            common = {
                "date": row["date"],
                "api_key": key.token,
                "model": model,
                "model_group": group,
                "custom_llm_provider": provider,
                "prompt_tokens": row["prompt_tokens"],
                "completion_tokens": row["completion_tokens"],
                "cache_read_input_tokens": row["cache_read_input_tokens"],
                "cache_creation_input_tokens": row["cache_creation_input_tokens"],
                "spend": row["spend"],
                "api_requests": row["api_requests"],
                "successful_requests": row["successful_requests"],
                "failed_requests": row["failed_requests"],
                "created_at": datetime.fromisoformat(row["date"]),
                "updated_at": min(updated, self.now),
                # Newest schema only (dropped by _copy on the seed-era one); the proxy writes ''
                # for "none" in the unique-key columns.
                "mcp_namespaced_tool_name": "",
                "endpoint": ENDPOINTS[call_type],
                "total_response_time_ms": row["total_response_time_ms"],
                "timed_requests": row["timed_requests"],
            }
            self.rows["daily_user"].append({"id": self.ids.uuid(), "user_id": key.user_id or "", **common})
            self.rows["daily_team"].append({"id": self.ids.uuid(), "team_id": key.team_id or "", **common})
            self.rows["daily_tag"].append({"id": self.ids.uuid(), "tag": row["tag"], **common})
        # End users: what their requests cost.
        spent = defaultdict(float)
        for log in self.rows["spend_log"]:
            if log["end_user"]:
                spent[log["end_user"]] += log["spend"]
        for row in self.rows["end_user"]:
            row["spend"] = _money(spent[row["user_id"]])

    def make_counters(self):
        """The proxy's counters: spend since the current budget period began (lifetime when
        there is no budget duration), model_spend and total_spend lifetime."""
        users = {u["user_id"]: u for u in self.users}
        teams = {t["team_id"]: t for t in self.teams.values()}
        key_rows = {r["token"]: r for r in self.rows["key"]}
        membership = {(m["user_id"], m["team_id"]): m for m in self.rows["team_membership"]}
        org_membership = {(m["user_id"], m["organization_id"]): m for m in self.rows["org_membership"]}

        def period_spend(key: _Key, duration: str | None) -> float:
            start = _period_start(duration, self.now)
            if start is None:
                return sum(key.spend_by_day.values())
            return sum(v for d, v in key.spend_by_day.items() if d >= start.date().isoformat())

        for key in self.keys:
            row = key_rows[key.token]
            lifetime = sum(key.spend_by_day.values())
            row["spend"] = _money(period_spend(key, key.budget_duration))
            row["total_spend"] = _money(lifetime)
            row["model_spend"] = {MODEL_BY_GROUP[g][0]: _money(v) for g, v in key.spend_by_model.items() if v}
            row["last_active"] = key.last_active
            if key.last_active:
                row["updated_at"] = max(row["updated_at"], min(key.last_active, self.now))
            if key.user_id in users:
                user = users[key.user_id]
                user["spend"] += period_spend(key, user.get("budget_duration"))
                for g, v in key.spend_by_model.items():
                    name = MODEL_BY_GROUP[g][0]
                    user["model_spend"][name] = _money(user["model_spend"].get(name, 0) + v)
            if key.team_id in teams:
                team = teams[key.team_id]
                team["spend"] += period_spend(key, team.get("budget_duration"))
                for g, v in key.spend_by_model.items():
                    name = MODEL_BY_GROUP[g][0]
                    team["model_spend"][name] = _money(team["model_spend"].get(name, 0) + v)
                member = membership.get((key.user_id, key.team_id))
                if member is not None:
                    member["spend"] += period_spend(key, "1mo")
                    member["total_spend"] += lifetime
            if key.org_id:
                org = next(o for o in self.orgs.values() if o["organization_id"] == key.org_id)
                org["spend"] += lifetime
                for g, v in key.spend_by_model.items():
                    name = MODEL_BY_GROUP[g][0]
                    org["model_spend"][name] = _money(org["model_spend"].get(name, 0) + v)
                om = org_membership.get((key.user_id, key.org_id))
                if om is not None:
                    om["spend"] += lifetime
        for rows in (self.users, self.teams.values(), self.orgs.values()):
            for row in rows:
                row["spend"] = _money(row["spend"])
        for rows in (self.rows["team_membership"], self.rows["org_membership"]):
            for row in rows:
                row["spend"] = _money(row["spend"])
                if "total_spend" in row:
                    row["total_spend"] = _money(row["total_spend"])

    def make_models_and_config(self):
        for model, group, provider, p_in, p_out, _ in MODELS:
            created = self.ago(150)
            self.rows["proxy_model"].append(
                {
                    "model_id": self.deployments[group],
                    "model_name": group,
                    "litellm_params": {
                        "model": f"{provider}/{model}",
                        "api_key": f"os.environ/{provider.upper()}_API_KEY",
                    },
                    "model_info": {
                        "id": self.deployments[group],
                        "db_model": True,
                        "input_cost_per_token": p_in / 1e6,
                        "output_cost_per_token": p_out / 1e6,
                    },
                    "created_at": created,
                    "updated_at": created,
                    "created_by": self.admin_id,
                    "updated_by": self.admin_id,
                }
            )
        self.rows["config"].append(
            {"param_name": "general_settings", "param_value": {"store_model_in_db": True, "max_parallel_requests": 200}}
        )

    def make_audit_rows(self):
        """A short trail as an enterprise proxy writes it: key, user and team changes."""
        admin = self.accounts["admin@acme.example"]["user_id"]
        tokens = [r for r in self.rows["key"] if r["team_id"] != UI_SESSION_TEAM_ID]
        blocked = [r for r in tokens if r.get("blocked")]
        table = _table_names()
        entries = []
        for row in tokens[-6:]:
            entries.append(
                (
                    row["created_at"],
                    "created",
                    table["key"],
                    row["token"],
                    None,
                    # a GenerateKeyResponse dump: exclude_none, token = token_id = the hash
                    {
                        k: v
                        for k, v in {
                            "key_alias": row["key_alias"],
                            "key_name": row["key_name"],
                            "models": row["models"],
                            "token": row["token"],
                            "token_id": row["token"],
                        }.items()
                        if v is not None
                    },
                )
            )
        for row in blocked[:3]:
            entries.append(
                (
                    row["settings_updated_at"],
                    "blocked",
                    table["key"],
                    row["token"],
                    {"token": row["token"], "key_alias": row["key_alias"], "blocked": None},
                    {},
                )
            )
        team = self.teams["ml-research"]
        entries.append(
            (
                self.ago(20),
                "updated",
                table["team"],
                team["team_id"],
                {"team_alias": team["team_alias"], "max_budget": 1000.0},
                {"max_budget": team["max_budget"]},
            )
        )
        lead = self.accounts["lead@acme.example"]
        entries.append(
            (
                lead["created_at"],
                "created",
                table["user"],
                lead["user_id"],
                None,
                {"user_id": lead["user_id"], "user_email": lead["user_email"], "user_role": lead["user_role"]},
            )
        )
        for moment, action, table_name, object_id, before, updated in entries:
            self.rows["audit"].append(
                {
                    "id": self.ids.uuid(),
                    "updated_at": moment,
                    "changed_by": admin,
                    "changed_by_api_key": hash_key(self.ids.raw_key()),
                    "action": action,
                    "table_name": table_name,
                    "object_id": object_id,
                    "before_value": writes.mask_keys(writes._jsonable(before)) if before is not None else None,
                    "updated_values": writes.mask_keys(writes._jsonable(updated)) if updated is not None else None,
                }
            )

    def make_proxy_shaped_rows(self):
        """Shapes older proxies and LiteLLM's UI write, so the tour renders them: per-model
        budgets in the legacy {"budget_limit", "time_period"} spelling (and one without a
        duration), nested metadata, NULLs and a 255-character alias. Draws nothing from the
        rng, so the rest of the demo stays as it was."""
        legacy = {
            "gpt-4o": {"budget_limit": 5.0, "time_period": "1d"},
            "claude-3-5-sonnet": {"max_budget": 2.5},
            "gpt-4o-mini": {"max_budget": None, "budget_duration": None},
        }
        nested = {
            "tags": ["eval", {"suite": ["mmlu", "gsm8k"], "nightly": True}],
            "owner": {"team": "ml-research", "contacts": [{"name": "Dev", "pager": None}]},
            "notes": None,
        }
        dev = self.accounts["dev@acme.example"]
        for row in self.rows["key"]:
            if row["user_id"] == dev["user_id"] and (row["key_alias"] or "").startswith("dev-notebook"):
                row.update(model_max_budget=legacy, metadata=nested)
        dev["model_max_budget"] = {"gpt-4o": {"budget_limit": 20.0, "time_period": "30d"}}
        dev["metadata"] = {**(dev.get("metadata") or {}), "profile": nested}
        team = self.teams["ml-research"]
        team["metadata"] = {**(team.get("metadata") or {}), "owner": nested["owner"]}
        team["model_max_budget"] = legacy
        # End-user ids come from any API caller's `user` field: one with '/' (the tour opens it).
        self.rows["end_user"].append(
            {
                "user_id": "acct/eu-west/4711",
                "alias": "Northwind EU (id chosen by the caller)",
                "spend": 0.0,
                "allowed_model_region": None,
                "default_model": None,
                "budget_id": None,
                "blocked": False,
                "models": [],
            }
        )
        for row in self.rows["end_user"]:
            if row["user_id"] == "cust-woodgrove":
                row["alias"] = ("Woodgrove Bank, retail and commercial banking, EMEA and APAC shared tenant " * 4)[:255]

    # -- writing -----------------------------------------------------------------------------
    def write(self):
        from accounts.models import (
            EndUserTable,
            InvitationLink,
            OrganizationMembership,
            OrganizationTable,
            TeamMembership,
            TeamTable,
            UserTable,
        )
        from budgets.models import BudgetTable
        from config.models import AuditLog, LiteLLMConfig, ProxyModelTable
        from keys.models import VerificationToken
        from usage.models import DailyTagSpend, DailyTeamSpend, DailyUserSpend, ErrorLogs, SpendLogs

        def plain(rows):
            return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]

        # Parents before children (budget rows before orgs, users before invitations).
        _copy(BudgetTable, self.rows["budget"])
        _copy(OrganizationTable, plain(self.orgs.values()))
        _copy(TeamTable, plain(self.teams.values()))
        _copy(UserTable, plain(self.users))
        _copy(TeamMembership, self.rows["team_membership"])
        _copy(OrganizationMembership, self.rows["org_membership"])
        _copy(VerificationToken, self.rows["key"])
        _copy(EndUserTable, self.rows["end_user"])
        _copy(InvitationLink, self.rows["invitation"])
        _copy(DailyUserSpend, self.rows["daily_user"])
        _copy(DailyTeamSpend, self.rows["daily_team"])
        _copy(DailyTagSpend, self.rows["daily_tag"])
        _copy(SpendLogs, self.rows["spend_log"])
        _copy(ErrorLogs, self.rows["error_log"])
        _copy(ProxyModelTable, self.rows["proxy_model"])
        _copy(LiteLLMConfig, self.rows["config"])
        _copy(AuditLog, self.rows["audit"])
        with connections[LITELLM_ALIAS].cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh row estimates for the big-table paginators

    def summary(self) -> dict:
        return {
            "accounts": {email: u["user_id"] for email, u in self.accounts.items()},
            "teams": {alias: t["team_id"] for alias, t in self.teams.items()},
            "orgs": {alias: o["organization_id"] for alias, o in self.orgs.items()},
            "keys": {
                k.alias: k.raw
                for k in self.keys
                if k.alias and k.user_id in {u["user_id"] for u in self.accounts.values()}
            },
            "counts": {
                "users": len(self.users),
                "teams": len(self.teams),
                "keys": len(self.keys),
                "daily_rows": len(self.rows["daily_user"]),
                "spend_logs": len(self.rows["spend_log"]),
                "invitations": len(self.rows["invitation"]),
            },
        }


def _table_names() -> dict[str, str]:
    from . import litellm

    return {
        "key": litellm.table_name("VerificationToken"),
        "team": litellm.table_name("TeamTable"),
        "user": litellm.table_name("UserTable"),
    }
