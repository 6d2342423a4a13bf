"""Deployments written as LiteLLM's model endpoints write them
(litellm/proxy/management_endpoints/model_management_endpoints.py, 1.108.11):

- create: add_new_model -> add_model_to_db / add_team_model_to_db. Every string value of
  litellm_params encrypted with encrypt_value_helper (the configured algorithm); model_info as
  ModelInfo dumps it (exclude_none): id (uuid4, ModelInfo.__init__), db_model false,
  member_auto_router false, team_id, team_public_model_name, access_groups; created_by /
  updated_by the caller's user_id or the proxy admin id. A team model is stored under
  `model_name_{team_id}_{uuid4}` with its public name in model_info, and the public name is
  added to the team's `models` (append_team_models, 'all-proxy-models' first when empty).
- update: update_db_model merges the patch into the stored row: new values encrypted, stored
  values kept; updated_by/updated_at stamped (the write_row closure of update_model).
- delete: delete_model removes the row and, for a team model, its public name from the team's
  models when no other deployment of the team backs it (_remove_unbacked_team_models).
Each leaves the audit row LiteLLM writes (create_object_audit_log, table
LiteLLM_ProxyModelTable): its values are the stored row, so its params are ciphertext (and
key-named ones masked on top, as LiteLLM_AuditLogs.mask_api_keys does)."""

from __future__ import annotations

import uuid

from django.db import connections

from accounts.models import TeamTable
from config import writes
from config.errors import ChangeRefused

from . import crypto, name_sync
from .models import LiteLLMConfig, ProxyModelTable
from .params import is_secret

TABLE = "ProxyModelTable"
# GenericLiteLLMParams' non-None defaults, which model_dump(exclude_none=True) writes.
PARAM_DEFAULTS = {
    "allow_client_keepalive_override": False,
    "use_in_pass_through": False,
    "use_litellm_proxy": False,
    "merge_reasoning_content_in_choices": False,
}
NO_KEY = "Set {setting} to the proxy's value to add or change deployments: without it the console cannot encrypt."


def _signing_key() -> str:
    key = crypto.salt_key()
    if not key:
        raise ChangeRefused(NO_KEY.format(setting=crypto.salt_key_setting()))
    return key


def algorithm() -> str:
    """The algorithm new writes use: the console's setting, else the proxy's general_settings
    as stored in LiteLLM_Config (STORE_MODEL_IN_DB proxies keep it there)."""
    row = LiteLLMConfig.objects.filter(param_name="general_settings").only("param_value").first()
    general = row.param_value if row is not None and isinstance(row.param_value, dict) else None
    return crypto.encryption_algorithm(general)


def _check_readable(row: ProxyModelTable, key: str) -> dict:
    """The stored params must open under this key: a write with another key would leave a row
    the proxy cannot read half of."""
    _, failed = crypto.decrypt_params(row.litellm_params or {}, key)
    if failed:
        raise ChangeRefused(
            f"This deployment's {', '.join(failed)} does not open with the configured salt key: "
            "check that the console's LITELLM_SALT_KEY is the proxy's. Nothing was changed."
        )
    return dict(row.litellm_params or {})


def _team(team_id: str) -> TeamTable:
    team = TeamTable.objects.filter(team_id=team_id).first()
    if team is None:
        raise ChangeRefused(f"Team id={team_id} does not exist.", "team_id")  # allow_team_model_action
    return team


