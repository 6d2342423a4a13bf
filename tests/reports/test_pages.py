"""/reports/: the closed months and one month's report, role-scoped, with CSV per section."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from reports.close import close_month
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

TODAY = date(2026, 12, 2)


@pytest.fixture
def closed(cast):
    key_a = factories.make_key(alias="research-key", user_id=cast.member["user_id"], team_id=cast.team["team_id"])
    key_b = factories.make_key(alias="globex-key", user_id=cast.outsider["user_id"], team_id=cast.other_team["team_id"])
    for day, a, b in (("2026-10-10", 4.0, 1.0), ("2026-11-10", 6.0, 30.0)):
        factories.make_daily_spend(
            cast.member["user_id"], cast.team["team_id"], day, api_key=key_a["token"], spend=a, api_requests=2
        )
        factories.make_daily_spend(
            cast.outsider["user_id"],
            cast.other_team["team_id"],
            day,
            api_key=key_b["token"],
            spend=b,
            model="claude-3",
            api_requests=1,
        )
    close_month("2026-10", today=TODAY)
    return close_month("2026-11", today=TODAY)


def page(client, version=None, **params):
    url = reverse("reports:month_report", args=["2026-11"])
    return client.get(url, {**({"version": version} if version else {}), **params})


def sections(response) -> list[str]:
    return [s.id for s in response.context["sections"]]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_admin_reads_the_whole_report_with_change_against_last_month(cast, client_for, closed):
    client = client_for(cast.proxy_admin)
    listing = client.get(reverse("reports:month_list"))
    assert listing.status_code == 200 and b"2026-11" in listing.content and b"2026-10" in listing.content
    response = page(client)
    html = response.content.decode()
    assert sections(response)[0] == "proxy"
    assert f"org-{cast.org['organization_id']}" in sections(response)
    assert f"team-{cast.other_team['team_id']}" in sections(response)
    assert "$36.00" in html  # the whole proxy in November
    assert "▲ 620.0%" in html  # 36 against October's 5
    assert "▲ 50.0%" in html  # Research: 6 against 4
    assert "Method: UTC months" in html


def test_org_admin_sees_their_org_and_its_teams_only(cast, client_for, closed):
    response = page(client_for(cast.org_admin))
    assert response.status_code == 200
    assert sections(response) == [f"org-{cast.org['organization_id']}", f"team-{cast.team['team_id']}"]
    assert "Globex" not in response.content.decode()
    assert page(client_for(cast.org_admin), export="proxy").status_code == 404
    assert page(client_for(cast.org_admin), export=f"team-{cast.other_team['team_id']}").status_code == 404


def test_team_admin_sees_their_team_section_and_its_csv(cast, client_for, closed):
    client = client_for(cast.team_admin)
    response = page(client)
    assert sections(response) == [f"team-{cast.team['team_id']}"]
    rows = read_csv(page(client, export=f"team-{cast.team['team_id']}"))
    assert rows[0][:6] == ["month", "version", "section", "kind", "id", "name"]
    by_name = {r[5]: r for r in rows[1:]}
    assert by_name["Research"][6] == "6.0" and by_name["Research"][-1] == "4.0"
    assert by_name["research-key"][3] == "Key in a team"
    assert "globex-key" not in by_name
    assert sections(page(client_for(cast.outsider))) == [f"team-{cast.other_team['team_id']}"]  # admin of Other


def test_members_and_viewers_without_admin_roles_may_not_open_reports(cast, client_for, closed):
    for person in (cast.member, cast.internal_viewer):
        assert client_for(person).get(reverse("reports:month_list")).status_code == 403
        assert page(client_for(person)).status_code == 403


def test_unknown_months_and_versions_are_404(cast, client_for, closed):
    client = client_for(cast.admin_viewer)
    assert client.get(reverse("reports:month_report", args=["2026-09"])).status_code == 404
    assert client.get(reverse("reports:month_report", args=["garbage"])).status_code == 404
    assert page(client, version="7").status_code == 404
    assert page(client, export="nope").status_code == 404


def test_a_second_version_lists_what_moved_and_exports_it(cast, client_for, closed):
    factories.make_daily_spend(
        cast.member["user_id"], cast.team["team_id"], "2026-11-20", api_key="late", spend=2.5, api_requests=1
    )
    close_month("2026-11", today=TODAY)
    client = client_for(cast.proxy_admin)
    html = page(client).content.decode()
    assert "What moved since version 1" in html and "+$2.50" in html
    assert "What moved" not in page(client, version="1").content.decode()
    rows = read_csv(page(client, export="changes"))
    assert rows[1][2] == "Whole proxy" and rows[1][6:8] == ["36.0", "38.5"]


def test_many_teams_fold_into_a_summary_whose_names_open_each_section(cast, client_for, closed, monkeypatch):
    from reports import selectors

    monkeypatch.setattr(selectors, "INLINE_TEAM_SECTIONS", 1)
    client = client_for(cast.proxy_admin)
    response = page(client)
    html = response.content.decode()
    assert not [s for s in sections(response) if s.startswith("team-")]  # folded, not rendered in full
    summary = [r.figure.entity for r in response.context["team_summary"]]
    assert summary == [cast.other_team["team_id"], cast.team["team_id"]]  # biggest spend first
    link = f"section=team-{cast.team['team_id']}"
    assert link in html
    one = page(client, section=f"team-{cast.team['team_id']}")
    assert sections(one) == [f"team-{cast.team['team_id']}"] and "Whole report" in one.content.decode()
    rows = read_csv(page(client, export="teams"))
    assert [r[2] for r in rows[1:]] == summary and rows[1][3] == "Other"
    # a section link is no credential: the org admin may not open another org's team this way
    assert page(client_for(cast.org_admin), section=f"team-{cast.other_team['team_id']}").status_code == 404
    assert page(client, section="team-nope").status_code == 404
    assert [r[2] for r in read_csv(page(client_for(cast.org_admin), export="teams"))[1:]] == [cast.team["team_id"]]
