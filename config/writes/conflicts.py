"""Edits from a form opened earlier (lost-update protection): what counts as "changed", the
refusal when someone else changed a field meanwhile, and the whole locked write of one row."""

from __future__ import annotations

from typing import Any

from .audit_log import _jsonable
from .rows import atomic, lock_rows, update_row


def comparable(value):
    """A value as it compares for "did it change": numbers by value (Decimal, float, int),
    tuples as lists, dates as ISO text, and every empty value ("", [], {}, None) as None."""
    value = _jsonable(value)
    if value in ("", [], {}):
        return None
    return value


def same_value(a, b) -> bool:
    return comparable(a) == comparable(b)


def _current(row, name: str):
    return row.get(name) if isinstance(row, dict) else getattr(row, name)


def refuse_conflicts(row, changes: dict[str, Any], expected: dict[str, Any] | None, *, labels=None) -> None:
    """Raise EditConflict (writing nothing) when a field in `changes` that the person saw
    (`expected`: field -> the value their form showed) holds something else now, unless it
    already holds what they want. `row` is the row read under its lock (an instance or a dict
    of the current values). expected=None: no check (a caller with no form, e.g. the API)."""
    if expected is None:
        return
    from ..errors import EditConflict

    conflicts = []
    for name, new in changes.items():
        if name not in expected:
            continue
        now = _current(row, name)
        if same_value(now, expected[name]) or same_value(now, new):
            continue
        conflicts.append((name, comparable(expected[name]), comparable(now), comparable(new)))
    if conflicts:
        raise EditConflict(conflicts, labels)


# Columns set along with another one, kept or dropped with it.
FOLLOWS = {"budget_reset_at": "budget_duration"}


def drop_unchanged(row, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes whose value differs from the row's value now (the others need no write);
    budget_reset_at stays exactly when budget_duration does."""
    kept = {k: v for k, v in changes.items() if k not in FOLLOWS and not same_value(_current(row, k), v)}
    kept |= {k: v for k, v in changes.items() if FOLLOWS.get(k) in kept}
    return kept


def update_changed(
    model,
    pk: dict[str, Any] | Any,
    changes: dict[str, Any],
    *,
    expected: dict[str, Any] | None = None,
    stamps: dict[str, Any] | None = None,
    labels: dict[str, str] | None = None,
):
    """The whole lost-update-safe write of one row, for callers without their own rules:
    lock the row (SELECT ... FOR UPDATE), refuse_conflicts() against `expected`, then UPDATE
    only the columns that still differ, plus `stamps` (updated_at, ...) when anything does.
    Returns (the row as it was before, the columns written without stamps); the caller
    audits. ChangeRefused if the row is gone."""
    from ..errors import ChangeRefused

    filters = pk if isinstance(pk, dict) else {"pk": pk}
    with atomic():
        rows = lock_rows(model, **filters)
        if not rows:
            raise ChangeRefused("This row no longer exists.")
        row = rows[0]
        refuse_conflicts(row, changes, expected, labels=labels)
        changed = drop_unchanged(row, changes)
        if changed:
            update_row(model, filters, {**changed, **(stamps or {})})
    return row, changed
