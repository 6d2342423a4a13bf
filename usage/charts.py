"""Server-rendered SVG charts: no JavaScript library, no CDN.

Each chart is a `Chart`: the SVG markup (with <title> tooltips on every bar and point and an
aria-label), its legend, and the data table it was drawn from. The page shows that table as
the chart's text alternative and the CSV export writes the very same rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.utils.safestring import SafeString, mark_safe

from config.html import escape

PALETTE = ["#4263eb", "#12b886", "#f59f00", "#e8590c", "#7048e8", "#1098ad", "#d6336c", "#868e96"]
OTHER_COLOR = "#adb5bd"
OK_COLOR = "#2f9e44"
FAIL_COLOR = "#e03131"
BUDGET_COLOR = "#e03131"

WIDTH, HEIGHT = 600, 250
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 14, 28


@dataclass
class Chart:
    id: str
    title: str
    svg: SafeString
    legend: list[tuple[str, str]]  # (label, color)
    header: list[str]
    rows: list[list]  # the data drawn, as shown in the text alternative and the CSV export
    note: str = ""
    formats: list[str] = field(default_factory=list)  # per column: "date", "money", "int"

    def table_html(self) -> SafeString:
        """The chart's text alternative: its data as an HTML table (built here, not in the
        template: 90 days x 9 series would otherwise be thousands of template nodes)."""

        def cell(tag: str, i: int, text) -> str:
            attrs = ' class="num"' if i else ""
            return "<" + tag + attrs + ">" + escape(text) + "</" + tag + ">"

        head = "".join(cell("th", i, h) for i, h in enumerate(self.header))
        body = []
        for row in self.rows:
            cells = []
            for i, (value, kind) in enumerate(zip(row, self.formats, strict=False)):
                text = value if kind == "date" or isinstance(value, str) else _cell(value, kind)
                cells.append(cell("td", i, text))
            body.append("<tr>" + "".join(cells) + "</tr>")
        caption = '<caption class="sr-only">' + escape(self.title) + "</caption>"
        return mark_safe(
            '<table class="table compact">'
            + caption
            + "<thead><tr>"
            + head
            + "</tr></thead><tbody>"
            + "".join(body)
            + "</tbody></table>"
        )


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `maximum` (1, 2, 2.5 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    top = math.ceil(maximum / step - 1e-9) * step
    return [round(i * step, 10) for i in range(int(round(top / step)) + 1)]


def format_value(value: float, kind: str) -> str:
    if kind == "money":
        if value == 0:
            return "$0"
        if abs(value) >= 1000:
            return f"${value / 1000:,.1f}k".replace(".0k", "k")
        return f"${value:,.2f}" if abs(value) >= 0.01 else f"${value:.4f}"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.1f}M".replace(".0M", "M")
    if abs(value) >= 10_000:
        return f"{value / 1000:,.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:,.1f}k".replace(".0k", "k")
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _exact(value: float, kind: str) -> str:
    return f"${value:,.4f}" if kind == "money" else f"{value:,.0f}"


def _date_label(d: date, span: int) -> str:
    return d.strftime("%d %b") if span > 1 else d.isoformat()


def _frame(chart_id: str, title: str, ticks: list[float], kind: str, dates: list[date], slot: float) -> list[str]:
    """Axes, horizontal grid lines with tick labels, and a readable number of date labels."""
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    top = ticks[-1] or 1
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for t in ticks:
        y = PAD_TOP + plot_h - (t / top) * plot_h
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#ced4da" if t == 0 else "#eef0f3"}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{PAD_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(format_value(t, kind))}</text>'
        )
    n = len(dates)
    every = max(1, math.ceil(n / 6))
    for i, d in enumerate(dates):
        if i % every and i != n - 1:
            continue
        if i == n - 1 and i % every and (n - 1) % every < every / 2:
            continue  # too close to the previous label
        x = PAD_LEFT + (i + 0.5) * slot
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{_date_label(d, n)}</text>')
    return parts


def stacked_bars(
    chart_id: str, title: str, dates: list[date], series: dict[str, list[float]], *, kind: str = "int", colors=None
) -> Chart:
    """One bar per day, stacked by series; each segment's <title> is its tooltip."""
    colors = colors or _colors(series)
    totals = [sum(values) for values in zip(*series.values(), strict=True)] if series else [0] * len(dates)
    ticks = nice_ticks(max(totals, default=0))
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(len(dates), 1)
    bar = max(1.0, min(slot * 0.72, 36))
    parts = _frame(chart_id, title, ticks, kind, dates, slot)
    top = ticks[-1] or 1
    for i, d in enumerate(dates):
        x = PAD_LEFT + i * slot + (slot - bar) / 2
        y = PAD_TOP + plot_h
        for label, values in series.items():
            value = values[i]
            if value <= 0:
                continue
            h = value / top * plot_h
            y -= h
            tip = f"{d.isoformat()} · {label}: {_exact(value, kind)}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(h, 0.5):.1f}" '
                f'fill="{colors[label]}"><title>{escape(tip)}</title></rect>'
            )
    parts.append("</svg>")
    header = ["date", *series.keys()] + (["total"] if len(series) > 1 else [])
    rows = []
    for i, d in enumerate(dates):
        row = [d.isoformat(), *[_round(values[i], kind) for values in series.values()]]
        if len(series) > 1:
            row.append(_round(totals[i], kind))
        rows.append(row)
    return Chart(
        chart_id,
        title,
        mark_safe("".join(parts)),
        [(label, colors[label]) for label in series],
        header,
        rows,
        formats=["date"] + [kind] * (len(header) - 1),
    )


