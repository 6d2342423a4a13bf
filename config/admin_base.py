"""The ops admin over LiteLLM's tables: what every app's admin.py builds on.

`LiteLLMAdmin` keeps the Django admin inside the console's rules:
- a table the console writes (users, teams, orgs, keys, budget rows, end users, invitations)
  is written through the console's own services (the admin overrides `create`/`update`), so
  validation, locks and audit rows are the console's; a refusal (ChangeRefused) shows next to
  its field, never a 500. Only the columns those services write are editable here;
- tables no service covers go through config.writes: an edit UPDATEs only the fields the form
  changed (never a proxy counter), an add INSERTs with ids and timestamps filled the way
  LiteLLM fills them, and each write leaves a LiteLLM_AuditLog row (changed_by = the ops login);
- an edit writes only what the person changed relative to the page they loaded (a signed
  `loaded_state` hidden field), and is refused when someone else changed that same field
  meanwhile (compared under the row lock), so two ops never silently overwrite each other;
- deletes go through the app's service where one exists (it archives and cascades as the
  proxy does), else `writes.delete_rows` plus an audit row;
- LiteLLM_UserTable.password (a hash) never appears: not in forms, lists or read-only fields;
- proxy counters (spend, model_spend, total_spend, last_active) are read-only everywhere;
- columns only newer schemas have are left out of forms, lists and filters when the live
  database lacks them (decided per request from the catalog, not at import time).
Ops superusers may change; other staff (the admin-viewer role) may only look.

`BigTableAdmin` is for the log and daily-spend tables: read-only, no COUNT(*) over millions of
rows (an estimate from pg_class, or a count capped at CAP rows when filtered), no filters
that scan for distinct values, exact-match search that can use an index.
"""

from __future__ import annotations

import importlib
import json
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import JSONField, Q, TextField
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from budgets import services as budget_services
from budgets.durations import budget_duration_error, budget_reset_at

from . import audit_trail, litellm, policy, writes
from .errors import ChangeRefused
from .models_base import PROXY_COUNTERS
from .routers import LITELLM_ALIAS
from .validation import soft_budget_problem

# Stamped by the write path, never typed in by hand.
STAMPS = ("created_at", "updated_at", "created_by", "updated_by", "settings_updated_at", "budget_reset_at")
# Never shown in the admin, to anyone (a password hash is a credential to crack).
HIDDEN = ("password",)
LOADED_STATE = "loaded_state"
_STATE_SALT = "config.admin_base.loaded_state"


def _loaded_state_field():
    return forms.CharField(widget=forms.HiddenInput, required=False)


def fingerprint(value) -> str:
    """A value as comparable text (what the person saw vs what the row holds now)."""
    return json.dumps(writes._jsonable(value), sort_keys=True, default=str)


def label(model, singular: str, plural: str | None = None) -> None:
    """Name a LiteLLM table in words ("virtual key") for the admin's index and breadcrumbs."""
    model._meta.verbose_name = singular
    model._meta.verbose_name_plural = plural or f"{singular}s"


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


