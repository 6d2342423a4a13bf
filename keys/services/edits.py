"""Key create and update (/key/generate, /key/update)."""

from __future__ import annotations

from typing import Any

from accounts.models import TeamTable
from budgets import durations
from budgets import services as budget_services
from budgets.models import BudgetTable
from config import writes
from config.errors import ChangeRefused

from .. import access, audit_shapes
from ..models import VerificationToken
from .base import LOGICAL_TABLE, IssuedKey, _locked_key, _settings_stamp, alias_taken, issue_key

# --- Create ----------------------------------------------------------------------------------


def key_create(*, actor: writes.Actor, data: dict[str, Any]) -> IssuedKey:
    """/key/generate. `data` holds the form's cleaned fields: key_alias, user_id, team_id,
    organization_id, models, max_budget, soft_budget, budget_duration, tpm_limit, rpm_limit,
    max_parallel_requests, model_max_budget, duration (expiry), metadata, and (keys/access.py)
    tags, allowed_routes, key_type, auto_rotate, rotation_interval, service_account (a team
    key with no owner, as /key/service-account/generate). Who may ask for what is the form's
    (config/policy); this checks the values."""
    alias = data.get("key_alias") or None
    budget_services.check_limits({"budget_duration": data.get("budget_duration")})  # '' and ' 1d' refused
    if alias and alias_taken(alias):
        raise ChangeRefused(f"A key with the alias {alias!r} already exists. Aliases must be unique.")
    extra = _access_columns(data, alias)
    issued = issue_key()
    now = writes.now_utc()
    writer = writes.writer_id(actor)  # a master-key-like caller writes default_user_id
    budget_duration = data.get("budget_duration") or None
    model_max_budget = data.get("model_max_budget") or {}
    with writes.atomic():
        budget_id = None
        if data.get("soft_budget") is not None:
            # A key has no soft_budget column: LiteLLM creates a budget row to hold it.
            budget_id = budget_services.budget_row_create(
                actor=actor,
                values={"soft_budget": data["soft_budget"], "model_max_budget": model_max_budget},
                audit_it=False,
            )
        row = {
            "token": issued.token,
            "key_alias": alias,
            "expires": durations.key_expires(data.get("duration") or None, now),
            "models": list(data.get("models") or []),
            "aliases": {},
            "config": {},
            "permissions": {},
            "metadata": extra.pop("metadata"),
            "spend": 0.0,
            "max_budget": data.get("max_budget"),
            "user_id": None if data.get("service_account") else data.get("user_id") or None,
            "team_id": data.get("team_id") or None,
            "organization_id": data.get("organization_id") or None,
            "max_parallel_requests": data.get("max_parallel_requests"),
            "tpm_limit": data.get("tpm_limit"),
            "rpm_limit": data.get("rpm_limit"),
            "budget_duration": budget_duration,
            "budget_reset_at": durations.budget_reset_at(budget_duration, now) if budget_duration else None,
            "allowed_cache_controls": [],
            # GenerateKeyRequest.key_type defaults to LiteLLMKeyType.DEFAULT and handle_key_type
            # writes its value even when unsent; "default" keeps the request's allowed_routes.
            "key_type": extra.pop("key_type"),
            "allowed_routes": extra.pop("allowed_routes"),
            "model_spend": {},
            "model_max_budget": model_max_budget,
            "budget_fallbacks": {},
            "router_settings": {},
            "access_group_ids": [],
            "budget_id": budget_id,
            "created_by": writer,
            "updated_by": writer,
            # Prisma fills created_at/updated_at from @default(now())/@updatedAt.
            "created_at": now,
            "updated_at": now,
        }
        row.update(extra)  # the rotation fields, only when auto_rotate (_set_key_rotation_fields)
        if issued.key_name is not None:
            row["key_name"] = issued.key_name
        writes.insert_row(VerificationToken, row)
        # async_key_generated_hook audits the /key/generate response: GenerateKeyResponse
        # (exclude_none) with the raw key masked, token = token_id = the hash, no budget_reset_at.
        response = audit_shapes.generate_key_response(row, raw_key=issued.raw, token=issued.token)
        writes.audit(actor, writes.CREATED, LOGICAL_TABLE, issued.token, None, response)
    return issued


