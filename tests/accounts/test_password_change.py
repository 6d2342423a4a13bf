"""A LiteLLM user changes their own password (the one both UIs accept), and is asked to after
an administrator set it, as LiteLLM's UI does."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts import passwords
from accounts.models import UserTable
from config.models import AuditLog
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

OLD, NEW = "Old-password-123!", "Brand-new-pass-456?"


def person(**values):
    return factories.make_user(email="pat@example.com", password=passwords.hash_password(OLD), **values)


def test_it_changes_the_password_to_litellms_scrypt_format(client_for):
    row = person()
    response = client_for(row).post(
        reverse("password_change"), {"current_password": OLD, "password1": NEW, "password2": NEW}
    )
    assert response.status_code == 302
    stored = UserTable.objects.get(user_id=row["user_id"]).password
    assert stored.startswith("scrypt:") and passwords.verify_password(NEW, stored)
    audit = AuditLog.objects.get(object_id=row["user_id"], action="updated")
    assert "password" not in audit.before_value and "password" not in audit.updated_values


def test_a_wrong_current_password_is_refused_next_to_the_field(client_for):
    row = person()
    response = client_for(row).post(
        reverse("password_change"), {"current_password": "nope", "password1": NEW, "password2": NEW}
    )
    assert response.status_code == 200
    assert "not your current password" in response.context["form"].errors["current_password"][0]
    assert passwords.verify_password(OLD, UserTable.objects.get(user_id=row["user_id"]).password)


def test_a_weak_new_password_is_refused(client_for):
    row = person()
    response = client_for(row).post(
        reverse("password_change"), {"current_password": OLD, "password1": "short", "password2": "short"}
    )
    assert response.status_code == 200 and "password1" in response.context["form"].errors
    assert passwords.verify_password(OLD, UserTable.objects.get(user_id=row["user_id"]).password)


def test_ops_staff_are_sent_to_the_admins_password_page(client, cast):
    client.force_login(cast.ops)
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:password_change")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_password_set_by_an_admin_must_be_changed_at_sign_in():
    extra = {"password_reset_required": True} if UserTable.has_column("password_reset_required") else {}
    row = person(**extra)
    response = Client().post(reverse("login"), {"username": "pat@example.com", "password": OLD})
    assert response.status_code == 302
    # Newest schema: the flag sends them to choose a password; the seed schema has no flag.
    expected = reverse("password_change") if extra else reverse("home")
    assert response["Location"] == expected
    if extra:
        client = Client()
        client.post(reverse("login"), {"username": "pat@example.com", "password": OLD})
        client.post(reverse("password_change"), {"current_password": OLD, "password1": NEW, "password2": NEW})
        assert UserTable.objects.get(user_id=row["user_id"]).password_reset_required is False
