"""The deployments list (and its CSV: the same columns; secrets only ever as "set")."""

from __future__ import annotations

import django_tables2 as tables

from config import dates
from config.html import format_html
from config.tables import ConsoleTable

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class JoinColumn(tables.Column):
    def render(self, value):
        return ", ".join(value) if value else "—"

    def value(self, value):
        return ", ".join(value or [])


class PerMillionColumn(tables.Column):
    """A $/token price as people read it ($2.50 / 1M tokens); the CSV keeps $/token."""

    def render(self, value):
        return f"${value * 1e6:,.2f} / 1M" if isinstance(value, (int, float)) else value

    def value(self, value):
        return value if isinstance(value, (int, float)) else ""


class DeploymentTable(ConsoleTable):
    public_name = tables.Column(verbose_name="Model name", orderable=False, empty_values=())
    provider = tables.Column(verbose_name="Provider", orderable=False, default="—")
    model = tables.Column(verbose_name="Provider's model", orderable=False, default="—")
    api_base = tables.Column(verbose_name="api_base", orderable=False, default="—", attrs={"td": {"class": "clip"}})
    rpm = tables.Column(verbose_name="rpm", orderable=False, default="—", attrs=NUM)
    tpm = tables.Column(verbose_name="tpm", orderable=False, default="—", attrs=NUM)
    input_cost_per_token = PerMillionColumn(verbose_name="Input cost", orderable=False, default="—", attrs=NUM)
    output_cost_per_token = PerMillionColumn(verbose_name="Output cost", orderable=False, default="—", attrs=NUM)
    access_groups = JoinColumn(verbose_name="Access groups", orderable=False, empty_values=())
    team_id = tables.Column(verbose_name="Team", orderable=False, default="—")
    secrets = JoinColumn(verbose_name="Secrets set", orderable=False, empty_values=())
    updated_at = dates.day_column(verbose_name="Updated", accessor="row__updated_at", orderable=False)
    updated_by = tables.Column(verbose_name="Updated by", accessor="row__updated_by", orderable=False, visible=False)
    model_id = tables.Column(verbose_name="Model id", orderable=False, visible=False)

    class Meta(ConsoleTable.Meta):
        empty_text = "No deployments match these filters."

    def prepare_records(self, records):
        """The teams' names, one query per page or CSV batch."""
        from accounts.models import TeamTable

        known = getattr(self, "team_names", {})
        ids = {r.team_id for r in records if r.team_id} - set(known)
        if ids:
            names = dict(TeamTable.objects.filter(team_id__in=ids).values_list("team_id", "team_alias"))
            self.team_names = known | {t: names.get(t) or t for t in ids}

    def render_public_name(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.public_name)

    def value_public_name(self, record):
        return record.public_name

    def render_team_id(self, record, value):
        names = getattr(self, "team_names", {})
        return names.get(value, value)

    def value_team_id(self, record, value):
        return value or ""

    def render_secrets(self, value):
        return ", ".join(f"{name}: set" for name in value) if value else "—"

    def value_secrets(self, value):
        return ", ".join(f"{name}: set" for name in value or [])


class ModelRequestTable(ConsoleTable):
    requested_at = dates.day_column(verbose_name="Asked", orderable=False)
    email = tables.Column(verbose_name="Requester", orderable=False, empty_values=())
    models = JoinColumn(verbose_name="Models", orderable=False, empty_values=())
    justification = tables.Column(verbose_name="Why", orderable=False)
    status = tables.Column(verbose_name="Status", orderable=False)
    reason = tables.Column(verbose_name="Reason", orderable=False, default="")
    answer = tables.Column(verbose_name="", orderable=False, empty_values=(), exclude_from_export=True)
    request_id = tables.Column(verbose_name="Request id", orderable=False, visible=False)

    class Meta(ConsoleTable.Meta):
        empty_text = "No model requests."

    def __init__(self, *args, principal=None, **kwargs):
        self.principal = principal
        super().__init__(*args, **kwargs)

    def render_email(self, record):
        return record.email or record.user_id

    def value_email(self, record):
        return record.email or record.user_id

    def render_status(self, value):
        css = {"pending": "badge-warn", "approved": "badge-ok", "disapproved": "badge-danger"}.get(value, "")
        return format_html('<span class="badge {}">{}</span>', css, value)

    def render_answer(self, record):
        from django.urls import reverse

        if (
            record.status != "pending"
            or self.principal is None
            or not self.principal.can_answer_model_request(record.row)
        ):
            return ""
        return format_html(
            '<a class="btn btn-sm" href="{}">Answer</a>',
            reverse("deployments:request_answer", args=[record.request_id]),
        )