def _access_columns(data: dict[str, Any], alias: str | None) -> dict[str, Any]:
    """metadata (with tags and a service account's id), key_type, allowed_routes and the
    rotation fields of a new key, as /key/generate (or /key/service-account/generate) writes them."""
    key_type = data.get("key_type") or "default"
    if key_type not in access.KEY_TYPES:
        raise ChangeRefused(f"Unknown key type {key_type!r}.", "key_type")
    routes = list(data.get("allowed_routes") or [])
    problem = access.routes_problem(routes)
    if problem:
        raise ChangeRefused(problem, "allowed_routes")
    tags = list(data.get("tags") or [])
    problem = access.tags_problem(tags)
    if problem:
        raise ChangeRefused(problem, "tags")
    metadata = dict(data.get("metadata") or {})
    if tags:  # _common_key_generation_helper: request tags -> metadata["tags"]
        metadata = access.with_tags(metadata, tags)
    if access.service_account_id(metadata) is not None and not data.get("team_id"):
        # _common_key_generation_helper -> validate_team_id_used_in_service_account_request
        raise ChangeRefused("A key with a service_account_id belongs to a team: pick one.", "team_id")
    if data.get("service_account"):
        team_id = data.get("team_id")
        # validate_team_id_used_in_service_account_request
        if not team_id or not TeamTable.objects.filter(team_id=team_id).exists():
            raise ChangeRefused("A service-account key belongs to a team: pick an existing team.", "team_id")
        metadata = access.service_account_metadata(metadata, alias)
    extra: dict[str, Any] = {
        "metadata": metadata,
        "key_type": key_type,
        "allowed_routes": access.routes_for_key_type(key_type, routes),
    }
    if data.get("auto_rotate") or data.get("rotation_interval"):
        extra.update(_rotation(data.get("auto_rotate"), data.get("rotation_interval")))
    return extra


def _rotation(auto_rotate, interval) -> dict[str, Any]:
    if not VerificationToken.has_column("auto_rotate"):
        raise ChangeRefused("This LiteLLM database has no auto-rotation columns (a newer schema adds them).")
    if auto_rotate and not interval:
        raise ChangeRefused("Say how often to rotate the key (e.g. 30d).", "rotation_interval")
    if interval:
        problem = access.rotation_interval_problem(interval)
        if problem:
            raise ChangeRefused(problem, "rotation_interval")
    return access.rotation_fields(bool(auto_rotate), interval)


# --- Update ----------------------------------------------------------------------------------

EDITABLE = (
    "key_alias",
    "models",
    "max_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
    "metadata",
    "team_id",
    "user_id",
    "expires",
    "allowed_routes",
    "auto_rotate",
    "rotation_interval",
)


