"""Filters of the keys list: search, team, owner, organization, status."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from config import policy
from config.entity_filters import ChoiceFilter, EntityInput, attach_choices, resolve_in_filterset

from . import selectors
from .models import VerificationToken


class KeyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": "alias, sk-...abcd or hash", "type": "search"}),
    )
    team_id = ChoiceFilter(label="Team", empty_label="Any team", method="filter_team")
    user = django_filters.CharFilter(
        label="Owner",
        method="filter_user",
        widget=EntityInput(attrs={"placeholder": "email or user id", "type": "search"}),
    )
    organization = ChoiceFilter(label="Organization", empty_label="Any organization", method="filter_org")
    status = ChoiceFilter(
        label="Status", choices=selectors.STATUS_CHOICES, empty_label="Any status", method="filter_status"
    )
    within_days = django_filters.NumberFilter(
        label="Expiring within (days)",
        method="filter_noop",
        widget=forms.NumberInput(attrs={"min": 1, "max": 3650, "placeholder": "7", "style": "width:90px;min-width:0"}),
    )
    ui_sessions = django_filters.BooleanFilter(
        label="Include UI sessions",
        method="filter_noop",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = VerificationToken
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        principal = policy.principal(request) if request is not None else None
        self.principal = principal
        if principal is not None:
            self.filters["team_id"].extra["choices"] = selectors.team_choices(principal)
            self.filters["organization"].extra["choices"] = selectors.org_choices(principal)
            if selectors.sees_only_own_keys(principal):
                # Every key listed is theirs: owner and organization filters would only confuse.
                del self.filters["user"], self.filters["organization"]
            else:
                attach_choices(self.form.fields["user"], "user", principal)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q(key_alias__icontains=value) | Q(key_name__icontains=value.removeprefix("sk-..."))
        if len(value) == 64:
            q |= Q(token=value.lower())
        return queryset.filter(q)

    def filter_team(self, queryset, name, value):
        return queryset.filter(team_id=value) if value else queryset

    def filter_user(self, queryset, name, value):
        """An owner's email (or part of it) or user id, among the users the viewer sees."""
        if not value.strip():
            return queryset
        match = resolve_in_filterset(self, name, "user_search", value, self.principal)
        return queryset.filter(user_id__in=match.ids) if match else queryset.none()

    def filter_org(self, queryset, name, value):
        return queryset.filter(selectors.org_keys_q(value)) if value else queryset

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        days = self.form.cleaned_data.get("within_days") or 7
        return queryset.filter(selectors.status_q(value, within_days=int(max(1, min(days, 3650)))))

    def filter_noop(self, queryset, name, value):
        return queryset  # read by the view (UI sessions) or by filter_status (days)
