"""Key create and update (/key/generate, /key/update)."""

from __future__ import annotations

from typing import Any

from budgets import durations
from budgets import services as budget_services
from budgets.models import BudgetTable
from config import writes
from config.errors import ChangeRefused

from .. import audit_shapes
from ..models import VerificationToken
from .base import LOGICAL_TABLE, IssuedKey, _locked_key, _settings_stamp, alias_taken, issue_key

# --- Create ----------------------------------------------------------------------------------


def key_create(*, actor: writes.Actor, data: dict[str, Any]) -> IssuedKey:
    """/key/generate. `data` holds the form's cleaned fields: key_alias, user_id, team_id,
    organization_id, models, max_budget, soft_budget, budget_duration, tpm_limit, rpm_limit,
    max_parallel_requests, model_max_budget, duration (expiry), metadata."""
    alias = data.get("key_alias") or None
    budget_services.check_limits({"budget_duration": data.get("budget_duration")})  # '' and ' 1d' refused
    if alias and alias_taken(alias):
        raise ChangeRefused(f"A key with the alias {alias!r} already exists. Aliases must be unique.")
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
            "metadata": data.get("metadata") or {},
            "spend": 0.0,
            "max_budget": data.get("max_budget"),
            "user_id": data.get("user_id") or None,
            "team_id": data.get("team_id") or None,
            "organization_id": data.get("organization_id") or None,
            "max_parallel_requests": data.get("max_parallel_requests"),
            "tpm_limit": data.get("tpm_limit"),
            "rpm_limit": data.get("rpm_limit"),
            "budget_duration": budget_duration,
            "budget_reset_at": durations.budget_reset_at(budget_duration, now) if budget_duration else None,
            "allowed_cache_controls": [],
            # GenerateKeyRequest.key_type defaults to LiteLLMKeyType.DEFAULT and handle_key_type
            # writes its value even when unsent; "default" keeps allowed_routes [].
            "key_type": "default",
            "allowed_routes": [],
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
        if issued.key_name is not None:
            row["key_name"] = issued.key_name
        writes.insert_row(VerificationToken, row)
        # async_key_generated_hook audits the /key/generate response: GenerateKeyResponse
        # (exclude_none) with the raw key masked, token = token_id = the hash, no budget_reset_at.
        response = audit_shapes.generate_key_response(row, raw_key=issued.raw, token=issued.token)
        writes.audit(actor, writes.CREATED, LOGICAL_TABLE, issued.token, None, response)
    return issued


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
    with writes.atomic():
        key = _locked_key(token)
        budget_row = writes.lock_rows(BudgetTable, budget_id=key.budget_id)[:1] if key.budget_id else []
        current = {name: getattr(key, name) for name in changes}
        current["soft_budget"] = budget_row[0].soft_budget if budget_row else None
        asked = {**changes, **({"soft_budget": soft_budget} if soft_budget_given else {})}
        writes.refuse_conflicts(current, asked, expected)
        # A field that already holds the value asked for is not written (nor audited).
        changes = writes.drop_unchanged(current, changes)
        if soft_budget_given and writes.same_value(current["soft_budget"], soft_budget):
            soft_budget_given = False
        if not changes and not soft_budget_given:
            return {}
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
        request_fields = dict(changes)
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
