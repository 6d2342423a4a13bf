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

The builder is one class assembled from a mixin per family of rows (people, keys, spend,
counters, proxy_rows); each draws from the one seeded generator in a fixed order, so a seed
always yields the same deployment.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections

from config import writes
from config.routers import LITELLM_ALIAS

from .catalog import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SALT_KEY
from .counters import CountersMixin
from .keys import KeysMixin
from .people import PeopleMixin
from .proxy_rows import ProxyRowsMixin
from .rows import Ids, copy_rows
from .spend import SpendMixin

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "DEMO_SALT_KEY", "build_deployment", "is_built"]


def is_built(using: str = LITELLM_ALIAS) -> bool:
    """True once any LiteLLM user exists (a demo deployment, or anyone's real data)."""
    from accounts.models import UserTable

    return UserTable.objects.using(using).exists()


def build_deployment(*, users=40, teams=8, keys=180, days=90, spend_logs=3000, seed=42) -> dict:
    """Write the demo deployment into the `litellm` connection; returns a summary with the ids
    of the demo accounts, teams and orgs. Refuses to run on a database that holds users."""
    if is_built():
        raise RuntimeError("The LiteLLM database already holds users; the demo data goes into an empty one.")
    with writes.atomic():
        return _Builder(users=users, teams=teams, keys=keys, days=days, spend_logs=spend_logs, seed=seed).build()


class _Builder(PeopleMixin, KeysMixin, SpendMixin, CountersMixin, ProxyRowsMixin):
    def __init__(self, *, users, teams, keys, days, spend_logs, seed):
        self.rng = random.Random(seed)
        self.ids = Ids(self.rng)
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
        self.make_model_requests()
        self.make_audit_rows()
        self.make_proxy_shaped_rows()
        self.write()
        return self.summary()

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
        from config.models import AuditLog, LiteLLMConfig, ProxyModelTable, UserNotifications
        from keys.models import VerificationToken
        from usage.models import DailyTagSpend, DailyTeamSpend, DailyUserSpend, ErrorLogs, SpendLogs

        def plain(rows):
            return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]

        # Parents before children (budget rows before orgs, users before invitations).
        copy_rows(BudgetTable, self.rows["budget"])
        copy_rows(OrganizationTable, plain(self.orgs.values()))
        copy_rows(TeamTable, plain(self.teams.values()))
        copy_rows(UserTable, plain(self.users))
        copy_rows(TeamMembership, self.rows["team_membership"])
        copy_rows(OrganizationMembership, self.rows["org_membership"])
        copy_rows(VerificationToken, self.rows["key"])
        copy_rows(EndUserTable, self.rows["end_user"])
        copy_rows(InvitationLink, self.rows["invitation"])
        copy_rows(DailyUserSpend, self.rows["daily_user"])
        copy_rows(DailyTeamSpend, self.rows["daily_team"])
        copy_rows(DailyTagSpend, self.rows["daily_tag"])
        copy_rows(SpendLogs, self.rows["spend_log"])
        copy_rows(ErrorLogs, self.rows["error_log"])
        copy_rows(ProxyModelTable, self.rows["proxy_model"])
        copy_rows(LiteLLMConfig, self.rows["config"])
        copy_rows(UserNotifications, self.rows["user_notification"])
        copy_rows(AuditLog, self.rows["audit"])
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
