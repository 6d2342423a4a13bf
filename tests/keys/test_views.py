"""Key pages: who may see and change what, and what each change stores."""

import csv
import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from config.forms import SHOWN_FIELD
from config.writes import now_utc
from keys.models import VerificationToken
from tests import factories
from tests.forms import shown

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def keys(cast):
    """A team key of the team admin, the member's own key, and the outsider's key."""

    class K:
        pass

    k = K()
    k.team_key = factories.make_key(alias="team-key", user_id=cast.team_admin["user_id"], team_id=cast.team["team_id"])
    k.member_key = factories.make_key(
        alias="member-key", user_id=cast.member["user_id"], team_id=cast.team["team_id"], spend=4.0, max_budget=5.0
    )
    k.outsider_key = factories.make_key(
        alias="outsider-key", user_id=cast.outsider["user_id"], team_id=cast.other_team["team_id"]
    )
    k.session_key = factories.make_key(user_id=cast.proxy_admin["user_id"], team_id="litellm-dashboard")
    return k


def detail(token):
    return reverse("keys:key_detail", args=[token])


def test_anonymous_is_sent_to_login(client, keys):
    for url in (reverse("keys:key_list"), detail(keys.team_key["token"]), reverse("keys:key_create")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_shows_visible_keys_without_ui_sessions(cast, client_for, keys):
    body = client_for(cast.proxy_admin).get(reverse("keys:key_list")).content.decode()
    assert "team-key" in body and "outsider-key" in body
    assert keys.session_key["key_name"] not in body
    body = client_for(cast.proxy_admin).get(reverse("keys:key_list") + "?ui_sessions=on").content.decode()
    assert keys.session_key["key_name"] in body


def test_member_sees_only_own_keys(cast, client_for, keys):
    body = client_for(cast.member).get(reverse("keys:key_list")).content.decode()
    assert "member-key" in body
    assert "outsider-key" not in body and "team-key" not in body


def test_outsider_gets_404_on_someone_elses_key(cast, client_for, keys):
    client = client_for(cast.outsider)
    assert client.get(detail(keys.team_key["token"])).status_code == 404
    assert client.get(reverse("keys:key_edit", args=[keys.team_key["token"]])).status_code == 404
    assert client.post(reverse("keys:key_block", args=[keys.team_key["token"]])).status_code == 404


def test_viewer_gets_403_on_changes(cast, client_for, keys):
    client = client_for(cast.admin_viewer)
    assert client.get(detail(keys.team_key["token"])).status_code == 200
    assert client.get(reverse("keys:key_edit", args=[keys.team_key["token"]])).status_code == 403
    assert client.post(reverse("keys:key_block", args=[keys.team_key["token"]])).status_code == 403
    assert client.get(reverse("keys:key_create")).status_code == 403
    assert client.post(reverse("keys:key_delete", args=[keys.team_key["token"]])).status_code == 403
    assert VerificationToken.objects.filter(token=keys.team_key["token"]).exists()


def test_post_only_urls_refuse_get(cast, client_for, keys):
    client = client_for(cast.proxy_admin)
    for name in ("keys:key_block", "keys:key_unblock"):
        assert client.get(reverse(name, args=[keys.team_key["token"]])).status_code == 405
    assert client.get(reverse("keys:key_bulk")).status_code == 405


def test_filters_by_team_status_and_search(cast, client_for, keys):
    client = client_for(cast.proxy_admin)
    body = client.get(reverse("keys:key_list") + f"?team_id={cast.other_team['team_id']}").content.decode()
    assert "outsider-key" in body and "member-key" not in body
    body = client.get(reverse("keys:key_list") + "?status=over_budget").content.decode()
    assert "member-key" not in body  # 4.0 of 5.0
    VerificationToken.objects.filter(token=keys.member_key["token"]).update(max_budget=3.0)
    body = client.get(reverse("keys:key_list") + "?status=over_budget").content.decode()
    assert "member-key" in body and "team-key" not in body
    body = client.get(reverse("keys:key_list") + "?q=outsider").content.decode()
    assert "outsider-key" in body and "team-key" not in body
    body = client.get(reverse("keys:key_list") + "?user=member@example").content.decode()
    assert "member-key" in body and "team-key" not in body
    body = client.get(reverse("keys:key_list") + f"?organization={cast.org['organization_id']}").content.decode()
    assert "team-key" in body and "outsider-key" not in body


def test_filters_expiring_and_expired(cast, client_for, keys):
    now = now_utc()
    factories.make_key(alias="soon", expires=now + timedelta(days=3))
    factories.make_key(alias="later", expires=now + timedelta(days=30))
    factories.make_key(alias="gone", expires=now - timedelta(days=1))
    client = client_for(cast.proxy_admin)
    body = client.get(reverse("keys:key_list") + "?status=expiring&within_days=7").content.decode()
    assert ">soon<" in body and ">later<" not in body and ">gone<" not in body
    body = client.get(reverse("keys:key_list") + "?status=expiring&within_days=60").content.decode()
    assert ">later<" in body
    body = client.get(reverse("keys:key_list") + "?status=expired").content.decode()
    assert ">gone<" in body and ">soon<" not in body


def test_list_sorts_by_spend(cast, client_for, keys):
    body = client_for(cast.proxy_admin).get(reverse("keys:key_list") + "?sort=-spend").content.decode()
    assert body.index("member-key") < body.index("team-key")


def test_csv_export_matches_the_filtered_rows(cast, client_for, keys):
    response = client_for(cast.proxy_admin).get(
        reverse("keys:key_list") + f"?team_id={cast.team['team_id']}&export=csv"
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["Key"] for r in rows) == ["member-key", "team-key"]
    member = next(r for r in rows if r["Key"] == "member-key")
    assert member["Team"] == "Research" and member["Owner"] == "member@example.com"
    assert member["Secret"] == keys.member_key["key_name"]
    assert member["Spend"] == "4.0" and member["Budget"] == "5.0" and member["Status"] == "active"


def test_list_query_count_does_not_grow_with_rows(cast, client_for, keys, django_assert_max_num_queries):
    for i in range(30):
        factories.make_key(alias=f"bulk-{i}", user_id=cast.member["user_id"], team_id=cast.team["team_id"])
    client = client_for(cast.proxy_admin)
    client.get(reverse("keys:key_list"))  # warm the catalog and session
    with django_assert_max_num_queries(12):
        client.get(reverse("keys:key_list"))


def test_create_key_stores_the_hash_of_the_secret_shown_once(cast, client_for):
    client = client_for(cast.member)
    response = client.post(
        reverse("keys:key_create"),
        {
            "key_alias": "my-laptop",
            "team_id": cast.team["team_id"],
            "max_budget": "20",
            "budget_duration": "30d",
            "duration": "90d",
            "metadata-name": ["purpose", "limit"],
            "metadata-value": ["testing", "5"],
        },
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    assert "no-store" in response["Cache-Control"].split(", ")
    shown = response.content.decode()
    raw = re.search(r'id="raw-key">(sk-[A-Za-z0-9_\-]+)<', shown).group(1)
    assert 'data-copy="#raw-key"' in shown
    token = hashlib.sha256(raw.encode()).hexdigest()
    key = VerificationToken.objects.get(token=token)
    assert key.key_name == f"sk-...{raw[-4:]}"
    assert key.user_id == cast.member["user_id"] and key.team_id == cast.team["team_id"]
    assert key.max_budget == 20.0 and key.budget_duration == "30d" and key.budget_reset_at is not None
    assert key.metadata == {"purpose": "testing", "limit": 5}
    assert key.created_by == cast.member["user_id"]
    # Shown once, in the POST's own response: a later visit to the key's page no longer has
    # it, and it was never put in the session store.
    again = client.get(reverse("keys:key_issued", args=[token])).content.decode()
    assert raw not in again and "already shown once" in again
    from django.contrib.sessions.models import Session

    assert all(raw not in str(s.get_decoded()) for s in Session.objects.all())


def test_create_refuses_bad_input_next_to_the_field(cast, client_for, keys):
    client = client_for(cast.proxy_admin)
    before = VerificationToken.objects.count()
    response = client.post(reverse("keys:key_create"), {"key_alias": "team-key", "budget_duration": "2mo"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "already exists" in body and "Only 1mo works" in body
    assert VerificationToken.objects.count() == before


def test_member_cannot_create_a_key_for_a_team_they_are_not_in(cast, client_for):
    response = client_for(cast.member).post(
        reverse("keys:key_create"), {"key_alias": "sneaky", "team_id": cast.other_team["team_id"]}
    )
    assert response.status_code == 200 and "team_id" in response.context["form"].errors
    assert not VerificationToken.objects.filter(key_alias="sneaky").exists()


def test_edit_preview_shows_consequences_without_saving(cast, client_for, keys):
    client = client_for(cast.proxy_admin)
    url = reverse("keys:key_edit", args=[keys.member_key["token"]])
    data = {"key_alias": "member-key", "max_budget": "3", "budget_duration": "1d", "preview": "1"}
    response = client.post(url, {**data, **shown(client, url)})
    body = response.content.decode()
    assert "Current spend $4.00 is already over the new budget of $3.00" in body
    assert "Spend resets on" in body
    assert VerificationToken.objects.get(token=keys.member_key["token"]).max_budget == 5.0


def test_edit_writes_only_changed_columns(cast, client_for, keys):
    client = client_for(cast.team_admin)
    url = reverse("keys:key_edit", args=[keys.member_key["token"]])
    data = {"key_alias": "member-key", "team_id": cast.team["team_id"], "max_budget": "8", "budget_duration": "7d"}
    response = client.post(url, {**data, **shown(client, url)})
    assert response.status_code == 302
    key = VerificationToken.objects.get(token=keys.member_key["token"])
    assert key.max_budget == 8.0 and key.budget_duration == "7d" and key.budget_reset_at.weekday() == 0
    assert key.spend == 4.0


def test_block_and_unblock_from_the_key_page(cast, client_for, keys):
    client = client_for(cast.team_admin)
    token = keys.member_key["token"]
    assert client.post(reverse("keys:key_block", args=[token])).status_code == 302
    assert VerificationToken.objects.get(token=token).blocked is True
    assert client.post(reverse("keys:key_unblock", args=[token])).status_code == 302
    assert VerificationToken.objects.get(token=token).blocked is False


def test_bulk_block_from_the_list(cast, client_for, keys):
    client = client_for(cast.proxy_admin)
    tokens = [keys.team_key["token"], keys.member_key["token"]]
    response = client.post(reverse("keys:key_bulk"), {"action": "block", "tokens": tokens, "next": "/keys/?q=x"})
    assert response.status_code == 302 and response["Location"] == "/keys/?q=x"
    assert set(VerificationToken.objects.filter(token__in=tokens).values_list("blocked", flat=True)) == {True}
    assert VerificationToken.objects.get(token=keys.outsider_key["token"]).blocked is None


def test_bulk_block_refuses_keys_the_person_cannot_manage(cast, client_for, keys):
    response = client_for(cast.member).post(
        reverse("keys:key_bulk"), {"action": "block", "tokens": [keys.member_key["token"], keys.team_key["token"]]}
    )
    # The team key is invisible to the member (ignored); their own key is theirs to block.
    assert response.status_code == 302
    assert VerificationToken.objects.get(token=keys.team_key["token"]).blocked is None
    response = client_for(cast.internal_viewer).post(
        reverse("keys:key_bulk"), {"action": "block", "tokens": [keys.member_key["token"]]}
    )
    assert response.status_code in (302, 403)
    assert VerificationToken.objects.get(token=keys.member_key["token"]).blocked is True


def test_regenerate_shows_a_new_secret_and_keeps_the_row(cast, client_for, keys):
    client = client_for(cast.proxy_admin)
    old = keys.member_key["token"]
    assert client.get(reverse("keys:key_regenerate", args=[old])).status_code == 200
    response = client.post(reverse("keys:key_regenerate", args=[old]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"].split(", ")
    shown = response.content.decode()
    raw = re.search(r'id="raw-key">(sk-[A-Za-z0-9_\-]+)<', shown).group(1)
    key = VerificationToken.objects.get(token=hashlib.sha256(raw.encode()).hexdigest())
    assert key.spend == 4.0 and key.key_alias == "member-key"
    assert not VerificationToken.objects.filter(token=old).exists()


def test_delete_removes_the_key(cast, client_for, keys):
    client = client_for(cast.proxy_admin)
    token = keys.team_key["token"]
    assert client.get(reverse("keys:key_delete", args=[token])).status_code == 200
    response = client.post(reverse("keys:key_delete", args=[token]))
    assert response.status_code == 302
    assert not VerificationToken.objects.filter(token=token).exists()


def test_key_page_shows_budget_usage_and_requests(cast, client_for, keys):
    token = keys.member_key["token"]
    today = now_utc().date()
    member, team = cast.member["user_id"], cast.team["team_id"]
    factories.make_daily_spend(member, team, today.isoformat(), api_key=token, spend=1.5, api_requests=1)
    factories.make_daily_spend(member, team, (today - timedelta(days=1)).isoformat(), api_key=token, spend=0.5)
    factories.make_spend_log(api_key=token, model="claude-request", spend=0.25)
    body = client_for(cast.member).get(detail(token)).content.decode()
    assert "$4.00" in body and "of $5.00" in body
    assert "$1.50" in body and "claude-request" in body
    assert "At the last 7 days" in body


def test_key_page_query_count(cast, client_for, keys, django_assert_max_num_queries):
    client = client_for(cast.proxy_admin)
    client.get(detail(keys.member_key["token"]))
    with django_assert_max_num_queries(16):
        client.get(detail(keys.member_key["token"]))


def test_latest_requests_without_the_key_index_read_a_small_recent_window(cast, client_for, keys, monkeypatch):
    """Without an (api_key, "startTime") index the page looks for the key's requests in the
    last 24 hours only, says so, and reads no logs when the daily table shows the key idle."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from keys import selectors
    from keys.selectors import DailyUsage

    monkeypatch.setattr(selectors, "has_api_key_log_index", lambda: False)
    token = keys.member_key["token"]
    now = now_utc()
    factories.make_spend_log(api_key=token, model="today-model", start_time=now - timedelta(minutes=1))
    factories.make_spend_log(api_key=token, model="older-model", start_time=now - timedelta(days=3))
    key = VerificationToken.objects.get(token=token)
    usage = [DailyUsage(now.date(), 1.0, 1, 0), DailyUsage(now.date() - timedelta(days=3), 1.0, 1, 0)]
    recent = selectors.key_recent_requests(key, usage, now=now)
    assert [r.model for r in recent] == ["today-model"] and recent.window == "last 24 hours"
    with CaptureQueriesContext(connections["litellm"]) as ctx:
        assert not selectors.key_recent_requests(key, usage[1:], now=now)  # idle on the window's days
    assert ctx.captured_queries == []
    factories.make_daily_spend(
        cast.member["user_id"], cast.team["team_id"], now.date().isoformat(), api_key=token, api_requests=1
    )
    body = client_for(cast.member).get(detail(token)).content.decode()
    assert "Latest requests" in body and "(last 24 hours, newest first)" in body
    assert "today-model" in body and "older-model" not in body
    monkeypatch.setattr(selectors, "has_api_key_log_index", lambda: True)
    recent = selectors.key_recent_requests(key, usage, now=now)
    assert [r.model for r in recent] == ["today-model", "older-model"] and recent.window == "last 7 days"


def test_latest_requests_scan_stops_at_the_cap_and_says_since_when(cast, client_for, keys, monkeypatch):
    """A busy proxy: the key's request is older than the proxy's newest RECENT_SCAN_ROWS
    requests, so it is not looked for, and the heading says how far back the page read."""
    from keys import selectors

    monkeypatch.setattr(selectors, "has_api_key_log_index", lambda: False)
    monkeypatch.setattr(selectors, "RECENT_SCAN_ROWS", 5, raising=False)
    token = keys.member_key["token"]
    now = now_utc()
    factories.make_spend_log(api_key=token, model="own-model", start_time=now - timedelta(hours=2))
    for i in range(5):
        factories.make_spend_log(api_key="other", model="other-model", start_time=now - timedelta(minutes=10 + i))
    recent = selectors.key_recent_requests(VerificationToken.objects.get(token=token), None, now=now)
    oldest_read = (now - timedelta(minutes=14)).replace(second=0, microsecond=0)
    assert recent.capped and list(recent) == [] and recent.window == f"since {oldest_read:%Y-%m-%d %H:%M} UTC"
    factories.make_daily_spend(
        cast.member["user_id"], cast.team["team_id"], now.date().isoformat(), api_key=token, api_requests=1
    )
    body = client_for(cast.member).get(detail(token)).content.decode()
    assert f"No requests since {oldest_read:%Y-%m-%d %H:%M} UTC." in body and "own-model" not in body
    assert "newest requests were read" in body
    factories.make_spend_log(api_key=token, model="new-model", start_time=now - timedelta(minutes=1))
    recent = selectors.key_recent_requests(VerificationToken.objects.get(token=token), None, now=now)
    assert [r.model for r in recent] == ["new-model"]


def test_saving_untouched_metadata_changes_nothing(cast, client_for):
    from keys.forms import KeyEditForm

    metadata = {"limit": "10", "tags": ["a"], "nested": {"x": 1}, "note": "plain text", "flag": True}
    key = factories.make_key(alias="meta-key", metadata=metadata)
    row = VerificationToken.objects.get(token=key["token"])
    opened = KeyEditForm(principal=_principal(cast), key=row)
    html = str(opened["metadata"])
    names = re.findall(r'name="metadata-name" value="([^"]*)"', html)
    values = [v.replace("&quot;", '"') for v in re.findall(r'name="metadata-value" value="([^"]*)"', html)]
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update(
        {"key_alias": "meta-key", "tags": opened["tags"].value(), SHOWN_FIELD: opened.fields[SHOWN_FIELD].initial}
    )
    data.setlist("metadata-name", names)
    data.setlist("metadata-value", values)
    form = KeyEditForm(data, principal=_principal(cast), key=row)
    assert form.is_valid(), form.errors
    # Tags have their own field (keys/form_access.py); the rest is the metadata editor's.
    assert form.cleaned_data["metadata"] == {k: v for k, v in metadata.items() if k != "tags"}
    assert form.cleaned_data["tags"] == ["a"]
    assert "metadata" not in form.changes()


def _principal(cast):
    from config import policy

    return policy.principal_for_litellm_user(cast.proxy_admin["user_id"])


def test_an_org_admin_sees_the_secret_of_a_key_they_made_for_someone_else(cast, client_for):
    client = client_for(cast.org_admin)
    response = client.post(reverse("keys:key_create"), {"key_alias": "for-member", "owner": "member@example.com"})
    assert response.status_code == 200
    body = response.content.decode()
    raw = re.search(r'id="raw-key">(sk-[A-Za-z0-9_\-]+)<', body).group(1)
    token = hashlib.sha256(raw.encode()).hexdigest()
    # Afterwards it is not theirs to see (no team, someone else's): 404 like any other.
    assert client.get(reverse("keys:key_issued", args=[token])).status_code == 404


@pytest.mark.parametrize("sort", ["-created_at", "expires", "-expires", "-last_active", "key_alias", "bogus"])
def test_list_sorts_by_every_offered_column_on_both_schemas(cast, client_for, keys, sort):
    response = client_for(cast.proxy_admin).get(reverse("keys:key_list") + f"?sort={sort}")
    assert response.status_code == 200
    assert "member-key" in response.content.decode()
    last_active_shown = ">Last active<" in response.content.decode()
    assert last_active_shown == VerificationToken.has_column("last_active")


def test_key_page_warns_when_its_team_is_blocked(cast, client_for, keys):
    from accounts.models import TeamTable

    TeamTable.objects.filter(team_id=cast.team["team_id"]).update(blocked=True)
    body = client_for(cast.proxy_admin).get(detail(keys.member_key["token"])).content.decode()
    assert "Its team Research is blocked" in body


def test_read_only_people_get_no_create_button_or_checkboxes(cast, client_for, keys):
    factories.make_key(alias="viewer-own", user_id=cast.internal_viewer["user_id"])
    body = client_for(cast.internal_viewer).get(reverse("keys:key_list")).content.decode()
    assert "viewer-own" in body
    assert "Create key" not in body and 'name="tokens"' not in body
    body = client_for(cast.member).get(reverse("keys:key_list")).content.decode()
    assert "Create key" in body and 'name="tokens"' in body


@pytest.mark.parametrize("sort", ["", "&sort=spend", "&sort=-created_at"])
def test_keys_that_tie_on_the_sorted_column_are_each_listed_once_across_pages(cast, client_for, sort):
    """Keys made in the same millisecond (a script's bulk create) with no spend yet tie on
    every sort a person picks: page after page, each one shows exactly once."""
    tokens = [
        factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"], alias=f"tie{i:02d}")["token"]
        for i in range(30)
    ]
    VerificationToken.objects.filter(token__in=tokens).update(created_at=now_utc() - timedelta(days=400))
    client = client_for(cast.proxy_admin)
    pages = -(-VerificationToken.objects.exclude(team_id="litellm-dashboard").count() // 7)
    seen = []
    for page in range(1, pages + 1):
        html = client.get(reverse("keys:key_list") + f"?per_page=7&page={page}{sort}").content.decode()
        seen += re.findall(r'<span title="(tie\d\d)">', html)
    assert sorted(seen) == sorted({f"tie{i:02d}" for i in range(30)})
