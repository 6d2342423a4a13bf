"""budgets.durations matches LiteLLM's duration grammar and aligned reset rule (§2 examples)."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from budgets import durations

# §2's reference instant: 2026-11-20 12:34:56 UTC, a Friday.
NOW = datetime(2026, 11, 20, 12, 34, 56)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("30s", datetime(2026, 11, 20, 12, 35, 0)),
        ("30m", datetime(2026, 11, 20, 13, 0)),
        ("6h", datetime(2026, 11, 20, 18, 0)),
        ("24h", datetime(2026, 11, 21, 0, 0)),
        ("48h", datetime(2026, 11, 21, 0, 0)),  # LiteLLM's quirk: same as 24h
        ("1d", datetime(2026, 11, 21, 0, 0)),
        ("7d", datetime(2026, 11, 23, 0, 0)),  # next Monday
        ("1w", datetime(2026, 11, 23, 0, 0)),
        ("30d", datetime(2026, 12, 1, 0, 0)),  # 1st of next month
        ("1mo", datetime(2026, 12, 1, 0, 0)),
        ("2d", datetime(2026, 11, 22, 0, 0)),
        ("14d", datetime(2026, 12, 4, 0, 0)),
        ("2w", datetime(2026, 12, 4, 0, 0)),
        ("daily", datetime(2026, 11, 21, 0, 0)),
        ("hourly", datetime(2026, 11, 20, 13, 0)),
        ("weekly", datetime(2026, 11, 23, 0, 0)),
        ("monthly", datetime(2026, 12, 1, 0, 0)),
        ("5h", datetime(2026, 11, 20, 15, 0)),
        ("7m", datetime(2026, 11, 20, 12, 35, 0)),
    ],
)
def test_it_aligns_reset_like_litellm(duration, expected):
    assert durations.budget_reset_at(duration, NOW) == expected


def test_it_rolls_month_over_the_year():
    assert durations.budget_reset_at("1mo", datetime(2026, 12, 31, 23, 0)) == datetime(2027, 1, 1)


def test_it_rolls_hours_past_midnight_to_the_next_day():
    assert durations.budget_reset_at("5h", datetime(2026, 11, 20, 22, 10)) == datetime(2026, 11, 21, 1, 0)


def test_it_rolls_minutes_and_seconds_past_midnight():
    assert durations.budget_reset_at("30m", datetime(2026, 11, 20, 23, 45)) == datetime(2026, 11, 21, 0, 0)
    assert durations.budget_reset_at("30s", datetime(2026, 11, 20, 23, 59, 45)) == datetime(2026, 11, 21, 0, 0)


def test_it_rolls_a_week_when_it_is_monday_midnight_exactly():
    monday = datetime(2026, 11, 23, 0, 0)
    assert durations.budget_reset_at("7d", monday) == datetime(2026, 11, 30, 0, 0)


def test_it_honours_the_proxy_timezone(settings):
    settings.LITELLM_TIMEZONE = "America/New_York"  # UTC-5 in November
    # 12:34:56 UTC is 07:34:56 in New York: next New York midnight is 05:00 UTC on the 21st.
    assert durations.budget_reset_at("1d", NOW) == datetime(2026, 11, 21, 5, 0)
    assert durations.budget_reset_at("7d", NOW) == datetime(2026, 11, 23, 5, 0)
    assert durations.budget_reset_at("1mo", NOW) == datetime(2026, 12, 1, 5, 0)
    assert durations.budget_reset_at("6h", NOW) == datetime(2026, 11, 20, 17, 0)  # 12:00 local


def test_it_uses_the_local_date_of_the_proxy_timezone(settings):
    settings.LITELLM_TIMEZONE = "Asia/Kolkata"  # UTC+5:30: 2026-11-20 23:00 UTC is the 21st there
    assert durations.budget_reset_at("1d", datetime(2026, 11, 20, 23, 0)) == datetime(2026, 11, 21, 18, 30)


def test_it_honours_the_reset_time_of_day(settings):
    settings.LITELLM_BUDGET_RESET_TIME = "12:00"
    # Today's 12:00 has passed at 12:34:56, so tomorrow's.
    assert durations.budget_reset_at("1d", NOW) == datetime(2026, 11, 21, 12, 0)
    assert durations.budget_reset_at("1d", datetime(2026, 11, 20, 9, 0)) == datetime(2026, 11, 20, 12, 0)
    assert durations.budget_reset_at("7d", NOW) == datetime(2026, 11, 23, 12, 0)
    assert durations.budget_reset_at("30d", NOW) == datetime(2026, 12, 1, 12, 0)
    assert durations.budget_reset_at("2d", NOW) == datetime(2026, 11, 22, 12, 0)
    # Sub-day units ignore the time of day.
    assert durations.budget_reset_at("6h", NOW) == datetime(2026, 11, 20, 18, 0)


def test_it_keeps_this_months_first_when_reset_time_is_still_ahead(settings):
    settings.LITELLM_BUDGET_RESET_TIME = "18:00"
    assert durations.budget_reset_at("1mo", datetime(2026, 11, 1, 9, 0)) == datetime(2026, 11, 1, 18, 0)


def test_it_combines_timezone_and_reset_time(settings):
    settings.LITELLM_TIMEZONE = "Europe/Berlin"  # UTC+1 in November
    settings.LITELLM_BUDGET_RESET_TIME = "09:30"
    assert durations.budget_reset_at("1d", NOW) == datetime(2026, 11, 21, 8, 30)


def test_it_returns_naive_utc():
    assert durations.budget_reset_at("1d").tzinfo is None


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [("30s", 30), ("5m", 300), ("2h", 7200), ("1d", 86400), ("2w", 1209600), ("daily", 86400), ("monthly", 2592000)],
)
def test_it_counts_seconds_like_litellm(duration, seconds):
    assert durations.duration_in_seconds(duration) == seconds


def test_it_counts_months_from_now():
    assert durations.duration_in_seconds("1mo", now=datetime(2026, 2, 10)) == 28 * 86400
    assert durations.duration_in_seconds("2mo", now=datetime(2026, 1, 31)) == (28 + 31) * 86400


@pytest.mark.parametrize(
    "duration", ["1s", "1m", "1h", "24h", "1d", "7d", "1w", "30d", "1mo", "2d", "daily", " Weekly "]
)
def test_it_accepts_what_litellm_accepts(duration):
    assert durations.validate_budget_duration(duration) == duration


@pytest.mark.parametrize("duration", ["2mo", "30", "0d", "0h", "d", "", "abc", "-1d", "1.5h", " 1d", "1 d", "1D"])
def test_it_rejects_what_litellm_rejects(duration):
    with pytest.raises(ValidationError):
        durations.validate_budget_duration(duration)


def test_it_explains_the_month_rule():
    with pytest.raises(ValidationError, match="Only 1mo"):
        durations.validate_budget_duration("2mo")


def test_key_expiry_is_exact_and_allows_months():
    assert durations.key_expires("30d", NOW) == datetime(2026, 12, 20, 12, 34, 56)
    assert durations.key_expires("2mo", NOW) == datetime(2027, 1, 20, 12, 34, 56)
    assert durations.key_expires("24h", NOW) == datetime(2026, 11, 21, 12, 34, 56)
    assert durations.key_expires(None, NOW) is None


def test_expiry_validation_rejects_unitless_numbers():
    with pytest.raises(ValidationError):
        durations.validate_expiry_duration("30")
    assert durations.validate_expiry_duration("2mo") == "2mo"


@pytest.mark.parametrize("duration", ["0d", "0s", "0mo", "3000000d", "99999999999999999999999d", "1300mo"])
def test_expiry_refuses_zero_and_more_than_a_century(duration):
    with pytest.raises(ValidationError):
        durations.validate_expiry_duration(duration)
    assert durations.validate_expiry_duration("36500d") == "36500d"


@pytest.mark.parametrize("duration", ["3000000d", "99999999999999999999999h"])
def test_budget_durations_past_a_century_are_refused_not_overflowed(duration):
    assert "at most 100 years" in durations.budget_duration_error(duration)
