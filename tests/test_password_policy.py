"""One password rule wherever a password is set: LiteLLM's composition, Django's length,
common-password and email-similarity checks, and no padding whitespace; each refusal says
why next to the field and stores nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import passwords, services
from accounts.models import InvitationLink, UserTable
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

OLD = "Old-password-123!"
EMAIL = "dana.jones@example.com"
REFUSED = [
    # (password, what the person reads next to the field)
    (" Padded-Pass-123!", "spaces at the start or end"),
    ("Padded-Pass-123! ", "spaces at the start or end"),
    ("Doomsayer.2.7mords.v", "too common"),
    ("DanaJones@Example1", "too similar to the email"),
    ("Sh0rt-Pass!", "at least 12 characters"),
    ("all-lowercase-123", "Still needed: an uppercase letter."),
]


@pytest.mark.parametrize(("password", "message"), REFUSED)
def test_the_own_password_page_refuses_it_next_to_the_field(client_for, password, message):
    row = factories.make_user(email=EMAIL, password=passwords.hash_password(OLD))
    response = client_for(row).post(
        reverse("password_change"), {"current_password": OLD, "password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors["password1"])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert passwords.verify_password(OLD, UserTable.objects.get(user_id=row["user_id"]).password)


@pytest.mark.parametrize(("password", "message"), REFUSED)
def test_the_invitation_page_refuses_it_next_to_the_field(client, password, message):
    invited = factories.make_user(email=EMAIL)
    invitation = factories.make_invitation(user_id=invited["user_id"], created_by=invited["user_id"])
    token = services.invitation_token(InvitationLink.objects.get(id=invitation["id"]))
    url = reverse("accounts:invitation_accept", args=[token])
    response = client.post(url, {"password1": password, "password2": password})
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors["password1"])
    assert UserTable.objects.get(user_id=invited["user_id"]).password is None


def test_a_sound_password_still_passes():
    assert passwords.new_password_errors("Sturdy-Pass-42", email=EMAIL) == []


def test_the_ops_admin_password_forms_use_the_same_rule(cast):
    from django.contrib.auth.forms import SetPasswordForm

    ops = get_user_model().objects.get(username="ops")
    form = SetPasswordForm(ops, {"new_password1": "Doomsayer.2.7mords.v", "new_password2": "Doomsayer.2.7mords.v"})
    assert not form.is_valid() and "too common" in str(form.errors)
    form = SetPasswordForm(ops, {"new_password1": "short", "new_password2": "short"})
    assert not form.is_valid() and "Still needed" in str(form.errors)
