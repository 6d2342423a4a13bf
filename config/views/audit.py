"""The Audit page: every LiteLLM_AuditLog row, the console's and the proxy's."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.generic import DetailView

from accounts.models import UserTable
from config import policy
from config.models import AuditLog
from config.tables import ConsoleTable
from config.writes import BLOCKED, CREATED, DELETED, ROTATED, UNBLOCKED, UPDATED, decode_audit_value

from .generic import ConsoleMixin, ObjectListView

ACTIONS = [(a, a) for a in (CREATED, UPDATED, DELETED, BLOCKED, UNBLOCKED, ROTATED, "kill_switch_fired")]


class AuditFilterSet(django_filters.FilterSet):
    changed_by = django_filters.CharFilter(
        label="Actor",
        lookup_expr="icontains",
        widget=django_filters.widgets.forms.TextInput(attrs={"placeholder": "user id or ops login"}),
    )
    action = django_filters.ChoiceFilter(choices=ACTIONS, empty_label="Any action")
    table_name = django_filters.CharFilter(
        label="Table",
        lookup_expr="icontains",
        widget=django_filters.widgets.forms.TextInput(attrs={"placeholder": "e.g. TeamTable"}),
    )
    object_id = django_filters.CharFilter(
        label="Object id",
        lookup_expr="icontains",
        widget=django_filters.widgets.forms.TextInput(attrs={"placeholder": "id or key hash"}),
    )
    since = django_filters.DateFilter(
        field_name="updated_at",
        lookup_expr="date__gte",
        label="From",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="updated_at",
        lookup_expr="date__lte",
        label="To",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditLog
        fields = []


class AuditTable(ConsoleTable):
    updated_at = tables.DateTimeColumn(
        verbose_name="When (UTC)",
        format="Y-m-d H:i:s",
        linkify=lambda record: reverse("audit:audit_detail", args=[record.id]),
    )
    changed_by = tables.Column(verbose_name="Actor")
    action = tables.Column()
    table_name = tables.Column(verbose_name="Table")
    object_id = tables.Column(verbose_name="Object")

    def __init__(self, *args, principal=None, **kwargs):
        self.principal = principal
        super().__init__(*args, **kwargs)

    class Meta(ConsoleTable.Meta):
        model = AuditLog
        fields = ("updated_at", "changed_by", "action", "table_name", "object_id")
        order_by = ("-updated_at",)
        empty_text = "No audit entries match these filters."

    def before_render(self, request):
        """Actors are LiteLLM user ids (or ops logins): look up this page's emails at once."""
        records = [row.record for row in self.page.object_list] if hasattr(self, "page") else []
        self.actor_emails = actor_emails({r.changed_by for r in records})

    def render_changed_by(self, value):
        email = getattr(self, "actor_emails", {}).get(value)
        if email:
            return format_html('{}<br><span class="muted small mono">{}</span>', email, shorten(value))
        return value

    def render_table_name(self, value):
        # People read "Key" faster than LiteLLM_VerificationToken; the table name stays below.
        kind = OBJECT_KINDS.get(unprefixed(value), (None, None))[0]
        if kind is None:
            return value
        return format_html('{}<br><span class="muted small mono">{}</span>', kind, value)

    def render_object_id(self, value, record):
        if hides_invitation_ids(self.principal, record):
            return format_html('<span class="mono">{}</span>', policy.mask_secret(value))
        url_name = OBJECT_KINDS.get(unprefixed(record.table_name), (None, None))[1]
        if url_name and record.action != DELETED:
            return format_html(
                '<a class="mono" href="{}" title="{}">{}</a>', reverse(url_name, args=[value]), value, shorten(value)
            )
        return format_html('<span class="mono" title="{}">{}</span>', value, shorten(value))

    def value_table_name(self, value):
        return value

    def value_changed_by(self, value):
        return value

    def value_object_id(self, value, record):
        return policy.mask_secret(value) if hides_invitation_ids(self.principal, record) else value


