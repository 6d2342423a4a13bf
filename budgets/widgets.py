"""The per-model budget editor: rows of model name + max budget + optional duration.

LiteLLM stores `model_max_budget` as {"<model>": {"max_budget": float, "budget_duration": "1d"}}
(legacy rows may say {"budget_limit", "time_period"}; types/utils.py::BudgetConfig reads both).
People edit it as a small table, never as raw JSON. Each row posts three parallel lists
(<name>-model, <name>-max_budget, <name>-duration); a hidden, disabled template row is cloned by
console.js (`data-add-row`), so the editor works without JavaScript too (one spare empty row).
"""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


def model_budget_items(value) -> list[dict]:
    """A stored model_max_budget as {"model", "max_budget", "duration"} dicts, read the way
    BudgetConfig reads it: either spelling, a missing or null half, or a non-dict entry (None)."""
    items = []
    if isinstance(value, dict):
        for model, config in value.items():
            config = config if isinstance(config, dict) else {}
            max_budget = config.get("max_budget")
            if max_budget is None:
                max_budget = config.get("budget_limit")
            duration = config.get("budget_duration") or config.get("time_period")
            if not isinstance(max_budget, (int, float)) or isinstance(max_budget, bool):
                max_budget = None
            items.append({"model": str(model), "max_budget": max_budget, "duration": str(duration or "")})
    return items


def budget_rows(value) -> list[dict]:
    """Rows for display from a stored model_max_budget dict (either spelling), or from the
    list of row dicts a bound form carries back after a validation error."""
    if isinstance(value, list):
        return value
    return [
        {
            "model": item["model"],
            "max_budget": "" if item["max_budget"] is None else _plain(item["max_budget"]),
            "duration": item["duration"],
        }
        for item in model_budget_items(value)
    ]


def _plain(value) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class ModelBudgetEditor(forms.Widget):
    template_name = "budgets/widgets/model_budget_editor.html"
    # One empty row is always rendered so the editor works without JavaScript.
    spare_rows = 1

    def __init__(self, attrs=None, model_choices=()):
        super().__init__(attrs)
        self.model_choices = list(model_choices)

    def value_from_datadict(self, data, files, name):
        models = data.getlist(f"{name}-model") if hasattr(data, "getlist") else []
        budgets = data.getlist(f"{name}-max_budget") if hasattr(data, "getlist") else []
        periods = data.getlist(f"{name}-duration") if hasattr(data, "getlist") else []
        rows = []
        for index, model in enumerate(models):
            rows.append(
                {
                    "model": (model or "").strip(),
                    "max_budget": (budgets[index] if index < len(budgets) else "").strip(),
                    "duration": (periods[index] if index < len(periods) else "").strip(),
                }
            )
        return rows

    def value_omitted_from_data(self, data, files, name):
        # An editor with every row removed posts nothing: that means "no per-model budgets".
        return False

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        rows = [r for r in budget_rows(value) if any(r.values())]
        context = {
            "name": name,
            "table_id": f"{attrs.get('id', 'id_' + name)}-rows",
            "rows": rows,
            "spare": range(self.spare_rows),
            "model_choices": self.model_choices,
            "datalist_id": f"{attrs.get('id', 'id_' + name)}-models",
        }
        return render_to_string(self.template_name, context)

    def id_for_label(self, id_):
        return f"{id_}-rows" if id_ else id_


class DurationInput(forms.TextInput):
    """A text input that suggests LiteLLM's common durations (any valid one may be typed)."""

    suggestions = ("1h", "24h", "1d", "7d", "30d", "1mo")

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id', 'id_' + name)}-suggestions"
        attrs["list"] = list_id
        html = super().render(name, value, attrs, renderer)
        options = "".join(f'<option value="{s}">' for s in self.suggestions)
        return mark_safe(f'{html}<datalist id="{list_id}">{options}</datalist>')


def _display_value(value) -> str:
    """Text shows as typed; anything else (and text that would read back as JSON, like "10")
    as JSON, so saving an untouched row stores exactly the same value."""
    import json

    from config.validation import UnstorableJSON, parse_json

    if isinstance(value, str):
        try:
            parse_json(value)
        except UnstorableJSON:  # e.g. the text "NaN": quoted, so saving it keeps the text
            pass
        except ValueError:
            return value
    return json.dumps(value)


class KeyValueEditor(forms.Widget):
    """Rows of name + value for a JSON object (e.g. key metadata). Values that parse as JSON
    (numbers, true/false, lists, objects) are stored as JSON; anything else as text."""

    template_name = "budgets/widgets/key_value_editor.html"

    def value_from_datadict(self, data, files, name):
        names = data.getlist(f"{name}-name") if hasattr(data, "getlist") else []
        values = data.getlist(f"{name}-value") if hasattr(data, "getlist") else []
        return [
            {"name": (n or "").strip(), "value": (values[i] if i < len(values) else "")} for i, n in enumerate(names)
        ]

    def value_omitted_from_data(self, data, files, name):
        return False

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if isinstance(value, dict):
            rows = [{"name": k, "value": _display_value(v)} for k, v in value.items()]
        else:
            rows = [r for r in (value or []) if r.get("name") or r.get("value")]
        context = {"name": name, "table_id": f"{attrs.get('id', 'id_' + name)}-rows", "rows": rows}
        return render_to_string(self.template_name, context)

    def id_for_label(self, id_):
        return f"{id_}-rows" if id_ else id_
