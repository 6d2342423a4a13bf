"""Reading a closed month for its page and CSVs: the sections a person may see, each with its
rows and the change against the previous month's latest close."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from .models import COUNTERS, MonthClose, MonthFigure

TOP = 10
TOP_KINDS = [
    ("team", "Top teams"),
    ("user", "Top users"),
    ("key", "Top keys"),
    ("model", "Top models"),
    ("tag", "Top tags"),
]
ORG_KINDS = [("team", "Teams"), ("org_model", "Models")]
TEAM_KINDS = [("team_key", "Keys"), ("team_model", "Models")]
CSV_HEADER = ["month", "version", "section", "kind", "id", "name", *COUNTERS, "previous_month_spend"]


@dataclass
class Row:
    figure: MonthFigure
    previous_spend: float | None = None

    @property
    def change(self) -> float | None:
        """Relative change of spend against the previous month (None: no previous figure)."""
        if self.previous_spend is None:
            return None
        if not self.previous_spend:
            return None if not self.figure.spend else 1.0
        return (self.figure.spend - self.previous_spend) / self.previous_spend


@dataclass
class Table:
    kind: str
    title: str
    rows: list[Row]


@dataclass
class Section:
    id: str  # the CSV's ?export= value
    title: str
    headline: Row | None
    tables: list[Table] = field(default_factory=list)


def closes():
    """Every closed month, latest version first within a month."""
    return MonthClose.objects.order_by("-month", "-version")


def month_versions(month):
    return list(MonthClose.objects.filter(month=month).order_by("-version"))


def previous_month_close(close: MonthClose) -> MonthClose | None:
    first = (close.month - timedelta(days=1)).replace(day=1)
    return MonthClose.objects.filter(month=first).order_by("-version").first()


def _previous(previous: MonthClose | None, figures: list[MonthFigure]) -> dict[tuple, float]:
    if previous is None or not figures:
        return {}
    kinds = {f.kind for f in figures}
    parents = {f.parent for f in figures}
    entities = {f.entity for f in figures} if len(figures) <= 1000 else None
    rows = MonthFigure.objects.filter(close=previous, kind__in=kinds, parent__in=parents)
    if entities is not None:
        rows = rows.filter(entity__in=entities)
    return {(k, p, e): s for k, p, e, s in rows.values_list("kind", "parent", "entity", "spend")}


def _rows(figures: list[MonthFigure], previous: MonthClose | None) -> list[Row]:
    before = _previous(previous, figures)
    return [Row(f, before.get((f.kind, f.parent, f.entity), None if previous is None else 0.0)) for f in figures]


def _top(close: MonthClose, kinds: list[str], parents: list[str] | None, limit: int | None = TOP):
    """The top `limit` figures of each (kind, parent), in one query (a window per group)."""
    qs = MonthFigure.objects.filter(close=close, kind__in=kinds)
    if parents is not None:
        qs = qs.filter(parent__in=parents)
    if limit is None:
        return list(qs.order_by("kind", "parent", "-spend", "entity"))
    ranked = qs.annotate(
        rank=Window(RowNumber(), partition_by=[F("kind"), F("parent")], order_by=[F("spend").desc(), F("entity")])
    )
    return list(ranked.filter(rank__lte=limit).order_by("kind", "parent", "rank"))


def visible_sections(principal, close: MonthClose, *, limit: int | None = TOP) -> list[Section]:
    """The sections of `close` this person may read, in page order: the whole proxy and its top
    entities (admins), then one per organization, then one per team (with spend that month)."""
    previous = previous_month_close(close)
    heads = list(
        MonthFigure.objects.filter(close=close, kind__in=["total", "org", "team"]).order_by("-spend", "entity")
    )
    orgs = [f for f in heads if f.kind == "org" and principal.may_see_report_org(f.entity)]
    teams = [f for f in heads if f.kind == "team" and principal.may_see_report_team(f.entity, f.parent)]
    wanted = [f for f in heads if f.kind == "total"] if principal.may_see_whole_report else []
    head_rows = {(r.figure.kind, r.figure.entity): r for r in _rows(wanted + orgs + teams, previous)}
    sections = []
    if principal.may_see_whole_report:
        top = _top(close, [k for k, _ in TOP_KINDS], [""], limit)
        top_rows = _rows(top, previous)
        tables = [Table(k, t, [r for r in top_rows if r.figure.kind == k]) for k, t in TOP_KINDS]
        sections.append(Section("proxy", "Whole proxy", head_rows.get(("total", "")), tables))
    inner = _top(close, [k for k, _ in ORG_KINDS + TEAM_KINDS], [f.entity for f in orgs + teams], limit)
    inner_rows = _rows(inner, previous)
    for kind, title, parents, kinds in (("org", "Organization", orgs, ORG_KINDS), ("team", "Team", teams, TEAM_KINDS)):
        for parent in parents:
            tables = [
                Table(k, t, [r for r in inner_rows if r.figure.kind == k and r.figure.parent == parent.entity])
                for k, t in kinds
            ]
            head = head_rows[(kind, parent.entity)]
            sections.append(Section(f"{kind}-{parent.entity}", f"{title} · {parent.label}", head, tables))
    return sections


def section_csv_rows(close: MonthClose, section: Section):
    """Every row of one section (not only its top ones), as CSV_HEADER says."""
    for table in ([Table("headline", section.title, [section.headline])] if section.headline else []) + section.tables:
        for row in table.rows:
            f = row.figure
            yield [
                close.label,
                close.version,
                section.title,
                f.get_kind_display(),
                f.entity,
                f.label,
                *(getattr(f, c) for c in COUNTERS),
                row.previous_spend,
            ]
