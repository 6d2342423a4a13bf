"""The proxy's spend counters on keys, users, teams, orgs and memberships, derived from the daily
rows the way the proxy accumulates them (reset at each budget period)."""

from __future__ import annotations

from .catalog import MODEL_BY_GROUP
from .keys import DemoKey
from .rows import money, period_start


class CountersMixin:
    def make_counters(self):
        """The proxy's counters: spend since the current budget period began (lifetime when
        there is no budget duration), model_spend and total_spend lifetime."""
        users = {u["user_id"]: u for u in self.users}
        teams = {t["team_id"]: t for t in self.teams.values()}
        key_rows = {r["token"]: r for r in self.rows["key"]}
        membership = {(m["user_id"], m["team_id"]): m for m in self.rows["team_membership"]}
        org_membership = {(m["user_id"], m["organization_id"]): m for m in self.rows["org_membership"]}

        def period_spend(key: DemoKey, duration: str | None) -> float:
            start = period_start(duration, self.now)
            if start is None:
                return sum(key.spend_by_day.values())
            return sum(v for d, v in key.spend_by_day.items() if d >= start.date().isoformat())

        for key in self.keys:
            row = key_rows[key.token]
            lifetime = sum(key.spend_by_day.values())
            row["spend"] = money(period_spend(key, key.budget_duration))
            row["total_spend"] = money(lifetime)
            row["model_spend"] = {MODEL_BY_GROUP[g][0]: money(v) for g, v in key.spend_by_model.items() if v}
            row["last_active"] = key.last_active
            if key.last_active:
                row["updated_at"] = max(row["updated_at"], min(key.last_active, self.now))
            if key.user_id in users:
                user = users[key.user_id]
                user["spend"] += period_spend(key, user.get("budget_duration"))
                for g, v in key.spend_by_model.items():
                    name = MODEL_BY_GROUP[g][0]
                    user["model_spend"][name] = money(user["model_spend"].get(name, 0) + v)
            if key.team_id in teams:
                team = teams[key.team_id]
                team["spend"] += period_spend(key, team.get("budget_duration"))
                for g, v in key.spend_by_model.items():
                    name = MODEL_BY_GROUP[g][0]
                    team["model_spend"][name] = money(team["model_spend"].get(name, 0) + v)
                member = membership.get((key.user_id, key.team_id))
                if member is not None:
                    member["spend"] += period_spend(key, "1mo")
                    member["total_spend"] += lifetime
            if key.org_id:
                org = next(o for o in self.orgs.values() if o["organization_id"] == key.org_id)
                org["spend"] += lifetime
                for g, v in key.spend_by_model.items():
                    name = MODEL_BY_GROUP[g][0]
                    org["model_spend"][name] = money(org["model_spend"].get(name, 0) + v)
                om = org_membership.get((key.user_id, key.org_id))
                if om is not None:
                    om["spend"] += lifetime
        for rows in (self.users, self.teams.values(), self.orgs.values()):
            for row in rows:
                row["spend"] = money(row["spend"])
        for rows in (self.rows["team_membership"], self.rows["org_membership"]):
            for row in rows:
                row["spend"] = money(row["spend"])
                if "total_spend" in row:
                    row["total_spend"] = money(row["total_spend"])
