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

from django.http import StreamingHttpResponse
from django.utils.safestring import SafeData
from django_tables2 import A
from django_tables2.rows import BoundRow

from config.dates import export_moment
from config.stack import on_fresh_chunk
from config.tables import cell_plans

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 2000  # rows per server-side cursor fetch and per prepare_records() call


class _Echo:
    """csv.writer target that hands each formatted line back instead of buffering it."""

    def write(self, value):
        return value


def csv_cell(value):
    """One cell as a spreadsheet should read it: numbers as numbers, everything else as text
    that cannot start a formula."""
    if value is None:
        return ""
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
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _lines(writer, rows: Iterator, count: int) -> list[str]:
    return [writer.writerow([csv_cell(v) for v in row]) for row in islice(rows, count)]


def stream_rows(header: Iterable, rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    """Stream `header` then `rows` (any iterable of value lists) as a CSV attachment, BATCH
    lines per chunk: one write to the client per batch instead of per line (the server sends
    each chunk on its own), each batch formatted on a fresh frame-stack chunk (config/stack.py)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow([csv_cell(h) for h in header])
        iterator = iter(rows)
        while batch := on_fresh_chunk(_lines, writer, iterator, BATCH):
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
    columns are a million cells."""
    columns = export_columns(table)
    plans = cell_plans(table, columns)
    prepare = getattr(table, "prepare_records", None)

    def rows() -> Iterator[list]:
        iterator = iter(records)
        while batch := list(islice(iterator, BATCH)):
            if prepare is not None:
                prepare(batch)  # e.g. the keys' team aliases: one lookup per batch
            for record in batch:
                bound_row = BoundRow(record, table=table)
                yield [_plain(bound_row, record, plan) for plan in plans]

    return [str(c.header) for c in columns], rows()


def stream_csv(table, records: Iterable, filename: str) -> StreamingHttpResponse:
    """Stream `records` as CSV through `table`'s columns, row by row."""
    header, rows = table_rows(table, records)
    return stream_rows(header, rows, filename)


def _plain(bound_row, record, plan):
    value = plan.value(bound_row)
    if isinstance(value, SafeData):  # a column class that only knows HTML: its data instead
        value = A(plan.accessor).resolve(record, quiet=True)
    return value
