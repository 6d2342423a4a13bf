"""Display helpers shared by every template (formatting only; no queries)."""

from __future__ import annotations

import json

from django import template

from config.context_processors import NAVIGATION
from config.policy import ORG_ROLES, USER_ROLES
from config.tables import money as _money
from config.writes import decode_audit_value

register = template.Library()


@register.filter
def key_status_badge(key):
    """Active / Blocked / Expired, by keys.status (the rule the key list and CSV use)."""
    from keys.status import status_badge

    return status_badge(key)


@register.filter
def money(value):
    return _money(value)


@register.filter
def when(value, precision=""):
    """The one date format: "2026-12-08 17:55 UTC" (`|when:"s"` adds seconds, `|when:"ms"`
    milliseconds); config/dates.py."""
    from config.dates import when as _when

    return _when(value, seconds={"s": True, "ms": "ms"}.get(precision, False))


@register.filter
def day(value):
    """A calendar day, "2026-12-08" (UTC); config/dates.py."""
    from config.dates import day as _day

    return _day(value)


@register.filter
def reset_rule(duration):
    """How often a budget resets, in words ("on the 1st of each month at 00:00 UTC")."""
    from budgets.resets import rule

    return rule(duration)


@register.inclusion_tag("budgets/inc/reset.html")
def budget_reset(duration, reset_at, kind="", style="sentence"):
    """When a budget resets next and why, in words (budgets/resets.py; one partial words it).
    style "sentence" (detail pages) or "short" (table cells)."""
    from budgets.resets import reset_of

    return {"reset": reset_of(duration, reset_at, kind=kind), "style": style}


@register.filter
def pretty_json(value):
    value = decode_audit_value(value)
    if value is None:
        return ""
    return json.dumps(value, indent=2, sort_keys=True, default=str)


@register.filter
def model_budgets(value):
    """A stored model_max_budget in either spelling ({"max_budget", "budget_duration"} or the
    legacy {"budget_limit", "time_period"}) as rows of model, max_budget, duration."""
    from budgets.widgets import model_budget_items

    return model_budget_items(value)


@register.filter
def percent(value, total):
    try:
        return min(100.0, max(0.0, 100.0 * float(value) / float(total)))
    except (TypeError, ValueError, ZeroDivisionError):
        return 0.0


# Objects whose own page a breadcrumb points at (their get_absolute_url; an invitation's only
# for someone who may see its id, InvitationLink.page_url_for).
_CRUMB_MODELS = {"VerificationToken", "TeamTable", "UserTable", "OrganizationTable", "InvitationLink", "Deployment"}


@register.simple_tag(takes_context=True)
def crumbs(context):
    """Breadcrumbs for the generic form and confirm pages: the section's list, the object the
    page acts on (context `object`, or `crumb_object`) when it has a page, then the title."""
    from django.urls import reverse

    from config.html import conditional_escape, format_html, format_html_join

    parts = []
    section = context.get("section")
    for key, label, url_name in NAVIGATION:
        if key == section:
            parts.append((reverse(url_name), label))
            break
    obj = context.get("crumb_object") or context.get("object")
    if obj is not None and type(obj).__name__ in _CRUMB_MODELS:
        url = obj.page_url_for(context.get("principal")) if hasattr(obj, "page_url_for") else obj.get_absolute_url()
        if url:
            parts.append((url, str(obj)))
    links = format_html_join("", '<a href="{}">{}</a> / ', parts)
    return format_html("{}{}", links, conditional_escape(context.get("title", "")))


@register.filter
def role_label(role):
    """A LiteLLM role as people read it ("Internal user viewer" for internal_user_viewer)."""
    return dict(ORG_ROLES + USER_ROLES).get(role, role or "")


@register.simple_tag
def shown_values_input(name, *ids, **values):
    """The signed hidden input of a small form in a page: what it shows (field=value), so
    the view can refuse a change made from a stale page (config.forms.posted_shown)."""
    from config.forms import SHOWN_FIELD, action_scope, sign_shown
    from config.html import format_html

    return format_html(
        '<input type="hidden" name="{}" value="{}">', SHOWN_FIELD, sign_shown(values, action_scope(name, *ids))
    )
