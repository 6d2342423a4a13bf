"""Reading a closed month for its page and CSVs: the sections a person may see, each with its
rows and the change against the previous month's latest close."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from .models import COUNTERS, MonthClose, MonthFigure

TOP = 10
# Up to this many team sections are shown in full on the page; beyond it (an admin of a proxy
# with 400 teams) the teams are one summary table whose names open their own section, so the
# page stays readable and quick (400 full sections were 8,000 rows to render and print).
INLINE_TEAM_SECTIONS = 12
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


def _top(close: MonthClose, kinds: list[str], parents: list[str], limit: int | None = TOP):
    """The top `limit` figures of each (kind, parent), in one query: a LATERAL read per group
    through the (close, kind, parent, -spend) index, so a month with 100,000 keys costs a few
    index pages per table, not a window over every figure of the month."""
    if limit is None:
        qs = MonthFigure.objects.filter(close=close, kind__in=kinds, parent__in=parents)
        return list(qs.order_by("kind", "parent", "-spend", "entity"))
    table = MonthFigure._meta.db_table
    columns = ", ".join(f'f."{f.column}"' for f in MonthFigure._meta.concrete_fields)
    sql = f"""
        SELECT {columns} FROM unnest(%s::text[]) AS k (kind) CROSS JOIN unnest(%s::text[]) AS p (parent)
        CROSS JOIN LATERAL (
            SELECT * FROM "{table}" f WHERE f.close_id = %s AND f.kind = k.kind AND f.parent = p.parent
            ORDER BY f.spend DESC, f.entity LIMIT %s) f
        ORDER BY f.kind, f.parent, f.spend DESC, f.entity
    """
    return list(MonthFigure.objects.raw(sql, [list(kinds), list(parents), close.pk, limit]))


@dataclass
class ReportPage:
    sections: list[Section]
    team_summary: list[Row]  # every team this person may read, when their sections are folded
    only: str = ""  # the one section asked for with ?section=, if any


def report_page(principal, close: MonthClose, *, only: str = "") -> ReportPage:
    """What the month's page shows: every section this person may read, the team sections
    folded into one summary table when there are more than INLINE_TEAM_SECTIONS of them, or
    just the section `only` names (a summary row's link). Unknown `only`: no sections."""
    if only:
        return ReportPage([s for s in visible_sections(principal, close, only=only) if s.id == only], [], only)
    heads = _team_heads(principal, close)
    if len(heads) <= INLINE_TEAM_SECTIONS:
        return ReportPage(visible_sections(principal, close), [])
    return ReportPage(visible_sections(principal, close, with_teams=False), _rows(heads, previous_month_close(close)))


def team_summary_rows(principal, close: MonthClose) -> list[Row]:
    """Every team this person may read that month, biggest spend first, with the change."""
    return _rows(_team_heads(principal, close), previous_month_close(close))


def _team_heads(principal, close: MonthClose) -> list[MonthFigure]:
    heads = MonthFigure.objects.filter(close=close, kind="team").order_by("-spend", "entity")
    return [f for f in heads if principal.may_see_report_team(f.entity, f.parent)]


def visible_sections(
    principal, close: MonthClose, *, limit: int | None = TOP, with_teams: bool = True, only: str = ""
) -> list[Section]:
    """The sections of `close` this person may read, in page order: the whole proxy and its top
    entities (admins), then one per organization, then one per team (with spend that month).
    `with_teams=False` leaves the team sections out; `only` reads just the one it names."""
    previous = previous_month_close(close)
    heads = list(
        MonthFigure.objects.filter(close=close, kind__in=["total", "org", "team"]).order_by("-spend", "entity")
    )
    orgs = [f for f in heads if f.kind == "org" and principal.may_see_report_org(f.entity)]
    teams = [f for f in heads if f.kind == "team" and principal.may_see_report_team(f.entity, f.parent)]
    if not with_teams:
        teams = []
    wanted = [f for f in heads if f.kind == "total"] if principal.may_see_whole_report else []
    if only:  # one section: read only its own figures
        orgs = [f for f in orgs if f"org-{f.entity}" == only]
        teams = [f for f in teams if f"team-{f.entity}" == only]
        wanted = wanted if only == "proxy" else []
    whole = principal.may_see_whole_report and only in ("", "proxy")
    head_rows = {(r.figure.kind, r.figure.entity): r for r in _rows(wanted + orgs + teams, previous)}
    sections = []
    if whole:
        top = _top(close, [k for k, _ in TOP_KINDS], [""], limit)
        top_rows = _rows(top, previous)
        tables = [Table(k, t, [r for r in top_rows if r.figure.kind == k]) for k, t in TOP_KINDS]
        sections.append(Section("proxy", "Whole proxy", head_rows.get(("total", "")), tables))
    parents = [f.entity for f in orgs + teams]
    inner_rows = _rows(_top(close, [k for k, _ in ORG_KINDS + TEAM_KINDS], parents, limit), previous) if parents else []
    by_table: dict[tuple, list[Row]] = {}
    for r in inner_rows:
        by_table.setdefault((r.figure.kind, r.figure.parent), []).append(r)
    for kind, title, parents, kinds in (("org", "Organization", orgs, ORG_KINDS), ("team", "Team", teams, TEAM_KINDS)):
        for parent in parents:
            tables = [Table(k, t, by_table.get((k, parent.entity), [])) for k, t in kinds]
            head = head_rows[(kind, parent.entity)]
            sections.append(Section(f"{kind}-{parent.entity}", f"{title} · {parent.label}", head, tables))
    return sections


SUMMARY_CSV_HEADER = ["month", "version", "team_id", "team", "organization_id", *COUNTERS, "previous_month_spend"]


def team_summary_csv_rows(close: MonthClose, rows: list[Row]):
    for row in rows:
        f = row.figure
        yield [
            close.label,
            close.version,
            f.entity,
            f.label,
            f.parent,
            *(getattr(f, c) for c in COUNTERS),
            row.previous_spend,
        ]


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
