"""The base table every list page declares its columns on.

Its rows are rendered in Python (`ConsoleTable.body_html`, used by templates/inc/table.html)
instead of django-tables2's per-cell template loop: the cells are django-tables2's own (each
column's accessor, empty values, default, `render_<name>`/`render()`, link and td attrs), but
what the library works out again for every cell (which arguments a render method takes, the
td attributes, the template variable lookups) is worked out once per column and page
(`cell_plans`). The CSV export uses the same plans for plain values (config/views/export.py).
"""

from __future__ import annotations

import inspect

import django_tables2 as tables
from django.db.models import QuerySet
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.data import TableQuerysetData
from django_tables2.utils import AttributeDict

from .html import conditional_escape, escaped, format_html
from .stack import on_fresh_chunk


class LateRowsData(TableQuerysetData):
    """A queryset's page read in two steps: the page's primary keys sorted and cut first, then
    those rows. When the sort has no index (the keys list by creation or spend at 100,000 keys)
    PostgreSQL sorts every row it reads; sorting (sort columns, key) pairs instead of whole
    rows, and reading only the 50 rows shown, made the keys list's statement 75 -> 48 ms on
    page 1 and 144 -> 70 ms on page 200. django-tables2 takes a TableData given to a table
    as it is (TableData.from_data)."""

    def __getitem__(self, key):
        rows = self.data
        query = rows.query
        if not isinstance(key, slice) or not query.order_by or query.distinct or query.combinator:
            return super().__getitem__(key)
        if query.annotations or query.extra or key.step is not None:
            return super().__getitem__(key)
        return rows.filter(pk__in=rows.values("pk")[key]).order_by(*query.order_by)


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

    def _set_order_by(self, value):
        """django-tables2's ordering, then the primary key as the last tiebreaker: rows that
        tie on the sorted column (keys created in the same millisecond, every key with no
        spend yet) otherwise come back in any order, so OFFSET pages repeat some rows and
        never show others."""
        tables.Table.order_by.fset(self, value)
        rows = getattr(self.data, "data", None)
        if not isinstance(rows, QuerySet):
            return
        order = list(rows.query.order_by or (rows.query.default_ordering and rows.model._meta.ordering) or ())
        if not order:
            return
        pk = rows.model._meta.pk
        names = {str(o).lstrip("-") for o in order if isinstance(o, str)}
        if names & {"pk", pk.name, pk.attname}:
            return
        last = order[-1]
        descending = last.startswith("-") if isinstance(last, str) else getattr(last, "descending", False)
        self.data.data = rows.order_by(*order, ("-" if descending else "") + pk.attname)

    order_by = property(tables.Table.order_by.fget, _set_order_by)

    def paginate(self, *args, per_page=None, page=1, **kwargs):
        if per_page is not None:
            per_page = min(max(int(per_page), 1), self.MAX_PER_PAGE)
        if isinstance(page, int):
            page = min(max(page, 1), self.MAX_PAGE)
        return super().paginate(*args, per_page=per_page, page=page, **kwargs)

    def prepare_records(self, records: list) -> None:
        """Called with the rows about to be shown (or exported, a batch at a time) before any
        cell is rendered: a table adds what it reads from other tables here, in one query per
        batch, not a subquery per row (which an OFFSET would run for skipped rows too)."""

    def body_html(self) -> SafeString:
        """The <tr> rows of the current page, each cell as django-tables2 would render it."""
        return on_fresh_chunk(self._body_html)

    def _body_html(self) -> SafeString:
        plans = cell_plans(self)
        context = Context()  # what a template gives {{ cell }}: autoescape, localized, local time
        rows = list(self.paginated_rows)
        self.prepare_records([row.record for row in rows])
        out = []
        for row in rows:
            out.append(f"<tr {row.attrs.as_html()}>")
            out.extend(plan.td(row, context) for plan in plans)
            out.append("</tr>")
        return mark_safe("".join(out))


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


