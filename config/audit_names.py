"""What the Audit page shows next to ids: the key alias, team alias, user email, organization
name, read for a whole page at once (one query per kind, never one per row), and the diff of
one entry as the fields that changed.
"""

from __future__ import annotations

import json
from collections import defaultdict

from config.writes import ROTATED, decode_audit_value

# LiteLLM table (without prefix) -> kind of id its object_id is.
TABLE_KINDS = {
    "VerificationToken": "key",
    "TeamTable": "team",
    "UserTable": "user",
    "OrganizationTable": "org",
}
# Fields of an audit payload that hold an id of a kind.
FIELD_KINDS = {
    "token": "key",
    "token_id": "key",
    "user_id": "user",
    "team_id": "team",
    "organization_id": "org",
    "created_by": "user",
    "updated_by": "user",
}


def _unprefixed(table: str) -> str:
    return table.split("_", 1)[1] if "_" in table else table


def _keys(ids) -> dict[str, str]:
    from keys.models import DeletedVerificationToken, VerificationToken

    names = {
        token: alias or name
        for token, alias, name in VerificationToken.objects.filter(token__in=ids).values_list(
            "token", "key_alias", "key_name"
        )
        if alias or name
    }
    missing = [i for i in ids if i not in names]
    if missing and DeletedVerificationToken.table_exists():
        # Deleted and rotated keys: their old hash lives on in the archive.
        for token, alias, name in DeletedVerificationToken.objects.filter(token__in=missing).values_list(
            "token", "key_alias", "key_name"
        ):
            if alias or name:
                names.setdefault(token, alias or name)
    return names


def _teams(ids) -> dict[str, str]:
    from accounts.models import TeamTable

    return {t: a for t, a in TeamTable.objects.filter(team_id__in=ids).values_list("team_id", "team_alias") if a}


def _users(ids) -> dict[str, str]:
    from accounts.models import UserTable

    return {
        u: e or a
        for u, e, a in UserTable.objects.filter(user_id__in=ids).values_list("user_id", "user_email", "user_alias")
        if e or a
    }


def _orgs(ids) -> dict[str, str]:
    from accounts.models import OrganizationTable

    return {
        o: a
        for o, a in OrganizationTable.objects.filter(organization_id__in=ids).values_list(
            "organization_id", "organization_alias"
        )
        if a
    }


LOOKUPS = {"key": _keys, "team": _teams, "user": _users, "org": _orgs}


def names_for(wanted: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """{(kind, id): name} for {kind: ids}: one query per kind that has ids."""
    names: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        ids = sorted(i for i in ids if isinstance(i, str) and i)
        if ids:
            names.update({(kind, i): name for i, name in LOOKUPS[kind](ids).items()})
    return names


def object_kind(entry) -> str | None:
    return TABLE_KINDS.get(_unprefixed(entry.table_name or ""))


def page_names(entries) -> dict[tuple[str, str], str]:
    """Names of the objects of a page of audit entries (one query per kind)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        kind = object_kind(entry)
        if kind:
            wanted[kind].add(entry.object_id)
    return names_for(wanted)


def _show(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def changed_fields(entry) -> list[tuple[str, str, str]]:
    """(field, before, after) for each value that changed, so an update reads as what changed
    instead of two JSON documents to compare by eye. A rotation's after is the whole
    regenerate response: only what differs from the row before is shown (the hash, under
    `token`, LiteLLM's `token_id`), and fields the row did not hold are left out, except the
    new secret (`key`, masked). Empty for creations and deletions."""
    before = decode_audit_value(entry.before_value)
    after = decode_audit_value(entry.updated_values)
    if not isinstance(before, dict) or not isinstance(after, dict) or not after:
        return []
    if entry.action == ROTATED:
        after = dict(after)
        if "token_id" in after and "token" in before:
            after["token"] = after.pop("token_id")
        after = {k: v for k, v in after.items() if k in before or k == "key"}
    rows = []
    for name, value in sorted(after.items()):
        if name in before and before[name] == value:
            continue  # sent again unchanged: not a change
        rows.append((name, "" if name not in before else _show(before[name]), _show(value)))
    return rows


def diff_names(rows) -> dict[tuple[str, str], str]:
    """Names for the id-valued fields of a diff (one query per kind)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for name, before, after in rows:
        kind = FIELD_KINDS.get(name)
        if kind:
            wanted[kind].update({before, after})
    return names_for(wanted)


def named_changes(rows) -> list[tuple[str, str, str, str, str]]:
    """(field, before, before's name, after, after's name)."""
    names = diff_names(rows)
    return [
        (
            name,
            before,
            names.get((FIELD_KINDS.get(name, ""), before), ""),
            after,
            names.get((FIELD_KINDS.get(name, ""), after), ""),
        )
        for name, before, after in rows
    ]
