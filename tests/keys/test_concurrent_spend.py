"""The proxy keeps adding spend while people edit: no increment may be lost.

A second connection plays the proxy's spend writer (`UPDATE ... SET spend = spend + 1`, each
in its own autocommit transaction) on one key, its team and a team membership, while the
console edits, blocks, unblocks and regenerates that key and bulk-edits member budgets.
Afterwards every stored counter equals its start value plus the increments that committed."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from accounts.models import TeamMembership, TeamTable
from budgets import selectors as budget_selectors
from budgets import services as budget_services
from config import writes
from keys import services
from keys.models import VerificationToken
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


class SpendWriter(threading.Thread):
    """Increments spend on the key (found by alias: regenerate changes its hash), the team and
    one membership until stopped; counts the increments that committed."""

    def __init__(self, alias: str, team_id: str, user_id: str):
        super().__init__(daemon=True)
        self.alias, self.team_id, self.user_id = alias, team_id, user_id
        self.stop = threading.Event()
        self.committed = {"key": 0, "team": 0, "member": 0}
        self.errors: list[Exception] = []

    def run(self):
        vt = VerificationToken._meta.db_table
        tt = TeamTable._meta.db_table
        tm = TeamMembership._meta.db_table
        try:
            with connections["litellm"].cursor() as cursor:
                while not self.stop.is_set():
                    cursor.execute(f'UPDATE "{vt}" SET spend = spend + 1 WHERE key_alias = %s', [self.alias])
                    self.committed["key"] += cursor.rowcount
                    cursor.execute(f'UPDATE "{tt}" SET spend = spend + 1 WHERE team_id = %s', [self.team_id])
                    self.committed["team"] += cursor.rowcount
                    cursor.execute(
                        f'UPDATE "{tm}" SET spend = spend + 1 WHERE team_id = %s AND user_id = %s',
                        [self.team_id, self.user_id],
                    )
                    self.committed["member"] += cursor.rowcount
        except Exception as error:  # surfaced by the test
            self.errors.append(error)
        finally:
            connections.close_all()

    def wait_for(self, at_least: int) -> None:
        while self.committed["key"] < at_least and not self.errors:
            threading.Event().wait(0.005)


def test_no_spend_increment_is_lost_while_keys_and_budgets_change(clean_litellm):
    actor = writes.Actor(changed_by="tester")
    alice = factories.make_user(email="alice@example.com")
    bob = factories.make_user(email="bob@example.com")
    team = factories.make_team(alias="Hot", members=[(alice, "admin"), (bob, "user")], spend=100.0, max_budget=500.0)
    key = factories.make_key(alias="busy-key", user_id=alice["user_id"], team_id=team["team_id"], spend=10.0)
    default = factories.make_budget(max_budget=5.0)
    TeamTable.objects.filter(team_id=team["team_id"]).update(metadata={"team_member_budget_id": default["budget_id"]})
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'UPDATE "{TeamMembership._meta.db_table}" SET spend = 3, budget_id = %s WHERE team_id = %s',
            [default["budget_id"], team["team_id"]],
        )

    writer = SpendWriter("busy-key", team["team_id"], alice["user_id"])
    writer.start()
    try:
        writer.wait_for(5)
        token = key["token"]
        for round_ in range(4):
            services.key_update(
                actor=actor, token=token, changes={"max_budget": 50.0 + round_, "budget_duration": "1d"}
            )
            writer.wait_for(writer.committed["key"] + 2)
            services.keys_set_blocked(actor=actor, tokens=[token], blocked=True)
            services.keys_set_blocked(actor=actor, tokens=[token], blocked=False)
            writer.wait_for(writer.committed["key"] + 2)
            token = services.key_regenerate(actor=actor, token=token).token
            writer.wait_for(writer.committed["key"] + 2)
            team_row = TeamTable.objects.get(team_id=team["team_id"])
            members = budget_selectors.team_member_budgets(team_row)
            budget_services.team_member_budgets_update(
                actor=actor,
                team_id=team["team_id"],
                patches={m.user_id: {"max_budget": 20.0 + round_} for m in members},
            )
            writer.wait_for(writer.committed["key"] + 2)
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert not writer.errors, writer.errors
    assert writer.committed["key"] > 10

    stored_key = VerificationToken.objects.get(key_alias="busy-key")
    assert stored_key.token == token
    assert stored_key.spend == 10.0 + writer.committed["key"]
    assert stored_key.max_budget == 53.0 and stored_key.blocked is False
    assert TeamTable.objects.get(team_id=team["team_id"]).spend == 100.0 + writer.committed["team"]
    alice_membership = TeamMembership.objects.get(team_id=team["team_id"], user_id=alice["user_id"])
    assert alice_membership.spend == 3.0 + writer.committed["member"]
    assert alice_membership.budget_id != default["budget_id"]  # cloned, not the shared row
