"""The dashboard's period/scope form and the log explorers' filter forms (all GET)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import forms

from config.entity_filters import EntityField, ResolvesEntities
from config.writes import now_utc
from usage.models import SpendLogs

from . import selectors

LOG_WINDOWS = [
    ("1h", "Last hour"),
    ("24h", "Last 24 hours"),
    ("7d", "Last 7 days"),
    ("31d", "Last 31 days"),
    ("custom", "Custom"),
]
WINDOW_DELTAS = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "31d": timedelta(days=31),
}


# Usage starts long after 2000 and cannot lie more than a year ahead; outside that, a period
# (and the one before it, for comparison) would overflow date arithmetic (year 1, year 9999).
EARLIEST_DATE = date(2000, 1, 1)
RANGE_MESSAGE = "Pick a date between 1 Jan 2000 and a year from today."


def _out_of_range(value) -> bool:
    if value is None:
        return False
    day = value.date() if isinstance(value, datetime) else value
    return day < EARLIEST_DATE or day > now_utc().date() + timedelta(days=366)


class DashboardForm(forms.Form):
    range = forms.ChoiceField(choices=selectors.RANGE_CHOICES, required=False, initial="30d", label="Period")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From (UTC)")
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To (UTC)")
    scope = forms.ChoiceField(choices=selectors.SCOPE_KINDS, required=False, label="Scope")
    id = forms.CharField(required=False, label="Which", max_length=200)
    stack = forms.ChoiceField(choices=[("model", "model"), ("team", "team")], required=False)

    def clean(self):
        data = super().clean()
        data["range"] = data.get("range") or "30d"
        for name in ("start", "end"):
            if _out_of_range(data.get(name)):
                self.add_error(name, RANGE_MESSAGE)
        if self.errors:
            return data
        if data["range"] == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                self.add_error("start" if not start else "end", "Give both dates of a custom period.")
            elif end < start:
                self.add_error("end", "The end date is before the start date.")
            elif (end - start).days + 1 > selectors.MAX_CUSTOM_DAYS:
                self.add_error("end", f"A period can span at most {selectors.MAX_CUSTOM_DAYS} days.")
        return data

    def period(self) -> selectors.Period:
        data = self.cleaned_data
        return selectors.period_for(data["range"], start=data.get("start"), end=data.get("end"))


class _WindowForm(forms.Form):
    """A required time window (default: the last 24 hours; at most 31 days), naive UTC."""

    window = forms.ChoiceField(choices=LOG_WINDOWS, required=False, initial="24h", label="Time window")
    start = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="From (UTC)"
    )
    end = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="To (UTC)"
    )

    def clean(self):
        data = super().clean()
        window = data.get("window") or "24h"
        data["window"] = window
        now = now_utc()
        for name in ("start", "end"):
            if _out_of_range(data.get(name)):
                self.add_error(name, RANGE_MESSAGE)
        if self.errors:
            return data
        if window == "custom":
            start, end = data.get("start"), data.get("end") or now
            if not start:
                self.add_error("start", "A custom window needs a start time.")
                return data
            if end <= start:
                self.add_error("end", "The end is not after the start.")
                return data
            if end - start > selectors.MAX_LOG_WINDOW:
                self.add_error("end", "A window can span at most 31 days; narrow it down.")
                return data
        else:
            end = now + timedelta(minutes=1)  # the proxy may stamp a request a moment ahead
            start = now - WINDOW_DELTAS[window]
        data["window_start"], data["window_end"] = start, end
        return data


class SpendLogFilterForm(ResolvesEntities, _WindowForm):
    """Entity fields take what the pages show (alias, email, model group) or the id; each
    cleans to a config.lookups.Match (construct with principal=)."""

    key = EntityField("key", label="Key", placeholder="alias, sk-… or hash")
    user = EntityField("user", label="User", placeholder="email or user id")
    team = EntityField("team", label="Team", placeholder="team name or id")
    org = EntityField("org", label="Organization", placeholder="name or id")
    model = EntityField("model", label="Model", placeholder="group or model")
    end_user = EntityField("end_user", label="End user", placeholder="customer id")
    status = forms.ChoiceField(
        choices=[("", "Any"), ("success", "Success"), ("failure", "Failure")], required=False, label="Status"
    )
    min_spend = forms.FloatField(required=False, min_value=0, label="Min spend ($)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not SpendLogs.has_column("status"):  # the seed-era schema has no status column
            del self.fields["status"]
        if self.principal is None or not self.principal.can_open("organizations"):
            del self.fields["org"]  # only for those who see organizations at all


class ErrorLogFilterForm(ResolvesEntities, _WindowForm):
    model = EntityField("model", label="Model", placeholder="group or model")
    exception_type = forms.CharField(required=False, label="Exception", max_length=200)
    status_code = forms.CharField(required=False, label="Status code", max_length=10)