def cumulative_line(
    chart_id: str, title: str, dates: list[date], cumulative: list[float], budget: float | None
) -> Chart:
    """Cumulative spend as a filled line, with the budget as a dashed red line."""
    top_value = max([*cumulative, budget or 0], default=0)
    ticks = nice_ticks(top_value)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(len(dates), 1)
    parts = _frame(chart_id, title, ticks, "money", dates, slot)
    top = ticks[-1] or 1
    points = [(PAD_LEFT + (i + 0.5) * slot, PAD_TOP + plot_h - v / top * plot_h) for i, v in enumerate(cumulative)]
    if points:
        base = PAD_TOP + plot_h
        area = f"M{points[0][0]:.1f},{base:.1f} " + " ".join(f"L{x:.1f},{y:.1f}" for x, y in points)
        area += f" L{points[-1][0]:.1f},{base:.1f} Z"
        parts.append(f'<path d="{area}" fill="{PALETTE[0]}" fill-opacity="0.12"/>')
        line = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<path d="{line}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
        for (x, y), d, v in zip(points, dates, cumulative, strict=True):
            tip = f"{d.isoformat()} · spent so far: {_exact(v, 'money')}"
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 if len(points) <= 31 else 2}" fill="{PALETTE[0]}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    legend = [("Cumulative spend", PALETTE[0])]
    if budget:
        y = PAD_TOP + plot_h - budget / top * plot_h
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{BUDGET_COLOR}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"><title>{escape(f"Budget: ${budget:,.2f}")}</title></line>'
        )
        parts.append(
            f'<text x="{WIDTH - PAD_RIGHT - 4}" y="{y - 5:.1f}" text-anchor="end" style="fill:{BUDGET_COLOR}">'
            f"budget {escape(format_value(budget, 'money'))}</text>"
        )
        legend.append(("Budget (max_budget)", BUDGET_COLOR))
    parts.append("</svg>")
    header = ["date", "cumulative spend"] + (["budget"] if budget else [])
    rows = [[d.isoformat(), round(v, 6)] + ([budget] if budget else []) for d, v in zip(dates, cumulative, strict=True)]
    return Chart(chart_id, title, mark_safe("".join(parts)), legend, header, rows, formats=["date", "money", "money"])


def _cell(value, kind) -> str:
    return f"${value:,.4f}" if kind == "money" else f"{value:,}"


def _round(value, kind):
    return round(value, 6) if kind == "money" else int(value)


def _colors(series: dict) -> dict[str, str]:
    colors, i = {}, 0
    for label in series:
        if label == "Other":
            colors[label] = OTHER_COLOR
        else:
            colors[label] = PALETTE[i % len(PALETTE)]
            i += 1
    return colors
