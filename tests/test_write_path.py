"""The one write path: who a write is stamped with, and the in-place array SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from accounts.models import UserTable
from config import policy, writes
from config.routers import LITELLM_ALIAS
from config.views.base import actor_for
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_actor_carries_its_writer_id_and_asks_the_database_nothing():
    user = policy.Principal(label="dana", role=policy.INTERNAL_USER, user_id="u-dana")
    ops = policy.Principal(label="ops", role=policy.PROXY_ADMIN, ops_username="ops")
    with CaptureQueriesContext(connections[LITELLM_ALIAS]) as queries:
        assert writes.writer_id(actor_for(user)) == "u-dana"
        # An ops login writes as a master-key call does (litellm-exact.md §5); the console's
        # own trail still names the login.
        assert writes.writer_id(actor_for(ops)) == settings.LITELLM_PROXY_ADMIN_ID
        assert actor_for(ops).changed_by == settings.LITELLM_PROXY_ADMIN_ID
        assert actor_for(ops).ops_username == "ops"
        assert writes.writer_id(writes.Actor(changed_by="manage.py invite")) == settings.LITELLM_PROXY_ADMIN_ID
    assert len(queries) == 0


def test_array_append_never_adds_twice_and_array_remove_keeps_the_rest_in_order():
    user = factories.make_user(teams=["a", "b", "c"])
    key = {"user_id": user["user_id"]}
    # an old stamp, so the new one is later even within the column's millisecond resolution
    UserTable.objects.filter(user_id=user["user_id"]).update(updated_at=user["updated_at"] - timedelta(hours=1))
    assert writes.array_append(UserTable, "teams", "b", keys=key, stamp=True) == 0
    assert writes.array_append(UserTable, "teams", "d", keys=key, stamp=True) == 1
    row = UserTable.objects.get(user_id=user["user_id"])
    assert row.teams == ["a", "b", "c", "d"] and row.updated_at > user["updated_at"] - timedelta(hours=1)
    # Without keys: every row holding the value, locked in the proxy's order; no updated_at.
    other = factories.make_user(teams=["b"])
    assert writes.array_remove(UserTable, "teams", "b", lock_pk="user_id") == 2
    assert UserTable.objects.get(user_id=user["user_id"]).teams == ["a", "c", "d"]
    untouched = UserTable.objects.get(user_id=other["user_id"])
    assert untouched.teams == [] and untouched.updated_at == other["updated_at"]
