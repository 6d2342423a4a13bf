"""The shared budget editor: validation, per-model rows, changed columns, consequences."""

from datetime import datetime

from django.http import QueryDict

from budgets import durations
from budgets.forms import BudgetFieldsMixin, budget_changes, budget_consequences

NOW = datetime(2026, 11, 20, 12, 34, 56)


class DemoForm(BudgetFieldsMixin):
    pass


def post(**fields):
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


def test_it_accepts_litellm_durations_and_limits():
    form = DemoForm(post(max_budget="10", budget_duration="30d", tpm_limit="100", rpm_limit="5"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["budget_duration"] == "30d"
    assert form.cleaned_data["max_budget"] == 10.0


def test_it_rejects_what_litellm_rejects_next_to_the_field():
    for bad in ("2mo", "30", "0d"):
        form = DemoForm(post(budget_duration=bad))
        assert not form.is_valid()
        assert "budget_duration" in form.errors


def test_it_rejects_negative_budgets():
    form = DemoForm(post(max_budget="-1"))
    assert not form.is_valid() and "max_budget" in form.errors


def test_it_reads_per_model_rows_into_litellms_shape():
    form = DemoForm(
        post(
            **{
                "model_max_budget-model": ["gpt-4o", "claude", ""],
                "model_max_budget-max_budget": ["10", "2.5", ""],
                "model_max_budget-duration": ["1d", "", ""],
            }
        )
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["model_max_budget"] == {
        "gpt-4o": {"max_budget": 10.0, "budget_duration": "1d"},
        "claude": {"max_budget": 2.5},
    }


def test_it_explains_bad_model_rows():
    form = DemoForm(
        post(
            **{
                "model_max_budget-model": ["gpt-4o", "gpt-4o", "x"],
                "model_max_budget-max_budget": ["1", "2", "abc"],
                "model_max_budget-duration": ["", "", ""],
            }
        )
    )
    assert not form.is_valid()
    errors = " ".join(form.errors["model_max_budget"])
    assert "appears twice" in errors and "number of dollars" in errors


def test_it_renders_existing_model_budgets_as_rows():
    form = DemoForm(initial={"model_max_budget": {"gpt-4o": {"budget_limit": 3, "time_period": "7d"}}})
    html = str(form["model_max_budget"])
    assert 'value="gpt-4o"' in html and 'value="3"' in html and 'value="7d"' in html
    assert "data-add-row" in html


def test_it_limits_fields_per_entity():
    form = DemoForm(budget_field_names=("max_budget", "budget_duration"))
    assert set(form.fields) == {"max_budget", "budget_duration"}


def test_changes_are_only_what_changed():
    before = {"max_budget": 10.0, "budget_duration": "30d", "tpm_limit": None, "model_max_budget": {}}
    cleaned = {"max_budget": 10.0, "budget_duration": "30d", "tpm_limit": None, "model_max_budget": {}}
    assert budget_changes(cleaned, before, now=NOW) == {}


def test_a_new_duration_is_left_for_the_service_to_reset():
    """The form passes budget_duration on; the service sets budget_reset_at (one rule for all)."""
    assert budget_changes({"budget_duration": "7d"}, {"budget_duration": "30d"}) == {"budget_duration": "7d"}
    assert budget_changes({"budget_duration": None}, {"budget_duration": "1d"}) == {"budget_duration": None}


def test_the_aligned_reset_of_a_new_duration():
    assert durations.budget_reset_at("7d", NOW) == datetime(2026, 11, 23)


def test_model_budgets_keep_settings_the_editor_does_not_show():
    before = {"model_max_budget": {"gpt-4o": {"max_budget": 1.0, "tpm_limit": 50}}}
    changes = budget_changes({"model_max_budget": {"gpt-4o": {"max_budget": 2.0}}}, before)
    assert changes == {"model_max_budget": {"gpt-4o": {"max_budget": 2.0, "tpm_limit": 50}}}


def test_consequences_say_spend_is_over_and_when_it_resets():
    lines = budget_consequences(12.5, 10.0, "30d", now=NOW)
    assert lines[0].startswith("Current spend $12.50 is already over the new budget of $10.00")
    assert "resets on 2026-12-01 00:00 UTC, then on the 1st of each month" in lines[-1]


def test_consequences_of_a_one_time_cap():
    lines = budget_consequences(1.0, 10.0, None)
    assert "$9.00 of the $10.00 budget remains" in lines[0]
    assert "one-time" in lines[-1]


def test_consequences_use_the_stored_reset_when_given():
    lines = budget_consequences(0, None, "1d", reset_at=datetime(2026, 11, 21))
    assert lines == [
        "Spend resets on 2026-11-21 00:00 UTC, then every day at 00:00 UTC. "
        "LiteLLM aligns 1d to midnight in the proxy's time zone (UTC)."
    ]
    assert durations.budget_reset_at("1d", NOW) == datetime(2026, 11, 21)


def test_legacy_model_budget_spelling_is_not_rewritten_when_unchanged():
    before = {"model_max_budget": {"gpt-4o": {"budget_limit": 3, "time_period": "7d"}}}
    cleaned = {"model_max_budget": {"gpt-4o": {"max_budget": 3.0, "budget_duration": "7d"}}}
    assert budget_changes(cleaned, before) == {}
    cleaned = {"model_max_budget": {"gpt-4o": {"max_budget": 4.0, "budget_duration": "7d"}}}
    assert budget_changes(cleaned, before) == cleaned


def test_per_model_durations_follow_the_same_grammar_as_budget_durations():
    for bad in ("0d", "0s", "2mo", "30", "3000000d"):
        form = DemoForm(
            post(
                **{
                    "model_max_budget-model": ["gpt-4o"],
                    "model_max_budget-max_budget": ["1"],
                    "model_max_budget-duration": [bad],
                }
            )
        )
        assert not form.is_valid(), bad
        assert durations.budget_duration_error(bad) is not None
        assert "Row 1 (gpt-4o)" in " ".join(form.errors["model_max_budget"])
    for good in ("1d", "daily", "1mo", "7d"):
        form = DemoForm(
            post(
                **{
                    "model_max_budget-model": ["gpt-4o"],
                    "model_max_budget-max_budget": ["1"],
                    "model_max_budget-duration": [good],
                }
            )
        )
        assert form.is_valid(), (good, form.errors)