def hides_invitation_ids(principal, entry) -> bool:
    """An invitation's id is its LiteLLM link's secret: in the audit log only proxy admins
    see it (admin viewers and ops staff see it masked, as keys are)."""
    return unprefixed(entry.table_name or "") == "InvitationLink" and not (
        principal and principal.may_see_invitation_ids
    )


def _masked(value):
    value = decode_audit_value(value)
    if isinstance(value, dict) and value.get("id"):
        return {**value, "id": policy.mask_secret(str(value["id"]))}
    return value


# LiteLLM table (without prefix) -> (what people call it, the console page of one row).
OBJECT_KINDS = {
    "VerificationToken": ("Key", "keys:key_detail"),
    "TeamTable": ("Team", "accounts:team_detail"),
    "UserTable": ("User", "accounts:user_detail"),
    "OrganizationTable": ("Organization", "accounts:org_detail"),
    "BudgetTable": ("Budget row", None),
    "EndUserTable": ("End user", None),
    "InvitationLink": ("Invitation", "accounts:invitation_detail"),
}


def unprefixed(table: str) -> str:
    return table.split("_", 1)[1] if "_" in table else table


def shorten(value: str, keep: int = 10) -> str:
    """Long ids and key hashes as their ends, e.g. 3e0c9ad593…f307906 (the title shows all)."""
    return value if len(value) <= 2 * keep + 1 else f"{value[:keep]}…{value[-keep + 2 :]}"


def actor_emails(actor_ids) -> dict[str, str]:
    ids = [a for a in actor_ids if a]
    if not ids:
        return {}
    return dict(
        UserTable.objects.filter(user_id__in=ids, user_email__isnull=False).values_list("user_id", "user_email")
    )


class AuditListView(ObjectListView):
    model = AuditLog
    table_class = AuditTable
    filterset_class = AuditFilterSet
    section = "audit"
    title = "Audit log"
    lazy_pagination = True
    empty_text = "No changes recorded yet."

    def get_table_kwargs(self):
        return {"principal": self.principal}

    def get_queryset(self):
        queryset = super().get_queryset().defer("before_value", "updated_values")
        if self.request.GET.get("object_id") and not self.principal.may_see_invitation_ids:
            # Searching ids by substring would spell out an invitation id character by character.
            queryset = queryset.exclude(table_name__endswith="InvitationLink")
        return queryset


class AuditDetailView(ConsoleMixin, DetailView):
    section = "audit"
    title = "Audit entry"
    model = AuditLog
    template_name = "audit_detail.html"
    context_object_name = "entry"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actor_email"] = actor_emails({self.object.changed_by}).get(self.object.changed_by)
        entry = self.object
        hide = hides_invitation_ids(self.principal, entry)
        if hide:
            entry.object_id = policy.mask_secret(entry.object_id)
            entry.before_value = _masked(entry.before_value)
            entry.updated_values = _masked(entry.updated_values)
        context["changes"] = changed_fields(entry)
        kind, url_name = OBJECT_KINDS.get(unprefixed(entry.table_name), (None, None))
        context["object_kind"] = kind
        if url_name and entry.action != DELETED and not hide:
            context["object_url"] = reverse(url_name, args=[entry.object_id])
        return context


def changed_fields(entry) -> list[tuple[str, str, str]]:
    """(field, before, after) for each updated value, so an update reads as what changed
    instead of two JSON documents to compare by eye. Empty for creations and deletions."""
    import json

    before = decode_audit_value(entry.before_value)
    after = decode_audit_value(entry.updated_values)
    if not isinstance(before, dict) or not isinstance(after, dict) or not after:
        return []

    def show(value):
        return json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else value

    return [(name, show(before.get(name)), show(value)) for name, value in sorted(after.items())]


urlpatterns = [
    path("", AuditListView.as_view(), name="audit_list"),
    path("<str:pk>/", AuditDetailView.as_view(), name="audit_detail"),
]
