"""Organizations, teams, users (the demo accounts and a crowd of every role), their rosters in
all three places the proxy keeps them, end users and invitations."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta

from .catalog import DEMO_ACCOUNTS, END_USERS, FIRST_NAMES, LAST_NAMES, MODEL_BY_GROUP, ORGS, TEAMS
from .rows import reset_at


class PeopleMixin:
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
                budget_reset_at=reset_at("1mo", self.now),
            ),
            self.budget_row(
                created_by=self.admin_id,
                budget_id="tier-pro",
                max_budget=200.0,
                soft_budget=150.0,
                rpm_limit=600,
                tpm_limit=1_000_000,
                budget_duration="1mo",
                budget_reset_at=reset_at("1mo", self.now),
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
                "budget_reset_at": reset_at(duration, self.now),
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
                user["budget_reset_at"] = reset_at("1mo", self.now)
        # Every team gets an admin (a team without one is managed by org admins only).
        for team in self.teams.values():
            if team["members_with_roles"] and not any(m["role"] == "admin" for m in team["members_with_roles"]):
                team["members_with_roles"][0]["role"] = "admin"

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