class CheckBoxColumn(tables.CheckBoxColumn):
    """django-tables2's checkbox column, each row's <input> built from the attributes worked
    out once, only the value escaped per row (the library builds and escapes every attribute
    for every row: 70 µs a row, a page of 50 keys 3.5 ms). Callable attributes, `checked`, or
    a None value take the library's own render."""

    def render(self, value, bound_column, record):
        specific = self.attrs.get("td__input") or self.attrs.get("input") or {}
        if value is None or self.checked is not None or "value" in specific:
            return super().render(value, bound_column, record)
        parts = self.__dict__.get("_input_parts")
        if parts is None or parts[0] != bound_column.name:
            if any(callable(v) for v in specific.values()):
                return super().render(value, bound_column, record)
            attrs = AttributeDict(dict({"type": "checkbox", "name": bound_column.name, "value": "\0"}, **specific))
            before, after = attrs.as_html().split('value="\0"')
            parts = self._input_parts = (bound_column.name, before, after)
        return mark_safe(f'<input {parts[1]}value="{conditional_escape(value)}"{parts[2]} />')


CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


def _caller(fn):
    """fn called with the cell arguments it names, as django-tables2's call_with_appropriate
    calls it (None when it names one it cannot get), its signature read once."""
    params = inspect.signature(fn).parameters.values()
    if any(p.kind == p.VAR_KEYWORD for p in params):
        return lambda kwargs: fn(**kwargs)
    names = tuple(p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
    if any(name not in CELL_ARGUMENTS for name in names):
        return lambda kwargs: None
    return lambda kwargs: fn(**{name: kwargs[name] for name in names})


def value_record_signature(fn) -> tuple[bool, bool] | None:
    """(takes value, takes record) when fn names no other cell argument (most value and
    render functions): it can be called directly, with no per-cell dict of all six
    arguments. None otherwise."""
    params = inspect.signature(fn).parameters.values()
    if any(p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) for p in params):
        return None
    names = {p.name for p in params}
    if not names <= {"value", "record"}:
        return None
    return "value" in names, "record" in names


def _value_record_caller(fn):
    """fn as a (value, record) call (value_record_signature), or None."""
    takes = value_record_signature(fn)
    if takes is None:
        return None
    takes_value, takes_record = takes
    if takes_value and takes_record:
        return lambda value, record: fn(value=value, record=record)
    if takes_value:
        return lambda value, record: fn(value=value)
    if takes_record:
        return lambda value, record: fn(record=record)
    return lambda value, record: fn()


def _attr_caller(fn):
    """A callable attribute called as django-tables2's call_with_appropriate calls it (the
    arguments it names, None when one is missing), its signature read once."""
    params = inspect.signature(fn).parameters.values()
    if any(p.kind == p.VAR_KEYWORD for p in params):
        return lambda kwargs: fn(**kwargs)
    names = tuple(p.name for p in params if p.kind != p.VAR_POSITIONAL)
    return lambda kwargs: fn(**{n: kwargs[n] for n in names}) if all(n in kwargs for n in names) else None


