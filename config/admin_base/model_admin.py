"""LiteLLMAdmin: the ModelAdmin every LiteLLM table's admin builds on (see the package's
docstring for the rules it keeps), and ReadOnlyAdmin for the tables ops only look at."""

from __future__ import annotations

import importlib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db.models import JSONField, TextField
from django.shortcuts import redirect

from budgets.durations import budget_reset_at

from .. import audit_trail, litellm, policy, writes
from ..errors import ChangeRefused
from ..models_base import PROXY_COUNTERS
from .forms import (
    HIDDEN,
    LOADED_STATE,
    STAMPS,
    LiteLLMAdminForm,
    NullableJSONFormField,
    _loaded_state_field,
    fingerprint,
)


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


class ConsoleViewOnlyAdmin(admin.ModelAdmin):
    """A console table ops staff may look at and nobody edits here (the console's audit trail,
    the usage rollups: the code that keeps them is their only writer)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff
