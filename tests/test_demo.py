"""The demo deployment (demo.deployment) and `manage.py demo`: rows as the proxy holds them."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from accounts import passwords
from accounts.models import (
    InvitationLink,
    OrganizationMembership,
    OrganizationTable,
    TeamMembership,
    TeamTable,
    UserTable,
)
from budgets.models import BudgetTable
from config import policy, writes
from config.models import AuditLog
from demo import deployment as demodata
from keys.models import VerificationToken
from usage.models import DailyTagSpend, DailyTeamSpend, DailyUserSpend, SpendLogs

pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.schema]

SMALL = {"users": 24, "teams": 8, "keys": 50, "days": 40, "spend_logs": 240}


@pytest.fixture
def demo():
    return demodata.build_deployment(**SMALL)


def per_day(model) -> dict[str, tuple]:
    rows = model.objects.values("date").annotate(spend=Sum("spend"), requests=Sum("api_requests"))
    return {r["date"]: (round(r["spend"], 6), r["requests"]) for r in rows}


def test_it_builds_the_requested_deployment(demo):
    assert UserTable.objects.count() == SMALL["users"]
    assert TeamTable.objects.count() == SMALL["teams"]
    assert VerificationToken.objects.count() == SMALL["keys"]
    assert SpendLogs.objects.count() == SMALL["spend_logs"]
    roles = set(UserTable.objects.values_list("user_role", flat=True))
    assert {"proxy_admin", "proxy_admin_viewer", "org_admin", "internal_user", "internal_user_viewer"} <= roles
    assert UserTable.objects.filter(user_id="default_user_id", user_role="proxy_admin").exists()


def test_the_demo_accounts_sign_in_with_their_roles(demo):
    expected = {
        "admin@acme.example": policy.PROXY_ADMIN,
        "viewer@acme.example": policy.PROXY_ADMIN_VIEWER,
        "intern@acme.example": policy.INTERNAL_USER_VIEWER,
        "dev@acme.example": policy.INTERNAL_USER,
    }
    for email, role in expected.items():
        row = UserTable.objects.get(user_email=email)
        assert passwords.verify_password(demodata.DEMO_PASSWORD, row.password)
        assert policy.principal_for_litellm_user(row.user_id).role == role
    acme = OrganizationTable.objects.get(organization_alias="Acme Corp")
    org_admin = policy.principal_for_litellm_user(demo["accounts"]["orgadmin@acme.example"])
    assert org_admin.org_admin_of == {acme.organization_id}
    lead = policy.principal_for_litellm_user(demo["accounts"]["lead@acme.example"])
    assert lead.team_admin_of == {demo["teams"]["ml-research"]}
    dev = policy.principal_for_litellm_user(demo["accounts"]["dev@acme.example"])
    assert demo["teams"]["ml-research"] in dev.team_ids and not dev.team_admin_of


def test_team_rosters_agree_in_all_three_places(demo):
    memberships = set(TeamMembership.objects.values_list("user_id", "team_id"))
    roster = set()
    for team in TeamTable.objects.all():
        assert isinstance(team.members_with_roles, list)
        for member in team.members_with_roles:
            assert set(member) == {"user_id", "user_email", "role"} and member["role"] in ("admin", "user")
            roster.add((member["user_id"], team.team_id))
    teams_column = {(u.user_id, t) for u in UserTable.objects.all() for t in (u.teams or [])}
    assert roster == memberships == teams_column
    for user in UserTable.objects.all():
        assert len(user.teams or []) == len(set(user.teams or []))


def test_every_org_has_a_budget_row_and_members(demo):
    for org in OrganizationTable.objects.all():
        assert BudgetTable.objects.filter(budget_id=org.budget_id).exists()
        assert OrganizationMembership.objects.filter(organization_id=org.organization_id).exists()


def test_keys_are_stored_as_the_proxy_stores_them(demo):
    for alias, raw in demo["keys"].items():
        key = VerificationToken.objects.get(key_alias=alias)
        assert key.token == hashlib.sha256(raw.encode()).hexdigest()
        assert key.key_name == f"sk-...{raw[-4:]}" and raw.startswith("sk-") and len(raw) == 25
    keys = VerificationToken.objects.all()
    assert keys.filter(blocked=True).exists()
    assert keys.filter(expires__lt=writes.now_utc()).exists()
    assert keys.filter(team_id=policy.UI_SESSION_TEAM_ID, key_alias__isnull=True).exists()
    for key in keys.filter(budget_duration__isnull=False):
        assert key.budget_reset_at is not None and key.budget_reset_at > writes.now_utc()


def test_daily_totals_agree_across_the_user_team_and_tag_tables(demo):
    users = per_day(DailyUserSpend)
    assert len(users) >= SMALL["days"] - 10  # most days have traffic
    assert users == per_day(DailyTeamSpend) == per_day(DailyTagSpend)


def test_the_last_days_daily_rows_are_the_sum_of_their_spend_logs(demo):
    first_log_day = min(SpendLogs.objects.values_list("start_time", flat=True)).date().isoformat()
    daily = DailyUserSpend.objects.filter(date__gte=first_log_day).aggregate(s=Sum("spend"), n=Sum("api_requests"))
    logs = SpendLogs.objects.aggregate(s=Sum("spend"))
    assert daily["n"] == SpendLogs.objects.count()
    assert daily["s"] == pytest.approx(logs["s"], rel=1e-6)
    if SpendLogs.has_column("status"):
        failed = DailyUserSpend.objects.filter(date__gte=first_log_day).aggregate(n=Sum("failed_requests"))["n"]
        assert failed == SpendLogs.objects.filter(status="failure").count()


def test_spend_counters_match_the_daily_rows(demo):
    by_key = defaultdict(float)
    for api_key, spend in DailyUserSpend.objects.values_list("api_key", "spend"):
        by_key[api_key] += spend
    for key in VerificationToken.objects.filter(budget_duration__isnull=True):
        assert key.spend == pytest.approx(by_key.get(key.token, 0.0), abs=1e-4)
    total_keys = sum(VerificationToken.objects.values_list("spend", flat=True))
    assert total_keys > 0


def test_invitations_are_pending_accepted_and_expired(demo):
    now = writes.now_utc()
    states = Counter(
        "accepted" if i.is_accepted else ("expired" if i.expires_at < now else "pending")
        for i in InvitationLink.objects.all()
    )
    assert states["accepted"] and states["pending"] and states["expired"]
    creators = set(InvitationLink.objects.values_list("created_by", flat=True))
    assert creators <= set(UserTable.objects.values_list("user_id", flat=True))


def test_audit_rows_take_litellms_shape(demo):
    entries = list(AuditLog.objects.all())
    assert entries
    assert {e.table_name for e in entries} <= {
        VerificationToken._meta.db_table,
        TeamTable._meta.db_table,
        UserTable._meta.db_table,
    }
    blocked = [e for e in entries if e.action == "blocked"]
    assert blocked and all("*" in (e.before_value.get("key_alias") or "*") for e in blocked)


def test_a_seed_always_yields_the_same_ids():
    def build_ids():
        sid = transaction.savepoint(using="litellm")
        summary = demodata.build_deployment(**SMALL, seed=7)
        tokens = sorted(VerificationToken.objects.values_list("token", flat=True))
        transaction.savepoint_rollback(sid, using="litellm")
        return summary["accounts"], summary["teams"], tokens

    assert build_ids() == build_ids()


def test_it_refuses_a_database_that_already_has_users(demo):
    with pytest.raises(RuntimeError, match="already holds users"):
        demodata.build_deployment(**SMALL)


# --- manage.py demo (without serving) ------------------------------------------------------------


def test_demo_on_a_users_database_writes_no_litellm_rows(monkeypatch, capsys):
    monkeypatch.delenv("CONSOLE_EMBEDDED_DEMO", raising=False)
    call_command("demo", "--no-serve", verbosity=0)
    assert not UserTable.objects.exists() and not VerificationToken.objects.exists()
    ops = get_user_model().objects.get(username="ops")
    assert ops.is_superuser
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and "no demo data written" in out


def test_demo_on_the_embedded_database_builds_once_and_prints_the_logins(monkeypatch, capsys):
    monkeypatch.setenv("CONSOLE_EMBEDDED_DEMO", "1")
    call_command("demo", "--no-serve", verbosity=0)
    users = UserTable.objects.count()
    assert users == 40
    call_command("demo", "--no-serve", verbosity=0)  # the second run reuses it
    assert UserTable.objects.count() == users
    ops = get_user_model().objects.get(username="ops")
    assert ops.check_password("ops-demo-password")
    out = capsys.readouterr().out
    assert f"password {demodata.DEMO_PASSWORD} for each" in out and "ops / ops-demo-password" in out
    assert "admin@acme.example" in out and "LiteLLM proxy admin" in out
    assert f"LITELLM_SALT_KEY={settings.LITELLM_SALT_KEY or demodata.DEMO_SALT_KEY}" in out


def test_the_demo_deployments_are_encrypted_as_litellm_encrypts_them(demo, settings):
    from config.models import ProxyModelTable, UserNotifications
    from demo.deployment.proxy_rows import DEMO_AZURE_KEY
    from tests import litellm_crypto as oracle

    oracle.SALT_KEY = settings.LITELLM_SALT_KEY or demodata.DEMO_SALT_KEY
    try:
        rows = list(ProxyModelTable.objects.all())
        assert len(rows) >= 8
        assert DEMO_AZURE_KEY not in str([r.litellm_params for r in rows])
        opened = [{k: oracle.decrypt_value_helper(v, key=k) for k, v in r.litellm_params.items()} for r in rows]
        assert DEMO_AZURE_KEY in [p.get("api_key") for p in opened]
        team_models = [r for r in rows if (r.model_info or {}).get("team_id")]
        assert [r.model_info["team_public_model_name"] for r in team_models] == ["research-llama"]
        assert any("claude-beta" in (r.model_info or {}).get("access_groups", []) for r in rows)
        assert UserNotifications.objects.filter(status="pending").count() == 3
    finally:
        oracle.SALT_KEY = None
