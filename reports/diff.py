"""What moved between two versions of a month's close (a late flush, a re-priced model)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections

from .models import COUNTERS, FIGURE_KINDS, MonthClose, MonthFigure

KIND_LABELS = dict(FIGURE_KINDS)
LIMIT = 200


@dataclass
class Change:
    kind: str
    parent: str
    entity: str
    label: str
    spend_before: float
    spend_after: float
    requests_before: int
    requests_after: int

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def spend_delta(self) -> float:
        return self.spend_after - self.spend_before

    @property
    def requests_delta(self) -> int:
        return self.requests_after - self.requests_before


def previous_version(close: MonthClose) -> MonthClose | None:
    return MonthClose.objects.filter(month=close.month, version__lt=close.version).order_by("-version").first()


def version_changes(close: MonthClose, before: MonthClose | None = None, limit: int = LIMIT) -> list[Change]:
    """Figures that differ between `before` (default: the version just before) and `close`,
    largest spend change first. One FULL JOIN in the database: an entity that appeared or
    vanished counts as a change from or to zero."""
    before = before or previous_version(close)
    if before is None:
        return []
    table = MonthFigure._meta.db_table
    rank = " ".join(f"WHEN '{k}' THEN {i}" for i, (k, _) in enumerate(FIGURE_KINDS))
    differs = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in COUNTERS)
    sql = f"""
        SELECT COALESCE(a.kind, b.kind), COALESCE(a.parent, b.parent), COALESCE(a.entity, b.entity),
               COALESCE(b.label, a.label), COALESCE(a.spend, 0), COALESCE(b.spend, 0),
               COALESCE(a.api_requests, 0), COALESCE(b.api_requests, 0)
        FROM (SELECT * FROM {table} WHERE close_id = %s) a
        FULL JOIN (SELECT * FROM {table} WHERE close_id = %s) b
          ON a.kind = b.kind AND a.parent = b.parent AND a.entity = b.entity
        WHERE a.id IS NULL OR b.id IS NULL OR {differs}
        ORDER BY abs(COALESCE(b.spend, 0) - COALESCE(a.spend, 0)) DESC, CASE COALESCE(a.kind, b.kind) {rank} END, 2, 3
        LIMIT %s
    """
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, [before.pk, close.pk, limit])
        return [Change(*row) for row in cursor.fetchall()]
