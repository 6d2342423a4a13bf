"""Filters for the budget pages."""

from __future__ import annotations

import django_filters
from django import forms

from .models import BudgetTable
from .selectors import KINDS

VIEWS = [("", "All budgets"), ("over", "Over budget"), ("near", "Near budget (80%+)"), ("soft", "Past soft budget")]


class BudgetOverviewForm(forms.Form):
    """The overview's filters (validated, then handed to budgets.selectors.budget_overview)."""

    kind = forms.ChoiceField(label="Type", required=False, choices=[("", "Every type")] + KINDS)
    view = forms.ChoiceField(label="Show", required=False, choices=VIEWS)

    def clean_kind(self):
        return self.cleaned_data.get("kind") or None

    def clean_view(self):
        return self.cleaned_data.get("view") or None


class BudgetRowFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="budget_id", lookup_expr="icontains", label="Budget id")
    has_duration = django_filters.BooleanFilter(
        field_name="budget_duration", lookup_expr="isnull", exclude=True, label="Resets periodically"
    )

    class Meta:
        model = BudgetTable
        fields = []
