"""keys.services writes keys exactly as LiteLLM's key endpoints do."""

import hashlib
from datetime import timedelta

import pytest

from budgets import durations
from budgets.models import BudgetTable
from config import litellm
from config.errors import ChangeRefused
from config.models import AuditLog
from config.writes import Actor, now_utc
from keys import services
from keys.models import DeletedVerificationToken, VerificationToken
from tests import factories

pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.schema]

ACTOR = Actor(changed_by="admin-user", writer_id="admin-user")  # a LiteLLM user acting as themselves


@pytest.fixture(autouse=True)
def acting_user():
    """The actor is a LiteLLM user, so created_by/deleted_by carry their id."""
    return factories.make_user(user_id="admin-user", role="proxy_admin")


def audit_rows(object_id):
    return list(AuditLog.objects.filter(object_id=object_id).order_by("updated_at"))


def test_it_creates_a_key_as_litellm_does():
    issued = services.key_create(
        actor=ACTOR,
        data={
            "key_alias": "ci-bot",
            "models": ["gpt-4o"],
            "max_budget": 25.0,
            "budget_duration": "30d",
            "tpm_limit": 1000,
            "rpm_limit": 10,
            "max_parallel_requests": 2,
            "duration": "7d",
            "metadata": {"owner": "ci"},
        },
    )
    assert issued.raw.startswith("sk-") and len(issued.raw) == 25
    assert issued.token == hashlib.sha256(issued.raw.encode()).hexdigest()
    key = VerificationToken.objects.get(token=issued.token)
    assert key.key_name == "sk-..." + issued.raw[-4:]
    assert key.key_alias == "ci-bot"
    assert key.models == ["gpt-4o"]
    assert key.spend == 0.0
    assert key.max_budget == 25.0
    assert key.budget_duration == "30d"
    assert key.budget_reset_at == durations.budget_reset_at("30d", key.created_at)
    assert key.tpm_limit == 1000 and key.rpm_limit == 10 and key.max_parallel_requests == 2
    assert abs((key.expires - key.created_at) - timedelta(days=7)) < timedelta(seconds=1)
    assert key.metadata == {"owner": "ci"}
    assert key.aliases == {} and key.config == {} and key.permissions == {}
    assert key.model_spend == {} and key.model_max_budget == {}
    assert key.allowed_cache_controls == [] and key.allowed_routes == []
    assert key.blocked is None
    assert key.budget_id is None
    assert key.created_by == key.updated_by == "admin-user"
    if VerificationToken.has_column("budget_fallbacks"):
        assert key.budget_fallbacks == {}
    if VerificationToken.has_column("key_type"):
        assert key.key_type == "default"  # handle_key_type with GenerateKeyRequest's default
    else:
        assert key.key_type is None  # seed era: no such column
    [row] = audit_rows(issued.token)
    assert row.action == "created" and row.before_value is None
    assert row.updated_values["token"] == row.updated_values["token_id"] == issued.token
    assert issued.raw not in str(row.updated_values)


def test_it_puts_a_soft_budget_in_a_linked_budget_row():
    issued = services.key_create(actor=ACTOR, data={"soft_budget": 5.0})
    key = VerificationToken.objects.get(token=issued.token)
    budget = BudgetTable.objects.get(budget_id=key.budget_id)
    assert budget.soft_budget == 5.0
    assert budget.created_by == budget.updated_by == "admin-user"


def test_it_omits_key_name_when_disabled(settings):
    settings.LITELLM_DISABLE_KEY_NAME = True
    issued = services.key_create(actor=ACTOR, data={})
    assert VerificationToken.objects.get(token=issued.token).key_name is None


def test_it_refuses_a_duplicate_alias():
    factories.make_key(alias="taken")
    with pytest.raises(ChangeRefused):
        services.key_create(actor=ACTOR, data={"key_alias": "taken"})


def test_it_blocks_and_unblocks_with_audit():
    key = factories.make_key(spend=3.5)
    assert services.key_block(actor=ACTOR, token=key["token"]) == 1
    row = VerificationToken.objects.get(token=key["token"])
    assert row.blocked is True and row.spend == 3.5
    if VerificationToken.has_column("settings_updated_at"):
        assert row.settings_updated_at is not None
    assert services.key_unblock(actor=ACTOR, token=key["token"]) == 1
    assert VerificationToken.objects.get(token=key["token"]).blocked is False
    assert [a.action for a in audit_rows(key["token"])] == ["blocked", "unblocked"]


