"""A real SMTP server (aiosmtpd) and a real HTTP receiver (pytest-httpserver) for the alerts."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from django.db import connections


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.rcpt_tos]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.ALERT_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def webhook(settings, httpserver):
    settings.ALERT_WEBHOOK_URL = httpserver.url_for("/hook")
    settings.ALERT_WEBHOOK_SECRET = "hook-secret"
    settings.ALERT_SLACK_WEBHOOK_URL = ""
    settings.ALERT_RETRY_WAIT_SECONDS = 0
    return httpserver


@pytest.fixture
def empty_queue(django_db_blocker):
    """Procrastinate's tables are not flushed by Django (its models are unmanaged)."""
    yield
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers CASCADE")
