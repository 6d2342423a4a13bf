"""The one CSV writer. Every export goes through `stream_rows` (plain rows) or `stream_csv`
(a table's columns), which:

- write each column's plain value, never its on-screen HTML: a table's `value_<name>`, else
  the column class's own `value()` (the table's `render_<name>` is for the page only; a
  column that still yields HTML exports its raw data instead). Columns marked
  `exclude_from_export` stay out;
- neutralise spreadsheet formulas the OWASP way: a text cell starting with = + - @ tab or CR
  gets a leading ' (numbers stay numbers, so -5 stays -5);
- stream row by row from an iterator (callers pass `.iterator(chunk_size=...)`, a server-side
  cursor on PostgreSQL), so 100k rows take constant memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.db.models.base import ModelState
from django.db.models.constants import LOOKUP_SEP
from django.http import StreamingHttpResponse
from django.utils.safestring import SafeData, SafeString
from django_tables2 import A
from django_tables2.rows import BoundRow

from config.dates import export_moment
from config.stack import on_fresh_chunk
from config.tables import cell_plans, value_record_signature

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 2000  # rows per server-side cursor fetch and per prepare_records() call


class _Echo:
    """csv.writer target that hands each formatted line back instead of buffering it."""

    def write(self, value):
        return value


def _text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _moment(value: datetime) -> str:
    return _text(export_moment(value))


def _other(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime):
        text = export_moment(value)
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, (list, tuple, set)):
        text = " ".join("" if v is None else str(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, sort_keys=True, default=str)
    else:
        text = str(value)
    return _text(text)


def _same(value):
    return value


# The common exact types, formatted without the isinstance chain (a million cells in the
# 100,000-key export); subclasses (SafeString, bool is not int here) take _other's way.
_BY_TYPE = {
    type(None): lambda value: "",
    str: _text,
    int: _same,
    float: _same,
    Decimal: _same,
    bool: lambda value: "yes" if value else "no",
    datetime: _moment,
}


def csv_cell(value):
    """One cell as a spreadsheet should read it: numbers as numbers, everything else as text
    that cannot start a formula."""
    return _BY_TYPE.get(type(value), _other)(value)


def _lines(writer, rows: Iterator, count: int) -> list[str]:
    return [writer.writerow([csv_cell(v) for v in row]) for row in islice(rows, count)]


def _formatted_lines(writer, rows: Iterator, count: int) -> list[str]:
    return [writer.writerow(row) for row in islice(rows, count)]


def stream_rows(
    header: Iterable, rows: Iterable[Iterable], filename: str, *, formatted: bool = False
) -> StreamingHttpResponse:
    """Stream `header` then `rows` (any iterable of value lists) as a CSV attachment, BATCH
    lines per chunk: one write to the client per batch instead of per line (the server sends
    each chunk on its own), each batch formatted on a fresh frame-stack chunk (config/stack.py).
    `formatted`: the rows' cells already went through csv_cell (table_rows does it per column)."""
    writer = csv.writer(_Echo())
    format_batch = _formatted_lines if formatted else _lines

    def lines() -> Iterator[str]:
        yield writer.writerow([csv_cell(h) for h in header])
        iterator = iter(rows)
        while batch := on_fresh_chunk(format_batch, writer, iterator, BATCH):
            yield "".join(batch)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def export_columns(table) -> list:
    """The bound columns a CSV holds (hidden ones included, like django-tables2's
    as_values(): ids kept off screen belong in the file), each set to export its value."""
    columns = []
    for bound in table.columns.iterall():
        if bound.column.exclude_from_export:
            continue
        # django-tables2 falls back to render_<name> (HTML) when no value_<name> exists.
        bound.value = getattr(table, "value_" + bound.name, bound.column.value)
        columns.append(bound)
    return columns


