from django import template

from config.html import format_html

register = template.Library()


@register.filter
def spend_change(row) -> str:
    """A report row's spend against the previous month: ▲/▼ and the percentage, "new", or "—"
    when the previous month was not closed."""
    if row is None or row.previous_spend is None:
        return format_html('<span class="muted">{}</span>', "—")
    change = row.change
    if change is None:
        return format_html('<span class="delta">{}</span>', "no spend either month")
    if not row.previous_spend:
        return format_html('<span class="delta up">{}</span>', "new")
    arrow = "▲" if change > 0 else "▼" if change < 0 else "·"
    css = "up" if change > 0 else "down" if change < 0 else ""
    return format_html('<span class="delta {}">{} {}%</span>', css, arrow, f"{abs(change) * 100:.1f}")


@register.filter
def signed_money(value) -> str:
    return f"{'+' if value > 0 else '−' if value < 0 else ''}${abs(value):,.2f}"
