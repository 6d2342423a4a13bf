"""Lost updates between editors: a form left open writes back only what its person changed
on it, and refuses (writing nothing) when someone else changed the same field meanwhile.

Each form: two admins open it (GET); A saves field X; B saves an unrelated field Y from the
stale form -> both X and Y end as set (read back in SQL). And both change X -> B is told who
won what ("changed by someone else since you opened this form", both values), nothing written.
"""

from __future__ import annotations

import json

import pytest
from django.db import connections
from django.urls import reverse

from config.forms import SHOWN_FIELD
from config.models import AuditLog
from tests import factories
from tests.forms import open_form, save

pytestmark = pytest.mark.django_db(databases="__all__")

CONFLICT = "changed by someone else since you opened this form"


def sql_row(table: str, where: str, value, *columns: str) -> dict:
    """The row as the database holds it (not through the ORM the views use)."""
    from config import litellm

    qn = connections["litellm"].ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connections["litellm"].cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {qn(litellm.table_name(table))} WHERE {qn(where)} = %s", [value])
        row = cursor.fetchone()
    assert row is not None
    # jsonb arrives as text through a raw cursor
    return {
        c: json.loads(v) if c in JSON_COLUMNS and isinstance(v, str) else v for c, v in zip(columns, row, strict=True)
    }


JSON_COLUMNS = {"metadata", "model_max_budget", "members_with_roles"}


@pytest.fixture
def admins(cast, client_for):
    """Two proxy admins, each in their own browser."""
    other = factories.make_user(role="proxy_admin", email="admin2@example.com")
    return client_for(cast.proxy_admin), client_for(other)


def body(response) -> str:
    return response.content.decode()


# --- keys ---------------------------------------------------------------------------------------


@pytest.fixture
def key(cast):
    return factories.make_key(
        alias="shared-key", user_id=cast.member["user_id"], team_id=cast.team["team_id"], spend=4.0
    )


def key_url(key) -> str:
    return reverse("keys:key_edit", args=[key["token"]])


def test_issue_key_max_budget_77_survives_a_stale_unrelated_save(admins, key):
    """The issue's first case: A sets max_budget 77; B's save of an unrelated field from the
    form opened before must not reset it to unlimited."""
    a, b = admins
    url = key_url(key)
    form_a, form_b = open_form(a, url), open_form(b, url)
    assert save(a, url, form_a, max_budget="77").status_code == 302
    assert save(b, url, form_b, tpm_limit="500").status_code == 302
    row = sql_row("VerificationToken", "token", key["token"], "max_budget", "tpm_limit", "spend", "key_alias")
    assert row == {"max_budget": 77.0, "tpm_limit": 500, "spend": 4.0, "key_alias": "shared-key"}
    audit = AuditLog.objects.filter(object_id=key["token"], action="updated").order_by("updated_at")
    assert [sorted(a.updated_values) for a in audit] == [
        ["key", "max_budget"],
        ["key", "tpm_limit"],
    ]  # + UpdateKeyRequest.key


def test_key_same_field_changed_by_both_is_refused_with_both_values(admins, key):
    a, b = admins
    url = key_url(key)
    form_a, form_b = open_form(a, url), open_form(b, url)
    save(a, url, form_a, max_budget="77")
    response = save(b, url, form_b, max_budget="50", tpm_limit="500")
    assert response.status_code == 200
    text = body(response)
    assert CONFLICT in text and "it was empty when you opened it and is now 77; you entered 50" in text
    row = sql_row("VerificationToken", "token", key["token"], "max_budget", "tpm_limit")
    assert row == {"max_budget": 77.0, "tpm_limit": None}  # B's tpm_limit not written either
    assert AuditLog.objects.filter(object_id=key["token"], action="updated").count() == 1


def test_key_same_change_by_both_is_no_conflict(admins, key):
    a, b = admins
    url = key_url(key)
    form_a, form_b = open_form(a, url), open_form(b, url)
    save(a, url, form_a, max_budget="77")
    assert save(b, url, form_b, max_budget="77", rpm_limit="9").status_code == 302
    row = sql_row("VerificationToken", "token", key["token"], "max_budget", "rpm_limit")
    assert row == {"max_budget": 77.0, "rpm_limit": 9}
    last = AuditLog.objects.filter(object_id=key["token"], action="updated").order_by("-updated_at").first()
    # Only what really changed, plus the `key` LiteLLM's UpdateKeyRequest audit always carries.
    assert sorted(last.updated_values) == ["key", "rpm_limit"]


