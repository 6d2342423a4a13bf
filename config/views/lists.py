"""The generic list page: filter, sort, paginate, CSV export. Two ways to get the rows:

Queryset lists (the default) declare:
    model            the model listed
    table_class      a config.tables.ConsoleTable subclass (sorting through its columns)
    filterset_class  a django_filters.FilterSet (a free-text `q` plus exact filters)
    scope(qs)        narrow the queryset to what the principal may see (default: all)
    lazy_pagination  True for big tables: no COUNT(*) on each page
    strict           False (default): rows are shown even when a filter value is invalid

Merged queryset lists (one stream over several tables, e.g. the two audit trails) add:
    merged_filterset_classes  FilterSets of the other tables, bound to the same request; each
                              one filters its model's rows narrowed by scope(), as the main one
    merged_order              the order every queryset is read in, all one direction, e.g.
                              ("-updated_at", "-id"): a page reads up to its end from each and
                              merges them (offset paging), the CSV merges the full iterators.
                              The table has one fixed order (its Meta says orderable = False).

Source-backed lists (the data-source hook, config/views/sources.py) declare instead:
    source_class       a ListSource subclass: a UNION, a keyset-paginated log...
    filter_form_class  a plain Form whose cleaned_data the source gets (optional)
    filter_defaults    values filled in when the request leaves them out ({"window": "24h"})
    strict             True: an invalid filter form lists nothing and offers no CSV;
                       False (default): it lists as if no filter were given
    sort_columns       SortColumn(...) the page offers (headers in `sort_headers`), and
    default_sort       the ?sort= used when none (or an unknown one) is given
    table_class        the page's table (optional: a template may draw `rows` itself)
    export_table_class the CSV's columns (default: table_class)

Both declare `section` (the policy decides who may open it) and `title`, and may define
`authorize()` (a policy check when the page is opened: 403), `can_create()` with
`create_url`/`create_label` (a button), `empty_text`, `get_table_kwargs()` and
`get_export_table_kwargs()`. Every CSV goes through config/views/export.py with plain values,
named after the title. A declaration missing a piece fails when the URLconf is imported.
"""

from __future__ import annotations

import heapq
from itertools import islice
from operator import attrgetter

from django.db.models import QuerySet
from django.utils.text import slugify
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.paginators import LazyPaginator

from config.tables import LateRowsData

from .base import ConsoleMixin, Declared
from .export import exported_instances, stream_csv


class MergedRows:
    """Several querysets read in one order as one list-like stream for django-tables2: slicing
    [a:b] reads b rows from each and merges them; iterating merges their server-side cursors."""

    def __init__(self, querysets, order):
        self.parts = [queryset.order_by(*order) for queryset in querysets]
        self.key = attrgetter(*(field.lstrip("-") for field in order))
        self.reverse = order[0].startswith("-")

    def _merge(self, parts):
        return heapq.merge(*parts, key=self.key, reverse=self.reverse)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key : key + 1][0]
        stop = key.stop if key.stop is not None else len(self)
        return list(islice(self._merge(list(part[:stop]) for part in self.parts), key.start or 0, stop))

    def __iter__(self):
        return self._merge(part.iterator(chunk_size=2000) for part in self.parts)

    def __len__(self):
        return sum(part.count() for part in self.parts)


