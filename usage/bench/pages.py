"""The pages `manage.py bench` times: (label, kind, who, url maker). `who` is "admin" (a
superuser) or "team admin" (the LiteLLM admin of BENCH_TEAM, signed in as that user)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

BENCH_TEAM = "team-7"
BENCH_TEAM_ADMIN = "user-7"  # usage/benchdata.py: team-i's members_with_roles admin is user-i
BENCH_USER = "user-7"
BENCH_ORG = "org-3"
LIST, PAGE, EXPORT = "list/detail", "page", "export"


def label_matches(label: str, only: str) -> bool:
    """`--only`: the label contains the text, or one of its `|`-separated parts ("usage|logs")."""
    return any(part.strip().lower() in label.lower() for part in only.split("|"))


@dataclass(frozen=True)
class Page:
    label: str
    kind: str  # LIST (target: list/detail), PAGE, EXPORT
    url: Callable[[], str]
    who: str = "admin"
    cold: bool = False  # empty Django's cache before each run (the usage page's closed days)


def _key_token():
    from keys.models import VerificationToken

    return VerificationToken.objects.filter(team_id=BENCH_TEAM).values_list("token", flat=True).first()


def _spend_logs_deep():
    from django.urls import reverse

    from usage.models import SpendLogs
    from usage.selectors import encode_cursor

    row = (
        SpendLogs.objects.order_by("-start_time", "-request_id")
        .values_list("start_time", "request_id")[100 * 50 - 1 : 100 * 50]
        .first()
    )
    return reverse("usage:spendlog_list") + "?window=7d&after=" + encode_cursor(*row)


def _closed_month():
    """The month that just ended, closed as the periodic job does (once; not timed here)."""
    from django.urls import reverse

    from reports.close import close_previous_month

    return reverse("reports:month_report", kwargs={"month": close_previous_month().label})


def _reconcile(kind: str, days: int) -> str:
    from datetime import timedelta

    from django.urls import reverse

    from config.writes import now_utc

    today = now_utc().date()
    start = today - timedelta(days=days - 1)
    return reverse("reports:reconcile") + f"?kind={kind}&start={start}&end={today}&threshold=0.01"


def pages() -> list[Page]:
    from django.urls import reverse

    def r(name, query="", **kwargs):
        return lambda: reverse(name, kwargs=kwargs or None) + query

    keys = reverse("keys:key_list")
    dash = reverse("usage:dashboard")
    return [
        Page("home", PAGE, r("home")),
        Page("keys list", LIST, r("keys:key_list")),
        Page("keys list, filtered by team", LIST, lambda: keys + f"?team_id={BENCH_TEAM}"),
        Page("keys list, team admin", LIST, r("keys:key_list"), who="team admin"),
        Page("keys list, page 200", LIST, lambda: keys + "?page=200"),
        Page("keys list, sorted by spend", LIST, lambda: keys + "?sort=-spend"),
        Page("keys list, sorted by spend, page 200", LIST, lambda: keys + "?sort=-spend&page=200"),
        Page("keys CSV, all 100,000 keys", EXPORT, lambda: keys + "?export=csv"),
        Page("key detail", LIST, lambda: reverse("keys:key_detail", kwargs={"token": _key_token()})),
        Page("users list", LIST, r("accounts:user_list")),
        Page("user detail", LIST, lambda: reverse("accounts:user_detail", kwargs={"user_id": BENCH_USER})),
        Page("teams list", LIST, r("accounts:team_list")),
        Page("team detail", LIST, lambda: reverse("accounts:team_detail", kwargs={"team_id": BENCH_TEAM})),
        Page("org detail", LIST, lambda: reverse("accounts:org_detail", kwargs={"org_id": BENCH_ORG})),
        Page("budgets", PAGE, r("budgets:budget_overview")),
        Page("usage, whole proxy, 30 days", PAGE, lambda: dash + "?range=30d"),
        Page("usage, whole proxy, 90 days", PAGE, lambda: dash + "?range=90d"),
        Page("usage, whole proxy, 30 days, closed days not cached", PAGE, lambda: dash + "?range=30d", cold=True),
        Page("usage, whole proxy, 90 days, closed days not cached", PAGE, lambda: dash + "?range=90d", cold=True),
        Page("usage, one organization, 90 days", PAGE, lambda: dash + f"?range=90d&scope=org&id={BENCH_ORG}"),
        Page(
            "usage, one organization, 90 days, closed days not cached",
            PAGE,
            lambda: dash + f"?range=90d&scope=org&id={BENCH_ORG}",
            cold=True,
        ),
        Page("usage, one team, 30 days", PAGE, lambda: dash + f"?range=30d&scope=team&id={BENCH_TEAM}"),
        Page("usage, one team, 90 days", PAGE, lambda: dash + f"?range=90d&scope=team&id={BENCH_TEAM}"),
        Page("usage, one key, 30 days", PAGE, lambda: dash + f"?range=30d&scope=key&id={_key_token()}"),
        Page("spend logs, first page (7 days)", LIST, lambda: reverse("usage:spendlog_list") + "?window=7d"),
        Page("spend logs, 100 pages deep (keyset)", LIST, _spend_logs_deep),
        Page(
            "spend logs, one key, 24 h (no key index needed)",
            LIST,
            lambda: reverse("usage:spendlog_list") + f"?window=24h&key={_key_token()}",
        ),
        Page(
            "spend logs, one key, 7 days",
            LIST,
            lambda: reverse("usage:spendlog_list") + f"?window=7d&key={_key_token()}",
        ),
        Page("error logs, first page", LIST, r("usage:errorlog_list")),
        Page("report, last month (closed)", PAGE, _closed_month),
        Page("report, last month, team admin", PAGE, _closed_month, who="team admin"),
        Page("reconciliation, keys, 7 days", PAGE, lambda: _reconcile("key", 7)),
        Page("reconciliation, teams, 31 days", PAGE, lambda: _reconcile("team", 31)),
        Page("reconciliation, keys, 90 days (logs not read)", PAGE, lambda: _reconcile("key", 90)),
        Page("alerts history", LIST, r("alerts:alert_list")),
        Page("alerts history, team admin", LIST, r("alerts:alert_list"), who="team admin"),
        Page("jobs", LIST, r("jobs:job_list")),
    ]
