"""Budget pages: every budget in one table, the team member budget matrix, and the editor of
LiteLLM_BudgetTable rows. Each is a declaration on the generic views (config/views/)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse, reverse_lazy

from accounts.models import TeamTable, UserTable
from config import policy
from config.forms import ShownValuesMixin
from config.views.generic import NumberedSource, ObjectListView, ServiceFormView, SortColumn

from . import selectors, services
from .filters import BudgetOverviewForm, BudgetRowFilterSet
from .forms import BudgetFieldsMixin, MemberBudgetMatrixForm, budget_changes, budget_consequences
from .models import BudgetTable
from .tables import BudgetOverviewExportTable, BudgetRowTable
from .thresholds import near_label


def _ttl() -> int:
    return settings.LITELLM_CACHE_TTL_SECONDS


class BudgetOverviewSource(NumberedSource):
    """budgets.selectors.budget_overview: one page of the UNION plus its counts per kind."""

    def fetch(self, number):
        result = selectors.budget_overview(
            self.principal, kind=self.filters.get("kind"), view=self.filters.get("view"), sort=self.sort, page=number
        )
        return result.rows, result.has_next, {"counts": result.counts}


NO_COUNTS = {"all": 0, "over": 0, "near": 0, "soft": 0}


class BudgetOverviewView(ObjectListView):
    section = "budgets"
    title = "Budgets"
    template_name = "budgets/budget_overview.html"
    source_class = BudgetOverviewSource
    filter_form_class = BudgetOverviewForm
    export_table_class = BudgetOverviewExportTable
    default_sort = "-pct"
    sort_columns = (
        SortColumn("kind", "Type", descending_first=False),
        SortColumn("name", "Name", descending_first=False),
        SortColumn("spend", "Spend", numeric=True),
        SortColumn("max_budget", "Max budget", numeric=True),
        SortColumn("pct", "Used"),
        SortColumn("soft_budget", "Soft budget", numeric=True),
        SortColumn("reset_at", "Resets", descending_first=False),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind, view = self.filters.get("kind"), self.filters.get("view")
        counts = context["counts"]
        summary = counts.get(kind, NO_COUNTS) if kind else counts["total"]
        tabs = (("", "All"), ("over", "Over budget"), ("near", near_label()), ("soft", "Past soft budget"))
        context.update(
            near_label=near_label(),
            summary=summary,
            views=[
                {
                    "key": key,
                    "label": label,
                    "count": summary.get(key or "all", 0),
                    "url": self.query_with(view=key),
                    "active": (view or "") == key,
                }
                for key, label in tabs
            ],
            kind_label=dict(selectors.KINDS).get(kind) if kind else None,
            can_edit_rows=self.principal.can_edit_budget_rows(),
        )
        return context


# --- Team member budget matrix -------------------------------------------------------------------


class TeamMemberBudgetsView(ServiceFormView):
    """Each member's spend, budget and reset; edit several at once (one transaction). Everyone
    on the team may open it (a plain member sees their own row); saving is for those who run it."""

    section = "teams"
    template_name = "budgets/team_members.html"
    form_class = MemberBudgetMatrixForm
    context_object_name = "team"

    def load(self):
        return policy.get_visible_or_404(
            TeamTable.objects.all(), self.principal.teams_q(), team_id=self.kwargs["team_id"]
        )

    def authorize(self):
        if self.request.method == "POST":
            self.principal.require(self.principal.can_manage_team(self.object))

    def form_extra(self):
        rows = selectors.team_member_budgets(self.object)
        members = [m for m in rows if self.principal.can_see_member_spend(self.object, m.user_id)]
        return {"members": members, "team_id": self.object.team_id}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team = self.object
        context.update(
            title=f"Member budgets · {team.team_alias or team.team_id}",
            rows=context["form"].rows(),
            can_edit=self.principal.can_manage_team(team),
            default_budget_id=selectors.team_default_budget_id(team),
        )
        return context

    def preview(self, form):
        return form.consequences() or ["Nothing has changed yet."]

    def perform(self, form):
        changes = form.changes()
        if not changes:
            messages.info(self.request, "Nothing changed.")
            return None
        count = services.team_member_budgets_update(
            actor=self.actor(), team_id=self.object.team_id, patches=changes, expected=form.expected()
        )
        messages.success(
            self.request,
            f"Updated the budgets of {count} member{'s' if count != 1 else ''}. "
            f"The proxy sees the change within {_ttl()} seconds (its cache TTL).",
        )
        return count

    def success_url_for(self, result):
        return reverse("budgets:team_members", kwargs={"team_id": self.object.team_id})


# --- LiteLLM_BudgetTable rows ------------------------------------------------------------------


class BudgetRowForm(ShownValuesMixin, BudgetFieldsMixin):
    """A LiteLLM_BudgetTable row's limits; on edit it carries the values it showed."""

    def __init__(self, *args, budget=None, **kwargs):
        if budget is not None:
            kwargs["initial"] = {f: getattr(budget, f) for f in self.budget_field_names}
        super().__init__(*args, **kwargs)
        if budget is not None:
            self.track_shown({f: getattr(budget, f) for f in self.budget_field_names}, budget.budget_id)