def key_update(
    *, actor: writes.Actor, token: str, changes: dict[str, Any], expected: dict[str, Any] | None = None
) -> dict[str, Any]:
    """/key/update: write only `changes` (the form's fields this person changed). A changed
    budget_duration sets budget_reset_at to LiteLLM's aligned reset (cleared with it), here, so
    the form, the admin and a shell caller get one rule. `soft_budget` goes to the key's budget
    row, created and linked if the key has none. `expected` (field -> the value the form showed)
    refuses the edit with EditConflict where someone else changed a field meanwhile
    (config.writes.refuse_conflicts). Returns what was written (empty when nothing changed)."""
    changes = dict(changes)
    soft_budget_given = "soft_budget" in changes
    soft_budget = changes.pop("soft_budget", None)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"key_update cannot write {sorted(unknown)}")
    if not changes and not soft_budget_given:
        return {}
    # What the key form checks, for callers without it (the ops admin).
    budget_services.check_limits({**changes, "soft_budget": soft_budget})
    if changes.get("key_alias"):
        from ..forms import _alias_problem  # _validate_key_alias_format (lives with the form)

        problem = _alias_problem(changes["key_alias"])
        if problem:
            raise ChangeRefused(problem, "key_alias")
    if "allowed_routes" in changes:
        changes["allowed_routes"] = list(changes["allowed_routes"] or [])
        problem = access.routes_problem(changes["allowed_routes"])
        if problem:
            raise ChangeRefused(problem, "allowed_routes")
    if changes.get("rotation_interval"):
        problem = access.rotation_interval_problem(changes["rotation_interval"])
        if problem:
            raise ChangeRefused(problem, "rotation_interval")
    if ("auto_rotate" in changes or "rotation_interval" in changes) and not VerificationToken.has_column("auto_rotate"):
        raise ChangeRefused("This LiteLLM database has no auto-rotation columns (a newer schema adds them).")
    with writes.atomic():
        key = _locked_key(token)
        budget_row = writes.lock_rows(BudgetTable, budget_id=key.budget_id)[:1] if key.budget_id else []
        current = {name: getattr(key, name) for name in changes}
        current["soft_budget"] = budget_row[0].soft_budget if budget_row else None
        asked = {**changes, **({"soft_budget": soft_budget} if soft_budget_given else {})}
        writes.refuse_conflicts(current, asked, expected)
        if "metadata" in changes:
            changes["metadata"] = _keep_reserved(key.metadata, changes["metadata"])
        metadata_after = changes.get("metadata", key.metadata)
        team_after = changes["team_id"] if "team_id" in changes else key.team_id
        if access.service_account_id(metadata_after) is not None and not team_after:
            # prepare_key_update_data: "team_id is required for service account keys"
            raise ChangeRefused("A service-account key belongs to a team: it cannot be left without one.", "team_id")
        asked_rotation = (changes.get("auto_rotate"), changes.get("rotation_interval") or key.rotation_interval)
        # A field that already holds the value asked for is not written (nor audited).
        changes = writes.drop_unchanged(current, changes)
        if soft_budget_given and writes.same_value(current["soft_budget"], soft_budget):
            soft_budget_given = False
        if not changes and not soft_budget_given:
            return {}
        if asked_rotation[0] and ("auto_rotate" in changes or "rotation_interval" in changes):
            # _set_key_rotation_fields on /key/update: auto_rotate true with an interval
            # (re)starts the clock; auto_rotate false writes just that.
            if not asked_rotation[1]:
                raise ChangeRefused("Say how often to rotate the key (e.g. 30d).", "rotation_interval")
            changes.update(access.rotation_fields(True, asked_rotation[1]))
        if "budget_duration" in changes:  # a duration actually changing restarts the period
            duration = changes["budget_duration"]
            changes["budget_reset_at"] = durations.budget_reset_at(duration) if duration else None
        before = writes.snapshot(key)
        if changes.get("key_alias") and alias_taken(changes["key_alias"], except_token=token):
            raise ChangeRefused(
                f"A key with the alias {changes['key_alias']!r} already exists. Aliases must be unique.", "key_alias"
            )
        now = writes.now_utc()
        if soft_budget_given:
            if key.budget_id:
                budget_services.budget_row_update(
                    actor=actor, budget_id=key.budget_id, changes={"soft_budget": soft_budget}, audit_it=False
                )
            elif soft_budget is not None:
                changes["budget_id"] = budget_services.budget_row_create(
                    actor=actor, values={"soft_budget": soft_budget}, audit_it=False
                )
        # As /key/update: the changed fields, Prisma's @updatedAt and settings_updated_at; it
        # does not write updated_by on keys (the audit row records who changed it).
        written = {**changes, "updated_at": now, **_settings_stamp(now)}
        writes.update_row(VerificationToken, token, written)
        request_fields = {k: v for k, v in changes.items() if k != "key_rotation_at"}
        if "metadata" in changes and access.key_tags(changes["metadata"]) != access.key_tags(key.metadata):
            request_fields["tags"] = access.key_tags(changes["metadata"])  # UpdateKeyRequest.tags, as the UI sends
        if soft_budget_given:
            request_fields["soft_budget"] = soft_budget
        # async_key_updated_hook: before = the old row (exclude_none), updated = the request.
        writes.audit(
            actor,
            writes.UPDATED,
            LOGICAL_TABLE,
            token,
            audit_shapes.exclude_none(before),
            audit_shapes.update_key_request(request_fields, token=token),
        )
    return request_fields


def _keep_reserved(before, after) -> dict:
    """prepare_metadata_fields: a reserved field (service_account_id) once set is kept when the
    new metadata omits it, and an attempt to change it is refused."""
    before = before if isinstance(before, dict) else {}
    after = dict(after or {})
    for name in access.RESERVED_METADATA:
        if before.get(name) is None:
            continue
        if name in after and after[name] != before[name]:
            raise ChangeRefused(f"{name} is immutable once set and cannot be changed.", "metadata")
        after[name] = before[name]
    return after
