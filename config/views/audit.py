"""The Audit page: both trails as one stream, newest first.

LiteLLM_AuditLog (the proxy's rows and the console's changes to tables LiteLLM audits) and the
console's ConsoleAuditLog (tables LiteLLM never audits) are one merged queryset list on the
generic list (config/views/lists.py, merged_filterset_classes): each filtered queryset is read
in updated_at-desc order up to the page's end (offset paging: page N reads N*page_size rows
from each), and the two are merged; the CSV export merges both full iterators the same way.
Each row says which trail it is in; ops logins' rows show the ops username kept in
AuditAttribution (config/audit_trail.py).
"""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.urls import path, reverse
from django.views.generic import DetailView

from accounts.models import UserTable
from config import audit_names, dates, lookups, policy
from config.entity_filters import ChoiceFilter, EntityInput, resolve_in_filterset
from config.html import format_html
from config.models import AuditAttribution, AuditLog, ConsoleAuditLog
from config.tables import ConsoleTable
from config.writes import BLOCKED, CREATED, DELETED, ROTATED, UNBLOCKED, UPDATED, decode_audit_value

from .generic import ConsoleMixin, ObjectListView

ACTIONS = [(a, a) for a in (CREATED, UPDATED, DELETED, BLOCKED, UNBLOCKED, ROTATED, "kill_switch_fired")]


class AuditFilterSet(django_filters.FilterSet):
    changed_by = django_filters.CharFilter(
        label="Actor",
        method="filter_actor",
        widget=EntityInput(attrs={"placeholder": "email, user id or ops login"}, choices=lookups.actor_choices),
    )
    action = ChoiceFilter(choices=ACTIONS, empty_label="Any action")
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

    def filter_actor(self, queryset, name, value):
        """The email the list shows, the user id LiteLLM recorded, or the ops login the
        console's attribution names (config.lookups.resolve_actor)."""
        from django.db.models import Q

        match = resolve_in_filterset(self, name, "actor", value) if value.strip() else None
        if match is None:
            return queryset if not value.strip() else queryset.none()
        # the console's own database: a list, not a subquery (the trails live in LiteLLM's)
        ops_ids = list(AuditAttribution.objects.filter(ops_username=match.typed).values_list("audit_id", flat=True))
        return queryset.filter(Q(changed_by__in=match.ids) | Q(id__in=ops_ids))


class ConsoleAuditFilterSet(AuditFilterSet):
    class Meta:
        model = ConsoleAuditLog
        fields = []


class AuditTable(ConsoleTable):
    updated_at = tables.Column(
        verbose_name="When",
        linkify=lambda record: reverse("audit:audit_detail", args=[record.id]),
    )
    changed_by = tables.Column(verbose_name="Actor")
    trail = tables.Column(
        verbose_name="Trail",
        accessor="trail",
        empty_values=(),
        attrs={"th": {"class": "col-trail"}, "td": {"class": "col-trail"}},  # folds away below 1200 px
    )
    action = tables.Column()
    table_name = tables.Column(verbose_name="Table")
    object_id = tables.Column(verbose_name="Object")

    def __init__(self, *args, principal=None, **kwargs):
        self.principal = principal
        super().__init__(*args, **kwargs)

    class Meta(ConsoleTable.Meta):
        model = AuditLog
        fields = ("updated_at", "changed_by", "action", "table_name", "object_id", "trail")
        orderable = False  # one fixed order, newest first, across both trails
        empty_text = "No audit entries match these filters."

    def before_render(self, request):
        """Actors are LiteLLM user ids (or ops logins): look up this page's emails at once."""
        records = [row.record for row in self.page.object_list] if hasattr(self, "page") else []
        self.actor_emails = actor_emails({r.changed_by for r in records})
        self.attributions = attributions({r.id for r in records})
        self.object_names = audit_names.page_names(records)  # one query per kind of object

    def render_updated_at(self, value):
        return dates.when(value, seconds=True)

    def value_updated_at(self, value):
        return dates.export_moment(value) if value else ""

    def render_changed_by(self, value, record):
        ops = getattr(self, "attributions", {}).get(record.id)
        if ops:
            return format_html(
                '{} <span class="muted small">(ops login)</span><br><span class="muted small mono">as {}</span>',
                ops.ops_username,
                value,
            )
        email = getattr(self, "actor_emails", {}).get(value)
        if email:
            return format_html('{}<br><span class="muted small mono">{}</span>', email, shorten(value))
        return value

    def render_trail(self, value):
        return TRAIL_LABELS.get(value, value)

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
        name = getattr(self, "object_names", {}).get((audit_names.object_kind(record), value))
        if url_name and record.action != DELETED:
            shown = format_html(
                '<a class="mono" href="{}" title="{}">{}</a>', reverse(url_name, args=[value]), value, shorten(value)
            )
        else:
            shown = format_html('<span class="mono" title="{}">{}</span>', value, shorten(value))
        if name:
            return format_html('<span class="object-name">{}</span><br>{}', name, shown)
        return shown

    def value_table_name(self, value):
        return value

    def value_changed_by(self, value, record):
        ops = getattr(self, "attributions", None)
        ops = (ops if ops is not None else attributions({record.id})).get(record.id)
        return f"{ops.ops_username} (ops login, as {value})" if ops else value

    def value_trail(self, value):
        return TRAIL_LABELS.get(value, value)

    def value_object_id(self, value, record):
        return policy.mask_secret(value) if hides_invitation_ids(self.principal, record) else value


TRAIL_LABELS = {"litellm": "LiteLLM_AuditLog", "console": "Console"}


def attributions(audit_ids) -> dict:
    ids = [i for i in audit_ids if i]
    return {a.audit_id: a for a in AuditAttribution.objects.filter(audit_id__in=ids)} if ids else {}


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
    merged_filterset_classes = (ConsoleAuditFilterSet,)  # the console's own trail
    merged_order = ("-updated_at", "-id")

    def get_table_kwargs(self):
        return {"principal": self.principal}

    def scope(self, queryset):
        queryset = queryset.defer("before_value", "updated_values")
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

    def get_object(self, queryset=None):
        from django.http import Http404

        pk = self.kwargs["pk"]
        entry = AuditLog.objects.filter(pk=pk).first() or ConsoleAuditLog.objects.filter(pk=pk).first()
        if entry is None:
            raise Http404("No such audit entry.")
        return entry

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actor_email"] = actor_emails({self.object.changed_by}).get(self.object.changed_by)
        entry = self.object
        context["trail_label"] = TRAIL_LABELS.get(entry.trail, entry.trail)
        context["attribution"] = attributions({entry.id}).get(entry.id)
        hide = hides_invitation_ids(self.principal, entry)
        if hide:
            entry.object_id = policy.mask_secret(entry.object_id)
            entry.before_value = _masked(entry.before_value)
            entry.updated_values = _masked(entry.updated_values)
        context["changes"] = audit_names.named_changes(audit_names.changed_fields(entry))
        kind, url_name = OBJECT_KINDS.get(unprefixed(entry.table_name), (None, None))
        context["object_kind"] = kind
        if not hide:
            names = audit_names.page_names([entry])
            context["object_name"] = names.get((audit_names.object_kind(entry), entry.object_id))
        if url_name and entry.action != DELETED and not hide:
            # A rotation's object_id is the old hash: that page says so and links to the new one.
            context["object_url"] = reverse(url_name, args=[entry.object_id])
        return context


urlpatterns = [
    path("", AuditListView.as_view(), name="audit_list"),
    path("<str:pk>/", AuditDetailView.as_view(), name="audit_detail"),
]
