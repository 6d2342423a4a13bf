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

from django.core.exceptions import ImproperlyConfigured
from django.utils.text import slugify
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.paginators import LazyPaginator

from .base import ConsoleMixin, ObjectMixin  # noqa: F401  (the generic layer's one import path)
from .edit import ActionView, ServiceFormView  # noqa: F401
from .export import stream_csv
from .guarded import GuardedFormView  # noqa: F401


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
