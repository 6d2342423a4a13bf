"""One number reader: the key page, the user page, the budget forecast and the home page read
a scope's daily spend through usage/daily.py, with the dashboard's table and filter for that
scope, so each shows the dashboard's number even where the daily tables disagree (an older
proxy's duplicate or missing rows)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from config.writes import now_utc
from keys.models import VerificationToken
from tests import factories
from usage import selectors

pytestmark = pytest.mark.django_db(databases="__all__")


def dashboard_spend(kind: str, value: str | None, range_key: str = "30d") -> float:
    scope = selectors.Scope(kind=kind, value=value)
    return next(f.value for f in selectors.figures(scope, selectors.period_for(range_key)) if f.key == "spend")


@pytest.fixture
def usage(cast):
    owner = factories.make_user(email="reader@example.com", max_budget=100.0)
    key = factories.make_key(
        alias="reader-key", user_id=owner["user_id"], team_id=cast.team["team_id"], max_budget=100.0
    )
    today = now_utc().date()
    for offset, user_spend, team_spend in ((0, 2.0, 3.0), (3, 1.0, 1.0), (10, 4.0, 0.5)):
        day = (today - timedelta(days=offset)).isoformat()
        common = dict(api_key=key["token"], api_requests=1, prompt_tokens=10, completion_tokens=5)
        factories.make_daily_user_spend(owner["user_id"], day, spend=user_spend, **common)
        factories.make_daily_team_spend(cast.team["team_id"], day, spend=team_spend, **common)
    return owner, key


def test_key_page_user_page_forecast_and_home_show_the_dashboards_numbers(cast, client_for, usage):
    owner, key = usage
    client = client_for(cast.proxy_admin)

    key_page = client.get(reverse("keys:key_detail", args=[key["token"]])).context
    assert key_page["usage_total"] == pytest.approx(dashboard_spend("key", key["token"]))
    assert key_page["forecast"].daily_pace * 7 == pytest.approx(dashboard_spend("key", key["token"], "7d"))

    user_page = client.get(reverse("accounts:user_detail", args=[owner["user_id"]])).context
    assert user_page["usage_totals"]["spend"] == pytest.approx(dashboard_spend("user", owner["user_id"]))
    assert user_page["forecast"].daily_pace * 7 == pytest.approx(dashboard_spend("user", owner["user_id"], "7d"))

    home = client.get(reverse("home")).context["figures"]
    this_month = dashboard_spend("proxy", None, "this_month")
    assert home["spend_this_month"] == pytest.approx(this_month)
    assert VerificationToken.objects.filter(token=key["token"]).exists()
