"""Every CSV the console offers holds plain values (never the page's HTML), neutralises
spreadsheet formulas (OWASP: a leading = + - @ tab or CR gets a ' prefix) and keeps numbers
numbers. The exports are found the way a person finds them: every page without url
arguments is opened as a proxy admin and every export link on it is followed, plus
`?export=csv` on every generic list page the URL resolver knows."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config import writes
from config.views.generic import ObjectListView
from config.writes import insert_as_proxy, now_utc
from tests import factories
from usage.models import ErrorLogs

EVIL = '=HYPERLINK("x")'
NEUTRALISED = "'" + EVIL
TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*[\s/>]")
ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
HREF = re.compile(r'href="([^"]*export=[^"]*)"')

pytestmark = pytest.mark.django_db(databases="__all__")


def _no_arg_paths(patterns=None, prefix=""):
    """(path, view class) for every url pattern that takes no arguments."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = str(p.pattern)
        if "<" in route or route.startswith("admin"):
            continue
        if isinstance(p, URLResolver):
            yield from _no_arg_paths(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield "/" + prefix + route, getattr(p.callback, "view_class", None)


@pytest.fixture
def populated(cast):
    now = now_utc()
    team = factories.make_team(alias=EVIL, organization_id=cast.org["organization_id"], max_budget=50.0, spend=-5.0)
    factories.make_key(alias=EVIL, user_id=cast.member["user_id"], team_id=team["team_id"], spend=-5.0, max_budget=9)
    factories.make_key(
        alias="old & expired", user_id=cast.member["user_id"], expires=now - timedelta(days=2), models=["gpt-4o"]
    )
    factories.make_key(alias="blocked", user_id=cast.member["user_id"], blocked=True, spend=12.5, max_budget=10.0)
    factories.make_end_user(alias=EVIL, spend=-5.0)
    factories.make_budget(
        max_budget=-5.0, tpm_limit=1000, budget_duration="30d", budget_reset_at=now + timedelta(days=3)
    )
    factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    factories.make_spend_log(
        model="gpt-4o-mini", user=cast.member["user_id"], team_id=team["team_id"], api_key=EVIL, spend=0.25
    )
    insert_as_proxy(
        ErrorLogs,
        {
            "request_id": "err-1",
            "start_time": now,
            "end_time": now + timedelta(seconds=1),
            "api_base": "https://api.example",
            "model_group": "gpt-4o",
            "litellm_model_name": "gpt-4o",
            "model_id": "m1",
            "request_kwargs": {},
            "exception_type": "RateLimitError",
            "exception_string": "-slow down",
            "status_code": "429",
        },
    )
    day = (now - timedelta(days=1)).date().isoformat()
    factories.make_daily_user_spend(cast.member["user_id"], day, spend=1.5, api_requests=3, successful_requests=3)
    factories.make_daily_team_spend(team["team_id"], day, spend=1.5, api_requests=3, successful_requests=3)
    writes.audit(writes.Actor(changed_by=EVIL), writes.UPDATED, "TeamTable", team["team_id"], {}, {"x": 1})
    return team


def _exports(client) -> dict[str, list[list[str]]]:
    urls = set()
    for path, view_class in _no_arg_paths():
        if path.startswith("/accounts/log"):
            continue
        if view_class is not None and issubclass(view_class, ObjectListView):
            urls.add(path + "?export=csv")
        page = client.get(path)
        if page.status_code == 200 and page["Content-Type"].startswith("text/html"):
            for href in HREF.findall(page.content.decode()):
                href = html.unescape(href)
                urls.add(path + href if href.startswith("?") else href)
    found = {}
    for url in sorted(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv"), url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found[url] = list(csv.reader(io.StringIO(body.decode())))
    return found


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_every_csv_export_holds_plain_neutralised_values(cast, client_for, populated):
    exports = _exports(client_for(cast.proxy_admin))
    paths = {url.split("?")[0] for url in exports}
    # The enumeration really reached every family of export.
    for expected in (
        "/keys/",
        "/users/",
        "/teams/",
        "/organizations/",
        "/end-users/",
        "/invitations/",
        "/budgets/",
        "/budgets/rows/",
        "/usage/",
        "/usage/logs/",
        "/usage/errors/",
        "/audit/",
    ):
        assert expected in paths, f"no CSV export found on {expected}"
    assert sum(url.startswith("/usage/?") for url in exports) >= 4  # figures, charts, breakdowns

    for url, rows in exports.items():
        assert rows, url
        header, body = rows[0], rows[1:]
        for cell in header:
            assert cell and cell == cell.strip(), (url, header)
        for row in rows:
            for cell in row:
                assert not TAG.search(cell), (url, cell)
                assert not ENTITY.search(cell), (url, cell)
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert _is_number(cell), (url, cell)
        assert all(len(r) == len(header) for r in body), url

    def rows_of(path):
        return next(rows for url, rows in exports.items() if url.split("?")[0] == path)

    def row_with(path, value):
        matches = [r for r in rows_of(path)[1:] if value in r]
        assert matches, (path, value)
        return dict(zip(rows_of(path)[0], matches[0], strict=True))

    keys = rows_of("/keys/")
    assert "Key" in keys[0] and not any("input" in h.lower() for h in keys[0])
    evil_key = row_with("/keys/", NEUTRALISED)
    assert float(evil_key["Spend"]) == -5.0 and evil_key["Spend"].startswith("-")
    expired = row_with("/keys/", "old & expired")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d.*", expired["Expires"]), expired
    assert float(row_with("/teams/", NEUTRALISED)["Spend"]) == -5.0
    assert float(row_with("/end-users/", NEUTRALISED)["Spend"]) == -5.0
    assert row_with("/usage/logs/", NEUTRALISED)["Model"] == "gpt-4o-mini"
    assert row_with("/audit/", NEUTRALISED)["Actor"] == NEUTRALISED
    assert row_with("/budgets/", NEUTRALISED)["Spend"] == "-5.0"
    budget_row = next(r for r in rows_of("/budgets/rows/")[1:] if "-5.0" in r)
    assert not budget_row[0].startswith("'")  # the id is plain text, not a link
    assert "1000" in budget_row and "1,000" not in budget_row  # the page's thousands separator stays on the page
