"""A 403 is one WARNING line (who, what, why), not a traceback."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_refused_page_is_logged_as_one_line(client_for, cast, caplog):
    url = reverse("accounts:user_list")
    with caplog.at_level(logging.INFO):
        response = client_for(cast.member).get(url)
    assert response.status_code == 403
    assert "may not" in response.content.decode()  # the person still sees the 403 page
    refused = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in refused] == [
        f"403 user=member@example.com path={url} reason=You may not open this page."
    ]
    assert all(r.exc_info is None for r in refused)
