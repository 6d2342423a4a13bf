"""The ops admin: saves through the write path, counters read-only, big tables uncounted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import InvitationLink, TeamTable, UserTable
from config import admin_base
from config.models import AuditLog
from config.writes import now_utc
from keys.models import DeletedVerificationToken, VerificationToken
from tests import factories
from usage.models import SpendLogs

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def ops_client(client):
    ops = get_user_model().objects.create_superuser("ops", "ops@example.com", "ops-password")
    client.force_login(ops)
    return client


def change_url(model, pk) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def post_data(form, **overrides) -> dict:
    """What the browser would submit for the change form as rendered."""
    data = {}
    for bound in form:
        widget, value = bound.field.widget, bound.value()
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for i, part in enumerate(parts):
                if hasattr(part, "strftime"):
                    part = part.strftime("%Y-%m-%d" if i == 0 else "%H:%M:%S")
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        elif getattr(widget, "input_type", None) == "checkbox":
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = "" if value is None else value
    data.update(overrides)
    data["_save"] = "Save"
    return data


def proxy_adds_spend(token: str, amount: float) -> None:
    """The proxy's spend writer: spend = spend + x, between our form load and its save."""
    table = VerificationToken._meta.db_table
    with connections["litellm"].cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET spend = spend + %s WHERE token = %s', [amount, token])


