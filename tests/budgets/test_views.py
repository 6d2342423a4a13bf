"""The budget pages: every budget in one table, the member matrix, budget rows."""

import csv
import io

import pytest
from django.db import connections
from django.urls import reverse

from accounts.models import TeamMembership, TeamTable
from budgets import selectors
from budgets.models import BudgetTable
from config import policy
from tests import factories
from tests.forms import shown

pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.schema]


def set_membership(team_id, user_id, **values):
    sets = ", ".join(f'"{k}" = %s' for k in values)
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'UPDATE "{TeamMembership._meta.db_table}" SET {sets} WHERE team_id = %s AND user_id = %s',
            [*values.values(), team_id, user_id],
        )


@pytest.fixture
def budgets(cast):
    """One budget of each kind, at different levels of use."""

    class B:
        pass

    b = B()
    b.key = factories.make_key(alias="hot-key", team_id=cast.team["team_id"], spend=12.0, max_budget=10.0)
    b.near_key = factories.make_key(alias="warm-key", team_id=cast.team["team_id"], spend=8.5, max_budget=10.0)
    b.cool_key = factories.make_key(alias="cool-key", team_id=cast.other_team["team_id"], spend=1.0, max_budget=10.0)
    factories.make_key(alias="no-budget-key", spend=100.0)
    factories.make_key(alias="session", team_id="litellm-dashboard", spend=1.0, max_budget=1.0)
    tier = factories.make_budget(soft_budget=2.0)
    b.soft_key = factories.make_key(alias="soft-key", spend=3.0, budget_id=tier["budget_id"])
    b.user = factories.make_user(email="capped@example.com", max_budget=50.0, spend=5.0, budget_duration="30d")
    TeamTable.objects.filter(team_id=cast.team["team_id"]).update(max_budget=100.0, spend=90.0)
    member_budget = factories.make_budget(max_budget=5.0, budget_duration="7d")
    set_membership(cast.team["team_id"], cast.member["user_id"], spend=6.0, budget_id=member_budget["budget_id"])
    b.end_user = factories.make_end_user(
        alias="customer-a", budget_id=factories.make_budget(max_budget=1.0)["budget_id"]
    )
    return b


def names(response):
    return [r.name for r in response.context["rows"]]


def test_overview_lists_every_budgeted_entity(cast, client_for, budgets):
    response = client_for(cast.proxy_admin).get(reverse("budgets:budget_overview"))
    kinds = {r.kind for r in response.context["rows"]}
    assert kinds == {"key", "user", "team", "org", "member", "end_user"}
    listed = names(response)
    assert "hot-key" in listed and "no-budget-key" not in listed and "session" not in listed
    assert "soft-key" in listed  # a soft budget from the key's budget row
    assert "member@example.com in Research" in listed
    assert listed[0] == "hot-key"  # sorted by % used, highest first
    body = response.content.decode()
    assert "120%" in body


def test_overview_filters_over_and_near(cast, client_for, budgets):
    client = client_for(cast.proxy_admin)
    over = names(client.get(reverse("budgets:budget_overview") + "?view=over"))
    assert set(over) == {"hot-key", "member@example.com in Research"}
    near = names(client.get(reverse("budgets:budget_overview") + "?view=near"))
    assert set(near) == {"warm-key", "Research"}
    keys_only = names(client.get(reverse("budgets:budget_overview") + "?kind=key&sort=name"))
    assert keys_only == ["cool-key", "hot-key", "soft-key", "warm-key"]


def test_overview_counts(cast, client_for, budgets):
    counts = client_for(cast.proxy_admin).get(reverse("budgets:budget_overview")).context["counts"]
    assert counts["total"]["over"] == 2 and counts["total"]["near"] == 2
    assert counts["key"]["all"] == 4


