"""The list page's data-source hook: rows that are not one queryset django-filter and
django-tables2 can filter, sort and page (a UNION over several tables, a keyset-paginated
log). ObjectListView builds its `source_class` once per request from the validated filters
and the sort, then asks it for one page (the page) or for every row (the CSV).

    ListSource      the contract: page(marker) -> SourcePage, rows() -> every row
    NumberedSource  pages 1, 2, ... of a statement that fetches one page (LIMIT/OFFSET);
                    subclasses define fetch(number) -> (rows, has_next, extra)
    KeysetSource    newest-first pages after a cursor (?after=): no OFFSET, no COUNT(*);
                    subclasses define queryset(), decode(text) and slice(queryset, cursor)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import BadRequest

from .base import to_declare, undeclared


@dataclass
class SourcePage:
    """One page: its rows, its number (for people), the page parameter's value of the next
    page (None on the last), whether it is past the first, and what else the source computed
    with it (counts...), handed to the template as they are."""

    rows: list
    number: int = 1
    next: str | None = None
    deep: bool = False
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SortColumn:
    """A column a source-backed list sorts by: `key` is what ?sort= names (a leading - sorts
    descending), `descending_first` the direction of a first click, `numeric` right-aligns."""

    key: str
    label: str
    descending_first: bool = True
    numeric: bool = False


def page_number(text: str | None) -> int:
    """?page= as a page number: 1 for anything but a plain positive number of a sane size."""
    if text and text.isascii() and text.isdigit() and len(text) < 9:
        return max(1, int(text))
    return 1


class ListSource:
    """What a source-backed list reads. `filters` are the filter form's cleaned data ({} when
    the form is not filled in), `sort` the validated ?sort= (None when the list has no sort
    columns). `page_param` is the query parameter that names a page."""

    page_param = "page"

    def __init__(self, view, filters: dict, sort: str | None):
        self.view = view
        self.principal = view.principal
        self.filters = filters
        self.sort = sort

    @to_declare
    def page(self, marker: str | None) -> SourcePage:
        raise undeclared(self, "page")

    @to_declare
    def rows(self) -> Iterable:
        raise undeclared(self, "rows")


class NumberedSource(ListSource):
    """Numbered pages; the CSV walks them all, one statement per page."""

    @to_declare
    def fetch(self, number: int) -> tuple[list, bool, dict]:
        """(rows of page `number`, whether a next page exists, extra context)."""
        raise undeclared(self, "fetch")

    def page(self, marker: str | None) -> SourcePage:
        number = page_number(marker)
        rows, has_next, extra = self.fetch(number)
        return SourcePage(rows, number, str(number + 1) if has_next else None, number > 1, extra)

    def rows(self) -> Iterable:
        number = 1
        while True:
            rows, has_next, _ = self.fetch(number)
            yield from rows
            if not has_next:
                return
            number += 1


class KeysetSource(ListSource):
    """Pages after a cursor the console wrote into ?after= (a damaged one is a 400 that says
    so); ?page= only numbers the page for people. The CSV streams the whole queryset through
    a server-side cursor."""

    page_param = "after"
    damaged = (
        "This page link is damaged (its ?after= cursor was not written by the console). Start from the first page."
    )

    @to_declare
    def queryset(self):
        """The filtered rows in the cursor's order."""
        raise undeclared(self, "queryset")

    @to_declare
    def decode(self, text: str):
        """The cursor `text` names, None for anything the console did not write."""
        raise undeclared(self, "decode")

    @to_declare
    def slice(self, queryset, cursor) -> tuple[list, str | None]:
        """(the page after `cursor`, the next page's ?after= or None on the last)."""
        raise undeclared(self, "slice")

    def page(self, marker: str | None) -> SourcePage:
        cursor = None
        if marker:
            cursor = self.decode(marker)
            if cursor is None:
                raise BadRequest(self.damaged)
        rows, next_marker = self.slice(self.queryset(), cursor)
        number = page_number(self.view.request.GET.get("page"))
        return SourcePage(rows, number, next_marker, cursor is not None)

    def rows(self) -> Iterable:
        return self.queryset().iterator(chunk_size=2000)
