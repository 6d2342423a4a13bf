"""A team's and a person's page list their first keys (KEYS_SHOWN, by alias), say how many
there are in all, and link to the keys list filtered to every one of them: before, the team
page listed up to 200 and called that number the team's keys."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from keys.models import VerificationToken
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def _keys_card(body: str) -> str:
    return body[body.index("<h2>Keys") :]


def test_team_and_person_pages_show_the_first_keys_the_true_count_and_a_link_to_all(cast, client_for, monkeypatch):
    from accounts import selectors

    monkeypatch.setattr(selectors, "KEYS_SHOWN", 3)
    owner = factories.make_user(email="many-keys@example.com")
    for i in range(5):
        factories.make_key(user_id=owner["user_id"], team_id=cast.team["team_id"], alias=f"zz-key-{i}")
    team_id = cast.team["team_id"]
    team_total = VerificationToken.objects.filter(team_id=team_id).count()
    client = client_for(cast.proxy_admin)

    team_card = _keys_card(client.get(reverse("accounts:team_detail", args=[team_id])).content.decode())
    assert f"({team_total} you can see)" in team_card
    assert len(re.findall(r'<a href="/keys/[0-9a-f]{64}/">', team_card)) == 3
    link = re.search(r'<a href="(/keys/\?team_id=[^"]+)">all (\d+) keys</a>', team_card)
    assert link and int(link.group(2)) == team_total

    person_card = _keys_card(client.get(reverse("accounts:user_detail", args=[owner["user_id"]])).content.decode())
    assert 'Keys <span class="muted small">(5)</span>' in person_card
    assert len(re.findall(r'<a href="/keys/[0-9a-f]{64}/">', person_card)) == 3
    assert "zz-key-3" not in person_card and "zz-key-4" not in person_card  # by alias: past the first 3
    person_link = re.search(r'<a href="(/keys/\?user=[^"]+)">all 5 keys</a>', person_card)
    assert person_link

    everything = client.get(person_link.group(1).replace("&amp;", "&")).content.decode()
    assert all(f"zz-key-{i}" in everything for i in range(5))


def test_a_page_with_few_keys_lists_them_all_without_a_link(cast, client_for):
    owner = factories.make_user(email="two-keys@example.com")
    for i in range(2):
        factories.make_key(user_id=owner["user_id"], team_id=cast.team["team_id"], alias=f"yy-key-{i}")
    body = client_for(cast.proxy_admin).get(reverse("accounts:user_detail", args=[owner["user_id"]])).content.decode()
    card = _keys_card(body)
    assert "yy-key-0" in card and "yy-key-1" in card and "all 2 keys" not in card