def test_it_writes_only_the_changed_alias_and_keeps_a_concurrent_spend_increment(ops_client):
    key = factories.make_key(alias="old-alias", spend=1.5, max_budget=10.0, models=["gpt-4o"])
    page = ops_client.get(change_url(VerificationToken, key["token"]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    proxy_adds_spend(key["token"], 2.0)

    response = ops_client.post(change_url(VerificationToken, key["token"]), post_data(form, key_alias="new-alias"))

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    row = VerificationToken.objects.get(token=key["token"])
    assert row.key_alias == "new-alias"
    assert row.spend == 3.5  # 1.5 + the proxy's 2.0: not overwritten with the form's 1.5
    assert (row.max_budget, row.models, row.key_name) == (10.0, ["gpt-4o"], key["key_name"])


def test_it_records_the_admin_edit_in_litellms_audit_log(ops_client):
    key = factories.make_key(alias="audited-alias")
    form = ops_client.get(change_url(VerificationToken, key["token"])).context["adminform"].form
    ops_client.post(change_url(VerificationToken, key["token"]), post_data(form, max_budget="25"))

    [entry] = factories.audit_rows(object_id=key["token"], ops_username="ops")
    # an ops login is recorded as LiteLLM records a master-key call (litellm-exact.md §5)
    assert (entry.action, entry.changed_by, entry.table_name) == (
        "updated",
        "default_user_id",
        VerificationToken._meta.db_table,
    )
    assert entry.changed_by_api_key == "litellm_proxy_master_key"
    assert entry.updated_values["max_budget"] == 25.0
    # Only the changed field (and the stamps LiteLLM sets with any edit) was written.
    # UpdateKeyRequest: the request's fields and `key`, the hash LiteLLM's UI sends (litellm-exact.md §6)
    assert set(entry.updated_values) - set(admin_base.STAMPS) == {"key", "max_budget"}
    assert entry.before_value["key_alias"] == "audi*****lias"  # masked as LiteLLM masks key fields


def test_counters_are_read_only_in_the_admin(ops_client):
    key = factories.make_key(alias="counter-key", spend=4.0)
    page = ops_client.get(change_url(VerificationToken, key["token"]))
    form = page.context["adminform"].form
    assert "spend" not in form.fields and "model_spend" not in form.fields
    assert "4.0" in page.content.decode()  # shown, not editable

    ops_client.post(change_url(VerificationToken, key["token"]), post_data(form, spend="0", model_spend="{}"))
    assert VerificationToken.objects.get(token=key["token"]).spend == 4.0


def test_columns_this_database_lacks_are_left_out_of_the_form(ops_client):
    key = factories.make_key(alias="schema-key")
    form = ops_client.get(change_url(VerificationToken, key["token"])).context["adminform"].form
    for name in VerificationToken.optional_columns:
        if not VerificationToken.has_column(name):
            assert name not in form.fields


def test_a_team_change_page_shows_its_memberships(ops_client):
    lead = factories.make_user(email="lead@example.com")
    team = factories.make_team(alias="ml", members=[(lead, "admin")])
    page = ops_client.get(change_url(TeamTable, team["team_id"]))
    html = page.content.decode()
    assert "lead@example.com" in html and "admin" in html
    assert "members_with_roles" not in page.context["adminform"].form.fields  # the roster is edited elsewhere


def test_it_adds_a_team_with_litellms_ids_and_stamps(ops_client):
    add_url = reverse("admin:accounts_teamtable_add")
    form = ops_client.get(add_url).context["adminform"].form
    response = ops_client.post(add_url, post_data(form, team_alias="from-admin", max_budget="50"))
    assert response.status_code == 302
    team = TeamTable.objects.get(team_alias="from-admin")
    assert re.fullmatch(r"[0-9a-f-]{36}", team.team_id)
    # an ops login is LiteLLM's master-key caller: /team/new adds default_user_id as admin (litellm-exact.md §1)
    assert team.members_with_roles == [{"user_id": "default_user_id", "user_email": None, "role": "admin"}]
    assert team.spend == 0.0 and team.max_budget == 50.0
    assert team.created_at is not None and team.created_at.tzinfo is None
    assert AuditLog.objects.filter(object_id=team.team_id, action="created").exists()


def test_deleting_a_key_in_the_admin_archives_and_audits_it(ops_client):
    key = factories.make_key(alias="doomed")
    response = ops_client.post(reverse("admin:keys_verificationtoken_delete", args=[key["token"]]), {"post": "yes"})
    assert response.status_code == 302
    assert not VerificationToken.objects.filter(token=key["token"]).exists()
    assert AuditLog.objects.filter(object_id=key["token"], action="deleted").exists()
    if DeletedVerificationToken.table_exists():
        assert DeletedVerificationToken.objects.filter(token=key["token"]).exists()


def test_log_and_daily_tables_are_read_only(ops_client):
    log = factories.make_spend_log()
    assert ops_client.get(reverse("admin:usage_spendlogs_add")).status_code == 403
    page = ops_client.get(change_url(SpendLogs, log["request_id"]))
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields  # every field read-only
    assert (
        ops_client.post(reverse("admin:usage_spendlogs_delete", args=[log["request_id"]]), {"post": "yes"}).status_code
        == 403
    )
    assert ops_client.get(reverse("admin:usage_dailyuserspend_add")).status_code == 403
    assert ops_client.get(reverse("admin:config_auditlog_add")).status_code == 403


@pytest.mark.parametrize(
    "url_name", ["usage_spendlogs", "usage_dailyuserspend", "usage_dailyteamspend", "config_auditlog"]
)
def test_big_table_changelists_never_count_the_whole_table(ops_client, url_name):
    factories.make_spend_log()
    factories.make_daily_user_spend("u1", "2026-01-01")
    with CaptureQueriesContext(connections["litellm"]) as queries:
        response = ops_client.get(
            reverse(f"admin:{url_name}_changelist"), {"recent": "30"} if "spend" in url_name else {}
        )
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert all("LIMIT" in sql.upper() for sql in counts), counts


def test_the_paginator_uses_the_planners_estimate_for_a_big_unfiltered_table(monkeypatch):
    for _ in range(3):
        factories.make_spend_log()
    with connections["litellm"].cursor() as cursor:
        cursor.execute(f'ANALYZE "{SpendLogs._meta.db_table}"')
    monkeypatch.setattr(admin_base.EstimatedCountPaginator, "CAP", 1)
    with CaptureQueriesContext(connections["litellm"]) as queries:
        count = admin_base.EstimatedCountPaginator(SpendLogs.objects.order_by("-start_time"), 50).count
    assert count == 3
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_staff_without_superuser_may_look_but_not_change(client):
    viewer = get_user_model().objects.create_user("ops-viewer", password="x", is_staff=True)
    client.force_login(viewer)
    key = factories.make_key(alias="look-only")
    assert client.get(changelist_url(VerificationToken)).status_code == 200
    page = client.get(change_url(VerificationToken, key["token"]))
    assert page.status_code == 200 and not page.context["adminform"].form.fields
    assert client.post(change_url(VerificationToken, key["token"]), {"key_alias": "x"}).status_code == 403
    assert VerificationToken.objects.get(token=key["token"]).key_alias == "look-only"


def test_anonymous_and_litellm_users_are_sent_to_the_admin_login(client, client_for):
    assert client.get(changelist_url(VerificationToken))["Location"].startswith("/admin/login/")
    member = factories.make_user(role="proxy_admin")
    response = client_for(member).get(changelist_url(VerificationToken))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_it_adds_a_user_as_litellm_would_with_a_role(ops_client):
    add_url = reverse("admin:accounts_usertable_add")
    form = ops_client.get(add_url).context["adminform"].form
    response = ops_client.post(add_url, post_data(form, user_email="new@example.com"))
    assert response.status_code == 302
    user = UserTable.objects.get(user_email="new@example.com")
    assert re.fullmatch(r"[0-9a-f-]{36}", user.user_id)
    assert (user.user_role, user.teams, user.spend, user.metadata) == ("internal_user", [], 0.0, {})
    assert user.password is None
    [entry] = factories.audit_rows(object_id=user.user_id, ops_username="ops")
    assert (entry.action, entry.changed_by) == ("created", "default_user_id")


def test_blocking_a_key_in_the_admin_is_audited_as_litellm_audits_a_block(ops_client):
    key = factories.make_key(alias="to-block")
    form = ops_client.get(change_url(VerificationToken, key["token"])).context["adminform"].form
    ops_client.post(change_url(VerificationToken, key["token"]), post_data(form, blocked="true"))
    row = VerificationToken.objects.get(token=key["token"])
    assert row.blocked is True and row.updated_by == key["updated_by"]  # block_key writes no updated_by
    entry = AuditLog.objects.get(object_id=key["token"])
    assert entry.action == "blocked" and entry.updated_values == {}  # as block_key audits it
    assert entry.before_value["blocked"] is None


def test_a_key_edit_stamps_what_key_update_stamps_and_not_updated_by(ops_client):
    """/key/update writes the fields, Prisma's updated_at and settings_updated_at; never updated_by."""
    key = factories.make_key(alias="stamped", created_by="creator", updated_by="creator")
    form = ops_client.get(change_url(VerificationToken, key["token"])).context["adminform"].form
    response = ops_client.post(change_url(VerificationToken, key["token"]), post_data(form, max_budget="12"))
    assert response.status_code == 302
    row = VerificationToken.objects.get(token=key["token"])
    assert row.max_budget == 12.0
    assert row.created_by == row.updated_by == "creator"
    assert row.updated_at >= key["updated_at"]
    if VerificationToken.has_column("settings_updated_at"):
        assert row.settings_updated_at == row.updated_at
    entry = AuditLog.objects.get(object_id=key["token"])
    assert "updated_by" not in entry.updated_values


def test_a_user_edit_is_audited_as_user_update_without_the_password_hash(ops_client):
    """/user/update audits before = the old row, updated = the new row; LiteLLM_UserTable never
    serialises its password (Field(exclude=True))."""
    user = factories.make_user(email="pw@example.com", password="scrypt:c2FsdA==", max_budget=1.0)
    form = ops_client.get(change_url(UserTable, user["user_id"])).context["adminform"].form
    response = ops_client.post(change_url(UserTable, user["user_id"]), post_data(form, max_budget="5"))
    assert response.status_code == 302
    row = UserTable.objects.get(user_id=user["user_id"])
    assert row.max_budget == 5.0 and row.password == "scrypt:c2FsdA=="
    entry = AuditLog.objects.get(object_id=user["user_id"], action="updated")
    assert "password" not in entry.before_value and "password" not in entry.updated_values
    assert entry.before_value["max_budget"] == 1.0
    assert entry.updated_values["max_budget"] == 5.0
    assert entry.updated_values["user_email"] == "pw@example.com"  # the whole new row
    assert entry.table_name == UserTable._meta.db_table


def test_an_invitation_added_in_the_admin_is_created_by_an_existing_admin_user(ops_client):
    """InvitationLink.created_by/updated_by are FKs to LiteLLM_UserTable: the proxy admin row is
    made first when missing (as the proxy's admin login upserts it)."""
    invitee = factories.make_user(email="invitee@example.com")
    assert not UserTable.objects.filter(user_id=factories.ADMIN_ID).exists()
    add_url = reverse("admin:accounts_invitationlink_add")
    form = ops_client.get(add_url).context["adminform"].form
    before = now_utc()
    response = ops_client.post(add_url, post_data(form, user_id=invitee["user_id"]))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    [invitation] = InvitationLink.objects.filter(user_id=invitee["user_id"])
    assert invitation.created_by == invitation.updated_by == factories.ADMIN_ID
    assert UserTable.objects.get(user_id=factories.ADMIN_ID).user_role == "proxy_admin"
    assert invitation.is_accepted is False and invitation.accepted_at is None
    assert invitation.created_at == invitation.updated_at
    # /invitation/new (invitation_create, the console's): expires 7 days after creation.
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert invitation.created_at >= before


def test_accepting_an_invitation_in_the_admin_stamps_accepted_at_as_invitation_update(ops_client):
    """/invitation/update writes is_accepted, accepted_at = now, updated_at, updated_by."""
    invitee = factories.make_user(email="late@example.com")
    admin = factories.make_user(user_id=factories.ADMIN_ID, role="proxy_admin")
    invitation = factories.make_invitation(user_id=invitee["user_id"], created_by=invitee["user_id"])
    form = ops_client.get(change_url(InvitationLink, invitation["id"])).context["adminform"].form
    response = ops_client.post(change_url(InvitationLink, invitation["id"]), post_data(form, is_accepted="on"))
    assert response.status_code == 302
    row = InvitationLink.objects.get(id=invitation["id"])
    assert row.is_accepted is True
    assert row.accepted_at is not None and row.accepted_at == row.updated_at
    assert row.updated_by == admin["user_id"] and row.created_by == invitee["user_id"]
    assert row.expires_at == invitation["expires_at"]