class NullableJSONFormField(forms.JSONField):
    """Shows NULL as an empty box (not the text "null"), and an empty box as unchanged NULL."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class LiteLLMAdminForm(forms.ModelForm):
    """Empty JSON/array values are legitimate LiteLLM values ({} and []), not missing ones;
    budget durations follow LiteLLM's grammar. The change form carries the editable values as
    the person loaded them (signed), and the write happens during validation, so a service's
    refusal becomes a form error next to its field (the admin's changeform_view holds one
    transaction on the LiteLLM database around it)."""

    model_admin = None  # set by LiteLLMAdmin.get_form
    admin_request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        if LOADED_STATE in self.fields and not self.is_bound and not self.instance._state.adding:
            state = {n: fingerprint(getattr(self.instance, n)) for n in self.fields if n != LOADED_STATE}
            self.initial[LOADED_STATE] = signing.dumps(state, salt=_STATE_SALT)
        for name, formfield in self.fields.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, JSONField) or field.get_internal_type() == "ArrayField":
                formfield.required = False
            if field.primary_key and self.instance._state.adding:
                formfield.required = False
                formfield.help_text = "Leave empty for a new id (uuid4), as LiteLLM does."

    def clean_budget_duration(self):
        value = (self.cleaned_data.get("budget_duration") or "").strip() or None
        if value:
            error = budget_duration_error(value)
            if error:
                raise forms.ValidationError(error)
        return value

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        for name, value in list(cleaned.items()):
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if value is None and not field.null and isinstance(field, JSONField):
                cleaned[name] = [] if name == "members_with_roles" else {}
            elif value == "" and field.null:
                cleaned[name] = None  # an empty box means NULL, as the proxy leaves unset columns
        for name in budget_services.NON_NEGATIVE:  # every refusal at once, as the console's forms show them
            if name in self.fields and cleaned.get(name) is not None:
                try:
                    budget_services.check_limits({name: cleaned[name]})
                except ChangeRefused as refused:
                    self.add_error(name, refused.message)
        problem = soft_budget_problem(cleaned.get("soft_budget"), cleaned.get("max_budget"))
        if problem and "soft_budget" in self.fields and not self.has_error("soft_budget"):
            self.add_error("soft_budget", problem)  # the console forms' rule
        return cleaned

    def loaded(self) -> dict | None:
        """The editable values as the person loaded them (None: a form without that state)."""
        raw = self.data.get(self.add_prefix(LOADED_STATE)) if self.is_bound else None
        if not raw:
            return None
        try:
            return signing.loads(raw, salt=_STATE_SALT)
        except signing.BadSignature:
            raise ChangeRefused("This page's form was altered; reload the page and try again.") from None

    def _post_clean(self):
        super()._post_clean()
        if self.model_admin is None or self._errors:
            return
        try:
            self.model_admin.write(self.admin_request, self.instance, self, change=not self.instance._state.adding)
        except ChangeRefused as refused:
            field = self.model_admin.refusal_fields.get(refused.field, refused.field)
            self.add_error(field if field in self.fields else None, refused.message)


class LiteLLMAdmin(admin.ModelAdmin):
    """Declare list_display / search_fields / list_filter as usual; optional columns absent
    on this database are dropped at request time. Class attributes:

    read_only        view only (logs, daily spend, archives, the audit log)
    allow_add        ops may add rows here (False where a console page must mint secrets)
    always_readonly  fields shown but never edited (ids and stamps are added automatically)
    delete_service   "module:function" called as function(actor=..., <pk name>=pk) or with a
                     list (see `delete_with_service`); None = writes.delete_rows + audit
    extra_readonly   methods rendering related rows (memberships) on the change page
    edit_stamps      the stamps an edit writes where the table has them (LiteLLM's /key/update
                     writes no updated_by on keys: that admin leaves it out)
    audit_after_row  the `updated` audit row carries the whole new row (as /user/update does)
                     instead of the changed fields
    add_fields       the fields of the add form (None: every column but stamps and counters)
    editable         the columns an edit may change (None: all but the locked ones); a table
                     written through a service lists what that service writes
    refusal_fields   where a service's ChangeRefused.field shows when it names an argument
                     (e.g. user_create's "email") rather than the column
    """

    form = LiteLLMAdminForm
    formfield_overrides = {
        TextField: {"widget": forms.TextInput(attrs={"class": "vTextField"})},
        JSONField: {"form_class": NullableJSONFormField},
    }
    read_only = False
    allow_add = True
    always_readonly: tuple[str, ...] = ()
    delete_service: str | None = None
    extra_readonly: tuple[str, ...] = ()
    edit_stamps: tuple[str, ...] = ("updated_at", "settings_updated_at", "updated_by")
    audit_after_row = False
    add_fields: tuple[str, ...] | None = None
    editable: tuple[str, ...] | None = None
    refusal_fields: dict[str, str] = {}  # a service's field name -> the column it refers to
    list_per_page = 50

    # -- what this database has ---------------------------------------------------------------
    def _present(self, name) -> bool:
        if isinstance(name, (tuple, list)):
            name = name[0]
        if not isinstance(name, str):
            return True
        try:
            field = self.model._meta.get_field(name.lstrip("=^@").split("__")[0])
        except FieldDoesNotExist:
            return True  # a method or admin callable
        column = getattr(field, "column", None)
        return column is None or self.model.has_column(column)

    def present(self, names):
        return [n for n in names if self._present(n)]

    def get_list_display(self, request):
        return self.present(super().get_list_display(request))

    def get_list_filter(self, request):
        return self.present(super().get_list_filter(request))

    def get_search_fields(self, request):
        return self.present(super().get_search_fields(request))

    def concrete_names(self) -> list[str]:
        return [f.name for f in self.model._meta.concrete_fields if f.name != "pk"]

    def get_fields(self, request, obj=None):
        if obj is None and self.add_fields is not None:
            return [n for n in self.present(self.add_fields) if n not in HIDDEN]
        names = list(self.fields) if self.fields else self.concrete_names()
        names = [n for n in self.present(names) if n not in HIDDEN]
        if obj is None:
            # Stamps and counters are filled by the write path on add.
            names = [n for n in names if n not in STAMPS and n not in PROXY_COUNTERS]
            return names
        names += list(self.extra_readonly)
        if not self.read_only and self.has_change_permission(request, obj):
            names.append(LOADED_STATE)  # what the person saw, for the stale-save check
        return names

    def get_readonly_fields(self, request, obj=None):
        fields = self.get_fields(request, obj)
        if self.read_only or not self.has_change_permission(request, obj):
            return fields
        locked = set(self.always_readonly) | set(STAMPS) | PROXY_COUNTERS | set(self.extra_readonly)
        if obj is not None:
            locked.add(self.model._meta.pk.name)
            if self.editable is not None:
                locked |= set(fields) - set(self.editable) - {LOADED_STATE}
        return [n for n in fields if n in locked]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if LOADED_STATE in self.get_fields(request, obj):
            base = kwargs.get("form", self.form)
            kwargs["form"] = type(base.__name__, (base,), {LOADED_STATE: _loaded_state_field()})
        form = super().get_form(request, obj, change, **kwargs)
        form.model_admin, form.admin_request = self, request
        return form

    # -- who may do what -------------------------------------------------------------------------
    def table_here(self) -> bool:
        """Optional tables (the deleted-keys/teams archives) exist only on newer schemas."""
        return not self.model.optional_table or self.model.table_exists()

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and self.table_here()

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and not self.read_only and self.table_here()

    def has_add_permission(self, request):
        return self.has_change_permission(request) and self.allow_add

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    # -- the write path ----------------------------------------------------------------------------
    def actor(self, request) -> writes.Actor:
        principal = policy.principal(request)
        return audit_trail.actor_for(principal, request, fallback_username=request.user.get_username())

    def writer_id(self, request) -> str:
        """created_by/updated_by: an ops login acts like a master-key call (LiteLLM's admin id)."""
        return writes.writer_id(self.actor(request))

    def logical_table(self) -> str:
        return litellm.logical_name(self.model._meta.db_table)

    def _has(self, name: str) -> bool:
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return self.model.has_column(field.column)

    def derived_changes(self, request, changes: dict) -> dict:
        """What LiteLLM stamps alongside an edit: updated_at/updated_by, the key's
        settings_updated_at, and budget_reset_at for a new budget_duration."""
        now = writes.now_utc()
        if "budget_duration" in changes and self._has("budget_reset_at") and "budget_reset_at" not in changes:
            duration = changes["budget_duration"]
            changes["budget_reset_at"] = budget_reset_at(duration) if duration else None
        for name in self.edit_stamps:
            if self._has(name):
                changes.setdefault(name, self.writer_id(request) if name == "updated_by" else now)
        return changes

    @staticmethod
    def audit_snapshot(obj) -> dict:
        """The row for an audit value. LiteLLM never serialises a password hash
        (LiteLLM_UserTable.password is Field(exclude=True)), so neither do we."""
        data = writes.snapshot(obj)
        data.pop("password", None)
        return data

    def new_row(self, request, values: dict) -> dict:
        """Fill what LiteLLM fills on insert: a uuid4 id, created/updated stamps."""
        now = writes.now_utc()
        pk = self.model._meta.pk
        if not values.get(pk.name):
            if pk.get_internal_type() == "TextField":
                values[pk.name] = writes.new_id()
            else:
                values.pop(pk.name, None)  # a serial id from the database
        for name, value in (
            ("created_at", now),
            ("updated_at", now),
            ("created_by", self.writer_id(request)),
            ("updated_by", self.writer_id(request)),
        ):
            if self._has(name):
                values.setdefault(name, value)
        if "budget_duration" in values and self._has("budget_reset_at") and values.get("budget_duration"):
            values.setdefault("budget_reset_at", budget_reset_at(values["budget_duration"]))
        return values

    def write(self, request, obj, form, change: bool) -> None:
        """Save the validated form (called from the form's validation, see LiteLLMAdminForm):
        an add through `create`, an edit through `update` with only what the person changed,
        refused when someone changed the same field since the page was loaded."""
        actor = self.actor(request)
        editable = set(form.fields) - {LOADED_STATE}
        if not change:
            values = {
                name: value
                for name, value in form.cleaned_data.items()
                if name in editable
                and name not in PROXY_COUNTERS
                and (value is not None or self.model._meta.get_field(name).null)
            }
            pk = self.create(request, actor, values)
            setattr(obj, self.model._meta.pk.attname, pk)
            form.written = True
            return
        loaded = form.loaded()
        wanted = [n for n in form.changed_data if n in editable and n in form.cleaned_data and n not in PROXY_COUNTERS]
        with writes.atomic():
            rows = writes.lock_rows(self.model, pk=obj.pk)
            if not rows:
                raise ChangeRefused("This row no longer exists (someone deleted it).")
            current = rows[0]
            changes = {}
            for name in wanted:
                value = form.cleaned_data[name]
                if loaded is not None and name in loaded:
                    if fingerprint(value) == loaded[name]:
                        continue  # left as the person saw it: someone else's newer value stays
                    if fingerprint(getattr(current, name)) != loaded[name]:
                        raise ChangeRefused(
                            "Someone else changed this after you opened the page (it is now "
                            f"{getattr(current, name)!r}). Nothing was saved: reload the page and make "
                            "your change again.",
                            name,
                        )
                changes[name] = value
            if changes:
                self.update(request, actor, current, changes)
        form.written = True

    def create(self, request, actor, values: dict):
        """Insert a new row (no service covers this table); returns its primary key."""
        with writes.atomic():
            values = self.new_row(request, values)
            writes.insert_row(self.model, values)
            pk_name = self.model._meta.pk.name
            pk = values[pk_name] if pk_name in values else None
            if pk is None:
                pk = self.model.objects.order_by("-pk").values_list("pk", flat=True).first()
            writes.audit(actor, writes.CREATED, self.logical_table(), str(pk), None, values)
        return pk

    def update(self, request, actor, row, changes: dict) -> None:
        """UPDATE `changes` on the locked `row` (no service covers this table), with its audit row."""
        changes = self.derived_changes(request, dict(changes))
        writes.update_row(self.model, row.pk, changes)
        action = self.audit_action(changes)
        if action in (writes.BLOCKED, writes.UNBLOCKED):
            updated = {}  # /key/block, /key/unblock: updated_values "{}"
        elif self.audit_after_row:
            updated = self.audit_snapshot(self.model.objects.get(pk=row.pk))
        else:
            updated = changes
        writes.audit(actor, action, self.logical_table(), str(row.pk), self.audit_snapshot(row), updated)

    def save_model(self, request, obj, form, change):
        # The form's validation already wrote (so a refusal could show next to its field).
        if not getattr(form, "written", False):
            self.write(request, obj, form, change)

    def audit_action(self, changes: dict) -> str:
        """The audit action LiteLLM would record for this edit (`updated` unless overridden)."""
        return writes.UPDATED

    def delete_model(self, request, obj):
        actor = self.actor(request)
        if self.delete_service:
            module, function = self.delete_service.split(":")
            service = getattr(importlib.import_module(module), function)
            self.delete_with_service(service, actor, obj)
            return
        with writes.atomic():
            writes.delete_rows(self.model, pk=obj.pk)
            writes.audit(actor, writes.DELETED, self.logical_table(), str(obj.pk), self.audit_snapshot(obj), {})

    def delete_with_service(self, service, actor, obj):
        pk = self.model._meta.pk.name
        service(actor=actor, **{pk: obj.pk})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ChangeRefused as refused:  # the service refused: nothing was deleted (rolled back)
            self.message_user(request, refused.message, messages.ERROR)
            return redirect(request.path)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ChangeRefused as refused:  # a bulk delete a service refused
            self.message_user(request, refused.message, messages.ERROR)
            return redirect(request.get_full_path())

    def save_related(self, request, form, formsets, change):
        """No many-to-many or inline saves: the row was written by save_model."""

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if level == messages.SUCCESS and isinstance(message, str) and "was changed successfully" in message:
            message = f"{message} The proxy picks it up within {settings.LITELLM_CACHE_TTL_SECONDS} s (its cache)."
        return super().message_user(request, message, level, *args, **kwargs)


class ReadOnlyAdmin(LiteLLMAdmin):
    read_only = True
    allow_add = False


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


def render_rows(headers: list[str], rows: list[tuple], empty: str = "None."):
    """A small read-only table for a change page (memberships)."""
    if not rows:
        return format_html('<span class="quiet">{}</span>', empty)
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (format_html_join("", "<td>{}</td>", ((("—" if c is None or c == "" else c),) for c in row)),)
            for row in rows
        ),
    )
    return format_html('<table class="litellm-related"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body)
