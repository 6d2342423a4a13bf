"""The keys list table."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.safestring import mark_safe

from budgets.thresholds import budget_state
from config import dates, writes
from config.html import format_html
from config.tables import CheckBoxColumn, ConsoleTable, MoneyColumn, money

from .models import VerificationToken
from .status import is_expired, is_over_budget, status_badge, status_label


class DateCol(tables.Column):
    """A day with the full UTC moment on hover (config/dates.py::day_cell; plain formatting:
    django-tables2's DateTimeColumn renders a template per cell, a sizeable share of a 50-row page)."""

    def render(self, value):
        return dates.day_cell(value)

    def value(self, value):
        return dates.export_moment(value) if value else ""


def _key_label(record) -> str:
    return record.key_alias or record.key_name or (record.token[:10] + "…")


class KeyTable(ConsoleTable):
    select = CheckBoxColumn(
        accessor="token",
        attrs={
            "th__input": {"data-select-all": "tokens", "aria-label": "Select all keys on this page"},
            "td__input": {"name": "tokens", "aria-label": "Select key"},
        },
        orderable=False,
        exclude_from_export=True,
    )
    # Accessor "token" (never empty) so keys without an alias still get a link.
    key_alias = tables.Column(
        accessor="token",
        verbose_name="Key",
        linkify=True,
        order_by=("key_alias", "token"),
        attrs={"td": {"class": "key-cell"}},
    )
    key_name = tables.Column(verbose_name="Secret", orderable=False, attrs={"td": {"class": "mono small"}})
    team = tables.Column(
        accessor="team_alias",
        verbose_name="Team",
        orderable=False,
        default="—",
        attrs={"td": {"class": "clip", "title": lambda value: value or ""}},
    )
    owner = tables.Column(
        accessor="user_email",
        verbose_name="Owner",
        orderable=False,
        default="—",
        # Long emails are clipped with an ellipsis: the full address shows on hover.
        attrs={"td": {"class": "clip", "title": lambda value: value or ""}},
    )
    status = tables.Column(
        accessor="token", verbose_name="Status", orderable=False, attrs={"td": {"class": "status-cell"}}
    )
    spend = MoneyColumn(verbose_name="Spend")  # on screen: spend of budget, with a meter
    max_budget = tables.Column(verbose_name="Budget", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    budget_reset_at = DateCol(verbose_name="Resets", default="—")
    expires = DateCol(verbose_name="Expires", default="never")
    # "col-created" lets narrow windows drop this column (CSS) so Expires stays in view.
    created_at = DateCol(
        verbose_name="Created", default="—", attrs={"th": {"class": "col-created"}, "td": {"class": "col-created"}}
    )
    last_active = DateCol(verbose_name="Last active", default="—")

    class Meta(ConsoleTable.Meta):
        model = VerificationToken
        fields = ()
        sequence = (
            "select",
            "key_alias",
            "key_name",
            "team",
            "owner",
            "status",
            "spend",
            "max_budget",
            "budget_reset_at",
            "expires",
            "created_at",
            "last_active",
        )
        order_by = ("-created_at",)
        empty_text = "No keys match these filters."
        attrs = {"class": "table", "id": "keys-table"}

    def __init__(self, *args, show_last_active: bool = True, bulk: bool = True, for_export: bool = False, **kwargs):
        exclude = list(kwargs.pop("exclude", ()) or ())
        if not for_export:
            # On screen the secret's abbreviation sits under the key's name; CSV keeps a column.
            exclude += ["key_name", "budget_reset_at", "max_budget"]
        if not show_last_active:
            exclude.append("last_active")
        if not bulk:
            exclude.append("select")
        super().__init__(*args, exclude=exclude, **kwargs)
        self.for_export = for_export
        self.now = writes.now_utc()

    def prepare_records(self, records):
        from .selectors import attach_labels

        if self.for_export:  # batch after batch of one export: labels seen stay known
            self._known_labels = getattr(self, "_known_labels", None) or {"team": {}, "user": {}}
            attach_labels(records, self._known_labels)
        else:
            attach_labels(records)

    def render_key_alias(self, record):
        if record.key_alias:
            return format_html(
                '<span title="{}">{}</span><span class="key-secret">{}</span>',
                record.key_alias,
                record.key_alias,
                record.key_name or "",
            )
        return format_html('<span class="key-secret only">{}</span>', _key_label(record))

    def value_key_alias(self, record):
        return record.key_alias or ""

    def render_status(self, record):
        badges = [status_badge(record, self.now)]
        if is_over_budget(record):
            badges.append(mark_safe('<span class="badge badge-danger">Over budget</span>'))
        return mark_safe(" ".join(badges))

    def value_status(self, record):
        return status_label(record, self.now)

    def render_max_budget(self, record, spend_first: bool = False):
        if record.max_budget is None:
            return "—"
        pct = 100.0 * (record.spend or 0) / record.max_budget if record.max_budget else 100.0
        state = budget_state(pct)
        label = (
            format_html('{} <span class="muted small">of {}</span>', money(record.spend), money(record.max_budget))
            if spend_first
            else money(record.max_budget)
        )
        return format_html(
            '<div class="budget-cell">{}<div class="meter {}" title="{}% used">'
            '<span style="width:{}%"></span></div></div>',
            label,
            state,
            f"{pct:.0f}",
            f"{min(pct, 100):.0f}",
        )

    def render_spend(self, record):
        if self.for_export or record.max_budget is None:
            return money(record.spend)
        return self.render_max_budget(record, spend_first=True)

    def value_spend(self, record):
        return round(record.spend or 0.0, 6)

    def value_max_budget(self, record):
        return "" if record.max_budget is None else record.max_budget

    def render_expires(self, value):
        if value is None:
            return "never"
        label = dates.day_cell(value)
        if is_expired(value, self.now):
            # The Status column already says "Expired"; the date stays, muted.
            return format_html('<span class="muted">{}</span>', label)
        return label