def table_rows(table, records: Iterable) -> tuple[list[str], Iterator[list]]:
    """(header, rows) of `records` through `table`'s export columns. Each column's value
    function is worked out once (config/tables.py), not once per cell: 100,000 rows of 10
    columns are a million cells. Cells come back already formatted (csv_cell)."""
    columns = export_columns(table)
    plans = cell_plans(table, columns)
    prepare = getattr(table, "prepare_records", None)
    direct = [export_cell(plan) for plan in plans]

    def rows() -> Iterator[list]:
        iterator = iter(records)
        while batch := list(islice(iterator, BATCH)):
            if prepare is not None:
                prepare(batch)  # e.g. the keys' team aliases: one lookup per batch
            if all(direct) and not hasattr(type(batch[0]), "__getitem__"):
                # Every column reads a plain attribute: no BoundRow per record.
                for record in batch:
                    yield [cell(record) for cell in direct]
                continue
            for record in batch:
                bound_row = BoundRow(record, table=table)
                yield [csv_cell(_plain(bound_row, record, plan)) for plan in plans]

    return [str(c.header) for c in columns], rows()


def exported_instances(queryset, chunk_size: int = BATCH) -> Iterator:
    """The queryset's model instances for an export, read through a server-side cursor and
    built from plain value rows: the columns it loads set straight into each instance (what
    Model.from_db ends up with), not through Model.__init__, which walks every field of the
    model for each row (VerificationToken has ~40; 3 of the 100,000-key export's 8 seconds).
    Querysets this cannot read that way (related rows, extra selects) iterate as usual."""
    query = queryset.query
    if query.select_related or query.extra or queryset._prefetch_related_lookups or query.annotations:
        return queryset.iterator(chunk_size=chunk_size)
    model = queryset.model
    names, defer = query.deferred_loading
    if any(LOOKUP_SEP in name for name in names):
        return queryset.iterator(chunk_size=chunk_size)
    fields = model._meta.concrete_fields
    loaded = [f for f in fields if f.primary_key or ((f.name in names or f.attname in names) != defer)]
    attnames = [f.attname for f in loaded]
    absent = getattr(model, "_absent_attnames", tuple)()  # LiteLLMModel.from_db's None for missing columns
    rows = queryset.values_list(*attnames).iterator(chunk_size=chunk_size)
    database = queryset.db

    def instances():
        new = model.__new__
        for row in rows:
            instance = new(model)
            instance.__dict__.update(zip(attnames, row, strict=True))
            for attname in absent:
                instance.__dict__.setdefault(attname, None)
            state = instance._state = ModelState()
            state.adding, state.db = False, database
            yield instance

    return instances()


def stream_csv(table, records: Iterable, filename: str) -> StreamingHttpResponse:
    """Stream `records` as CSV through `table`'s columns, row by row."""
    header, rows = table_rows(table, records)
    return stream_rows(header, rows, filename, formatted=True)


def _plain(bound_row, record, plan):
    value = plan.value(bound_row)
    if isinstance(value, SafeData):  # a column class that only knows HTML: its data instead
        value = A(plan.accessor).resolve(record, quiet=True)
    return value


def export_cell(plan):
    """The CSV cell of a record, formatted, as one function: the plan's `value()` and
    csv_cell fused, without a BoundRow (the 100,000-key export has a million cells). None
    when the column needs a BoundRow (the library's special cases, or a value function that
    names the column, table or row)."""
    takes = value_record_signature(plan.value_function) if plan.fast else None
    if takes is None:
        return None
    name, accessor, empty, fn = str(plan.accessor), plan.accessor, plan.empty_values, plan.value_function
    takes_value, takes_record = takes

    # CellPlan.value()'s steps and csv_cell's commonest types inlined for records without
    # __getitem__ (table_rows checks): each extra call per cell is a million calls here (a
    # shared method for the steps measured 0.7 s slower, the (value, record) wrapper 0.3 s).
    def cell(record):
        value = getattr(record, name, None)
        if callable(value):  # the library calls callables: its own resolve does that
            value = accessor.resolve(record, quiet=True)
        if value in empty:
            return ""
        if takes_value:
            value = fn(value=value, record=record) if takes_record else fn(value=value)
        else:
            value = fn(record=record) if takes_record else fn()
        kind = type(value)
        if kind is str:
            return "'" + value if value.startswith(FORMULA_STARTS) else value
        if kind is float or kind is int:
            return value
        if kind is SafeString:  # a column class that only knows HTML: its data instead
            value = accessor.resolve(record, quiet=True)
        return csv_cell(value)

    return cell