def test_it_regenerates_in_place_keeping_spend():
    key = factories.make_key(alias="rotate-me", spend=7.25, max_budget=10.0)
    issued = services.key_regenerate(actor=ACTOR, token=key["token"])
    assert not VerificationToken.objects.filter(token=key["token"]).exists()
    row = VerificationToken.objects.get(token=issued.token)
    assert issued.token == hashlib.sha256(issued.raw.encode()).hexdigest()
    assert row.key_name == "sk-..." + issued.raw[-4:]
    assert row.spend == 7.25 and row.key_alias == "rotate-me" and row.max_budget == 10.0
    if DeletedVerificationToken.table_exists():
        archived = DeletedVerificationToken.objects.get(token=key["token"])
        assert archived.spend == 7.25 and archived.deleted_by == "admin-user"
    # async_key_rotated_hook: object_id = the old hash; updated_values = the response (token_id = new hash)
    assert audit_rows(issued.token) == []
    [audit] = audit_rows(key["token"])
    assert audit.action == "rotated" and audit.table_name == litellm.table_name("VerificationToken")
    assert audit.changed_by == "admin-user"
    assert audit.before_value["token"] == key["token"]
    # _execute_virtual_key_regeneration pops "token" into token_id, so the response has no token
    assert audit.updated_values["token_id"] == issued.token and "token" not in audit.updated_values
    assert audit.updated_values["key_name"] == "sk-.**" + issued.raw[-4:]  # masked, as SensitiveDataMasker does
    assert issued.raw not in str(audit.updated_values)


def test_it_deletes_with_archive_and_one_audit_row_per_key():
    keys = [factories.make_key(alias=f"k{i}", spend=1.0 + i) for i in range(2)]
    assert services.keys_delete(actor=ACTOR, tokens=[k["token"] for k in keys] + ["missing"]) == 2
    assert not VerificationToken.objects.filter(token__in=[k["token"] for k in keys]).exists()
    for k in keys:
        [audit] = audit_rows(k["token"])
        assert audit.action == "deleted" and audit.updated_values == {}
        assert audit.before_value["token"] == k["token"]
    if DeletedVerificationToken.table_exists():
        archived = DeletedVerificationToken.objects.get(token=keys[1]["token"])
        assert archived.spend == 2.0
        assert archived.deleted_by == "admin-user"
        assert archived.deleted_at is not None and archived.id != archived.token
        assert archived.key_alias == "k1"


def test_it_updates_only_changed_columns_and_resets_with_duration():
    key = factories.make_key(spend=2.0)
    services.key_update(actor=ACTOR, token=key["token"], changes={"max_budget": 9.0, "budget_duration": "1d"})
    row = VerificationToken.objects.get(token=key["token"])
    assert row.max_budget == 9.0 and row.budget_duration == "1d"
    assert row.budget_reset_at == durations.budget_reset_at("1d")  # the service sets it
    assert row.spend == 2.0
    [audit] = audit_rows(key["token"])
    assert audit.action == "updated" and audit.updated_values["max_budget"] == 9.0


def test_update_writes_what_key_update_writes():
    key = factories.make_key(alias="stamp-me")
    services.key_update(actor=ACTOR, token=key["token"], changes={"key_alias": "stamped"})
    row = VerificationToken.objects.get(token=key["token"])
    assert row.key_alias == "stamped"
    assert row.updated_by == key["updated_by"]  # /key/update leaves updated_by alone
    assert row.updated_at >= key["updated_at"]
    if VerificationToken.has_column("settings_updated_at"):
        assert row.settings_updated_at is not None


def test_an_ops_caller_writes_the_proxy_admin_id_like_a_master_key_call(settings):
    issued = services.key_create(actor=Actor(changed_by="ops"), data={"soft_budget": 1.0})
    key = VerificationToken.objects.get(token=issued.token)
    assert key.created_by == key.updated_by == settings.LITELLM_PROXY_ADMIN_ID
    assert BudgetTable.objects.get(budget_id=key.budget_id).created_by == settings.LITELLM_PROXY_ADMIN_ID