def test_overview_sorts_by_spend(cast, client_for, budgets):
    rows = client_for(cast.proxy_admin).get(reverse("budgets:budget_overview") + "?sort=-spend").context["rows"]
    spends = [r.spend for r in rows]
    assert spends == sorted(spends, reverse=True)


def test_overview_csv_matches_the_view(cast, client_for, budgets):
    response = client_for(cast.proxy_admin).get(reverse("budgets:budget_overview") + "?view=over&export=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["Name"] for r in rows) == ["hot-key", "member@example.com in Research"]


def test_org_admin_sees_only_their_orgs_budgets(cast, client_for, budgets):
    listed = names(client_for(cast.org_admin).get(reverse("budgets:budget_overview")))
    assert "hot-key" in listed and "Research" in listed and "Acme" in listed
    assert "cool-key" not in listed and "customer-a" not in listed and "Globex" not in listed


def test_budgets_page_refusals(cast, client, client_for):
    response = client.get(reverse("budgets:budget_overview"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(cast.member).get(reverse("budgets:budget_overview")).status_code == 403
    assert client_for(cast.admin_viewer).get(reverse("budgets:budget_overview")).status_code == 200


def test_overview_query_count(cast, client_for, budgets, django_assert_max_num_queries):
    client = client_for(cast.proxy_admin)
    client.get(reverse("budgets:budget_overview"))
    with django_assert_max_num_queries(8):
        client.get(reverse("budgets:budget_overview"))


# --- member matrix ---------------------------------------------------------------------------


def matrix_url(team):
    return reverse("budgets:team_members", args=[team["team_id"]])


def test_matrix_shows_each_members_budget(cast, client_for, budgets):
    response = client_for(cast.team_admin).get(matrix_url(cast.team))
    body = response.content.decode()
    assert "member@example.com" in body and "$6.00" in body and "120%" in body


def test_matrix_refusals(cast, client_for, budgets):
    assert client_for(cast.outsider).get(matrix_url(cast.team)).status_code == 404
    assert client_for(cast.member).get(matrix_url(cast.team)).status_code == 200
    assert client_for(cast.member).post(matrix_url(cast.team), {}).status_code == 403
    assert client_for(cast.admin_viewer).post(matrix_url(cast.team), {}).status_code == 403


def matrix_post(team, members, **overrides):
    """The matrix as its page renders it for `members` (with the values it shows, signed)."""
    from budgets.forms import MemberBudgetMatrixForm
    from config.forms import SHOWN_FIELD

    data = {SHOWN_FIELD: MemberBudgetMatrixForm(members=members, team_id=team.team_id).fields[SHOWN_FIELD].initial}
    for m in members:
        data[f"max_budget__{m.user_id}"] = "" if m.max_budget is None else str(m.max_budget)
        data[f"budget_duration__{m.user_id}"] = m.budget_duration or ""
    data.update(overrides)
    return data


def test_matrix_bulk_edit_clones_the_shared_default_budget(cast, client_for, budgets):
    default = factories.make_budget(max_budget=3.0, budget_duration="30d")
    TeamTable.objects.filter(team_id=cast.team["team_id"]).update(
        metadata={"team_member_budget_id": default["budget_id"]}
    )
    set_membership(cast.team["team_id"], cast.internal_viewer["user_id"], budget_id=default["budget_id"])
    team = TeamTable.objects.get(team_id=cast.team["team_id"])
    members = selectors.team_member_budgets(team)
    data = matrix_post(
        team,
        members,
        apply_max_budget="20",
        apply="1",
        pick=[cast.internal_viewer["user_id"], cast.team_admin["user_id"]],
    )
    response = client_for(cast.team_admin).post(matrix_url(cast.team), data)
    assert response.status_code == 302
    assert BudgetTable.objects.get(budget_id=default["budget_id"]).max_budget == 3.0  # shared row untouched
    viewer = TeamMembership.objects.get(team_id=cast.team["team_id"], user_id=cast.internal_viewer["user_id"])
    assert viewer.budget_id != default["budget_id"]
    clone = BudgetTable.objects.get(budget_id=viewer.budget_id)
    assert clone.max_budget == 20.0 and clone.budget_duration == "30d"
    admin = TeamMembership.objects.get(team_id=cast.team["team_id"], user_id=cast.team_admin["user_id"])
    assert BudgetTable.objects.get(budget_id=admin.budget_id).max_budget == 20.0
    member = TeamMembership.objects.get(team_id=cast.team["team_id"], user_id=cast.member["user_id"])
    assert member.spend == 6.0 and BudgetTable.objects.get(budget_id=member.budget_id).max_budget == 5.0


def test_matrix_preview_and_bad_input_write_nothing(cast, client_for, budgets):
    team = TeamTable.objects.get(team_id=cast.team["team_id"])
    members = selectors.team_member_budgets(team)
    client = client_for(cast.team_admin)
    data = matrix_post(team, members, **{f"max_budget__{cast.member['user_id']}": "4", "preview": "1"})
    body = client.post(matrix_url(cast.team), data).content.decode()
    assert "member@example.com: Current spend $6.00 is already over the new budget of $4.00" in body
    data = matrix_post(team, members, **{f"budget_duration__{cast.member['user_id']}": "2mo"})
    body = client.post(matrix_url(cast.team), data).content.decode()
    assert "Only 1mo" in body
    member = TeamMembership.objects.get(team_id=cast.team["team_id"], user_id=cast.member["user_id"])
    assert BudgetTable.objects.get(budget_id=member.budget_id).max_budget == 5.0


# --- budget rows --------------------------------------------------------------------------------


def test_budget_row_edit_writes_changed_columns_and_reset(cast, client_for):
    row = factories.make_budget(max_budget=10.0, tpm_limit=100)
    client = client_for(cast.proxy_admin)
    url = reverse("budgets:budget_row_edit", args=[row["budget_id"]])
    assert client.get(url).status_code == 200
    data = {"max_budget": "10", "tpm_limit": "100", "budget_duration": "1d", "soft_budget": "4"}
    response = client.post(url, {**data, **shown(client, url)})
    assert response.status_code == 302
    stored = BudgetTable.objects.get(budget_id=row["budget_id"])
    assert stored.budget_duration == "1d" and stored.budget_reset_at is not None and stored.soft_budget == 4.0
    assert stored.updated_by == cast.proxy_admin["user_id"]


def test_budget_row_create_and_refusals(cast, client_for):
    client = client_for(cast.proxy_admin)
    response = client.post(reverse("budgets:budget_row_create"), {"max_budget": "7"})
    assert response.status_code == 302
    assert BudgetTable.objects.filter(max_budget=7.0, created_by=cast.proxy_admin["user_id"]).exists()
    assert client_for(cast.admin_viewer).get(reverse("budgets:budget_rows")).status_code == 200
    assert client_for(cast.admin_viewer).post(reverse("budgets:budget_row_create"), {}).status_code == 403
    assert client_for(cast.org_admin).get(reverse("budgets:budget_rows")).status_code == 403


def test_forecast_says_when_the_budget_runs_out():
    from datetime import datetime

    now = datetime(2026, 11, 20, 12, 0)
    f = selectors.forecast(spend=4.0, max_budget=10.0, reset_at=datetime(2026, 12, 1), pace=2.0, now=now)
    assert f.runs_out_on.isoformat() == "2026-11-23" and f.before_reset is True
    assert "before it resets" in f.sentence
    f = selectors.forecast(spend=4.0, max_budget=10.0, reset_at=datetime(2026, 11, 21), pace=2.0, now=now)
    assert f.before_reset is False
    assert selectors.forecast(spend=11.0, max_budget=10.0, reset_at=None, pace=1.0, now=now).already_over
    assert selectors.forecast(spend=1.0, max_budget=None, reset_at=None, pace=1.0) is None


def test_pace_comes_from_the_daily_tables(cast):
    from datetime import timedelta

    from config.writes import now_utc

    today = now_utc().date()
    for back in range(10):
        factories.make_daily_team_spend(cast.team["team_id"], (today - timedelta(days=back)).isoformat(), spend=7.0)
    assert selectors.daily_pace("team", cast.team["team_id"]) == pytest.approx(7.0)
    assert selectors.daily_pace("org", cast.org["organization_id"]) == pytest.approx(7.0)
    assert policy.principal  # keep the import honest


def test_overview_pages_through_every_budget(cast, client_for, budgets, monkeypatch):
    monkeypatch.setattr(selectors.overview, "PAGE_SIZE", 3)
    client = client_for(cast.proxy_admin)
    seen, url = [], reverse("budgets:budget_overview") + "?sort=name"
    while url:
        response = client.get(url)
        seen += names(response)
        next_url = response.context["next_url"]
        url = reverse("budgets:budget_overview") + next_url if next_url else None
    everything = names(client.get(reverse("budgets:budget_overview") + "?sort=name"))
    assert len(seen) == response.context["counts"]["total"]["all"] and len(seen) > 3
    assert seen[:3] == everything[:3] and seen == sorted(seen, key=str.lower)


def test_budget_row_page_says_what_uses_the_row(cast, client_for):
    row = factories.make_budget(max_budget=9.0)
    factories.make_key(alias="tier-key", budget_id=row["budget_id"])
    set_membership(cast.team["team_id"], cast.member["user_id"], budget_id=row["budget_id"])
    body = (
        client_for(cast.proxy_admin).get(reverse("budgets:budget_row_edit", args=[row["budget_id"]])).content.decode()
    )
    assert "1 team membership;" in body and "1 key;" in body
    org_budget = cast.org["budget_id"]
    body = client_for(cast.proxy_admin).get(reverse("budgets:budget_row_edit", args=[org_budget])).content.decode()
    assert "organization Acme;" in body


def test_a_temporary_increase_counts_towards_a_members_cap(cast, client_for):
    """Newest schema: a live temporary increase lifts the cap ($6 of $5+$5 is not over).
    Seed schema: there are no such columns, so the same member is over its $5 cap."""
    from datetime import timedelta

    from config.writes import now_utc

    has_increase = BudgetTable.has_column("temp_budget_increase")
    extra = {"temp_budget_increase": 5.0, "temp_budget_expiry": now_utc() + timedelta(days=2)} if has_increase else {}
    row = factories.make_budget(max_budget=5.0, **extra)
    set_membership(cast.team["team_id"], cast.member["user_id"], spend=6.0, budget_id=row["budget_id"])
    client = client_for(cast.proxy_admin)
    over = names(client.get(reverse("budgets:budget_overview") + "?view=over"))
    assert ("member@example.com in Research" in over) is (not has_increase)
    members = {m.user_id: m for m in selectors.team_member_budgets(TeamTable.objects.get(team_id=cast.team["team_id"]))}
    assert members[cast.member["user_id"]].pct == pytest.approx(60.0 if has_increase else 120.0)


# Who sees which member's spend: those who run the team every row, anyone else their own.
SPEND_ROLES = [
    ("proxy_admin", True),
    ("admin_viewer", True),
    ("org_admin", True),
    ("team_admin", True),
    ("member", False),
    ("internal_viewer", False),
]


@pytest.mark.parametrize("role,sees_all", SPEND_ROLES)
def test_member_budget_matrix_shows_a_plain_member_only_their_own_row(cast, client_for, budgets, role, sees_all):
    set_membership(cast.team["team_id"], cast.team_admin["user_id"], spend=7.25)
    set_membership(cast.team["team_id"], cast.internal_viewer["user_id"], spend=0.5)
    person = getattr(cast, role)
    response = client_for(person).get(matrix_url(cast.team))
    body = response.content.decode()
    shown = {member.user_id for member, *_ in response.context["rows"]}
    if sees_all:
        assert {cast.team_admin["user_id"], cast.member["user_id"], cast.internal_viewer["user_id"]} <= shown
        assert "$7.25" in body and "$6.00" in body
    else:
        assert shown == {person["user_id"]}
        assert "teamadmin@example.com" not in body and "$7.25" not in body
        assert ("$6.00" in body) == (role == "member")


@pytest.mark.parametrize("role,sees_all", SPEND_ROLES)
def test_team_page_shows_a_plain_member_only_their_own_spend(cast, client_for, budgets, role, sees_all):
    set_membership(cast.team["team_id"], cast.team_admin["user_id"], spend=7.25)
    set_membership(cast.team["team_id"], cast.internal_viewer["user_id"], spend=0.5)
    body = client_for(getattr(cast, role)).get(reverse("accounts:team_detail", args=[cast.team["team_id"]])).content
    body = body.decode()
    assert "teamadmin@example.com" in body  # the roster itself stays visible to members
    assert ("$7.25" in body) == sees_all
    if role == "member":
        assert "$6.00" in body and "$0.50" not in body
    if role == "internal_viewer":
        assert "$0.50" in body and "$6.00" not in body


def test_near_budget_threshold_is_one_setting(cast, client_for, budgets, settings):
    """NEAR_BUDGET_RATIO moves the overview's view, count and label and the key list's meter."""
    factories.make_key(alias="mid-key", team_id=cast.team["team_id"], spend=6.0, max_budget=10.0)
    client = client_for(cast.proxy_admin)
    assert "mid-key" not in names(client.get(reverse("budgets:budget_overview") + "?view=near"))
    settings.NEAR_BUDGET_RATIO = 0.5
    response = client.get(reverse("budgets:budget_overview") + "?view=near")
    assert set(names(response)) == {"warm-key", "mid-key", "Research"}
    assert response.context["counts"]["total"]["near"] == 3
    assert "Near budget (50%+)" in response.content.decode()
    mid = next(r for r in response.context["rows"] if r.name == "mid-key")
    assert mid.state == "warn"
    body = client.get(reverse("keys:key_list") + "?q=mid-key").content.decode()
    assert 'class="meter warn"' in body


def _caps(body: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'data-member-cap="([^"]+)">([^<]+)<', body))


def test_team_page_and_member_matrix_show_the_same_cap(cast, client_for):
    """One rule (budgets/member_cap.py, as auth_checks._check_team_member_budget): own row's
    max_budget + a live temporary increase; else the team default; else none."""
    from datetime import timedelta

    from config.writes import now_utc

    has_increase = BudgetTable.has_column("temp_budget_increase")
    extra = {"temp_budget_increase": 5.0, "temp_budget_expiry": now_utc() + timedelta(days=2)} if has_increase else {}
    own = factories.make_budget(max_budget=5.0, **extra)
    default = factories.make_budget(max_budget=3.0)
    TeamTable.objects.filter(team_id=cast.team["team_id"]).update(
        metadata={"team_member_budget_id": default["budget_id"]}
    )
    set_membership(cast.team["team_id"], cast.member["user_id"], spend=6.0, budget_id=own["budget_id"])
    set_membership(cast.team["team_id"], cast.internal_viewer["user_id"], budget_id=None)  # falls back to default
    client = client_for(cast.proxy_admin)
    team_page = _caps(client.get(reverse("accounts:team_detail", args=[cast.team["team_id"]])).content.decode())
    matrix = _caps(client.get(matrix_url(cast.team)).content.decode())
    expected = {
        cast.member["user_id"]: "$10.00" if has_increase else "$5.00",
        cast.internal_viewer["user_id"]: "$3.00",
    }
    for user_id, cap in expected.items():
        assert team_page.get(user_id) == cap == matrix.get(user_id), user_id
    assert team_page == matrix
