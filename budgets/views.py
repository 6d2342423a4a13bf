"""Budget pages: every budget in one table, the team member budget matrix, and the editor of
LiteLLM_BudgetTable rows."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.models import TeamTable, UserTable
from config import policy, writes
from config.errors import ChangeRefused
from config.forms import ShownValuesMixin
from config.views.base import actor_for
from config.views.edit import refuse_on_form
from config.views.export import stream_csv
from config.views.generic import ConsoleMixin, ObjectListView

from . import selectors, services
from .filters import BudgetOverviewForm, BudgetRowFilterSet
from .forms import BudgetFieldsMixin, MemberBudgetMatrixForm, budget_changes, budget_consequences
from .models import BudgetTable
from .tables import BudgetOverviewExportTable, BudgetRowTable
from .thresholds import near_label


def _actor(principal, request=None) -> writes.Actor:
    return actor_for(principal, request)


def _ttl() -> int:
    return settings.LITELLM_CACHE_TTL_SECONDS


SORT_COLUMNS = [
    ("kind", "Type"),
    ("name", "Name"),
    ("spend", "Spend"),
    ("max_budget", "Max budget"),
    ("pct", "Used"),
    ("soft_budget", "Soft budget"),
    ("reset_at", "Resets"),
]


class BudgetOverviewView(ConsoleMixin, TemplateView):
    section = "budgets"
    title = "Budgets"
    template_name = "budgets/budget_overview.html"

    def _params(self):
        form = BudgetOverviewForm(self.request.GET or None)
        kind = view = None
        if form.is_bound and form.is_valid():
            kind, view = form.cleaned_data["kind"], form.cleaned_data["view"]
        sort = self.request.GET.get("sort") or "-pct"
        if sort.lstrip("-") not in selectors.SORTS:
            sort = "-pct"
        try:
            page = max(1, int(self.request.GET.get("page", "1")))
        except ValueError:
            page = 1
        return form, kind, view, sort, page

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            _, kind, view, sort, _ = self._params()
            return self._csv(kind, view, sort)
        return super().get(request, *args, **kwargs)

    def _csv(self, kind, view, sort):
        principal = self.principal

        def records():
            page = 1
            while True:  # page by page: the overview is a UNION over every budgeted row
                result = selectors.budget_overview(principal, kind=kind, view=view, sort=sort, page=page)
                yield from result.rows
                if not result.has_next:
                    return
                page += 1

        return stream_csv(BudgetOverviewExportTable([]), records(), "budgets")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, kind, view, sort, page = self._params()
        result = selectors.budget_overview(self.principal, kind=kind, view=view, sort=sort, page=page)
        query = self.request.GET.copy()
        query.pop("page", None)

        def with_params(**changes):
            q = query.copy()
            for k, v in changes.items():
                if v in (None, ""):
                    q.pop(k, None)
                else:
                    q[k] = v
            return "?" + q.urlencode() if q else "?"

        headers = []
        for column, label in SORT_COLUMNS:
            current = sort.lstrip("-") == column
            descending = sort.startswith("-")
            if current:
                next_sort = column if descending else "-" + column
            else:
                next_sort = column if column in ("name", "kind", "reset_at") else "-" + column
            headers.append(
                {
                    "label": label,
                    "url": with_params(sort=next_sort),
                    "state": ("desc" if descending else "asc") if current else "",
                    "num": column in ("spend", "max_budget", "soft_budget"),
                }
            )
        counts = (
            result.counts.get(kind, {"all": 0, "over": 0, "near": 0, "soft": 0}) if kind else result.counts["total"]
        )
        views = [
            {
                "key": key,
                "label": label,
                "count": counts.get(key or "all", 0),
                "url": with_params(view=key),
                "active": (view or "") == key,
            }
            for key, label in (
                ("", "All"),
                ("over", "Over budget"),
                ("near", near_label()),
                ("soft", "Past soft budget"),
            )
        ]
        context.update(
            form=form,
            near_label=near_label(),
            rows=result.rows,
            page=result.page,
            has_next=result.has_next,
            next_url=with_params(page=page + 1) if result.has_next else None,
            prev_url=with_params(page=page - 1 if page > 2 else None) if page > 1 else None,
            headers=headers,
            views=views,
            counts=result.counts,
            summary=counts,
            kind_label=dict(selectors.KINDS).get(kind) if kind else None,
            kind_labels=dict(selectors.KINDS),
            export_url=with_params(export="csv"),
            can_edit_rows=self.principal.can_edit_budget_rows(),
        )
        return context


# --- Team member budget matrix -------------------------------------------------------------------


class TeamMemberBudgetsView(ConsoleMixin, View):
    """Each member's spend, budget and reset; edit several at once (one transaction)."""

    section = "teams"
    template_name = "budgets/team_members.html"

    def _team(self, team_id):
        return policy.get_visible_or_404(TeamTable.objects.all(), self.principal.teams_q(), team_id=team_id)

    def _render(self, request, team, form, consequences=None):
        can_edit = self.principal.can_manage_team(team)
        return render(
            request,
            self.template_name,
            {
                "team": team,
                "title": f"Member budgets · {team.team_alias or team.team_id}",
                "form": form,
                "rows": form.rows(),
                "can_edit": can_edit,
                "consequences": consequences,
                "default_budget_id": selectors.team_default_budget_id(team),
                "section": "teams",
            },
        )

    def _members(self, team):
        """The rows this person may see: every member for those who run the team, else their own."""
        rows = selectors.team_member_budgets(team)
        return [m for m in rows if self.principal.can_see_member_spend(team, m.user_id)]

    def get(self, request, team_id):
        team = self._team(team_id)
        form = MemberBudgetMatrixForm(members=self._members(team), team_id=team.team_id)
        return self._render(request, team, form)

    def post(self, request, team_id):
        team = self._team(team_id)
        self.principal.require(self.principal.can_manage_team(team))
        form = MemberBudgetMatrixForm(request.POST, members=self._members(team), team_id=team.team_id)
        if not form.is_valid():
            return self._render(request, team, form)
        changes = form.changes()
        if "preview" in request.POST:
            return self._render(request, team, form, form.consequences() or ["Nothing has changed yet."])
        if not changes:
            messages.info(request, "Nothing changed.")
            return redirect("budgets:team_members", team_id=team.team_id)
        try:
            count = services.team_member_budgets_update(
                actor=_actor(self.principal, self.request),
                team_id=team.team_id,
                patches=changes,
                expected=form.expected(),
            )
        except ChangeRefused as error:
            refuse_on_form(form, error)
            return self._render(request, team, form)
        messages.success(
            request,
            f"Updated the budgets of {count} member{'s' if count != 1 else ''}. "
            f"The proxy sees the change within {_ttl()} seconds (its cache TTL).",
        )
        return redirect("budgets:team_members", team_id=team.team_id)


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

    def get_queryset(self):
        self.principal.require(self.principal.can_see_budget_rows())
        from django.db.models import OuterRef, Subquery

        email = UserTable.objects.filter(user_id=OuterRef("updated_by")).values("user_email")[:1]
        return BudgetTable.objects.annotate(updated_by_email=Subquery(email))

    def can_create(self) -> bool:
        return self.principal.can_edit_budget_rows()

    def get_table_kwargs(self):
        return {
            **super().get_table_kwargs(),
            "editable": self.principal.can_edit_budget_rows(),
            "for_export": self.request.GET.get("export") == "csv",
        }


