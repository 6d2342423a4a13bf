"""The admin over the log and daily-spend tables (millions of rows): read-only, no COUNT(*)
over a whole table, no filters that scan for distinct values, exact-match search."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.utils.functional import cached_property

from .. import writes
from ..routers import LITELLM_ALIAS
from .model_admin import ReadOnlyAdmin


def table_estimate(model) -> int | None:
    """The planner's row estimate for `model`'s table (None before the first ANALYZE)."""
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connections[LITELLM_ALIAS].ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] is not None and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """Pages without COUNT(*) over a whole big table: unfiltered lists use pg_class's estimate;
    filtered ones count at most CAP + 1 rows (so the last page number is "at least")."""

    CAP = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where:
            estimate = table_estimate(queryset.model)
            if estimate is not None and estimate > self.CAP:
                return estimate
        return queryset.order_by()[: self.CAP + 1].count()


class BigRecentFilter(admin.SimpleListFilter):
    """Recent rows only (uses the time index); no DISTINCT scans over millions of rows."""

    title = "when"
    parameter_name = "recent"
    field = "start_time"
    text_dates = False  # the daily tables keep dates as 'YYYY-MM-DD' text
    periods = (("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days"))

    def lookups(self, request, model_admin):
        return self.periods

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        since = writes.now_utc() - timedelta(days=int(self.value()))
        if self.text_dates:
            return queryset.filter(**{f"{self.field}__gte": since.date().isoformat()})
        return queryset.filter(**{f"{self.field}__gte": since})


class BigTableAdmin(ReadOnlyAdmin):
    """Log and daily-spend tables: read-only, estimated counts, exact-match search.

    exact_search_fields  columns matched with `=` (an index can serve it), not ILIKE
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a COUNT per filter choice is what we avoid here
    exact_search_fields: tuple[str, ...] = ()
    list_per_page = 100

    def get_search_fields(self, request):
        return list(self.exact_search_fields)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        q = Q()
        for name in self.present(self.exact_search_fields):
            q |= Q(**{name: term})
        return queryset.filter(q), False
