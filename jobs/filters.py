import django_filters
from procrastinate.contrib.django.models import ProcrastinateJob

from config.entity_filters import ChoiceFilter

STATUS_CHOICES = [("todo", "Queued"), ("doing", "Running"), ("failed", "Failed")]


class JobFilterSet(django_filters.FilterSet):
    task_name = django_filters.CharFilter(label="Task", lookup_expr="icontains")
    status = ChoiceFilter(label="Status", choices=STATUS_CHOICES, empty_label="Any status")

    class Meta:
        model = ProcrastinateJob
        fields = []