class ObjectListView(ConsoleMixin, Declared, SingleTableMixin, FilterView):
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
    strict = False
    # The data-source hook (see the module docstring).
    source_class = None
    filter_form_class = None
    filter_defaults: dict = {}
    export_table_class = None
    sort_columns: tuple = ()
    default_sort: str | None = None
    # Merged queryset lists (see the module docstring).
    merged_filterset_classes: tuple = ()
    merged_order: tuple = ()

    @classmethod
    def declaration_problems(cls, initkwargs):
        problems = super().declaration_problems(initkwargs)
        source = cls.declared("source_class", initkwargs)
        if source is None:
            needed = ("model", "table_class", "filterset_class")
            problems += [f"set {name}" for name in needed if cls.declared(name, initkwargs) is None]
            if cls.declared("merged_filterset_classes", initkwargs):
                order = cls.declared("merged_order", initkwargs)
                if not order or len({field.startswith("-") for field in order}) != 1:
                    problems.append("set merged_order: the fields every queryset is read in, all one direction")
            return problems
        if cls.declared("table_class", initkwargs) is None and cls.declared("export_table_class", initkwargs) is None:
            problems.append("set table_class or export_table_class (the CSV's columns)")
        for name in dir(source):
            if getattr(getattr(source, name, None), "left_to_declare", False):
                problems.append(f"define {source.__name__}.{name}()")
        sorts = cls.declared("sort_columns", initkwargs)
        default = cls.declared("default_sort", initkwargs)
        if sorts and (default or "").lstrip("-") not in {c.key for c in sorts}:
            problems.append("set default_sort to one of its sort_columns")
        return problems

    def authorize(self) -> None:
        """Raise PermissionDenied when the principal may not read this list (runs on GET)."""

    def get(self, request, *args, **kwargs):
        self.authorize()
        if self.source_class is not None:
            return self.get_from_source(request)
        if request.GET.get("export") == "csv" and self.merged_filterset_classes:
            rows = self.merged_rows(self.get_filterset(self.get_filterset_class()))
            table = self.get_table_class()([], **self.get_table_kwargs())
            return stream_csv(table, iter(rows), self.export_filename())
        if request.GET.get("export") == "csv":
            filterset = self.get_filterset(self.get_filterset_class())
            records = filterset.qs if filterset.is_valid() else filterset.queryset.none()
            table = self.get_table_class()(records, **self.get_table_kwargs())
            table.order_by = request.GET.get("sort")
            ordered = table.data.data if hasattr(table.data, "data") else records
            iterator = exported_instances(ordered) if hasattr(ordered, "iterator") else iter(ordered)
            return stream_csv(table, iterator, self.export_filename())
        return super().get(request, *args, **kwargs)

    # --- queryset lists ------------------------------------------------------------------------

    def scope(self, queryset):
        return queryset

    def get_queryset(self):
        return self.scope(super().get_queryset())

    def merged_rows(self, filterset) -> MergedRows:
        """The main filterset's rows merged with each of merged_filterset_classes' (not strict, as
        every queryset list: an invalid filter value is shown inline and ignored)."""
        parts = [filterset.qs]
        for filterset_class in self.merged_filterset_classes:
            queryset = self.scope(filterset_class._meta.model._default_manager.all())
            parts.append(filterset_class(self.request.GET or None, queryset=queryset).qs)
        return MergedRows(parts, self.merged_order)

    def get_table_data(self):
        if self.merged_filterset_classes:
            return self.merged_rows(self.filterset)
        data = super().get_table_data()
        return LateRowsData(data) if isinstance(data, QuerySet) else data

    def get_table_pagination(self, table):
        if self.source_class is not None:
            return False  # the source pages
        pagination = super().get_table_pagination(table)
        if pagination is not False and self.lazy_pagination:
            pagination["paginator_class"] = LazyPaginator
        return pagination

    def get_table_kwargs(self):
        # No `request` here: a Table given one paginates itself (a counting Paginator)
        # before the view applies its own; RequestConfig still sets table.request.
        return {}

    def get_table(self, **kwargs):
        if self.source_class is not None and self.table_class is None:
            return None  # the template draws `rows` itself
        return super().get_table(**kwargs)

    def can_create(self) -> bool:
        return False

    def filtered(self) -> bool:
        """Whether the visitor narrowed the list (any filter value given)."""
        names = set(self.filterset.form.fields) if getattr(self, "filterset", None) is not None else set()
        return any(self.request.GET.get(name) for name in names)

    def export_filename(self) -> str:
        return slugify(self.title or self.model._meta.verbose_name_plural)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_url"] = self.create_url if self.create_url and self.can_create() else None
        context["create_label"] = self.create_label
        if self.source_class is not None:
            context.update(self.source_context())
            return context
        table = context.get("table")
        if table is not None and not self.filtered():
            # "No keys match these filters." reads wrong when no filter is set.
            table.empty_text = self.empty_text or f"No {(self.title or 'rows').lower()} yet."
        query = self.request.GET.copy()
        query["export"] = "csv"
        query.pop("page", None)
        context["export_query"] = query.urlencode()
        return context

    # --- source-backed lists -------------------------------------------------------------------

    def get_filter_form(self):
        if self.filter_form_class is None:
            return None
        data = self.request.GET.copy()
        for name, value in self.filter_defaults.items():
            if not data.get(name):
                data[name] = value
        return self.filter_form_class(data or None, **self.get_filter_form_kwargs())

    def get_filter_form_kwargs(self) -> dict:
        """Extra arguments for the filter form (e.g. the principal, for forms that resolve names)."""
        return {}

    def get_sort(self) -> str | None:
        if not self.sort_columns:
            return None
        sort = self.request.GET.get("sort") or self.default_sort
        return sort if sort.lstrip("-") in {c.key for c in self.sort_columns} else self.default_sort

    def get_from_source(self, request):
        self.filter_form = form = self.get_filter_form()
        if form is None or not form.is_bound:
            self.filters = {}
        elif form.is_valid():
            self.filters = form.cleaned_data
        else:
            self.filters = None if self.strict else {}
        self.sort = self.get_sort()
        source = None if self.filters is None else self.source_class(self, self.filters, self.sort)
        if request.GET.get("export") == "csv":
            table = (self.export_table_class or self.table_class)([], **self.get_export_table_kwargs())
            return stream_csv(table, source.rows() if source else iter(()), self.export_filename())
        self.page = source.page(request.GET.get(source.page_param)) if source else None
        self.object_list = self.page.rows if self.page else []
        return self.render_to_response(self.get_context_data(form=form, object_list=self.object_list))

    def get_export_table_kwargs(self):
        return {}

    def query_with(self, **changes) -> str:
        """ "?" + this page's query with `changes` (None or "" removes one), back to page one."""
        query = self.request.GET.copy()
        for name in {"page", "export", getattr(self.source_class, "page_param", "page")}:
            query.pop(name, None)
        for name, value in changes.items():
            if value in (None, ""):
                query.pop(name, None)
            else:
                query[name] = value
        return "?" + query.urlencode() if query else "?"

    def source_context(self) -> dict:
        page = self.page
        context = {
            "form": self.filter_form,
            "rows": self.object_list,
            "page": page,
            "next_query": None,
            "prev_query": None,
            "first_query": self.query_with()[1:],
            "deep": bool(page and page.deep),
            "export_query": self.query_with(export="csv")[1:] if self.filters is not None else None,
            "sort": self.sort,
            "sort_headers": self.sort_headers(),
        }
        if page is not None:
            param = self.source_class.page_param
            if page.next is not None:
                numbered = {} if param == "page" else {"page": str(page.number + 1)}
                context["next_query"] = self.query_with(**{param: page.next}, **numbered)[1:]
            if page.number > 1 and param == "page":
                context["prev_query"] = self.query_with(page=str(page.number - 1) if page.number > 2 else None)[1:]
            context.update(page.extra)
        context["next_url"] = "?" + context["next_query"] if context["next_query"] is not None else None
        context["prev_url"] = "?" + context["prev_query"] if context["prev_query"] is not None else None
        return context

    def sort_headers(self) -> list[dict]:
        """The sort links of a source-backed list: label, url, state ("asc"/"desc"/""), num."""
        headers = []
        for column in self.sort_columns:
            current = (self.sort or "").lstrip("-") == column.key
            descending = (self.sort or "").startswith("-")
            if current:
                next_sort = column.key if descending else "-" + column.key
            else:
                next_sort = "-" + column.key if column.descending_first else column.key
            headers.append(
                {
                    "label": column.label,
                    "url": self.query_with(sort=next_sort),
                    "state": ("desc" if descending else "asc") if current else "",
                    "num": column.numeric,
                }
            )
        return headers
