"""Tables for the people lists (CSV export reuses them; action columns stay out of it)."""

from __future__ import annotations

import django_tables2 as tables

from config import dates, policy
from config.html import format_html
from config.tables import BoolBadgeColumn, ConsoleTable, MoneyColumn
from config.templatetags.console import role_label

from .models import EndUserTable, InvitationLink, OrganizationTable, TeamTable, UserTable

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


def clip(field: str) -> dict:
    """Column attrs: a long name is cut with an ellipsis, the full text shows on hover (read
    from the record: a linkified column's `value` is already its <a> HTML)."""
    return {"td": {"class": "clip", "title": lambda record: getattr(record, field, None) or ""}}


class RoleColumn(tables.Column):
    """The role as people read it on screen (its LiteLLM id on hover); the CSV keeps the id."""

    def render(self, value):
        return format_html('<span class="badge badge-role" title="{}">{}</span>', value, role_label(value))

    def value(self, value):
        return value or ""


class CountColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)


class UserListTable(ConsoleTable):
    user_email = tables.Column(verbose_name="Email", linkify=True, empty_values=(), attrs=clip("user_email"))
    user_alias = tables.Column(verbose_name="Name", attrs=clip("user_alias"))
    user_role = RoleColumn(verbose_name="Role")
    team_count = CountColumn(verbose_name="Teams", accessor="teams", orderable=False)
    spend = MoneyColumn(verbose_name="Spend", attrs=NUM)
    max_budget = MoneyColumn(verbose_name="Budget", attrs=NUM)
    created_at = dates.day_column(verbose_name="Created")
    user_id = tables.Column(verbose_name="User id", visible=False)

    class Meta(ConsoleTable.Meta):
        model = UserTable
        fields = ("user_email", "user_alias", "user_role", "team_count", "spend", "max_budget", "created_at", "user_id")
        order_by = ("user_email",)

    def render_user_email(self, value, record):
        return value or record.user_id

    def render_team_count(self, value):
        return len(value or [])

    def value_team_count(self, value):
        return len(value or [])


class TeamListTable(ConsoleTable):
    team_alias = tables.Column(verbose_name="Team", linkify=True, attrs=clip("team_alias"))
    organization = tables.Column(
        verbose_name="Organization", accessor="org_alias", orderable=False, default="—", attrs=clip("org_alias")
    )
    member_count = CountColumn(verbose_name="Members", accessor="members_with_roles", orderable=False)
    spend = MoneyColumn(verbose_name="Spend", attrs=NUM)
    max_budget = MoneyColumn(verbose_name="Budget", attrs=NUM)
    budget_duration = tables.Column(verbose_name="Resets", default="—")
    blocked = BoolBadgeColumn(verbose_name="Status", label_true="Blocked")
    created_at = dates.day_column(verbose_name="Created")
    team_id = tables.Column(verbose_name="Team id", visible=False)

    class Meta(ConsoleTable.Meta):
        model = TeamTable
        fields = (
            "team_alias",
            "organization",
            "member_count",
            "spend",
            "max_budget",
            "budget_duration",
            "blocked",
            "created_at",
            "team_id",
        )
        order_by = ("team_alias",)

    def render_member_count(self, value):
        return len(value) if isinstance(value, list) else 0

    def value_member_count(self, value):
        return len(value) if isinstance(value, list) else 0


class OrgListTable(ConsoleTable):
    organization_alias = tables.Column(verbose_name="Organization", linkify=True, attrs=clip("organization_alias"))
    team_count = CountColumn(verbose_name="Teams", orderable=True)
    member_count = CountColumn(verbose_name="Members", orderable=True)
    spend = MoneyColumn(verbose_name="Spend", attrs=NUM)
    budget_max = MoneyColumn(verbose_name="Budget", attrs=NUM, orderable=False)
    created_at = dates.day_column(verbose_name="Created")
    organization_id = tables.Column(verbose_name="Organization id", visible=False)

    class Meta(ConsoleTable.Meta):
        model = OrganizationTable
        fields = (
            "organization_alias",
            "team_count",
            "member_count",
            "spend",
            "budget_max",
            "created_at",
            "organization_id",
        )
        order_by = ("organization_alias",)


class EndUserListTable(ConsoleTable):
    user_id = tables.Column(verbose_name="End user id")
    alias = tables.Column(verbose_name="Alias", default="—")
    spend = MoneyColumn(verbose_name="Spend", attrs=NUM)
    budget_max = MoneyColumn(verbose_name="Budget", attrs=NUM, orderable=False)
    allowed_model_region = tables.Column(verbose_name="Region", default="Any")
    default_model = tables.Column(verbose_name="Default model", default="—")
    blocked = BoolBadgeColumn(verbose_name="Status", label_true="Blocked")
    actions = tables.TemplateColumn(
        template_name="accounts/inc/enduser_actions.html", verbose_name="", orderable=False, exclude_from_export=True
    )

    class Meta(ConsoleTable.Meta):
        model = EndUserTable
        fields = (
            "user_id",
            "alias",
            "spend",
            "budget_max",
            "allowed_model_region",
            "default_model",
            "blocked",
            "actions",
        )
        order_by = ("user_id",)

    def render_allowed_model_region(self, value):
        return value.upper()  # "eu" as the edit form and LiteLLM's docs write it: EU


class StatusColumn(tables.Column):
    CSS = {"pending": "badge-warn", "accepted": "badge-ok", "expired": "badge-danger"}

    def render(self, value):
        return format_html('<span class="badge {}">{}</span>', self.CSS.get(value, ""), value)


class InvitationListTable(ConsoleTable):
    """The id is the secret of LiteLLM's onboarding link: masked, and the detail page (whose
    URL carries it) linked, only for those who may see it (policy.visible_invitation_id)."""

    invitee = tables.Column(
        verbose_name="Invitee", accessor="invitee_email", empty_values=(), order_by=("invitee_email",)
    )
    status = StatusColumn(verbose_name="Status", accessor="status", orderable=False, empty_values=())
    inviter = tables.Column(
        verbose_name="Invited by", accessor="inviter_email", empty_values=(), order_by=("inviter_email",)
    )
    created_at = dates.day_column(verbose_name="Sent")
    expires_at = dates.day_column(verbose_name="Expires")
    accepted_at = dates.day_column(verbose_name="Accepted", default="—")
    id = tables.Column(verbose_name="Invitation id", visible=False)

    def __init__(self, *args, principal=None, **kwargs):
        self.principal = principal
        super().__init__(*args, **kwargs)

    class Meta(ConsoleTable.Meta):
        model = InvitationLink
        fields = ("invitee", "status", "inviter", "created_at", "expires_at", "accepted_at", "id")
        order_by = ("-created_at",)

    def render_invitee(self, value, record):
        who = value or record.user_id
        url = record.page_url_for(self.principal)
        return format_html('<a href="{}">{}</a>', url, who) if url else who

    def value_invitee(self, value, record):
        return value or record.user_id

    def render_id(self, value, record):
        return policy.visible_invitation_id(self.principal, record)

    def value_id(self, value, record):
        return policy.visible_invitation_id(self.principal, record)

    def render_inviter(self, value, record):
        return value or record.created_by

    def value_inviter(self, value, record):
        return value or record.created_by

    # Dates on screen, the time on hover (dates.day_column): the table then fits a 1024 px
    # window. The CSV keeps the full timestamp.
    def value_created_at(self, value):
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

    def value_accepted_at(self, value):
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

    def value_status(self, value):
        return value