def test_key_metadata_and_per_model_budgets(admins, key):
    """JSON fields compare by value: A's metadata and per-model budget stay after B's stale
    save of a limit; both editing metadata is a conflict."""
    a, b = admins
    url = key_url(key)
    form_a, form_b, form_c = open_form(a, url), open_form(b, url), open_form(b, url)
    response = save(
        a,
        url,
        form_a,
        **{
            "metadata-name": ["env", ""],
            "metadata-value": ["prod", ""],
            "model_max_budget-model": ["gpt-4o"],
            "model_max_budget-max_budget": ["10"],
            "model_max_budget-duration": ["1d"],
        },
    )
    assert response.status_code == 302
    assert save(b, url, form_b, rpm_limit="4").status_code == 302
    row = sql_row("VerificationToken", "token", key["token"], "metadata", "model_max_budget", "rpm_limit")
    assert row["metadata"] == {"env": "prod"} and row["rpm_limit"] == 4
    assert row["model_max_budget"] == {"gpt-4o": {"max_budget": 10.0, "budget_duration": "1d"}}
    response = save(b, url, form_c, **{"metadata-name": ["env"], "metadata-value": ["dev"]})
    assert response.status_code == 200 and CONFLICT in body(response)
    assert sql_row("VerificationToken", "token", key["token"], "metadata")["metadata"] == {"env": "prod"}


def test_key_soft_budget_on_its_budget_row(admins, key):
    a, b = admins
    url = key_url(key)
    form_a, form_b = open_form(a, url), open_form(b, url)
    assert save(a, url, form_a, soft_budget="5").status_code == 302
    response = save(b, url, form_b, soft_budget="8")
    assert response.status_code == 200 and CONFLICT in body(response)
    assert "it was empty when you opened it and is now 5; you entered 8" in body(response)


def test_tampered_or_missing_signature_writes_nothing(admins, key):
    a, _ = admins
    url = key_url(key)
    form = open_form(a, url)
    for token in (["x" + form[SHOWN_FIELD][0]], []):
        response = save(a, url, {**form, SHOWN_FIELD: token}, max_budget="3")
        assert response.status_code == 200 and "could not be matched with the page it came from" in body(response)
    # A token of another key's form does not fit this one either.
    other = factories.make_key(alias="other-key")
    response = save(a, url, {**form, SHOWN_FIELD: open_form(a, key_url(other))[SHOWN_FIELD]}, max_budget="3")
    assert response.status_code == 200
    assert sql_row("VerificationToken", "token", key["token"], "max_budget")["max_budget"] is None


# --- teams --------------------------------------------------------------------------------------


def team_url(cast) -> str:
    return reverse("accounts:team_edit", args=[cast.team["team_id"]])


def test_issue_team_blocked_survives_a_stale_save(cast, admins):
    """The issue's second case: A blocks a team; B's save from the form opened before (showing
    it unblocked) must not unblock it."""
    a, b = admins
    url = team_url(cast)
    form_a, form_b = open_form(a, url), open_form(b, url)
    assert save(a, url, form_a, blocked="on").status_code == 302
    assert save(b, url, form_b, tpm_limit="700").status_code == 302
    row = sql_row("TeamTable", "team_id", cast.team["team_id"], "blocked", "tpm_limit", "team_alias")
    assert row == {"blocked": True, "tpm_limit": 700, "team_alias": "Research"}
    actions = AuditLog.objects.filter(object_id=cast.team["team_id"]).order_by("updated_at")
    assert [(e.action, sorted(e.updated_values or {})) for e in actions] == [
        ("blocked", []),
        ("updated", ["tpm_limit"]),
    ]


def test_team_same_field_changed_by_both_is_refused(cast, admins):
    a, b = admins
    url = team_url(cast)
    form_a, form_b = open_form(a, url), open_form(b, url)
    save(a, url, form_a, max_budget="40")
    response = save(b, url, form_b, max_budget="60")
    assert response.status_code == 200
    assert CONFLICT in body(response) and "it was empty when you opened it and is now 40; you entered 60" in body(
        response
    )
    assert sql_row("TeamTable", "team_id", cast.team["team_id"], "max_budget")["max_budget"] == 40.0


# --- users --------------------------------------------------------------------------------------


def test_user_edit(cast, admins):
    a, b = admins
    url = reverse("accounts:user_edit", args=[cast.member["user_id"]])
    form_a, form_b, form_c = open_form(a, url), open_form(b, url), open_form(b, url)
    assert save(a, url, form_a, max_budget="77").status_code == 302
    assert save(b, url, form_b, user_alias="Mem").status_code == 302
    row = sql_row("UserTable", "user_id", cast.member["user_id"], "max_budget", "user_alias", "user_role")
    assert row == {"max_budget": 77.0, "user_alias": "Mem", "user_role": "internal_user"}
    response = save(b, url, form_c, max_budget="5")
    assert response.status_code == 200 and CONFLICT in body(response)
    assert "it was empty when you opened it and is now 77; you entered 5" in body(response)
    assert sql_row("UserTable", "user_id", cast.member["user_id"], "max_budget")["max_budget"] == 77.0


