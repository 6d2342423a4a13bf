"""A spend spike alerts once per entity and day; a periodic slot becomes one job however many
workers defer it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from alerts.evaluate import evaluate
from alerts.models import Alert
from config.writes import now_utc
from tests import factories


@pytest.mark.django_db(databases=["default", "litellm"])
def test_a_spike_day_triggers_one_spike_alert(cast, smtp, settings, client, client_for):
    settings.ALERT_SPIKE_MIN_SPEND = 10.0
    today = now_utc().date()
    key = factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"], alias="batch-job")
    for back, spend in enumerate([4.0, 5.0, 6.0, 5.0, 4.5, 5.5, 5.0, 4.0, 6.0, 5.0, 5.0, 4.5, 5.5, 5.0], start=1):
        day = (today - timedelta(days=back)).isoformat()
        factories.make_daily_spend(
            cast.member["user_id"], cast.team["team_id"], day, api_key=key["token"], spend=spend, model="m-1"
        )
    quiet = factories.make_key(user_id=cast.outsider["user_id"], alias="steady")
    for back in range(0, 15):  # the same 20 every day, today included: no spike
        day = (today - timedelta(days=back)).isoformat()
        factories.make_daily_user_spend(cast.outsider["user_id"], day, api_key=quiet["token"], spend=20.0, model="m-2")
    factories.make_daily_spend(
        cast.member["user_id"], cast.team["team_id"], today.isoformat(), api_key=key["token"], spend=60.0, model="m-1"
    )

    spikes = [a for a in evaluate(deliver_now=True).created if a.rule == "spike"]
    assert sorted((a.kind, a.object_id) for a in spikes) == sorted(
        [("key", key["token"]), ("user", cast.member["user_id"]), ("team", cast.team["team_id"]), ("model", "m-1")]
    )
    by_kind = {a.kind: a for a in spikes}
    assert by_kind["key"].baseline == 5.0 and by_kind["key"].status == "sent"
    assert set(by_kind["key"].recipients) >= {"member@example.com", "teamadmin@example.com"}
    assert evaluate(deliver_now=True).created == []
    assert Alert.objects.filter(rule="spike", kind="key").count() == 1

    client.force_login(cast.ops)  # the usage dashboard marks the day
    page = client.get(f"/usage/?scope=key&id={key['token']}&range=7d").content.decode()
    assert f"Spend spike:</strong>\n  {today.isoformat()} (60.00 USD against a 14-day median of 5.00)" in page
    page = client.get(f"/usage/?scope=key&id={quiet['token']}&range=7d").content.decode()
    assert "Spend spike" not in page
    assert client.get(f"/keys/{key['token']}/").content.decode().count("spend spike") == 1  # and the key's page
    assert "spend spike" not in client.get(f"/keys/{quiet['token']}/").content.decode()
    # the team's and the user's pages too
    team_page = client.get(f"/teams/{cast.team['team_id']}/").content.decode()
    assert f"Spend spike (last 30 days):</strong>\n  {today.isoformat()} (60.00 USD" in team_page
    assert "Spend spike" not in client.get(f"/teams/{cast.other_team['team_id']}/").content.decode()
    assert client.get(f"/users/{cast.member['user_id']}/").content.decode().count("spend spike") == 1
    assert "spend spike" not in client.get(f"/users/{cast.outsider['user_id']}/").content.decode()
    # someone who sees the team but not alerts gets no marks
    own_team = client_for(cast.member).get(f"/teams/{cast.team['team_id']}/")
    assert own_team.status_code == 200 and "Spend spike" not in own_team.content.decode()


SLOT = 1_700_000_100


@pytest.mark.django_db(transaction=True, databases=["default", "litellm"])
def test_two_workers_defer_one_periodic_slot_once(empty_queue):
    from procrastinate.contrib.django import app

    with app.replace_connector(app.connector.get_worker_connector()):
        task = app.tasks["alerts.evaluate"]

        async def both():
            await app.open_async()
            try:
                job = task.configure(task_kwargs={"timestamp": SLOT}).job
                defer = app.job_manager.defer_periodic_job
                return await asyncio.gather(*(defer(job=job, periodic_id="", defer_timestamp=SLOT) for _ in range(2)))
            finally:
                await app.close_async()

        ids = asyncio.run(both())
    assert sorted(i is None for i in ids) == [False, True]


def _statements(run) -> int:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with (
        CaptureQueriesContext(connections["default"]) as console,
        CaptureQueriesContext(connections["litellm"]) as proxy,
    ):
        run()
    return len(console) + len(proxy)


@pytest.mark.django_db(databases=["default", "litellm"])
def test_one_pass_takes_the_same_number_of_statements_for_3_or_30_budgets(cast, smtp):
    def budgets(n, spend):
        for i in range(n):
            factories.make_key(
                user_id=cast.member["user_id"],
                team_id=cast.team["team_id"],
                spend=spend,
                max_budget=100.0,
                alias=f"k{i}",
            )

    budgets(3, 85.0)
    small = _statements(lambda: evaluate(deliver_now=False))
    budgets(30, 96.0)
    large = _statements(lambda: evaluate(deliver_now=False))
    assert Alert.objects.count() == 3 + 30 * 2  # 80 % superseded and 95 % for each new one
    assert 5 < small == large
