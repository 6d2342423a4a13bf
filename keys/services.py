"""Virtual-key writes, done as LiteLLM's key endpoints do them (litellm-compat.md §1).

Every function is keyword-only, runs one transaction, writes only the columns it means to
change (never spend, model_spend, total_spend or last_active), and records one audit row per
key in LiteLLM's shape (object_id = the key's hash). The raw key a caller gets back from
`key_create` / `key_regenerate` is never stored or logged.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from budgets import durations
from budgets import services as budget_services
from budgets.models import BudgetTable
from config import litellm, writes
from config.errors import ChangeRefused

from . import audit_shapes
from .models import DeletedVerificationToken, VerificationToken

LOGICAL_TABLE = "VerificationToken"

UI_SESSION_TEAM_ID = litellm.UI_SESSION_TEAM_ID  # callers that import it from here


@dataclass(frozen=True)
class IssuedKey:
    """A freshly generated secret: `raw` is shown once, `token` is what the database holds."""

    raw: str
    token: str
    key_name: str | None


# --- Generation and hashing (key_management_endpoints.py::generate_key_helper_fn) --------------


def hash_token(raw: str) -> str:
    """utils.py::hash_token: lowercase hex SHA-256 of the whole key, "sk-" included."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def abbreviate(raw: str) -> str:
    """auth_utils.py::abbreviate_api_key."""
    if len(raw) < settings.LITELLM_MINIMUM_CUSTOM_KEY_LENGTH:
        return "sk-..."
    return f"sk-...{raw[-4:]}"


def issue_key() -> IssuedKey:
    raw = f"sk-{secrets.token_urlsafe(settings.LITELLM_KEY_BYTES)}"
    key_name = None if settings.LITELLM_DISABLE_KEY_NAME else abbreviate(raw)
    return IssuedKey(raw=raw, token=hash_token(raw), key_name=key_name)


# --- Reads used by the writes ----------------------------------------------------------------


def _locked_key(token: str) -> VerificationToken:
    rows = writes.lock_rows(VerificationToken, token=token)
    if not rows:
        raise ChangeRefused("That key no longer exists.")
    return rows[0]


def alias_taken(alias: str, *, except_token: str | None = None) -> bool:
    """_enforce_unique_key_alias: aliases are unique across all keys."""
    qs = VerificationToken.objects.filter(key_alias=alias)
    if except_token:
        qs = qs.exclude(token=except_token)
    return qs.exists()


def _settings_stamp(now) -> dict[str, Any]:
    # /key/update, /key/block and /key/regenerate stamp settings_updated_at
    # (absent on older schemas; update_row drops it there).
    return {"settings_updated_at": now} if VerificationToken.has_column("settings_updated_at") else {}


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
        from .forms import _alias_problem  # _validate_key_alias_format (lives with the form)

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


# --- Block / unblock -------------------------------------------------------------------------


def keys_set_blocked(*, actor: writes.Actor, tokens: list[str], blocked: bool) -> int:
    """/key/block and /key/unblock for one or many keys: blocked true/false plus
    settings_updated_at, one audit row per key whose state changed. Returns keys changed."""
    changed = 0
    with writes.atomic():
        for key in writes.lock_rows(VerificationToken, token__in=sorted(set(tokens))):
            if bool(key.blocked) == blocked:
                continue
            before = writes.snapshot(key)
            now = writes.now_utc()
            writes.update_row(
                VerificationToken,
                key.token,
                # Exactly what block_key writes (+ Prisma's @updatedAt); no updated_by.
                {"blocked": blocked, "updated_at": now, **_settings_stamp(now)},
            )
            writes.audit(actor, writes.BLOCKED if blocked else writes.UNBLOCKED, LOGICAL_TABLE, key.token, before, {})
            changed += 1
    return changed


def key_block(*, actor: writes.Actor, token: str) -> int:
    return keys_set_blocked(actor=actor, tokens=[token], blocked=True)


def key_unblock(*, actor: writes.Actor, token: str) -> int:
    return keys_set_blocked(actor=actor, tokens=[token], blocked=False)


# --- What points at a key's hash (newer schemas) ----------------------------------------------

# managed_resource_owner_sync.py::_KEY_OWNED_TABLES: a key with neither user nor team owns its
# managed files, batches and vector stores as created_by = "key:<hash>".
KEY_OWNED_TABLES = ("ManagedFileTable", "ManagedObjectTable", "ManagedVectorStoreTable")


def _has_key_groups() -> bool:
    """Whether this database's LiteLLM_AccessGroupTable has assigned_key_ids (newer schemas)."""
    return litellm.catalog().has_column("AccessGroupTable", "assigned_key_ids")


def _repoint_key_references(key: VerificationToken, old_token: str, new_token: str) -> None:
    """After a regenerate, what LiteLLM moves to the new hash: every access group's
    assigned_key_ids (access_group_key_sync.py::_REPOINT_KEY_SQL; the grant check looks the
    token up there) and, for a key with no user and no team, the managed resources it owns
    (repoint_key_owned_managed_resources). Raw SQL, as LiteLLM's: no updated_at stamps."""
    if _has_key_groups():
        writes.array_repoint("AccessGroupTable", "assigned_key_ids", old_token, new_token)
    if key.user_id is None and key.team_id is None:
        for table in KEY_OWNED_TABLES:
            if litellm.catalog().has_column(table, "created_by"):
                writes.repoint(table, "created_by", f"key:{old_token}", f"key:{new_token}")