# --- What points at a key's hash ----------------------------------------------------------------


def _sql(sql, params=()):
    from django.db import connections

    with connections["litellm"].cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall() if cursor.description else None


def _qn(logical):
    return f'"{litellm.table_name(logical)}"'


def _make_access_group(name, key_ids):
    group_id = f"ag-{name}"
    _sql(
        f"INSERT INTO {_qn('AccessGroupTable')} (access_group_id, access_group_name, assigned_key_ids, updated_at) "
        "VALUES (%s, %s, %s, %s)",
        [group_id, name, key_ids, now_utc()],
    )
    return group_id


def _assigned_keys(group_id):
    return _sql(f"SELECT assigned_key_ids FROM {_qn('AccessGroupTable')} WHERE access_group_id = %s", [group_id])[0][0]


def test_regenerate_moves_access_groups_and_key_owned_files_to_the_new_hash():
    """_execute_virtual_key_regeneration: _REPOINT_KEY_SQL on every access group listing the old
    hash, and repoint_key_owned_managed_resources for a key with no user and no team."""
    key = factories.make_key(alias="owned", access_group_ids=["ag-a"])
    has_groups = litellm.catalog().has_column("AccessGroupTable", "assigned_key_ids")
    has_files = litellm.catalog().has_column("ManagedFileTable", "created_by")
    if has_groups:
        group = _make_access_group("a", [key["token"], "other-hash"])
    if has_files:
        _sql(
            f"INSERT INTO {_qn('ManagedFileTable')} (id, unified_file_id, file_object, model_mappings, created_by,"
            " updated_at) VALUES ('f1', 'u1', '{}', '{}', %s, %s)",
            [f"key:{key['token']}", now_utc()],
        )
    issued = services.key_regenerate(actor=ACTOR, token=key["token"])
    if has_groups:
        assert _assigned_keys(group) == ["other-hash", issued.token]
    else:
        assert not litellm.catalog().has_table("AccessGroupTable")  # seed era: nothing to repoint
    if has_files:
        [(owner,)] = _sql(f"SELECT created_by FROM {_qn('ManagedFileTable')} WHERE id = 'f1'")
        assert owner == f"key:{issued.token}"


def test_regenerate_leaves_files_of_a_team_key_alone():
    team_key = factories.make_key(alias="team-owned", team_id="team-x")
    if litellm.catalog().has_column("ManagedFileTable", "created_by"):
        _sql(
            f"INSERT INTO {_qn('ManagedFileTable')} (id, unified_file_id, file_object, model_mappings, created_by,"
            " updated_at) VALUES ('f2', 'u2', '{}', '{}', %s, %s)",
            [f"key:{team_key['token']}", now_utc()],
        )
    services.key_regenerate(actor=ACTOR, token=team_key["token"])
    if litellm.catalog().has_column("ManagedFileTable", "created_by"):
        [(owner,)] = _sql(f"SELECT created_by FROM {_qn('ManagedFileTable')} WHERE id = 'f2'")
        assert owner == f"key:{team_key['token']}"  # owned by the team, not the key: LiteLLM leaves it


def test_delete_takes_the_key_out_of_the_access_groups_it_names():
    """/key/delete: sync_key_access_group_membership(previous=access_group_ids, updated=None)."""
    key = factories.make_key(alias="grouped", access_group_ids=["ag-named"])
    if litellm.catalog().has_column("AccessGroupTable", "assigned_key_ids"):
        named = _make_access_group("named", [key["token"], "other-hash"])
        unnamed = _make_access_group("unnamed", [key["token"]])
    services.keys_delete(actor=ACTOR, tokens=[key["token"]])
    assert not VerificationToken.objects.filter(token=key["token"]).exists()
    if litellm.catalog().has_column("AccessGroupTable", "assigned_key_ids"):
        assert _assigned_keys(named) == ["other-hash"]
        assert _assigned_keys(unnamed) == [key["token"]]  # only the groups the key names, as LiteLLM