# --- organizations (the org row and its budget row) -------------------------------------------------


def test_org_edit(cast, admins):
    a, b = admins
    org_id = cast.org["organization_id"]
    url = reverse("accounts:org_edit", args=[org_id])
    form_a, form_b, form_c = open_form(a, url), open_form(b, url), open_form(b, url)
    assert save(a, url, form_a, max_budget="2000", tpm_limit="5").status_code == 302
    assert save(b, url, form_b, organization_alias="Acme Inc").status_code == 302
    assert sql_row("OrganizationTable", "organization_id", org_id, "organization_alias") == {
        "organization_alias": "Acme Inc"
    }
    budget = sql_row("BudgetTable", "budget_id", cast.org["budget_id"], "max_budget", "tpm_limit")
    assert budget == {"max_budget": 2000.0, "tpm_limit": 5}
    response = save(b, url, form_c, max_budget="1500")
    assert response.status_code == 200 and CONFLICT in body(response)
    assert "it was 1000 when you opened it and is now 2000; you entered 1500" in body(response)
    assert sql_row("BudgetTable", "budget_id", cast.org["budget_id"], "max_budget")["max_budget"] == 2000.0


# --- end users ----------------------------------------------------------------------------------


def test_end_user_edit(cast, admins):
    a, b = admins
    end_user = factories.make_end_user(alias="shop")
    url = reverse("accounts:enduser_edit", args=[end_user["user_id"]])
    form_a, form_b, form_c = open_form(a, url), open_form(b, url), open_form(b, url)
    assert save(a, url, form_a, allowed_model_region="eu").status_code == 302
    assert save(b, url, form_b, default_model="gpt-4o").status_code == 302
    row = sql_row("EndUserTable", "user_id", end_user["user_id"], "allowed_model_region", "default_model", "alias")
    assert row == {"allowed_model_region": "eu", "default_model": "gpt-4o", "alias": "shop"}
    response = save(b, url, form_c, allowed_model_region="us")
    assert response.status_code == 200 and CONFLICT in body(response)
    assert (
        sql_row("EndUserTable", "user_id", end_user["user_id"], "allowed_model_region")["allowed_model_region"] == "eu"
    )


# --- budget rows --------------------------------------------------------------------------------


def test_budget_row_edit(cast, admins):
    a, b = admins
    row = factories.make_budget(max_budget=10.0)
    url = reverse("budgets:budget_row_edit", args=[row["budget_id"]])
    form_a, form_b, form_c = open_form(a, url), open_form(b, url), open_form(b, url)
    assert save(a, url, form_a, max_budget="77").status_code == 302
    assert save(b, url, form_b, rpm_limit="3", budget_duration="7d").status_code == 302
    stored = sql_row("BudgetTable", "budget_id", row["budget_id"], "max_budget", "rpm_limit", "budget_duration")
    assert stored == {"max_budget": 77.0, "rpm_limit": 3, "budget_duration": "7d"}
    response = save(b, url, form_c, max_budget="12")
    assert response.status_code == 200 and CONFLICT in body(response)
    assert "it was 10 when you opened it and is now 77; you entered 12" in body(response)
    assert sql_row("BudgetTable", "budget_id", row["budget_id"], "max_budget")["max_budget"] == 77.0


# --- team member budgets: the matrix and the one-member page ------------------------------------------


def test_member_budget_matrix(cast, admins):
    a, b = admins
    team_id = cast.team["team_id"]
    url = reverse("budgets:team_members", args=[team_id])
    member, admin = cast.member["user_id"], cast.team_admin["user_id"]
    form_a, form_b, form_c = open_form(a, url), open_form(b, url), open_form(b, url)
    assert save(a, url, form_a, **{f"max_budget__{member}": "77", "save": "1"}).status_code == 302
    assert save(b, url, form_b, **{f"max_budget__{admin}": "30", "save": "1"}).status_code == 302

    def member_max(user_id):
        budget_id = sql_row("TeamMembership", "user_id", user_id, "budget_id")["budget_id"]
        return sql_row("BudgetTable", "budget_id", budget_id, "max_budget")["max_budget"] if budget_id else None

    assert member_max(member) == 77.0 and member_max(admin) == 30.0
    response = save(b, url, form_c, **{f"max_budget__{member}": "50", "save": "1"})
    assert response.status_code == 200 and CONFLICT in body(response)
    assert "Max budget for member@example.com" in body(response)
    assert "it was empty when you opened it and is now 77; you entered 50" in body(response)
    assert member_max(member) == 77.0


