"""Every list and detail page renders over rows shaped as the proxy or LiteLLM's UI writes
them: legacy per-model budgets ({"budget_limit", "time_period"}), nested metadata, NULL where
the schema allows it, 255-character aliases."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests import factories


def pages_over(rows: dict) -> list[str]:
    key, team, user, org = rows["key"], rows["team"], rows["user"], rows["org"]
    token, team_id, user_id, org_id = key["token"], team["team_id"], user["user_id"], org["organization_id"]
    pages = [
        reverse(name)
        for name in (
            "home",
            "keys:key_list",
            "keys:key_create",
            "accounts:team_list",
            "accounts:user_list",
            "accounts:org_list",
            "accounts:enduser_list",
            "accounts:invitation_list",
            "budgets:budget_overview",
            "budgets:budget_rows",
            "usage:dashboard",
            "usage:spendlog_list",
            "usage:errorlog_list",
            "audit:audit_list",
        )
    ]
    pages += [reverse(f"keys:key_{a}", args=[token]) for a in ("detail", "edit", "regenerate", "delete")]
    pages += [reverse(f"accounts:team_{a}", args=[team_id]) for a in ("detail", "edit", "member_add")]
    pages += [reverse("budgets:team_members", args=[team_id])]
    pages += [reverse(f"accounts:user_{a}", args=[user_id]) for a in ("detail", "edit")]
    pages += [reverse(f"accounts:org_{a}", args=[org_id]) for a in ("detail", "edit")]
    pages += [reverse("accounts:enduser_edit", args=[rows["end_user"]["user_id"]])]
    pages += [reverse("budgets:budget_row_edit", args=[rows["budget"]["budget_id"]])]
    pages += [reverse("usage:spendlog_detail", args=[log["request_id"]]) for log in rows["logs"]]
    pages += [reverse("usage:errorlog_detail", args=[rows["error"]["request_id"]])]
    dashboard = reverse("usage:dashboard")
    for scope, value in (
        ("org", org_id),
        ("team", team_id),
        ("user", user_id),
        ("key", token),
        ("tag", "odd/tag"),
        ("model", "weird/model"),
    ):
        pages.append(f"{dashboard}?{urlencode({'scope': scope, 'id': value})}")
    pages.append(f"{reverse('keys:key_list')}?{urlencode({'team_id': team_id, 'q': key['key_alias']})}")
    pages.append(f"{reverse('usage:spendlog_list')}?{urlencode({'model': 'weird/model', 'window': '7d'})}")
    return pages


@pytest.mark.django_db(databases=["default", "litellm"])
def test_every_page_renders_over_proxy_shaped_rows(cast, client_for):
    rows = factories.make_proxy_shaped_rows()
    client = client_for(cast.proxy_admin)
    client.raise_request_exception = False  # list every page that fails, not just the first
    failures = []
    for url in pages_over(rows):
        response = client.get(url)
        if response.status_code != 200:
            failures.append(f"{url}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db(databases=["default", "litellm"])
def test_key_page_shows_a_legacy_per_model_budget(cast, client_for):
    rows = factories.make_proxy_shaped_rows()
    response = client_for(cast.proxy_admin).get(reverse("keys:key_detail", args=[rows["key"]["token"]]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "gpt-4o" in body and "$5.00" in body and "1d" in body
