"""The SVG charts: round ticks, a tooltip per bar, a text alternative with the drawn data."""

from __future__ import annotations

from datetime import date, timedelta

from usage import charts


def test_ticks_are_round_and_cover_the_maximum():
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(9.3) == [0, 2, 4, 6, 8, 10]
    assert charts.nice_ticks(1234) == [0, 250, 500, 750, 1000, 1250]
    assert charts.nice_ticks(0.07)[-1] >= 0.07


def test_values_are_shortened_for_axes():
    assert charts.format_value(1_500_000, "int") == "1.5M"
    assert charts.format_value(12_000, "int") == "12k"
    assert charts.format_value(2500, "money") == "$2.5k"
    assert charts.format_value(0.5, "money") == "$0.50"


def test_a_stacked_chart_has_a_tooltip_per_segment_and_its_data_as_a_table():
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(3)]
    chart = charts.stacked_bars(
        "spend", "Spend", days, {"gpt-4o": [1.0, 0.0, 2.5], "claude": [0.5, 0.0, 0.0]}, kind="money"
    )
    svg = str(chart.svg)
    assert 'role="img"' in svg and 'aria-label="Spend"' in svg
    assert svg.count("<rect") == 3  # empty segments are not drawn
    assert "<title>2026-01-03 · gpt-4o: $2.5000</title>" in svg
    assert chart.header == ["date", "gpt-4o", "claude", "total"]
    assert chart.rows[0] == ["2026-01-01", 1.0, 0.5, 1.5]
    table = str(chart.table_html())
    assert "<caption" in table and "2026-01-02" in table and "$1.5000" in table
    assert [label for label, _ in chart.legend] == ["gpt-4o", "claude"]


def test_the_budget_line_is_drawn_only_with_a_budget():
    days = [date(2026, 1, 1), date(2026, 1, 2)]
    with_budget = charts.cumulative_line("budget", "Budget", days, [1.0, 3.0], 10.0)
    assert "budget $10" in str(with_budget.svg) and with_budget.header[-1] == "budget"
    without = charts.cumulative_line("budget", "Budget", days, [1.0, 3.0], None)
    assert "stroke-dasharray" not in str(without.svg)


def test_labels_are_escaped():
    chart = charts.stacked_bars("x", "<b>", [date(2026, 1, 1)], {"<script>": [1.0]})
    assert "<script>" not in str(chart.svg) and "&lt;script&gt;" in str(chart.svg)
