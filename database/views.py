"""The /database/ page for proxy admins and ops: what LiteLLM's database holds and how fast it
grows, log retention, indexes, connections and locks. It only reads (see database/health/)."""

from __future__ import annotations

from django.views.generic import TemplateView

from config.views.export import stream_rows
from config.views.generic import ConsoleMixin

from .health import activity, indexes, logs, sizes
from .services.prune import NOT_TOUCHED

UNUSED_SHOWN = 15  # the biggest; the rest are summed in one line
HOT_TABLES = ("SpendLogs", "ErrorLogs", "DailyUserSpend", "DailyTeamSpend", "DailyTagSpend", "VerificationToken")
CSV_HEADER = [
    "table", "rows", "rows_estimated", "total_bytes", "table_bytes", "index_bytes", "toast_bytes",
    "rows_per_day", "bytes_per_day", "growth_from", "insert_frequency", "purpose", "last_vacuum", "last_analyze",
]  # fmt: skip


class DatabaseHealthView(ConsoleMixin, TemplateView):
    template_name = "database/health.html"
    section = "database"
    title = "Database"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            return stream_rows(CSV_HEADER, (self.csv_row(s) for s in sizes.table_stats()), "litellm-tables.csv")
        return super().get(request, *args, **kwargs)

    @staticmethod
    def csv_row(s: sizes.TableStats) -> list:
        return [
            s.table, s.rows, s.estimated, s.total_bytes, s.table_bytes, s.index_bytes, s.toast_bytes,
            None if s.rows_per_day is None else round(s.rows_per_day, 1),
            None if s.bytes_per_day is None else round(s.bytes_per_day),
            s.growth_source, s.frequency, s.purpose, s.last_vacuum, s.last_analyze,
        ]  # fmt: skip

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stats = sizes.table_stats()
        all_indexes = indexes.index_rows()
        long, locking = activity.sessions()
        unused = indexes.unused(all_indexes)  # biggest first
        context.update(
            tables=stats,
            total_bytes=sum(s.total_bytes for s in stats),
            logs=logs.log_states(stats),
            projection_days=logs.PROJECTION_DAYS,
            wanted=indexes.wanted(),
            unused=unused[:UNUSED_SHOWN],
            unused_more=len(unused) - len(unused[:UNUSED_SHOWN]),
            unused_more_bytes=sum(ix.size for ix in unused[UNUSED_SHOWN:]),
            duplicates=indexes.duplicates(all_indexes),
            connections=activity.connection_counts(),
            long_transactions=long,
            locking=locking,
            long_after=activity.LONG_TRANSACTION,
            hot=[s for s in stats if s.logical in HOT_TABLES],
            daily_untouched=NOT_TOUCHED,
        )
        return context
