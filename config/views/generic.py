"""Generic pages every app builds on: list (filter, sort, paginate, CSV export), form,
and confirm. Each app declares a Table, a FilterSet and a scoped queryset.

Attributes of ObjectListView:
    model            the model listed
    table_class      a config.tables.ConsoleTable subclass
    filterset_class  a django_filters.FilterSet (a free-text `q` plus exact filters)
    section          the navigation section (policy decides who may open it)
    title            the page heading
    scope(qs)        narrow the queryset to what the principal may see (default: all)
    lazy_pagination  True for big tables: no COUNT(*) on each page
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import StreamingHttpResponse
from django.utils.text import slugify
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.paginators import LazyPaginator
from django_tables2.rows import BoundRow

from config import policy


class _Echo:
    def write(self, value):
        return value


class ConsoleMixin(LoginRequiredMixin):
    """Requires a signed-in principal allowed to open `section` (403 otherwise)."""

    section: str | None = None
    title: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.principal = policy.principal(request)
        if self.principal is None:
            raise PermissionDenied("This account has no access to the console.")
        if self.section and not self.principal.can_open(self.section):
            raise PermissionDenied("You may not open this page.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.title)
        context["principal"] = self.principal
        context["section"] = self.section
        return context


def stream_csv(table, records, filename: str) -> StreamingHttpResponse:
    """Stream `records` as CSV through `table`'s columns, row by row (100k rows stay cheap)."""
    exclude = set(getattr(table._meta, "export_exclude", ()) or ())
    columns = [c for c in table.columns if c.name not in exclude and c.visible]
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow([str(c.header) for c in columns])
        for record in records:
            bound = BoundRow(record, table=table)
            yield writer.writerow([_csv_cell(bound.get_cell_value(c.name)) for c in columns])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return value


class ObjectListView(ConsoleMixin, SingleTableMixin, FilterView):
    model = None
    table_class = None
    filterset_class = None
    template_name = "generic/object_list.html"
    # Paginate the table only: ListView's own pagination would COUNT(*) and fetch a page twice.
    paginate_by = None
    table_pagination = {"per_page": 50}
    lazy_pagination = False
    empty_text = ""  # shown when the list is empty and no filter is set (default: "No <title> yet.")
    create_url: str | None = None  # shown as a button when the principal may create
    create_label: str = "Add"
    strict = False  # show rows even when a filter value is invalid (errors shown inline)

    def dispatch(self, request, *args, **kwargs):
        for attr in ("model", "table_class", "filterset_class"):
            if getattr(self, attr) is None:
                raise ImproperlyConfigured(f"{type(self).__name__} must set {attr}.")
        return super().dispatch(request, *args, **kwargs)

    def scope(self, queryset):
        return queryset

    def get_queryset(self):
        return self.scope(super().get_queryset())

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        if pagination is not False and self.lazy_pagination:
            pagination["paginator_class"] = LazyPaginator
        return pagination

    def get_table_kwargs(self):
        # No `request` here: a Table given one paginates itself (a counting Paginator)
        # before the view applies its own; RequestConfig still sets table.request.
        return {}

    def can_create(self) -> bool:
        return False

    def filtered(self) -> bool:
        """Whether the visitor narrowed the list (any filter value given)."""
        names = set(self.filterset.form.fields) if getattr(self, "filterset", None) is not None else set()
        return any(self.request.GET.get(name) for name in names)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = self.create_url if self.create_url and self.can_create() else None
        context["create_label"] = self.create_label
        table = context.get("table")
        if table is not None and not self.filtered():
            # "No keys match these filters." reads wrong when no filter is set.
            table.empty_text = self.empty_text or f"No {(self.title or 'rows').lower()} yet."
        query = self.request.GET.copy()
        query["export"] = "csv"
        query.pop("page", None)
        context["export_query"] = query.urlencode()
        return context

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            filterset = self.get_filterset(self.get_filterset_class())
            records = filterset.qs if filterset.is_valid() else filterset.queryset.none()
            table = self.get_table_class()(records, **self.get_table_kwargs())
            table.order_by = request.GET.get("sort")
            ordered = table.data.data if hasattr(table.data, "data") else records
            iterator = ordered.iterator(chunk_size=2000) if hasattr(ordered, "iterator") else iter(ordered)
            return stream_csv(table, iterator, slugify(self.title or self.model._meta.verbose_name_plural))
        return super().get(request, *args, **kwargs)
