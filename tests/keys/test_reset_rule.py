"""budget_reset_at is the service's rule: the key form, the ops admin and a shell caller of
key_update/key_create get the same reset time for the same budget_duration."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from budgets import durations
from budgets import services as budget_services
from budgets.models import BudgetTable
from config import writes
from keys import services
from keys.models import VerificationToken
from tests import factories
from tests.forms import shown
from tests.test_admin import change_url, post_data

pytestmark = pytest.mark.django_db(databases="__all__")

SHELL = writes.Actor(changed_by="manage.py shell")


def reset_of(token):
    return VerificationToken.objects.get(token=token).budget_reset_at


def test_a_shell_key_update_gets_the_reset_the_form_gets(cast, client_for):
    by_form = factories.make_key(alias="by-form", user_id=cast.member["user_id"], team_id=cast.team["team_id"])
    by_shell = factories.make_key(alias="by-shell", user_id=cast.member["user_id"], team_id=cast.team["team_id"])
    client, url = client_for(cast.team_admin), reverse("keys:key_edit", args=[by_form["token"]])
    data = {"key_alias": "by-form", "team_id": cast.team["team_id"], "budget_duration": "7d"}
    response = client.post(url, {**data, **shown(client, url)})
    assert response.status_code == 302
    services.key_update(actor=SHELL, token=by_shell["token"], changes={"budget_duration": "7d"})
    expected = durations.budget_reset_at("7d")
    assert reset_of(by_form["token"]) == reset_of(by_shell["token"]) == expected
    assert expected.weekday() == 0  # LiteLLM aligns "7d" to the next Monday, midnight

    # Clearing the duration clears the reset on every path too.
    services.key_update(actor=SHELL, token=by_shell["token"], changes={"budget_duration": None})
    assert reset_of(by_shell["token"]) is None


def test_the_admin_key_edit_gets_the_same_reset(client):
    ops = get_user_model().objects.create_superuser("ops", "ops@example.com", "ops-password")
    client.force_login(ops)
    key = factories.make_key(alias="by-admin")
    form = client.get(change_url(VerificationToken, key["token"])).context["adminform"].form
    response = client.post(change_url(VerificationToken, key["token"]), post_data(form, budget_duration="1mo"))
    assert response.status_code == 302
    assert reset_of(key["token"]) == durations.budget_reset_at("1mo")


def test_a_caller_cannot_hand_key_update_its_own_reset_time():
    key = factories.make_key(alias="no-own-reset")
    with pytest.raises(ValueError):
        services.key_update(
            actor=SHELL, token=key["token"], changes={"budget_duration": "1d", "budget_reset_at": writes.now_utc()}
        )


def test_a_shell_budget_row_update_gets_the_reset_the_form_gets():
    budget_id = budget_services.budget_row_create(actor=SHELL, values={"max_budget": 5.0})
    budget_services.budget_row_update(actor=SHELL, budget_id=budget_id, changes={"budget_duration": "1d"})
    row = BudgetTable.objects.get(budget_id=budget_id)
    assert row.budget_reset_at == durations.budget_reset_at("1d")
    assert row.created_by == row.updated_by == writes.writer_id(SHELL)  # a master-key-like caller
