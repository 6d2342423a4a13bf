"""`manage.py demo` says it is a demo (development key, fixed passwords) and will not listen
beyond loopback unless told --insecure-public."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import UserTable
from demo.management.commands.demo import is_loopback

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.mark.parametrize("addrport", ["0.0.0.0:8000", "192.168.1.20:8000", "[::]:8000", "console.example.com:80"])
def test_a_public_address_is_refused_before_anything_is_written(monkeypatch, addrport):
    monkeypatch.setenv("CONSOLE_EMBEDDED_DEMO", "1")
    with pytest.raises(CommandError, match="--insecure-public"):
        call_command("demo", addrport, "--no-serve", verbosity=0)
    assert not UserTable.objects.exists()  # no demo deployment built
    assert not get_user_model().objects.filter(username="ops").exists()  # no login made


def test_insecure_public_lets_it_through(monkeypatch, capsys):
    monkeypatch.delenv("CONSOLE_EMBEDDED_DEMO", raising=False)
    call_command("demo", "0.0.0.0:8000", "--no-serve", "--insecure-public", verbosity=0)
    assert "http://0.0.0.0:8000/" in capsys.readouterr().out


def test_it_warns_about_the_development_key(monkeypatch, settings, capsys):
    monkeypatch.delenv("CONSOLE_EMBEDDED_DEMO", raising=False)
    settings.SECRET_KEY = "insecure-dev-key-change-me"  # what DEBUG=true without SECRET_KEY uses
    call_command("demo", "--no-serve", verbosity=0)
    out = capsys.readouterr().out
    assert "Warning: this demo runs with a development secret key" in out and "never expose it" in out


@pytest.mark.parametrize(
    ("addrport", "loopback"),
    [("127.0.0.1:8000", True), ("localhost:8000", True), ("[::1]:8000", True), ("127.0.0.2:9000", True)]
    + [("0.0.0.0:8000", False), ("10.0.0.1:80", False), ("example.com:80", False)],
)
def test_what_counts_as_loopback(addrport, loopback):
    assert is_loopback(addrport) is loopback
