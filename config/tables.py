"""The base table every list page declares its columns on."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html


class ConsoleTable(tables.Table):
    """Sets the CSS, empty text and template once. Columns that only make sense on screen
    (checkboxes, action buttons) declare `exclude_from_export=True` to stay out of CSVs."""

    class Meta:
        attrs = {"class": "table"}
        empty_text = "Nothing matches these filters."
        template_name = "inc/table.html"

    # ?per_page= and ?page= come straight from the URL: a negative or absurd number must not
    # reach the paginator (ValueError) or an OFFSET (bigint overflow).
    MAX_PER_PAGE = 500
    MAX_PAGE = 10**9

    def paginate(self, *args, per_page=None, page=1, **kwargs):
        if per_page is not None:
            per_page = min(max(int(per_page), 1), self.MAX_PER_PAGE)
        if isinstance(page, int):
            page = min(max(page, 1), self.MAX_PAGE)
        return super().paginate(*args, per_page=per_page, page=page, **kwargs)


def money(value) -> str:
    if value is None:
        return "—"
    if value == 0 or abs(value) >= 0.01:
        return f"${value:,.2f}"
    if abs(value) < 0.0001:  # a fraction of a cent that four decimals would show as $0.0000
        return "<$0.0001" if value > 0 else ">-$0.0001"
    return f"${value:,.4f}"


class MoneyColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value):
        return money(value)

    def value(self, value):
        return "" if value is None else round(value, 6)


class BoolBadgeColumn(tables.Column):
    """Shows a badge when true (e.g. Blocked)."""

    def __init__(self, *args, label_true="Yes", css="badge-danger", **kwargs):
        self.label_true, self.css = label_true, css
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_html('<span class="badge {}">{}</span>', self.css, self.label_true) if value else ""

    def value(self, value):
        return "yes" if value else "no"


def _cache_tables2_signatures() -> None:
    """django-tables2 calls inspect.signature() for every rendered cell (utils.signature via
    call_with_appropriate): a fifth of a 50-row list's time. Signatures never change, so cache
    them per function (bound methods by their function, dropping `self`)."""
    import functools

    from django_tables2 import utils

    if getattr(utils.signature, "cached", False):
        return
    uncached = utils.signature

    @functools.lru_cache(maxsize=4096)
    def of_function(fn):
        return uncached(fn)

    def signature(fn):
        func = getattr(fn, "__func__", None)
        if func is not None and getattr(fn, "__self__", None) is not None:
            args, keywords = of_function(func)
            return args[1:], keywords
        try:
            return of_function(fn)
        except TypeError:  # unhashable callable
            return uncached(fn)

    signature.cached = True
    utils.signature = signature
