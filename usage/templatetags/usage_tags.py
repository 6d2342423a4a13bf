"""Formatting for the usage pages (no queries)."""

from __future__ import annotations

from django import template

from config.html import format_html
from config.tables import money
from usage.charts import format_value

register = template.Library()


@register.filter
def figure_value(figure) -> str:
    if figure.value is None:
        return "—"
    if figure.key == "avg_cost":  # cents would round most requests to $0.00 or $0.01
        return f"${figure.value:,.4f}"
    if figure.kind == "money":
        return money(figure.value)
    if figure.kind == "percent":
        return f"{figure.value * 100:.1f}%"
    return f"{int(figure.value):,}"


@register.filter
def figure_change(figure):
    """▲/▼ and the relative change against the previous period; 'new' when it had nothing."""
    change = figure.change
    if figure.value is None:
        return format_html('<span class="delta">{}</span>', "no requests")
    if figure.kind == "percent" and figure.previous is None:
        return format_html('<span class="delta">{}</span>', "new")
    if change is None:
        return format_html('<span class="delta">{}</span>', "new" if figure.value else "no change")
    # Colour only where the direction means something: more spend or failures is bad (red,
    # the stylesheet's "up"), a higher success rate is good (green, its "down").
    if figure.kind == "percent":
        points = (figure.value - figure.previous) * 100
        arrow = "▲" if points > 0 else "▼" if points < 0 else "·"
        css = "down" if points > 0 else "up" if points < 0 else ""
        return format_html('<span class="delta {}">{} {} pts</span>', css, arrow, f"{abs(points):.1f}")
    arrow = "▲" if change > 0 else "▼" if change < 0 else "·"
    css = ""
    if figure.key in ("spend", "failed", "avg_cost"):
        css = "up" if change > 0 else "down" if change < 0 else ""
    return format_html('<span class="delta {}">{} {}%</span>', css, arrow, f"{abs(change) * 100:.1f}")


@register.filter
def compact(value) -> str:
    return format_value(value, "int")


@register.filter
def pct(value) -> str:
    return f"{value * 100:.1f}%"


@register.filter
def thousands(value) -> str:
    return "—" if value is None else f"{value:,}"


@register.filter
def ms_time(value) -> str:
    """A timestamp to the millisecond, as LiteLLM stores them (TIMESTAMP(3))."""
    from config.dates import when

    return when(value, seconds="ms") if value is not None else "—"
