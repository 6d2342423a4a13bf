"""Key status has one definition: at the expiry boundary every page agrees with the proxy.

LiteLLM rejects a key when `expires < now` (auth/user_api_key_auth.py), so a key expiring
exactly now is still active. Before keys/status.py the home count said "expired" at that instant
(`expires > now`) and the user page's badge said "Expired" (`expires <= now`), while the key list
said "Active".
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from config import writes
from keys.models import VerificationToken
from keys.status import ACTIVE, BLOCKED, EXPIRED, key_status, status_q
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

MS = timedelta(milliseconds=1)

# alias -> (expires relative to now, or None; blocked; status LiteLLM would give)
CASES = {
    "exp-at-now": (timedelta(0), None, ACTIVE),
    "exp-1ms-ago": (-MS, None, EXPIRED),
    "exp-in-1ms": (MS, None, ACTIVE),
    "exp-never": (None, None, ACTIVE),
    "exp-blocked-expired": (-timedelta(days=1), True, BLOCKED),
    "exp-unblocked-false": (-MS, False, EXPIRED),
}
BADGE = {ACTIVE: "Active", BLOCKED: "Blocked", EXPIRED: "Expired"}


@pytest.fixture
def frozen(monkeypatch):
    now = writes.now_utc() + timedelta(minutes=5)  # ms precision, as the column stores it
    monkeypatch.setattr(writes, "now_utc", lambda: now)
    return now


@pytest.fixture
def boundary_keys(cast, frozen):
    owner = factories.make_user(email="boundary@example.com")
    rows = {}
    for alias, (delta, blocked, _) in CASES.items():
        rows[alias] = factories.make_key(
            alias=alias,
            user_id=owner["user_id"],
            expires=None if delta is None else frozen + delta,
            blocked=blocked,
        )
    return owner, rows


def _aliases(body: str) -> set[str]:
    return set(re.findall(r"exp-[a-z0-9-]+", body))


def test_key_status_and_status_q_agree_on_every_case(boundary_keys, frozen):
    _, rows = boundary_keys
    for alias, (_, _, expected) in CASES.items():
        key = VerificationToken.objects.get(token=rows[alias]["token"])
        assert key_status(key, frozen) == expected, alias
        matched = [
            s
            for s in (ACTIVE, BLOCKED, EXPIRED)
            if VerificationToken.objects.filter(status_q(s, frozen), pk=key.pk).exists()
        ]
        assert matched == [expected], alias


def test_list_filter_home_count_badges_and_csv_agree(cast, client_for, boundary_keys, frozen):
    owner, rows = boundary_keys
    client = client_for(cast.proxy_admin)
    url = reverse("keys:key_list")

    # The Status filter puts each key in exactly its own status.
    for status in (ACTIVE, BLOCKED, EXPIRED):
        body = client.get(url, {"status": status, "q": "exp-"}).content.decode()
        expected = {a for a, c in CASES.items() if c[2] == status}
        assert _aliases(body) & set(CASES) == expected, status

    # The CSV's Status column.
    text = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode()
    by_alias = {r["Key"]: r for r in csv.DictReader(io.StringIO(text))}
    for alias, (_, _, expected) in CASES.items():
        assert by_alias[alias]["Status"] == expected, alias

    # The list's badges, the key page's badge and the user page's badge.
    list_body = client.get(url).content.decode()
    user_body = client.get(reverse("accounts:user_detail", args=[owner["user_id"]])).content.decode()
    for alias, (_, _, expected) in CASES.items():
        for body in (list_body, user_body):
            row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + alias + r"\b(?:(?!</tr>).)*</tr>", body, re.S)
            assert row and f">{BADGE[expected]}</span>" in row.group(0), alias
            others = set(BADGE.values()) - {BADGE[expected]}
            assert not any(f">{o}</span>" in row.group(0) for o in others), alias
        detail = client.get(reverse("keys:key_detail", args=[rows[alias]["token"]])).content.decode()
        h1 = re.search(r"<h1>.*?</h1>", detail, re.S).group(0)
        assert f">{BADGE[expected]}</span>" in h1, alias

    # The home page's "Active keys" counts exactly the active ones (cast keys are counted too).
    home = client.get(reverse("home")).content.decode()
    count = int(re.search(r'data-figure="active-keys">(\d+)<', home).group(1))
    others = VerificationToken.objects.filter(status_q(ACTIVE, frozen)).exclude(key_alias__startswith="exp-")
    others = others.exclude(team_id="litellm-dashboard").count()
    assert count == others + sum(1 for c in CASES.values() if c[2] == ACTIVE)