def _append_team_model(team_id: str, name: str) -> None:
    """append_team_models: the public name added once, 'all-proxy-models' first when the team
    had no list (an empty list means every model, which the new entry must not narrow)."""
    qn = connections["litellm"].ops.quote_name
    table = qn(TeamTable._meta.db_table)
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET models = (SELECT ARRAY(SELECT DISTINCT unnest("
            "CASE WHEN cardinality(COALESCE(models, ARRAY[]::text[])) = 0 THEN ARRAY['all-proxy-models']::text[] "
            "ELSE models END || %s::text[]))), updated_at = %s WHERE team_id = %s",
            [[name], writes.now_utc(), team_id],
        )


def _clean_params(params: dict) -> dict:
    return {name: value for name, value in params.items() if value not in (None, "")}


def create_deployment(
    *, actor: writes.Actor, model_name: str, params: dict, team_id: str | None = None, access_groups=()
) -> str:
    """/model/new. `params` are the clear litellm_params entered; returns the model_id."""
    key = _signing_key()
    if not params.get("model"):
        raise ChangeRefused("Name the provider's model (litellm_params.model).", "model")
    clear = PARAM_DEFAULTS | _clean_params(params)
    model_id = str(uuid.uuid4())
    info = {"id": model_id, "db_model": False, "member_auto_router": False}
    stored_name = model_name
    if team_id:
        _team(team_id)
        info |= {"team_id": team_id, "team_public_model_name": model_name}
        stored_name = f"model_name_{team_id}_{uuid.uuid4()}"
    if access_groups:
        info["access_groups"] = list(access_groups)
    with writes.atomic():
        values = {
            "model_id": model_id,
            "model_name": stored_name,
            "litellm_params": crypto.encrypt_params(clear, key, algorithm()),
            "model_info": info,
            **writes.stamps(actor, created=True),
        }
        writes.insert_row(ProxyModelTable, values)
        if team_id:
            _append_team_model(team_id, model_name)
        row = ProxyModelTable.objects.get(model_id=model_id)
        writes.audit(actor, writes.CREATED, TABLE, model_id, None, writes.snapshot(row))
    return model_id


def update_deployment(
    *,
    actor: writes.Actor,
    model_id: str,
    model_name: str | None = None,
    params: dict | None = None,
    cleared: tuple = (),
    access_groups=None,
) -> bool:
    """/model/update (update_db_model): changed params encrypted and merged into the stored
    ones; `cleared` names non-secret params emptied on the form (LiteLLM's patch cannot drop
    them; the console removes them, the one deliberate difference). Secrets left blank are
    kept. Returns whether anything changed."""
    key = _signing_key()
    with writes.atomic():
        rows = writes.lock_rows(ProxyModelTable, model_id=model_id)
        if not rows:
            raise ChangeRefused("This deployment no longer exists.")
        row = rows[0]
        stored = _check_readable(row, key)
        clear_now, _ = crypto.decrypt_params(stored, key)
        patch = {n: v for n, v in _clean_params(params or {}).items() if clear_now.get(n) != v}
        merged = dict(stored) | crypto.encrypt_params(patch, key, algorithm())
        for name in cleared:
            if not is_secret(name) and name != "model":
                merged.pop(name, None)
        info = dict(row.model_info or {})
        team_id = info.get("team_id")
        changes = {}
        if merged != stored:
            changes["litellm_params"] = merged
        if access_groups is not None and list(access_groups) != (info.get("access_groups") or []):
            if access_groups:
                info["access_groups"] = list(access_groups)
            else:
                info.pop("access_groups", None)
            changes["model_info"] = info
        public = info.get("team_public_model_name") if team_id else row.model_name
        if model_name and model_name != public:
            if team_id:  # _update_team_model_in_db: the public name moves, the stored name stays
                info["team_public_model_name"] = model_name
                changes["model_info"] = info
                _append_team_model(team_id, model_name)
            else:
                changes["model_name"] = model_name
        if not changes:
            return False
        before = writes.snapshot(row)
        changes |= writes.stamps(actor)
        writes.update_row(ProxyModelTable, model_id, changes)
        after = writes.snapshot(ProxyModelTable.objects.get(model_id=model_id))
        writes.audit(actor, writes.UPDATED, TABLE, model_id, before, after)
        if "model_name" in changes:
            name_sync.after_rename(row.model_name, changes["model_name"])
    return True


def delete_deployment(*, actor: writes.Actor, model_id: str) -> None:
    """/model/delete: the row, then the team's public name if nothing else backs it."""
    with writes.atomic():
        rows = writes.lock_rows(ProxyModelTable, model_id=model_id)
        if not rows:
            raise ChangeRefused("This deployment no longer exists.")
        row = rows[0]
        before = writes.snapshot(row)
        writes.delete_rows(ProxyModelTable, model_id=model_id)
        info = row.model_info or {}
        team_id, public = info.get("team_id"), info.get("team_public_model_name")
        if team_id and public:
            siblings = ProxyModelTable.objects.filter(
                model_info__team_id=team_id, model_info__team_public_model_name=public
            ).exists()
            if not siblings:
                writes.array_remove(TeamTable, "models", public, keys={"team_id": team_id}, stamp=True)
        name_sync.after_delete(row.model_name)
        writes.audit(actor, writes.DELETED, TABLE, model_id, before, None)
