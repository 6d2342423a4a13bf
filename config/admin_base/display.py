"""Small display helpers for the admin: table names in words, related rows as a table."""

from __future__ import annotations

from config.html import format_html, format_html_join


def label(model, singular: str, plural: str | None = None) -> None:
    """Name a LiteLLM table in words ("virtual key") for the admin's index and breadcrumbs."""
    model._meta.verbose_name = singular
    model._meta.verbose_name_plural = plural or f"{singular}s"


def render_rows(headers: list[str], rows: list[tuple], empty: str = "None."):
    """A small read-only table for a change page (memberships)."""
    if not rows:
        return format_html('<span class="quiet">{}</span>', empty)
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (format_html_join("", "<td>{}</td>", ((("—" if c is None or c == "" else c),) for c in row)),)
            for row in rows
        ),
    )
    return format_html('<table class="litellm-related"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body)
