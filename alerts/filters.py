from __future__ import annotations

import django_filters
from django.db.models import Q

from config.entity_filters import ChoiceFilter

from .models import KINDS, RULES, STATUSES, Alert


class AlertFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=django_filters.widgets.forms.TextInput(attrs={"placeholder": "Name, id or recipient", "type": "search"}),
    )
    kind = ChoiceFilter(label="Type", choices=KINDS, empty_label="Any type")
    rule = ChoiceFilter(label="Rule", choices=RULES, empty_label="Any rule")
    status = ChoiceFilter(label="Status", choices=STATUSES, empty_label="Any status")

    class Meta:
        model = Alert
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(object_id=value) | Q(recipients__contains=[value.lower()]))
