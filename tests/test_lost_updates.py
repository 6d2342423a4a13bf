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
    assert [sorted(a.updated_values) for a in audit] == [["max_budget"], ["tpm_limit"]]


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
    assert sorted(last.updated_values) == ["rpm_limit"]  # only what really changed


def test_key_metadata_models_and_per_model_budgets(admins, key):
    """JSON fields compare by value: A's metadata and per-model budget stay after B's stale
    save of the models; both editing metadata is a conflict."""
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
    assert save(b, url, form_b, extra_models="my-model").status_code == 302
    row = sql_row("VerificationToken", "token", key["token"], "metadata", "model_max_budget", "models")
    assert row["metadata"] == {"env": "prod"} and row["models"] == ["my-model"]
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