class CellPlan:
    """One column of one table, worked out once: how to get a cell's HTML (`td`) or its plain
    value (`value`). Columns whose cells need the library's special cases (a model field with
    choices, many-to-many, link columns with fixed text, dotted accessors) go through
    django-tables2's own BoundRow.get_cell/get_cell_value, slower but the same."""

    def __init__(self, table, bound_column):
        self.table, self.bound, self.column, self.name = table, bound_column, bound_column.column, bound_column.name
        self.accessor = bound_column.accessor
        self.fast = self._simple(table)
        self.default = bound_column.default
        self.empty_values = self.column.empty_values
        self.render = _caller(bound_column.render) if self.fast else None
        self.link = bound_column.link
        value_fn = getattr(table, "value_" + self.name, None)
        if value_fn is None and type(self.column).value is tables.Column.value:
            value_fn = self.column.render  # Column.value() is call_with_appropriate(render)
        self.value_function = value_fn or self.column.value
        self.value_of = _caller(self.value_function)
        self.value_direct = _value_record_caller(self.value_function)
        self.localize = bound_column.localize
        attrs = dict(table.attrs)
        attrs.update(dict(self.column.attrs))
        td_source = attrs.get("td", attrs.get("cell", {}))
        dynamic = [k for k, v in td_source.items() if callable(v)]
        self.static_td = None if dynamic else bound_column.attrs["td"].as_html()
        self.td_template = None
        if dynamic and "class" not in dynamic and not any(isinstance(v, dict) for v in td_source.values()):
            self.td_template = self._td_template(td_source, dynamic)

    def _td_template(self, td_source, dynamic) -> list[tuple[str, object, bool]]:
        """A td whose attributes are partly callable (a title from the cell's value): the
        class and the fixed values worked out once, in BoundColumn.attrs's order (its class
        where the column put one, else last), so a cell only calls its callables. (The
        library recomputes every attribute, the class and its sort for each cell.)"""
        fixed = {k: v for k, v in td_source.items() if k not in dynamic}
        template = [(k, _attr_caller(v) if k in dynamic else v, k in dynamic) for k, v in td_source.items()]
        klass = self.bound.get_td_class(AttributeDict(fixed))
        if "class" in td_source:
            template = [(k, klass if k == "class" else v, d) for k, v, d in template]
        else:
            template.append(("class", klass, False))
        return [(k, v, d) for k, v, d in template if k not in AttributeDict.blacklist]

    def _td_attrs(self, cell, record) -> str:
        kwargs = {"table": self.table, "bound_column": self.bound}
        if record is not None and cell is not None:
            kwargs.update(record=record, value=cell)
        items = []
        for key, value, dynamic in self.td_template:
            if dynamic:
                value = value(kwargs)
            if value is not None:
                items.append(f'{escaped(key)}="{escaped(value)}"')
        return " ".join(items)

    def _simple(self, table) -> bool:
        if isinstance(self.column, (ManyToManyColumn, BaseLinkColumn)):
            return False
        if "." in self.accessor or "__" in self.accessor:
            return False
        model = getattr(table.data, "model", None)
        if model is not None:
            field = next((f for f in model._meta.get_fields() if f.name == self.accessor), None)
            if field is not None and getattr(field, "choices", None):
                return False
        return True

    def _resolve(self, record):
        # Accessor.resolve tries record[name] first: on a model instance that raises (and
        # catches) a TypeError per cell. Without __getitem__ that step cannot succeed, so the
        # attribute is read directly; callables still go through the library (it calls them).
        if not hasattr(type(record), "__getitem__"):
            value = getattr(record, self.accessor)
            if not callable(value):
                return value
        return self.accessor.resolve(record)

    def _kwargs(self, row):
        record = row.record
        try:
            value = self._resolve(record)
        except Exception:  # as django-tables2: a missing attribute is an empty cell
            value = None
        if value in self.empty_values:
            return None
        return {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound,
            "bound_row": row,
            "table": self.table,
        }

    def html(self, row):
        if not self.fast:
            return row.get_cell(self.name)
        kwargs = self._kwargs(row)
        if kwargs is None:
            return self.default
        content = self.render(kwargs)
        return self.link(content, **kwargs) if self.link else content

    def td(self, row, context) -> str:
        cell = self.html(row)
        if self.td_template is not None:
            attrs = self._td_attrs(cell, row.record)
        elif self.static_td is None:
            # Callable td attrs get the rendered cell and the record, as in BoundRow.items().
            self.bound.current_value, self.bound.current_record = cell, row.record
            attrs = self.bound.attrs["td"].as_html()
        else:
            attrs = self.static_td
        if self.localize is not None:
            cell = formats.localize(cell, use_l10n=self.localize)
        kind = type(cell)
        if kind is SafeString or kind is str:
            # What {{ cell }} does to text (no zone or number formatting applies to a str).
            return f"<td {attrs}>{escaped(cell)}</td>"
        return f"<td {attrs}>{render_value_in_context(cell, context)}</td>"

    def value(self, row):
        """The cell's plain value (the CSV's): `value_<name>` or the column's value()."""
        if not self.fast:
            return row.get_cell_value(self.name)
        if self.value_direct is None:
            kwargs = self._kwargs(row)
            return None if kwargs is None else self.value_of(kwargs)
        record = row.record
        try:
            value = self._resolve(record)
        except Exception:  # as _kwargs: a missing attribute reads as None (a computed column)
            value = None
        return None if value in self.empty_values else self.value_direct(value, record)


def cell_plans(table, bound_columns=None) -> list[CellPlan]:
    return [CellPlan(table, bc) for bc in (table.columns if bound_columns is None else bound_columns)]
