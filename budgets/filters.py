"""Filters for the budget pages."""

from __future__ import annotations

import django_filters
from django import forms

from config.entity_filters import ChoiceFilter

from .models import BudgetTable
from .selectors import KINDS
from .thresholds import near_label


def view_choices():  # callable, so the label follows NEAR_BUDGET_RATIO
    return [("", "All budgets"), ("over", "Over budget"), ("near", near_label()), ("soft", "Past soft budget")]


class BudgetOverviewForm(forms.Form):
    """The overview's filters (validated, then handed to budgets.selectors.budget_overview)."""

    kind = forms.ChoiceField(label="Type", required=False, choices=[("", "Every type")] + KINDS)
    view = forms.ChoiceField(label="Show", required=False, choices=view_choices)

    def clean_kind(self):
        return self.cleaned_data.get("kind") or None

    def clean_view(self):
        return self.cleaned_data.get("view") or None


class BudgetRowFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="budget_id", lookup_expr="icontains", label="Budget id")
    resets = ChoiceFilter(
        label="Resets",
        choices=[("yes", "Periodically"), ("no", "Never (one-time)")],
        empty_label="Either",
        method="filter_resets",
    )

    class Meta:
        model = BudgetTable
        fields = []

    def filter_resets(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(budget_duration__isnull=False)
        if value == "no":
            return queryset.filter(budget_duration__isnull=True)
        return queryset