def test_member_budget_page(cast, admins):
    a, b = admins
    team_id, user_id = cast.team["team_id"], cast.member["user_id"]
    url = reverse("accounts:team_member_budget", args=[team_id, user_id])
    form_a, form_b = open_form(a, url), open_form(b, url)
    assert save(a, url, form_a, max_budget="77").status_code == 302
    response = save(b, url, form_b, max_budget="9", tpm_limit="10")
    assert response.status_code == 200 and CONFLICT in body(response)
    budget_id = sql_row("TeamMembership", "user_id", user_id, "budget_id")["budget_id"]
    assert sql_row("BudgetTable", "budget_id", budget_id, "max_budget", "tpm_limit") == {
        "max_budget": 77.0,
        "tpm_limit": None,
    }


# --- member roles -------------------------------------------------------------------------------


def test_org_member_role_changed_meanwhile_is_refused(cast, admins):
    a, b = admins
    org_id, user_id = cast.org["organization_id"], cast.member["user_id"]
    page = reverse("accounts:org_detail", args=[org_id])
    role_url = reverse("accounts:org_member_role", args=[org_id, user_id])
    form_a, form_b = open_form(a, page, action=role_url), open_form(b, page, action=role_url)
    assert save(a, role_url, form_a, role="org_admin").status_code == 302
    response = b.post(role_url, {**form_b, "role": "internal_user_viewer"}, follow=True)
    assert CONFLICT in body(response) and "it was internal_user when you opened it and is now org_admin" in body(
        response
    )
    assert sql_row("OrganizationMembership", "user_id", user_id, "user_role") == {"user_role": "org_admin"}


def test_team_member_role_from_a_stale_or_forged_page(cast, admins):
    a, b = admins
    team_id, user_id = cast.team["team_id"], cast.member["user_id"]
    page = reverse("accounts:team_detail", args=[team_id])
    role_url = reverse("accounts:team_member_role", args=[team_id, user_id])
    form_a, form_b = open_form(a, page, action=role_url), open_form(b, page, action=role_url)
    assert save(a, role_url, form_a, role="admin").status_code == 302
    before = AuditLog.objects.count()
    # B asks for what A already did: no conflict, and nothing more is written.
    assert save(b, role_url, form_b, role="admin").status_code == 302
    assert AuditLog.objects.count() == before
    # The role a page showed for one member is no use for another.
    other_url = reverse("accounts:team_member_role", args=[team_id, cast.internal_viewer["user_id"]])
    response = b.post(other_url, {**form_b, "role": "admin"}, follow=True)
    assert "could not be matched with the page it came from" in body(response)
    roster = sql_row("TeamTable", "team_id", team_id, "members_with_roles")["members_with_roles"]
    assert {m["user_id"]: m["role"] for m in roster} == {
        cast.team_admin["user_id"]: "admin",
        user_id: "admin",
        cast.internal_viewer["user_id"]: "user",
    }


# --- the service-level API (for callers without these forms, e.g. the ops admin) ----------------


def test_update_changed_writes_only_what_changed_and_refuses_a_conflict(cast):
    from accounts.models import TeamTable
    from config import writes
    from config.errors import EditConflict

    team_id = cast.team["team_id"]
    writes.update_row(TeamTable, team_id, {"max_budget": 77.0})  # someone else's save
    # Shown: no budget, 0 tpm. The person changed only tpm_limit: max_budget is not written.
    before, written = writes.update_changed(
        TeamTable, team_id, {"tpm_limit": 9}, expected={"tpm_limit": None}, stamps={"updated_at": writes.now_utc()}
    )
    assert before.max_budget == 77.0 and written == {"tpm_limit": 9}
    assert sql_row("TeamTable", "team_id", team_id, "max_budget", "tpm_limit") == {"max_budget": 77.0, "tpm_limit": 9}
    with pytest.raises(EditConflict) as refused:
        writes.update_changed(TeamTable, team_id, {"max_budget": 50.0}, expected={"max_budget": None})
    assert refused.value.field == "max_budget"
    assert "it was empty when you opened it and is now 77; you entered 50" in refused.value.message
    # Both set the same value: no conflict and nothing to write. Decimal and float compare by value.
    from decimal import Decimal

    assert (
        writes.update_changed(TeamTable, team_id, {"max_budget": Decimal("77")}, expected={"max_budget": None})[1] == {}
    )
    assert sql_row("TeamTable", "team_id", team_id, "max_budget") == {"max_budget": 77.0}