class BudgetRowListView(ObjectListView):
    model = BudgetTable
    table_class = BudgetRowTable
    filterset_class = BudgetRowFilterSet
    section = "budgets"
    title = "Budget rows"
    template_name = "budgets/budget_rows.html"
    create_url = reverse_lazy("budgets:budget_row_create")
    create_label = "New budget row"

    def authorize(self):
        self.principal.require(self.principal.can_see_budget_rows())

    def scope(self, queryset):
        email = UserTable.objects.filter(user_id=OuterRef("updated_by")).values("user_email")[:1]
        return queryset.annotate(updated_by_email=Subquery(email))

    def can_create(self) -> bool:
        return self.principal.can_edit_budget_rows()

    def get_table_kwargs(self):
        return {
            **super().get_table_kwargs(),
            "editable": self.principal.can_edit_budget_rows(),
            "for_export": self.request.GET.get("export") == "csv",
        }


class BudgetRowEditView(ServiceFormView):
    """Create a budget row (no budget_id in the URL) or edit one; proxy admins only."""

    section = "budgets"
    template_name = "budgets/budget_row_form.html"
    form_class = BudgetRowForm
    cache_note = True
    context_object_name = "budget"

    def load(self):
        budget_id = self.kwargs.get("budget_id")
        if not budget_id:
            return None
        self.principal.require(self.principal.can_see_budget_rows())
        return policy.get_visible_or_404(BudgetTable.objects.all(), Q(), budget_id=budget_id)

    def authorize(self):
        self.principal.require(self.principal.can_edit_budget_rows())
        budget = self.object
        self.title = f"Budget row {budget.budget_id}" if budget else "New budget row"
        self.submit_label = "Save" if budget else "Create budget row"

    def form_extra(self):
        return {"budget": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["use"] = selectors.budget_row_use(self.object.budget_id) if self.object else None
        return context

    def cancel_url(self):
        return reverse("budgets:budget_rows")

    def preview(self, form):
        data, budget = form.cleaned_data, self.object
        duration = data.get("budget_duration")
        reset_at = budget.budget_reset_at if budget and duration == budget.budget_duration else None
        lines = budget_consequences(0.0, data.get("max_budget"), duration, reset_at=reset_at)
        lines = [line for line in lines if not line.startswith("$")]
        lines.insert(0, "Spend is counted on what uses this row (team members, keys, orgs, end users), not on the row.")
        return lines

    def perform(self, form):
        data = form.cleaned_data
        if self.object is None:
            values = {k: v for k, v in data.items() if v not in (None, {}) or k == "model_max_budget"}
            budget_id = services.budget_row_create(actor=self.actor(), values=values)
            messages.success(self.request, "Budget row created.")
            return budget_id
        changes = budget_changes(data, form.shown)
        if not changes:
            messages.info(self.request, "Nothing changed.")
            return self.object.budget_id
        services.budget_row_update(
            actor=self.actor(), budget_id=self.object.budget_id, changes=changes, expected=form.expected_for(changes)
        )
        messages.success(self.request, f"Saved. The proxy sees the change within {_ttl()} seconds (its cache TTL).")
        return self.object.budget_id

    def success_url_for(self, result):
        return reverse("budgets:budget_row_edit", kwargs={"budget_id": result})
