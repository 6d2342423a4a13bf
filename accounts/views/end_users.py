"""End users (the proxy's callers' `user` ids): list, edit, block."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from budgets.models import BudgetTable
from config import policy
from config.views.generic import ActionView, ObjectListView, ServiceFormView

from .. import filters, forms, services, tables
from ..models import EndUserTable


class EndUserListView(ObjectListView):
    model = EndUserTable
    table_class = tables.EndUserListTable
    filterset_class = filters.EndUserFilterSet
    section = "end_users"
    title = "End users"
    template_name = "accounts/enduser_list.html"
    create_label = "Create end user"

    @property
    def create_url(self):
        return reverse("accounts:enduser_create")

    def can_create(self):
        return self.principal.can_manage_end_users()

    def scope(self, queryset):
        budget = BudgetTable.objects.filter(budget_id=OuterRef("budget_id")).values("max_budget")[:1]
        return queryset.annotate(budget_max=Subquery(budget)).order_by("user_id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.principal.can_manage_end_users()
        return context


class EndUserCreateView(ServiceFormView):
    """/customer/new (services.end_user_create): proxy admins, as for every end-user change."""

    section = "end_users"
    title = "Create an end user"
    form_class = forms.EndUserCreateForm
    submit_label = "Create end user"

    def authorize(self):
        self.principal.require(self.principal.can_manage_end_users())

    def perform(self, form):
        row = services.end_user_create(actor=self.actor(), user_id=form.cleaned_data["user_id"], **form.values())
        messages.success(self.request, f"Created end user {row['user_id']}.")
        return row

    def success_url_for(self, result):
        if result:
            return EndUserTable(user_id=result["user_id"]).get_absolute_url()
        return reverse("accounts:enduser_list")


class EndUserEditView(ServiceFormView):
    section = "end_users"
    form_class = forms.EndUserForm
    cache_note = True

    def load(self):
        return policy.get_visible_or_404(EndUserTable.objects.all(), Q(), user_id=self.kwargs["end_user_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_end_users())
        self.title = f"Edit end user {self.object.user_id}"

    def form_extra(self):
        return {"instance": self.object}

    def perform(self, form):
        changes = form.changes()
        changed = services.end_user_update(
            actor=self.actor(), end_user_id=self.object.user_id, changes=changes, expected=form.expected_for(changes)
        )
        messages.success(self.request, "Saved." if changed else "Nothing changed.")
        return changed

    def success_url_for(self, result):
        return reverse("accounts:enduser_list")


class EndUserBlockView(ActionView):
    section = "end_users"

    def load(self):
        return policy.get_visible_or_404(EndUserTable.objects.all(), Q(), user_id=self.kwargs["end_user_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_end_users())

    def perform(self):
        block = self.request.POST.get("blocked") == "1"
        services.end_user_update(actor=self.actor(), end_user_id=self.object.user_id, changes={"blocked": block})
        ttl = settings.LITELLM_CACHE_TTL_SECONDS
        return f"{'Blocked' if block else 'Unblocked'} {self.object.user_id}. The proxy sees it within {ttl} seconds."

    def next_url(self):
        return reverse("accounts:enduser_list")
