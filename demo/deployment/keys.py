"""Virtual keys: UI-session keys, one service key per team, the demo accounts' own keys and the
rest (blocked, expired, expiring, budgeted, tiered), each with the models and tags it uses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from config.litellm import UI_SESSION_TEAM_ID

from .catalog import KEY_PURPOSES, MODEL_POPULARITY, TAGS
from .rows import hash_key, reset_at


@dataclass
class DemoKey:
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


class KeysMixin:
    def make_keys(self):
        self.keys: list[DemoKey] = []
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
            key = DemoKey(
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
                    budget_reset_at=reset_at(duration, self.now),
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