class BudgetRowEditView(ConsoleMixin, View):
    section = "budgets"
    template_name = "budgets/budget_row_form.html"

    def _render(self, request, form, budget=None, consequences=None):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "budget": budget,
                "title": f"Budget row {budget.budget_id}" if budget else "New budget row",
                "submit_label": "Save" if budget else "Create budget row",
                "cancel_url": reverse("budgets:budget_rows"),
                "cache_note": True,
                "consequences": consequences,
                "section": self.section,
                "use": selectors.budget_row_use(budget.budget_id) if budget else None,
            },
        )

    def _budget(self, budget_id):
        self.principal.require(self.principal.can_see_budget_rows())
        return policy.get_visible_or_404(BudgetTable.objects.all(), Q(), budget_id=budget_id)

    def get(self, request, budget_id=None):
        budget = self._budget(budget_id) if budget_id else None
        self.principal.require(self.principal.can_edit_budget_rows())
        return self._render(request, BudgetRowForm(budget=budget), budget)

    def post(self, request, budget_id=None):
        budget = self._budget(budget_id) if budget_id else None
        self.principal.require(self.principal.can_edit_budget_rows())
        form = BudgetRowForm(request.POST, budget=budget)
        if not form.is_valid():
            return self._render(request, form, budget)
        data = form.cleaned_data
        if "preview" in request.POST:
            duration = data.get("budget_duration")
            reset_at = budget.budget_reset_at if budget and duration == budget.budget_duration else None
            lines = budget_consequences(0.0, data.get("max_budget"), duration, reset_at=reset_at)
            lines = [line for line in lines if not line.startswith("$")]
            lines.insert(
                0, "Spend is counted on what uses this row (team members, keys, orgs, end users), not on the row."
            )
            return self._render(request, form, budget, lines)
        actor = _actor(self.principal, self.request)
        if budget is None:
            values = {k: v for k, v in data.items() if v not in (None, {}) or k == "model_max_budget"}
            budget_id = services.budget_row_create(actor=actor, values=values)
            messages.success(request, "Budget row created.")
            return redirect("budgets:budget_row_edit", budget_id=budget_id)
        changes = budget_changes(data, form.shown)
        if not changes:
            messages.info(request, "Nothing changed.")
        else:
            try:
                services.budget_row_update(
                    actor=actor, budget_id=budget.budget_id, changes=changes, expected=form.expected_for(changes)
                )
            except ChangeRefused as error:
                refuse_on_form(form, error)
                return self._render(request, form, budget)
            messages.success(request, f"Saved. The proxy sees the change within {_ttl()} seconds (its cache TTL).")
        return redirect("budgets:budget_row_edit", budget_id=budget.budget_id)
