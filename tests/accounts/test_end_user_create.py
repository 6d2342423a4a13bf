"""Creating an end user as /customer/new does (customer_endpoints.py::new_end_user)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import EndUserTable
from budgets.models import BudgetTable
from config import writes
from config.errors import ChangeRefused
from config.models import ConsoleAuditLog
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

ACTOR = writes.Actor(changed_by="admin-user", writer_id="admin-user")


def test_new_limits_make_a_budget_row_reset_from_now_not_aligned():
    before = writes.now_utc()
    row = services.end_user_create(
        actor=ACTOR, user_id="app-user-1", alias="App user", max_budget=5.0, budget_duration="1d", rpm_limit=10
    )
    end_user = EndUserTable.objects.get(user_id="app-user-1")
    assert (end_user.alias, end_user.blocked, end_user.spend) == ("App user", False, 0.0)
    budget = BudgetTable.objects.get(budget_id=end_user.budget_id)
    assert (budget.max_budget, budget.budget_duration, budget.rpm_limit, budget.tpm_limit) == (5.0, "1d", 10, None)
    # new_budget_request: utcnow + duration_in_seconds, not the next midnight
    assert before + timedelta(days=1) <= budget.budget_reset_at <= writes.now_utc() + timedelta(days=1)
    assert budget.created_by == budget.updated_by == "admin-user"
    assert ConsoleAuditLog.objects.filter(object_id="app-user-1", action="created").exists()
    assert row["budget_id"] == budget.budget_id


def test_an_existing_budget_is_linked_and_both_at_once_refused():
    shared = factories.make_budget(max_budget=1.0)
    services.end_user_create(actor=ACTOR, user_id="app-user-2", budget_id=shared["budget_id"])
    assert EndUserTable.objects.get(user_id="app-user-2").budget_id == shared["budget_id"]
    count = BudgetTable.objects.count()
    with pytest.raises(ChangeRefused, match="not both"):
        services.end_user_create(actor=ACTOR, user_id="app-user-3", budget_id=shared["budget_id"], max_budget=2.0)
    assert BudgetTable.objects.count() == count and not EndUserTable.objects.filter(user_id="app-user-3").exists()


def test_a_duplicate_id_is_refused():
    factories.make_end_user(user_id="taken")
    with pytest.raises(ChangeRefused, match="already exists"):
        services.end_user_create(actor=ACTOR, user_id="taken")


def test_the_form_creates_and_shows_it_in_the_list(cast, client_for):
    admin = client_for(cast.proxy_admin)
    assert 'href="/end-users/new/"' in admin.get(reverse("accounts:enduser_list")).content.decode()
    response = admin.post(
        reverse("accounts:enduser_create"),
        {"user_id": "web-42", "alias": "Web", "max_budget": "3", "budget_duration": "2mo"},
    )
    assert response.status_code == 200  # 2mo is refused as a budget duration, next to its field
    assert not EndUserTable.objects.filter(user_id="web-42").exists()
    response = admin.post(
        reverse("accounts:enduser_create"), {"user_id": "web-42", "alias": "Web", "max_budget": "3"}, follow=True
    )
    assert "Created end user web-42" in response.content.decode()
    assert EndUserTable.objects.get(user_id="web-42").alias == "Web"


def test_roles_without_authority_are_refused(cast, client_for):
    url = reverse("accounts:enduser_create")
    for person in (cast.admin_viewer, cast.org_admin, cast.member):
        client = client_for(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"user_id": "sneaky"}).status_code == 403
    assert (
        'href="/end-users/new/"'
        not in client_for(cast.admin_viewer).get(reverse("accounts:enduser_list")).content.decode()
    )
    assert not EndUserTable.objects.filter(user_id="sneaky").exists()
