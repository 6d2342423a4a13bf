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
def money(value):
    return _money(value)


@register.filter
def pretty_json(value):
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


# Object pages a breadcrumb can point at: model name -> (url name, primary-key attribute).
_DETAIL_PAGES = {
    "VerificationToken": ("keys:key_detail", "token"),
    "TeamTable": ("accounts:team_detail", "team_id"),
    "UserTable": ("accounts:user_detail", "user_id"),
    "OrganizationTable": ("accounts:org_detail", "organization_id"),
    "InvitationLink": ("accounts:invitation_detail", "id"),
}


@register.simple_tag(takes_context=True)
def crumbs(context):
    """Breadcrumbs for the generic form and confirm pages: the section's list, the object the
    page acts on (context `object`, or `crumb_object`) when it has a page, then the title."""
    from django.urls import reverse
    from django.utils.html import conditional_escape, format_html, format_html_join

    parts = []
    section = context.get("section")
    for key, label, url_name in NAVIGATION:
        if key == section:
            parts.append((reverse(url_name), label))
            break
    obj = context.get("crumb_object") or context.get("object")
    page = _DETAIL_PAGES.get(type(obj).__name__) if obj is not None else None
    if page is not None:
        parts.append((reverse(page[0], args=[getattr(obj, page[1])]), str(obj)))
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
    from django.utils.html import format_html

    from config.forms import SHOWN_FIELD, action_scope, sign_shown

    return format_html(
        '<input type="hidden" name="{}" value="{}">', SHOWN_FIELD, sign_shown(values, action_scope(name, *ids))
    )
