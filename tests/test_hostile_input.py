"""Hostile input answers 400 (or the form again, with a message), never 500, and writes nothing."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse

from keys.models import VerificationToken
from tests import factories

pytestmark = pytest.mark.django_db(databases=["default", "litellm"])


@pytest.fixture
def admin(cast, client_for):
    client = client_for(cast.proxy_admin)
    client.raise_request_exception = False
    return client


def create_key(client, cast, **fields):
    data = {"key_alias": "hostile", "team_id": cast.team["team_id"], **fields}
    return client.post(reverse("keys:key_create"), data)


@pytest.mark.parametrize(
    "url",
    [
        "/keys/?q=a%00b",
        "/keys/?team_id=%00",
        "/usage/logs/?model=gpt%00",
        "/usage/?scope=team&id=%00",
        "/end-users/?q=%00",
        "/keys/abc%00/",
        "/usage/logs/?after=%00",
    ],
)
def test_nul_anywhere_in_a_request_is_a_400_with_a_message(admin, url):
    response = admin.get(url)
    assert response.status_code == 400
    assert "NUL characters" in response.content.decode()


def test_nul_in_a_post_is_a_400_and_writes_nothing(admin, cast):
    before = VerificationToken.objects.count()
    response = create_key(admin, cast, key_alias="nul\x00alias")
    assert response.status_code == 400 and "NUL characters" in response.content.decode()
    response = create_key(admin, cast, **{"metadata-name": ["a"], "metadata-value": ["x\x00y"]})
    assert response.status_code == 400
    assert VerificationToken.objects.count() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "NaN is not a JSON number"),
        ("[1, Infinity]", "Infinity is not a JSON number"),
        ("-Infinity", "-Infinity is not a JSON number"),
        ('"\\u0000"', "NUL characters"),
        ('{"a": "\\ud800"}', "unpaired surrogate"),
        ("[" * 21 + "]" * 21, "at most 20 levels"),
        ("[" * 100_000, "at most 20 levels"),  # the parser would hit RecursionError
    ],
)
def test_metadata_json_postgres_would_refuse_is_refused_next_to_the_field(admin, cast, value, message):
    before = VerificationToken.objects.count()
    response = create_key(admin, cast, **{"metadata-name": ["label"], "metadata-value": [value]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert VerificationToken.objects.count() == before


def test_metadata_that_is_fine_still_saves(admin, cast):
    response = create_key(admin, cast, **{"metadata-name": ["a", "b"], "metadata-value": ["[" * 5 + "]" * 5, "x"]})
    assert response.status_code == 200
    key = VerificationToken.objects.get(key_alias="hostile")
    assert key.metadata == {"a": [[[[[]]]]], "b": "x"}


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("3000000d", "at most 100 years"),
        ("99999999999999999999999999d", "at most 100 years"),
        ("1300mo", "at most 100 years"),
        ("0d", "longer than 0"),
        ("0s", "longer than 0"),
    ],
)
def test_key_expiry_out_of_range_is_refused(admin, cast, duration, message):
    response = create_key(admin, cast, duration=duration)
    assert response.status_code == 200 and message in response.content.decode()
    assert not VerificationToken.objects.filter(key_alias="hostile").exists()
    key = factories.make_key(alias="existing", team_id=cast.team["team_id"])
    response = admin.post(
        reverse("keys:key_edit", args=[key["token"]]), {"key_alias": "existing", "new_duration": duration}
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert VerificationToken.objects.get(token=key["token"]).expires is None


@pytest.mark.parametrize("duration", ["3000000d", "0d", "0s", "abc"])
def test_per_model_budget_durations_follow_the_budget_grammar(admin, cast, duration):
    response = create_key(
        admin,
        cast,
        **{
            "model_max_budget-model": ["gpt-4o"],
            "model_max_budget-max_budget": ["5"],
            "model_max_budget-duration": [duration],
        },
    )
    assert response.status_code == 200 and "Row 1 (gpt-4o)" in response.content.decode()
    assert not VerificationToken.objects.filter(key_alias="hostile").exists()


@pytest.mark.parametrize(
    "query",
    [
        {"range": "custom", "start": "0001-01-01", "end": "0001-01-05"},
        {"range": "custom", "start": "9999-12-25", "end": "9999-12-31"},
        {"range": "custom", "start": "2024-01-01", "end": "9999-12-31"},
    ],
)
def test_usage_ranges_far_in_the_past_or_future_are_refused_by_the_form(admin, query):
    response = admin.get(reverse("usage:dashboard"), query)
    assert response.status_code == 200
    assert "Pick a date between 1 Jan 2000" in response.content.decode()


@pytest.mark.parametrize("name", ["usage:spendlog_list", "usage:errorlog_list"])
def test_log_windows_in_year_1_or_9999_are_refused(admin, name):
    for start in ("0001-01-01T00:00", "9999-12-31T23:00"):
        response = admin.get(reverse(name), {"window": "custom", "start": start})
        assert response.status_code == 200
        assert "Pick a date between 1 Jan 2000" in response.content.decode()


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("name", ["usage:spendlog_list", "usage:errorlog_list"])
@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%",
        _b64("no-bar"),
        _b64("2024-13-45|x"),
        _b64("2024-01-01T00:00:00+05:00|x"),
        _b64("2024-01-01|a\x00b"),
    ],
)
def test_malformed_keyset_cursors_are_a_400(admin, name, cursor):
    response = admin.get(reverse(name), {"after": cursor, "page": "²"})
    assert response.status_code == 400
    assert "page link is damaged" in response.content.decode()


def test_a_cursor_the_console_wrote_still_pages(admin):
    from usage import selectors

    response = admin.get(
        reverse("usage:spendlog_list"), {"after": selectors.encode_cursor(factories.now_utc(), "z"), "page": "²"}
    )
    assert response.status_code == 200
