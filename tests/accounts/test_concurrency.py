"""Two browsers (two connections) adding different members to one team at the same moment:
the advisory lock and the re-read under it mean neither addition is lost, in any of the
roster's three parts."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from accounts import services
from accounts.models import TeamMembership, TeamTable, UserTable
from config import writes
from config.errors import ChangeRefused
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def run_together(*jobs):
    """Start every job on its own thread (own DB connection) at the same instant."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def wrap(job):
        try:
            barrier.wait(timeout=10)
            job()
        except Exception as e:  # surfaced below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors


def test_two_concurrent_member_adds_both_survive(clean_litellm):
    team = factories.make_team(alias="Busy")
    alice = factories.make_user(email="alice@example.com")
    bob = factories.make_user(email="bob@example.com")
    actor = writes.Actor(changed_by="tester")

    run_together(
        lambda: services.team_member_add(actor=actor, team_id=team["team_id"], user_id=alice["user_id"]),
        lambda: services.team_member_add(actor=actor, team_id=team["team_id"], user_id=bob["user_id"], role="admin"),
    )

    roster = {m["user_id"]: m for m in TeamTable.objects.get(team_id=team["team_id"]).members_with_roles}
    assert roster == {
        alice["user_id"]: {"user_id": alice["user_id"], "user_email": "alice@example.com", "role": "user"},
        bob["user_id"]: {"user_id": bob["user_id"], "user_email": "bob@example.com", "role": "admin"},
    }
    for user in (alice, bob):
        assert UserTable.objects.get(user_id=user["user_id"]).teams == [team["team_id"]]
        assert TeamMembership.objects.filter(user_id=user["user_id"], team_id=team["team_id"]).exists()


def test_a_concurrent_add_and_remove_keep_each_other(clean_litellm):
    carol = factories.make_user(email="carol@example.com")
    dave = factories.make_user(email="dave@example.com")
    team = factories.make_team(alias="Churn", members=[(carol, "user")])
    actor = writes.Actor(changed_by="tester")

    run_together(
        lambda: services.team_member_remove(actor=actor, team_id=team["team_id"], user_id=carol["user_id"]),
        lambda: services.team_member_add(actor=actor, team_id=team["team_id"], email="dave@example.com"),
    )

    roster = TeamTable.objects.get(team_id=team["team_id"]).members_with_roles
    assert [m["user_id"] for m in roster] == [dave["user_id"]]
    assert UserTable.objects.get(user_id=carol["user_id"]).teams == []
    assert UserTable.objects.get(user_id=dave["user_id"]).teams == [team["team_id"]]
    assert list(TeamMembership.objects.filter(team_id=team["team_id"]).values_list("user_id", flat=True)) == [
        dave["user_id"]
    ]


def test_two_concurrent_creates_of_one_email_make_one_user(clean_litellm):
    actor = writes.Actor(changed_by="tester")
    outcomes = []

    def create():
        try:
            services.user_create(actor=actor, email="twin@example.com", role="internal_user")
            outcomes.append("created")
        except ChangeRefused:
            outcomes.append("refused")

    run_together(create, create)
    assert sorted(outcomes) == ["created", "refused"]
    assert UserTable.objects.filter(user_email__iexact="twin@example.com").count() == 1
