"""Names people typed (aliases, emails): shown on one line, cut with an ellipsis by CSS when
too long for their place, the full text on hover. A 5,000-character team alias must not push
any page wider than the window.

    {% load names %}  {{ team.team_alias|default:team.team_id|long_name }}
"""

from __future__ import annotations

from django import template

from config.html import format_html

register = template.Library()


@register.filter
def long_name(value):
    """<span class="truncate" title="full text">full text</span> (escaped)."""
    if value in (None, ""):
        return ""
    return format_html('<span class="truncate" title="{}">{}</span>', value, value)
