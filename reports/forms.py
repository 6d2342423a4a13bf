from datetime import timedelta

from django import forms

from config.writes import now_utc

from .reconcile import DEFAULT_THRESHOLD, KIND_LABELS

MAX_DAYS = 366


class ReconcileForm(forms.Form):
    kind = forms.ChoiceField(label="Entity", choices=list(KIND_LABELS.items()), initial="key")
    start = forms.DateField(label="From (UTC day)", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (UTC day)", widget=forms.DateInput(attrs={"type": "date"}))
    threshold = forms.DecimalField(
        label="Show drift above ($)", min_value=0, max_value=1_000_000, decimal_places=4, initial=DEFAULT_THRESHOLD
    )

    @classmethod
    def defaults(cls) -> dict:
        today = now_utc().date()
        return {"kind": "key", "start": today - timedelta(days=6), "end": today, "threshold": DEFAULT_THRESHOLD}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The last day must not be before the first.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("start", f"Pick at most {MAX_DAYS} days.")
        return data
