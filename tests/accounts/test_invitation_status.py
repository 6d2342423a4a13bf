"""Invitation status has one definition: the list, its filter, the home count and the
`invitations` command agree (LiteLLM: accepted if flagged or stamped; expired by DATE)."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.invitation_status import ACCEPTED, EXPIRED, PENDING, invitation_status
from accounts.models import InvitationLink
from config.writes import now_utc
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def invitations(cast):
    admin = cast.proxy_admin["user_id"]
    today_end = now_utc().replace(hour=0, minute=0, second=0, microsecond=0)

    def invite(label, **values):
        user = factories.make_user(email=f"{label}@example.com")
        return factories.make_invitation(user_id=user["user_id"], created_by=admin, **values)

    return {
        # Stamped accepted_at but not flagged (a partly applied claim): accepted, not pending.
        "stamped": (invite("stamped", accepted_at=now_utc()), ACCEPTED),
        "flagged": (invite("flagged", accepted=True), ACCEPTED),
        # Expired at 00:00 today: still usable all day, as /onboarding/get_token judges by date.
        "lastday": (invite("lastday", expires_at=today_end), PENDING),
        "yesterday": (invite("yesterday", expires_at=today_end - timedelta(microseconds=1000)), EXPIRED),
        "fresh": (invite("fresh"), PENDING),
    }


def test_list_filter_home_count_and_command_agree(cast, client_for, invitations, capsys):
    for label, (row, expected) in invitations.items():
        assert invitation_status(InvitationLink.objects.get(id=row["id"])) == expected, label
    client = client_for(cast.proxy_admin)
    for status in (PENDING, ACCEPTED, EXPIRED):
        body = client.get(reverse("accounts:invitation_list"), {"status": status}).content.decode()
        shown = {m for m in re.findall(r"([a-z]+)@example\.com", body) if m in invitations}
        assert shown == {label for label, (_, s) in invitations.items() if s == status}, status
    home = client.get(reverse("home")).content.decode()
    count = int(re.search(r'data-figure="pending-invitations">(\d+)<', home).group(1))
    assert count == sum(1 for _, s in invitations.values() if s == PENDING)
    call_command("invitations")
    out = capsys.readouterr().out
    for label, (_, expected) in invitations.items():
        line = next(line for line in out.splitlines() if f"{label}@example.com" in line)
        assert expected in line, label