def _detach_from_access_groups(keys: list[VerificationToken]) -> None:
    """/key/delete's sync_key_access_group_membership: each deleted key's hash leaves the
    assigned_key_ids of the groups its access_group_ids name (access_group_key_sync.py::_DETACH_KEY_SQL)."""
    if not _has_key_groups():
        return
    for key in keys:
        group_ids = set(getattr(key, "access_group_ids", None) or [])
        if group_ids:
            writes.array_remove("AccessGroupTable", "assigned_key_ids", key.token, keys={"access_group_id": group_ids})


# --- Regenerate ------------------------------------------------------------------------------


def _archive(keys: list[VerificationToken], actor: writes.Actor, now) -> None:
    """persist_deleted_verification_tokens: copy each row into LiteLLM_DeletedVerificationToken
    (new uuid id, deleted_at/by, deleted_by_api_key, litellm_changed_by), where that table
    exists (newer schemas only). budget_limits is not archived, as in LiteLLM."""
    if not keys or not DeletedVerificationToken.table_exists():
        return
    writer = writes.writer_id(actor)
    archive_fields = {
        f.name
        for f in DeletedVerificationToken._meta.concrete_fields
        if f.name not in ("id", "deleted_at", "deleted_by", "deleted_by_api_key", "litellm_changed_by")
    }
    for key in keys:
        record = {
            name: getattr(key, name)
            for name in archive_fields
            if VerificationToken.has_column(VerificationToken._meta.get_field(name).column)
        }
        record.update(
            {
                "id": writes.new_id(),
                "deleted_at": now,
                "deleted_by": writer,
                "deleted_by_api_key": actor.api_key or None,
                "litellm_changed_by": None,  # LiteLLM: the litellm-changed-by header, unset here
            }
        )
        # The archive is a copy of the row, spend included: not a write of the proxy's
        # live counters, so the counter guard of insert_row does not apply.
        writes.insert_as_proxy(DeletedVerificationToken, record)


def key_regenerate(*, actor: writes.Actor, token: str) -> IssuedKey:
    """_execute_virtual_key_regeneration: a new secret for the same row. The old row is
    archived, then the row's primary key is UPDATEd in place to the new hash (spend and every
    other column kept), key_name recomputed, settings_updated_at stamped, access groups and
    key-owned managed resources repointed to the new hash; audit "rotated"."""
    issued = issue_key()
    with writes.atomic():
        key = _locked_key(token)
        before = writes.snapshot(key)
        now = writes.now_utc()
        _archive([key], actor, now)
        # Regenerate always recomputes key_name (it does not consult DISABLE_KEY_NAME).
        changes: dict[str, Any] = {
            "token": issued.token,
            "key_name": abbreviate(issued.raw),
            "updated_at": now,
            **_settings_stamp(now),
        }
        writes.update_row(VerificationToken, token, changes)
        _repoint_key_references(key, token, issued.token)
        # As async_key_rotated_hook: object_id is the OLD hash (existing_key_row.token) and
        # updated_values the regenerate response, whose token_id is the new hash (the raw key,
        # which LiteLLM stores masked, is left out).
        after = audit_shapes.generate_key_response(
            writes.snapshot(VerificationToken.objects.get(token=issued.token)),
            raw_key=issued.raw,
            token=issued.token,
            keep_token=False,
        )
        writes.audit(actor, writes.ROTATED, LOGICAL_TABLE, token, audit_shapes.exclude_none(before), after)
    return issued


# --- Delete ----------------------------------------------------------------------------------


def keys_delete(*, actor: writes.Actor, tokens: list[str], archive: bool = True) -> int:
    """/key/delete (delete_verification_tokens): archive each row into
    LiteLLM_DeletedVerificationToken where it exists, delete it, and write one audit row per
    key (action "deleted", before_value = the row, updated_values = {}). Also used when
    members are removed from a team and when users or teams are deleted. Returns rows deleted.

    `archive=False` is /user/delete's way: it delete_many's the user's keys without
    persist_deleted_verification_tokens (litellm-exact.md §3; only bulk_delete archives).

    Callers may already hold a transaction (they join it)."""
    tokens = sorted({t for t in tokens if t})
    if not tokens:
        return 0
    with writes.atomic():
        keys = writes.lock_rows(VerificationToken, token__in=tokens)
        if not keys:
            return 0
        if archive:
            _archive(keys, actor, writes.now_utc())
        deleted = writes.delete_rows(VerificationToken, token__in=[k.token for k in keys])
        _detach_from_access_groups(keys)
        for key in keys:
            before = audit_shapes.exclude_none(writes.snapshot(key))
            writes.audit(actor, writes.DELETED, LOGICAL_TABLE, key.token, before, {})
    return deleted
