"""What a key may call and how it lives, as LiteLLM 1.108.11 writes it: allowed routes, the key
type, tags, the team service-account key and auto-rotation (litellm-compat.md §1).

Pure rules (no database); the forms validate with them, the services write with them, and
config/policy/principal.py asks `SAFE_ROUTE_PRESETS` / `is_safe_preset_transition` who may set what.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from budgets import durations

# proxy/_types.py::LiteLLMRoutes: the member names a key's allowed_routes may hold besides a path.
# route_checks.py::RouteChecks.is_virtual_key_allowed_to_call_route expands an entry that is a
# member name into that group's routes.
ROUTE_GROUPS = (
    "openai_route_names",
    "openai_routes",
    "mapped_pass_through_routes",
    "passthrough_routes_wildcard",
    "trace_telemetry_routes",
    "litellm_native_routes",
    "anthropic_routes",
    "mcp_inference_routes",
    "mcp_management_routes",
    "mcp_routes",
    "agent_inference_routes",
    "agent_management_routes",
    "agent_routes",
    "google_routes",
    "apply_guardrail_routes",
    "model_info_routes",
    "llm_api_routes",
    "llm_api_routes_without_mcp",
    "info_routes",
    "master_key_only_routes",
    "key_management_routes",
    "team_service_account_key_routes",
    "management_routes",
    "spend_tracking_routes",
    "global_spend_tracking_routes",
    "public_routes",
    "ui_routes",
    "compliance_check_routes",
    "internal_user_routes",
    "internal_user_view_only_routes",
    "self_managed_routes",
    "org_admin_only_routes",
    "admin_viewer_routes",
    "org_admin_allowed_routes",
)

# types/proxy/management_endpoints/key_requests.py::LiteLLMKeyType, and what
# key_management_endpoints.py::handle_key_type writes into allowed_routes for each
# ("default" leaves the request's allowed_routes, [] unless sent).
KEY_TYPES = {
    "default": None,
    "llm_api": ["llm_api_routes"],
    "management": ["management_routes"],
    "read_only": ["info_routes"],
}
KEY_TYPE_LABELS = {
    "default": "Default (every route the owner's role allows)",
    "llm_api": "LLM API (model calls only: llm_api_routes)",
    "management": "Management (management routes only: management_routes)",
    "read_only": "Read only (info routes only: info_routes)",
}


def key_type_label(key_type: str | None) -> str:
    """A NULL key_type (keys made before the column, or with key_type=None) is "not set"."""
    if not key_type:
        return "not set (the routes below apply)"
    return KEY_TYPE_LABELS.get(key_type, key_type)


# key_management_endpoints.py::_NON_ADMIN_SAFE_ALLOWED_ROUTES_PRESETS and
# _READ_ONLY_ALLOWED_ROUTES_PRESET: what a caller who is not a proxy admin may end up with.
SAFE_ROUTE_PRESETS = frozenset({"llm_api_routes", "info_routes"})
READ_ONLY_PRESET = frozenset({"info_routes"})

MAX_ROUTE_LENGTH = 255
MAX_TAG_LENGTH = 255
MAX_ITEMS = 100

# proxy/_types.py::LiteLLM_Reserved_Metadata_Fields: immutable once set (prepare_metadata_fields).
RESERVED_METADATA = ("service_account_id",)
# The team member permission that lets a plain member make service-account keys
# (_types.py KeyManagementRoutes.KEY_GENERATE_SERVICE_ACCOUNT, checked by
# team_member_permission_checks.py::does_team_member_have_permissions_for_endpoint).
SERVICE_ACCOUNT_PERMISSION = "/key/service-account/generate"


def split_list(text: str | None) -> list[str]:
    """Comma- or newline-separated text -> the distinct non-empty items, in order."""
    items = [item.strip() for item in re.split(r"[,\n]", text or "")]
    return list(dict.fromkeys(item for item in items if item))


def route_problem(route: str) -> str | None:
    """LiteLLM stores allowed_routes as given (KeyRequestBase.allowed_routes: list[Any]); at auth
    an entry matches only as a LiteLLMRoutes member name, an exact path or a path prefix
    (RouteChecks._route_matches_allowed_route), or a `prefix*` wildcard
    (RouteChecks.route_matches_wildcard_pattern). Anything else would never match, so the console
    refuses it instead of storing a key that can call nothing."""
    if len(route) > MAX_ROUTE_LENGTH:
        return f"A route may be at most {MAX_ROUTE_LENGTH} characters long."
    if re.search(r"[\s\x00-\x1f\x7f]", route):
        return f"{route!r} contains a space or a control character; routes are paths such as /chat/completions."
    if route in ROUTE_GROUPS or route.startswith("/"):
        return None
    return (
        f"{route!r} is neither a path (starting with /, e.g. /chat/completions or /v1/*) nor one of "
        "LiteLLM's route groups (e.g. llm_api_routes, info_routes, management_routes)."
    )


def routes_problem(routes: list[str]) -> str | None:
    if len(routes) > MAX_ITEMS:
        return f"At most {MAX_ITEMS} routes."
    for route in routes:
        problem = route_problem(route)
        if problem:
            return problem
    return None


def routes_for_key_type(key_type: str, allowed_routes: list[str]) -> list[str]:
    """handle_key_type: llm_api/management/read_only replace allowed_routes; default keeps them."""
    preset = KEY_TYPES[key_type]
    return list(preset) if preset is not None else list(allowed_routes)


def is_safe_preset_transition(incoming, existing) -> bool:
    """key_management_endpoints.py::_is_safe_preset_route_transition: both sides are safe
    presets (empty = full access), and a read-only key stays read-only."""
    new, old = frozenset(incoming or ()), frozenset(existing or ())
    if not (new | old) <= SAFE_ROUTE_PRESETS:
        return False
    return old != READ_ONLY_PRESET or new == old


def tags_problem(tags: list[str]) -> str | None:
    """KeyRequestBase.tags: list[str], stored as metadata.tags (_common_key_generation_helper)."""
    if len(tags) > MAX_ITEMS:
        return f"At most {MAX_ITEMS} tags."
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            return f"A tag may be at most {MAX_TAG_LENGTH} characters long."
        if re.search(r"[\x00-\x1f\x7f]", tag):
            return "A tag may not contain control characters such as tabs or newlines."
    return None


def key_tags(metadata) -> list[str]:
    tags = (metadata or {}).get("tags") if isinstance(metadata, dict) else None
    return [str(t) for t in tags] if isinstance(tags, list) else []


def with_tags(metadata: dict, tags: list[str]) -> dict:
    """_common_key_generation_helper: `metadata["tags"] = tags` (no tags: no "tags" entry)."""
    out = {k: v for k, v in (metadata or {}).items() if k != "tags"}
    if tags:
        out["tags"] = list(tags)
    return out


def service_account_id(metadata) -> str | None:
    return metadata.get("service_account_id") if isinstance(metadata, dict) else None


def service_account_metadata(metadata: dict, key_alias: str | None) -> dict:
    """generate_service_account_key_fn: metadata.service_account_id = the key alias, else a new
    uuid4, unless the request already carries one."""
    metadata = dict(metadata or {})
    if metadata.get("service_account_id") is None:
        metadata["service_account_id"] = key_alias or str(uuid.uuid4())
    return metadata


def rotation_interval_problem(interval: str) -> str | None:
    """calculate_key_rotation_time: now + duration_in_seconds(rotation_interval)."""
    try:
        seconds = durations.duration_in_seconds(interval)
    except ValueError:
        return f"Invalid interval {interval!r}. Use a number and a unit: s, m, h, d, w or mo (e.g. 30d, 90d)."
    if seconds <= 0:
        return "Give an interval longer than 0 (e.g. 30d)."
    if seconds > durations.MAX_DURATION_SECONDS:
        return f"{interval!r} is too long."
    return None


def rotation_fields(auto_rotate: bool, interval: str | None, now: datetime | None = None) -> dict:
    """key_management_endpoints.py::_set_key_rotation_fields: only when auto_rotate is true and
    an interval is given: auto_rotate, rotation_interval and key_rotation_at = now(UTC) +
    interval (exact, not aligned). Otherwise nothing."""
    if not (auto_rotate and interval):
        return {}
    from config.writes import now_utc

    start = now or now_utc()  # naive UTC, as the other key timestamps
    return {
        "auto_rotate": True,
        "rotation_interval": interval,
        "key_rotation_at": start + timedelta(seconds=durations.duration_in_seconds(interval)),
    }
