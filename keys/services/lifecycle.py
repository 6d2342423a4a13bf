"""A key's lifecycle after creation: block/unblock, regenerate (with what points at its
hash) and delete, each archiving and auditing as LiteLLM does."""

from __future__ import annotations

from typing import Any

from config import litellm, writes

from .. import audit_shapes
from ..models import DeletedVerificationToken, VerificationToken
from .base import LOGICAL_TABLE, IssuedKey, _locked_key, _settings_stamp, abbreviate, issue_key

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
