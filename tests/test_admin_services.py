"""The ops admin writes through the console's services: the same refusals (shown next to the
field, nothing written), the same audit rows, only the changed columns, no lost updates
between two ops, and never a password hash on screen."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import EndUserTable, InvitationLink, OrganizationTable, TeamTable, UserTable
from budgets.models import BudgetTable
from config.models import AuditLog
from keys.models import VerificationToken
from tests import factories
from tests.conftest import login_litellm_user
from tests.test_admin import change_url, changelist_url, post_data

pytestmark = pytest.mark.django_db(databases="__all__")

HASH = "scrypt:c2VjcmV0LXNhbHQ=$aGFzaC1vZi10aGUtcGFzc3dvcmQ="


@pytest.fixture
def ops(db):
    return get_user_model().objects.create_superuser("ops", "ops@example.com", "ops-password")


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ops_client(ops):
    return client_as(ops)


def edit(client, model, pk, **changes):
    form = client.get(change_url(model, pk)).context["adminform"].form
    return client.post(change_url(model, pk), post_data(form, **changes))


def refused(response, field: str) -> str:
    """The form came back (no redirect) with an error next to `field`; returns its text."""
    assert response.status_code == 200, "the change was accepted"
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    return " ".join(errors[field])


def audit_count(object_id) -> int:
    return len(factories.audit_rows(object_id=object_id))


# --- the console's validation --------------------------------------------------------------------


def test_a_negative_key_budget_is_refused_next_to_the_field(ops_client):
    key = factories.make_key(alias="neg", max_budget=10.0)
    message = refused(edit(ops_client, VerificationToken, key["token"], max_budget="-5"), "max_budget")
    assert "zero or more" in message
    assert VerificationToken.objects.get(token=key["token"]).max_budget == 10.0
    assert audit_count(key["token"]) == 0


@pytest.mark.parametrize(
    "model,make,pk",
    [
        (UserTable, lambda: factories.make_user(email="u@example.com"), "user_id"),
        (TeamTable, lambda: factories.make_team(alias="t"), "team_id"),
        (BudgetTable, lambda: factories.make_budget(max_budget=1.0), "budget_id"),
    ],
)
def test_a_negative_budget_is_refused_everywhere(ops_client, model, make, pk):
    row = make()
    message = refused(edit(ops_client, model, row[pk], max_budget="-5"), "max_budget")
    assert "zero or more" in message
    assert model.objects.get(pk=row[pk]).max_budget != -5
    assert audit_count(row[pk]) == 0


def test_a_negative_budget_row_is_refused_on_add(ops_client):
    add_url = reverse("admin:budgets_budgettable_add")
    form = ops_client.get(add_url).context["adminform"].form
    before = BudgetTable.objects.count()
    assert "zero or more" in refused(ops_client.post(add_url, post_data(form, tpm_limit="-1")), "tpm_limit")
    assert BudgetTable.objects.count() == before


@pytest.mark.parametrize(
    "model,make,pk", [(VerificationToken, factories.make_key, "token"), (TeamTable, factories.make_team, "team_id")]
)
def test_a_bad_budget_duration_is_refused(ops_client, model, make, pk):
    row = make()
    message = refused(edit(ops_client, model, row[pk], budget_duration="2mo"), "budget_duration")
    assert "1mo" in message or "Invalid" in message
    assert model.objects.get(pk=row[pk]).budget_duration is None


def test_a_duplicate_key_alias_is_refused(ops_client):
    factories.make_key(alias="taken")
    key = factories.make_key(alias="mine")
    assert "already exists" in refused(
        edit(ops_client, VerificationToken, key["token"], key_alias="taken"), "key_alias"
    )
    assert VerificationToken.objects.get(token=key["token"]).key_alias == "mine"


def test_a_key_alias_with_a_control_character_is_refused(ops_client):
    key = factories.make_key(alias="clean")
    refused(edit(ops_client, VerificationToken, key["token"], key_alias="bad\talias"), "key_alias")


def test_a_team_without_a_name_is_refused(ops_client):
    team = factories.make_team(alias="named")
    assert "name" in refused(edit(ops_client, TeamTable, team["team_id"], team_alias=""), "team_alias")


def test_a_user_with_a_taken_email_is_refused(ops_client):
    factories.make_user(email="first@example.com")
    user = factories.make_user(email="second@example.com")
    message = refused(edit(ops_client, UserTable, user["user_id"], user_email="FIRST@example.com"), "user_email")
    assert "already exists" in message


def test_adding_a_user_with_a_taken_email_is_refused_next_to_the_email(ops_client):
    factories.make_user(email="first@example.com")
    add_url = reverse("admin:accounts_usertable_add")
    form = ops_client.get(add_url).context["adminform"].form
    response = ops_client.post(add_url, post_data(form, user_email=" First@example.com"))
    assert "already exists" in refused(response, "user_email")
    assert UserTable.objects.filter(user_email__iexact="first@example.com").count() == 1


# --- audit rows ------------------------------------------------------------------------------------


def test_an_org_created_in_the_admin_gets_its_budget_row_and_both_audit_rows(ops_client):
    add_url = reverse("admin:accounts_organizationtable_add")
    form = ops_client.get(add_url).context["adminform"].form
    response = ops_client.post(add_url, post_data(form, organization_alias="Initech"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    org = OrganizationTable.objects.get(organization_alias="Initech")
    assert BudgetTable.objects.filter(budget_id=org.budget_id).exists()
    created = {(r.object_id, r.table_name) for r in factories.audit_rows(action="created", ops_username="ops")}
    assert (org.organization_id, OrganizationTable._meta.db_table) in created
    assert (org.budget_id, BudgetTable._meta.db_table) in created


@pytest.mark.parametrize(
    "model,make,pk,changes",
    [
        (UserTable, lambda: factories.make_user(email="a@example.com"), "user_id", {"user_alias": "Ann"}),
        (TeamTable, lambda: factories.make_team(alias="t1"), "team_id", {"max_budget": "7"}),
        (OrganizationTable, lambda: factories.make_org(alias="o1"), "organization_id", {"organization_alias": "o2"}),
        (VerificationToken, lambda: factories.make_key(alias="k1"), "token", {"tpm_limit": "100"}),
        (BudgetTable, lambda: factories.make_budget(), "budget_id", {"rpm_limit": "5"}),
        (EndUserTable, lambda: factories.make_end_user(), "user_id", {"alias": "customer"}),
        (
            InvitationLink,
            lambda: factories.make_invitation(
                user_id=factories.make_user()["user_id"], created_by=factories.make_user()["user_id"]
            ),
            "id",
            {"is_accepted": "on"},
        ),
    ],
)
def test_every_admin_change_leaves_an_audit_row(ops_client, model, make, pk, changes):
    row = make()
    before = audit_count(row[pk])
    response = edit(ops_client, model, row[pk], **changes)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entries = factories.audit_rows(object_id=row[pk], ops_username="ops")
    assert len(entries) > before
    assert entries[0].table_name == model._meta.db_table


def test_an_admin_block_is_the_consoles_block(ops_client):
    key = factories.make_key(alias="blk")
    assert edit(ops_client, VerificationToken, key["token"], blocked="true").status_code == 302
    assert AuditLog.objects.get(object_id=key["token"]).action == "blocked"


# --- two ops at once -------------------------------------------------------------------------------


def test_two_ops_editing_the_same_field_the_second_is_refused(ops):
    key = factories.make_key(alias="shared", max_budget=10.0)
    first, second = client_as(ops), client_as(ops)
    url = change_url(VerificationToken, key["token"])
    form_first = first.get(url).context["adminform"].form
    form_second = second.get(url).context["adminform"].form

    assert first.post(url, post_data(form_first, max_budget="20")).status_code == 302
    message = refused(second.post(url, post_data(form_second, max_budget="15")), "max_budget")

    assert "Someone else changed this" in message
    assert VerificationToken.objects.get(token=key["token"]).max_budget == 20.0


def test_a_stale_form_never_reverts_a_field_the_person_did_not_touch(ops):
    key = factories.make_key(alias="shared2", max_budget=10.0)
    first, second = client_as(ops), client_as(ops)
    url = change_url(VerificationToken, key["token"])
    form_first = first.get(url).context["adminform"].form
    form_second = second.get(url).context["adminform"].form

    assert first.post(url, post_data(form_first, max_budget="20")).status_code == 302
    # The second page still shows max_budget 10; its person changes only the alias.
    response = second.post(url, post_data(form_second, key_alias="renamed"))

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    row = VerificationToken.objects.get(token=key["token"])
    assert (row.key_alias, row.max_budget) == ("renamed", 20.0)


# --- the password hash -----------------------------------------------------------------------------


@pytest.mark.parametrize("superuser", [True, False])
def test_the_password_hash_is_never_shown_in_the_admin(db, superuser):
    User = get_user_model()
    staff = (
        User.objects.create_superuser("ops-su", "su@example.com", "x")
        if superuser
        else User.objects.create_user("ops-staff", password="x", is_staff=True)
    )
    client = client_as(staff)
    user = factories.make_user(email="secret@example.com", password=HASH)
    pages = [
        change_url(UserTable, user["user_id"]),
        changelist_url(UserTable),
        changelist_url(UserTable) + "?q=secret",
        reverse("admin:accounts_usertable_history", args=[user["user_id"]]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert HASH not in html and "c2VjcmV0LXNhbHQ" not in html, url
    form = client.get(pages[0]).context["adminform"].form
    assert "password" not in form.fields
    assert "password" not in client.get(pages[0]).context["adminform"].readonly_fields
    if superuser:  # a save leaves the hash in place and out of the audit row
        assert edit(client, UserTable, user["user_id"], user_alias="S").status_code == 302
        assert UserTable.objects.get(user_id=user["user_id"]).password == HASH
        entry = AuditLog.objects.get(object_id=user["user_id"])
        assert HASH not in str(entry.before_value) + str(entry.updated_values)


def test_the_password_hash_is_in_no_csv(cast, db):
    factories.make_user(email="secret@example.com", password=HASH)
    client = login_litellm_user(Client(), cast.proxy_admin)
    body = b"".join(client.get(reverse("accounts:user_list"), {"export": "csv"}).streaming_content).decode()
    assert "secret@example.com" in body and HASH not in body
