"""The three places a team roster lives, read and written together (litellm-compat.md §3)."""

from __future__ import annotations

from config import writes

from ..models import (
    TeamTable,
    UserTable,
)
from .base import _cursor, _json, _qn


def _read_roster(team_id: str) -> tuple[list[dict] | None, str | None]:
    """members_with_roles and alias read fresh (call under the team's advisory lock).
    None when the team is gone. The column's DB default `{}` reads as an empty roster."""
    with _cursor() as cursor:
        cursor.execute(f"SELECT members_with_roles, team_alias FROM {_qn(TeamTable)} WHERE team_id = %s", [team_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    roster = _json(row[0]) or []
    if isinstance(roster, dict):
        roster = []
    return list(roster), row[1]


def _members_audit(alias, members) -> dict:
    """team_endpoints.py::_members_audit_value."""
    return {"team_alias": alias, "members_with_roles": list(members)}


def _write_roster(actor, team_id: str, alias, before: list[dict], after: list[dict]) -> None:
    writes.update_row(TeamTable, team_id, {"members_with_roles": after, "updated_at": writes.now_utc()})
    writes.audit(
        actor, writes.UPDATED, "TeamTable", team_id, _members_audit(alias, before), _members_audit(alias, after)
    )


def _roster_entry(user_id: str, email: str | None, role: str) -> dict:
    """models/team.py::Member, in the order model_dump() writes it."""
    return {"user_id": user_id, "user_email": email, "role": role}


def _same_email(a: str | None, b: str | None) -> bool:
    """The console's own roster lookups compare emails case-insensitively (LiteLLM resolves a
    member's user by email case-insensitively too, litellm-exact.md §2), so "Alice@X.com" on a
    roster and "alice@x.com" on the user row are one person to the console."""
    return bool(a) and bool(b) and a.strip().lower() == b.strip().lower()


def _is_entry_of(entry: dict, user_id: str, email: str | None) -> bool:
    """The roster entry is this person's: their user_id, or no user_id and their email
    (delete_users_from_current_teams drops both kinds)."""
    return entry.get("user_id") == user_id or (not entry.get("user_id") and _same_email(entry.get("user_email"), email))


def _append_team_id(user_id: str, team_id: str) -> None:
    """management_helpers/utils.py::_append_team_id_if_absent (never a duplicate)."""
    writes.array_append(UserTable, "teams", team_id, keys={"user_id": user_id}, stamp=True)


def _remove_team_id(user_ids, team_id: str) -> None:
    writes.array_remove(UserTable, "teams", team_id, keys={"user_id": list(user_ids)}, stamp=True)
