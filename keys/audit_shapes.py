"""What LiteLLM's key hooks (hooks/key_management_event_hooks.py) put in an audit row, so
LiteLLM's own Audit Logs tab renders the console's rows like its own (litellm-exact.md §6).

Every payload is a pydantic dump with exclude_none. Field sets are those of LiteLLM 1.108.11's
models (types/proxy/management_endpoints/{request_base,key_requests}.py, proxy/_types.py).
"""

from __future__ import annotations

from typing import Any

# GenerateRequestBase
_GENERATE_REQUEST_BASE = frozenset(
    """key_alias duration models spend max_budget user_id team_id agent_id max_parallel_requests metadata
    tpm_limit rpm_limit budget_duration budget_limits allowed_cache_controls config permissions
    model_max_budget budget_fallbacks model_rpm_limit model_tpm_limit mcp_rpm_limit tag_rpm_limit guardrails
    policies prompts blocked aliases object_permission""".split()
)
# KeyRequestBase(GenerateRequestBase)
_KEY_REQUEST_BASE = _GENERATE_REQUEST_BASE | frozenset(
    """key tpd_limit default_estimated_output_tokens default_estimated_output_tokens_per_model budget_id
    end_user_budget_id tags disable_global_guardrails enable_prompt_caching throttle_on_budget_exceeded
    enforced_params allowed_routes allowed_passthrough_routes denied_passthrough_routes
    allowed_vector_store_indexes rpm_limit_type tpm_limit_type router_settings access_group_ids""".split()
)
# GenerateKeyResponse(KeyRequestBase): no budget_reset_at, soft_budget, auto_rotate, ...
GENERATE_KEY_RESPONSE_FIELDS = _KEY_REQUEST_BASE | frozenset(
    """key key_name key_type expires user_id token_id organization_id project_id litellm_budget_table token
    created_by updated_by created_at updated_at""".split()
)
# UpdateKeyRequest(KeyRequestBase)
UPDATE_KEY_REQUEST_FIELDS = _KEY_REQUEST_BASE | frozenset(
    """duration spend soft_budget metadata temp_budget_increase temp_budget_expiry auto_rotate
    rotation_interval organization_id project_id""".split()
)
# The console edits a key's expiry as a date; LiteLLM's request says `duration`. Kept (README).
CONSOLE_UPDATE_EXTRAS = frozenset({"expires"})


def exclude_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def router_config(value) -> dict:
    """UpdateRouterConfig(**stored).model_dump(exclude_none=True): model_group_alias defaults to {}."""
    stored = value if isinstance(value, dict) else {}
    return {"model_group_alias": {}, **exclude_none(stored)}


def generate_key_response(row: dict[str, Any], *, raw_key: str, token: str, keep_token: bool = True) -> dict:
    """GenerateKeyResponse.model_dump_json(exclude_none=True) of a key row: the raw key in `key`
    (masked by the audit writer, as LiteLLM_AuditLogs masks it), the hash in token_id (and in
    token for /key/generate, which remaps token to token_id; the regenerate response has none)."""
    response = exclude_none({k: v for k, v in row.items() if k in GENERATE_KEY_RESPONSE_FIELDS})
    response["key"] = raw_key
    response["token_id"] = token
    if keep_token:
        response["token"] = token
    else:
        response.pop("token", None)
    response["router_settings"] = router_config(row.get("router_settings"))
    return response


def update_key_request(changes: dict[str, Any], *, token: str) -> dict:
    """UpdateKeyRequest.model_dump(exclude_none=True): the request's fields only (not the computed
    budget_reset_at), `key` = what LiteLLM's UI sends, the key's hash (masked in the row)."""
    allowed = UPDATE_KEY_REQUEST_FIELDS | CONSOLE_UPDATE_EXTRAS
    request = exclude_none({k: v for k, v in changes.items() if k in allowed})
    request["key"] = token
    return request
