"""Display helpers shared by every template (formatting only; no queries)."""

from __future__ import annotations

import json

from django import template

from config.tables import money as _money

register = template.Library()


@register.filter
def money(value):
    return _money(value)


@register.filter
def pretty_json(value):
    from config.writes import decode_audit_value

    value = decode_audit_value(value)
    if value is None:
        return ""
    return json.dumps(value, indent=2, sort_keys=True, default=str)


@register.filter
def percent(value, total):
    try:
        return min(100.0, max(0.0, 100.0 * float(value) / float(total)))
    except (TypeError, ValueError, ZeroDivisionError):
        return 0.0
