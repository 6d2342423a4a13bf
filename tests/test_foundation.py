"""The foundation: models on the live schema, the router, the schema check, the write path."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connections

from config import litellm, writes
from config.checks import check_litellm_schema
from config.models import AuditLog
from config.models_base import FullSaveForbidden
from keys.models import VerificationToken
from tests import factories

pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.schema]


def litellm_models():
    return [m for m in apps.get_models() if getattr(m, "is_litellm_table", False)]


def test_it_reads_every_mapped_table():
    for model in litellm_models():
        if model.table_exists():
            list(model.objects.all()[:1])  # every present column selects cleanly


def test_it_names_tables_with_the_configured_prefix(settings):
    for model in litellm_models():
        assert model._meta.db_table.startswith(settings.LITELLM_TABLE_PREFIX)
        if not model.optional_table:
            assert model.table_exists(), model._meta.db_table


def test_it_passes_the_schema_check():
    assert check_litellm_schema() == []


def test_migrate_leaves_the_litellm_schema_alone():
    before = sorted(litellm.read_catalog().columns)
    call_command("migrate", database="default", verbosity=0, interactive=False)
    assert sorted(litellm.read_catalog().columns) == before
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT to_regclass('auth_user')::text, current_schema()")
        table, schema = cursor.fetchone()
    assert schema == "litellm_console"
    assert table == "auth_user"
    with connections["litellm"].cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.auth_user')")
        assert cursor.fetchone()[0] is None


def test_it_runs_the_litellm_session_in_utc():
    with connections["litellm"].cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == "UTC"


def test_newer_columns_read_as_none_where_absent():
    key = factories.make_key(alias="k1")
    row = VerificationToken.objects.get(token=key["token"])
    if VerificationToken.has_column("settings_updated_at"):
        assert "settings_updated_at" not in VerificationToken.absent_field_names()
    else:
        assert row.settings_updated_at is None
        assert "settings_updated_at" in VerificationToken.absent_field_names()


def test_a_full_row_save_is_refused():
    key = factories.make_key(alias="k2")
    row = VerificationToken.objects.get(token=key["token"])
    with pytest.raises(FullSaveForbidden):
        row.save()


def test_update_row_refuses_proxy_counters():
    key = factories.make_key(alias="k3")
    with pytest.raises(writes.CounterWriteRefused):
        writes.update_row(VerificationToken, key["token"], {"spend": 0.0})


def test_update_row_writes_only_the_named_columns():
    key = factories.make_key(alias="before", spend=12.5)
    with writes.atomic():
        writes.update_row(VerificationToken, key["token"], {"key_alias": "after"})
    row = VerificationToken.objects.get(token=key["token"])
    assert (row.key_alias, row.spend) == ("after", 12.5)


def test_audit_rows_take_litellms_shape_and_mask_keys():
    audit_id = writes.audit(
        writes.Actor("default_user_id"),
        writes.UPDATED,
        "VerificationToken",
        "abc",
        {"key_alias": "my-production-key", "token": "abc"},
        {"key": "sk-...wxyz"},
    )
    row = AuditLog.objects.get(id=audit_id)
    assert row.table_name == litellm.table_name("VerificationToken")
    assert row.before_value == {"key_alias": "my-p*********-key", "token": "abc"}
    assert row.updated_values == {"key": "sk-.**wxyz"}
    assert row.updated_at.tzinfo is None


def test_audit_masking_follows_litellms_payload_masker():
    """mask_credentials_in_payload + SensitiveDataMasker({"key"}): segment match on "_"/"-",
    "cost" overrides, list items under a key field masked, nested objects judged by their own
    field names, non-strings and empty strings kept."""
    masked = writes.mask_keys(
        {
            "api-key": "sk-1234567890",
            "key_cost_usd": "not-a-secret",
            "keys": "plural-is-not-key",
            "key_aliases": ["first-alias-1", "short"],
            "key_count": 3,
            "key": "",
            "metadata": {"api_key": "nested-secret-1", "tags": ["key"]},
            "token": "abc",
        }
    )
    assert masked == {
        "api-key": "sk-1*****7890",
        "key_cost_usd": "not-a-secret",
        "keys": "plural-is-not-key",
        "key_aliases": ["firs*****as-1", "*****"],
        "key_count": 3,
        "key": "",
        "metadata": {"api_key": "nest*******et-1", "tags": ["key"]},
        "token": "abc",
    }


def test_audit_values_must_be_objects_as_litellms_audit_tab_reads_them():
    with pytest.raises(TypeError):
        writes.audit(writes.Actor("x"), writes.UPDATED, "TeamTable", "t", None, [{"user_id": "u"}])
    assert not AuditLog.objects.filter(object_id="t").exists()


def test_money_never_shows_a_nonzero_amount_as_zero():
    from config.tables import money

    assert money(0) == "$0.00"
    assert money(12.345) == "$12.35"
    assert money(0.0042) == "$0.0042"
    assert money(0.00003) == "<$0.0001"
