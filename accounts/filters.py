"""FilterSets for the people lists: a free-text `q` plus exact filters, choices scoped to
what the signed-in person may see."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from config import policy
from config.entity_filters import ChoiceFilter

from .invitation_status import INVITATION_STATUSES, invitation_status_q  # noqa: F401 (re-exported)
from .models import EndUserTable, InvitationLink, OrganizationMembership, OrganizationTable, TeamTable, UserTable

BLOCKED_CHOICES = [("active", "Active"), ("blocked", "Blocked")]


def by_blocked(self, queryset, name, value):
    return queryset.filter(blocked=True) if value == "blocked" else queryset.filter(blocked=False)


def _principal(filterset):
    request = getattr(filterset, "request", None)
    return policy.principal(request) if request is not None else None


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=django_filters.widgets.forms.TextInput(attrs={"placeholder": "Email, id or name", "type": "search"}),
    )
    user_role = ChoiceFilter(label="Role", choices=policy.USER_ROLES, empty_label="Any role")
    team = ChoiceFilter(label="Team", method="in_team", empty_label="Any team")
    organization = ChoiceFilter(label="Organization", method="in_org", empty_label="Any organization")

    class Meta:
        model = UserTable
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        principal = _principal(self)
        teams = TeamTable.objects.exclude(team_id=policy.UI_SESSION_TEAM_ID)
        orgs = OrganizationTable.objects.all()
        if principal is not None:
            teams = TeamTable.objects.filter(principal.team_choices_q("filter"))
            orgs = orgs.filter(principal.org_choices_q("filter"))
        self.filters["team"].extra["choices"] = list(teams.order_by("team_alias").values_list("team_id", "team_alias"))
        self.filters["organization"].extra["choices"] = list(
            orgs.order_by("organization_alias").values_list("organization_id", "organization_alias")
        )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(user_email__icontains=value) | Q(user_id__icontains=value) | Q(user_alias__icontains=value)
        )

    def in_team(self, queryset, name, value):
        return queryset.filter(teams__contains=[value])

    def in_org(self, queryset, name, value):
        members = OrganizationMembership.objects.filter(organization_id=value).values("user_id")
        return queryset.filter(Q(user_id__in=members) | Q(organization_id=value))


class TeamFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=django_filters.widgets.forms.TextInput(attrs={"placeholder": "Name or id", "type": "search"}),
    )
    organization_id = ChoiceFilter(label="Organization", empty_label="Any organization")
    blocked = ChoiceFilter(label="Status", choices=BLOCKED_CHOICES, method="by_blocked", empty_label="Any status")

    class Meta:
        model = TeamTable
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        principal = _principal(self)
        orgs = OrganizationTable.objects.all()
        if principal is not None:
            orgs = orgs.filter(principal.org_choices_q("filter"))
        self.filters["organization_id"].extra["choices"] = list(
            orgs.order_by("organization_alias").values_list("organization_id", "organization_alias")
        )

    by_blocked = by_blocked

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(team_alias__icontains=value) | Q(team_id__icontains=value))


class OrgFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=django_filters.widgets.forms.TextInput(attrs={"placeholder": "Name or id", "type": "search"}),
    )

    class Meta:
        model = OrganizationTable
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(organization_alias__icontains=value) | Q(organization_id__icontains=value))


class EndUserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=django_filters.widgets.forms.TextInput(attrs={"placeholder": "Id or alias", "type": "search"}),
    )
    blocked = ChoiceFilter(label="Status", choices=BLOCKED_CHOICES, method="by_blocked", empty_label="Any status")

    class Meta:
        model = EndUserTable
        fields = []

    by_blocked = by_blocked

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(user_id__icontains=value) | Q(alias__icontains=value))


class InvitationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Invitee",
        method="search",
        widget=django_filters.widgets.forms.TextInput(attrs={"placeholder": "Email or user id", "type": "search"}),
    )
    status = ChoiceFilter(label="Status", choices=INVITATION_STATUSES, method="by_status", empty_label="Any status")

    class Meta:
        model = InvitationLink
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        people = UserTable.objects.filter(Q(user_email__icontains=value) | Q(user_id__icontains=value)).values(
            "user_id"
        )
        return queryset.filter(user_id__in=people)

    def by_status(self, queryset, name, value):
        return queryset.filter(invitation_status_q(value))
