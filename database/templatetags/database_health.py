from __future__ import annotations

from datetime import timedelta

from django import template
from django.template.defaultfilters import filesizeformat

register = template.Library()


@register.filter
def age(value):
    """A timedelta in words: '45 s', '12 min', '3 h 5 min', '2 d 4 h'."""
    if value is None:
        return "—"
    if not isinstance(value, timedelta):
        return str(value)
    seconds = max(int(value.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


@register.filter
def size(value):
    return "—" if value is None else filesizeformat(value)


@register.filter
def signed_size(value):
    if value is None:
        return "—"
    return ("−" if value < 0 else "+") + filesizeformat(abs(value))


@register.filter
def rate(value):
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


@register.filter
def projection(state, days):
    return state.projection(int(days))
