"""Sending one delivery: email through Django's backend, a Slack-compatible incoming webhook
(`{"text": ...}`), and a generic JSON webhook signed with HMAC-SHA256 of the body under
ALERT_WEBHOOK_SECRET in `X-Console-Signature: sha256=<hex>` (with `X-Console-Timestamp`, which is
part of the signed string `<timestamp>.<body>` so a captured request cannot be replayed later)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from . import messages
from .models import Alert, Delivery

SIGNATURE_HEADER = "X-Console-Signature"
TIMESTAMP_HEADER = "X-Console-Timestamp"


class DeliveryError(Exception):
    pass


def configured_channels() -> list[str]:
    """The channels alerts go to, in the order they are tried."""
    channels = []
    if settings.ALERT_EMAIL_ENABLED:
        channels.append("email")
    if settings.ALERT_SLACK_WEBHOOK_URL:
        channels.append("slack")
    if settings.ALERT_WEBHOOK_URL:
        channels.append("webhook")
    return channels


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _post(url: str, body: bytes, headers: dict) -> None:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ALERT_WEBHOOK_TIMEOUT_SECONDS) as response:
            if response.status >= 300:
                raise DeliveryError(f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"unreachable: {getattr(exc, 'reason', exc)}") from exc


def send(alert: Alert, channel: str) -> None:
    """One attempt; raises DeliveryError with a message fit for the history page."""
    if channel == "email":
        recipients = alert.recipients
        if alert.rule == "test":
            recipients = recipients or settings.ALERT_EXTRA_EMAILS
        if not recipients:
            raise DeliveryError("no recipient with an email address")
        body = f"{alert.message}\n\n{messages.link(alert)}\n"
        try:
            EmailMessage(alert.subject, body, settings.DEFAULT_FROM_EMAIL, recipients).send()
        except Exception as exc:  # noqa: BLE001 - smtplib and socket errors alike
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    elif channel == "slack":
        text = f"*{alert.subject}*\n{alert.message}\n<{messages.link(alert)}|Open in the console>"
        _post(settings.ALERT_SLACK_WEBHOOK_URL, json.dumps({"text": text}).encode(), {})
    elif channel == "webhook":
        body = json.dumps(messages.payload(alert), sort_keys=True).encode()
        stamp = str(int(time.time()))
        headers = {TIMESTAMP_HEADER: stamp}
        if settings.ALERT_WEBHOOK_SECRET:
            headers[SIGNATURE_HEADER] = signature(settings.ALERT_WEBHOOK_SECRET, stamp, body)
        _post(settings.ALERT_WEBHOOK_URL, body, headers)
    else:
        raise DeliveryError(f"unknown channel {channel}")


def attempt(delivery: Delivery) -> bool:
    """Try a delivery once and record the outcome (sent; retrying; failed after
    ALERT_DELIVERY_ATTEMPTS); then the alert's status follows its deliveries."""
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        send(delivery.alert, delivery.channel)
    except DeliveryError as exc:
        delivery.error = str(exc)[:2000]
        delivery.status = "failed" if delivery.attempts >= settings.ALERT_DELIVERY_ATTEMPTS else "retrying"
        ok = False
    else:
        delivery.status, delivery.error, delivery.sent_at, ok = "sent", "", timezone.now(), True
    delivery.save(update_fields=["attempts", "last_attempt_at", "error", "status", "sent_at"])
    settle(delivery.alert)
    return ok


def settle(alert: Alert) -> None:
    statuses = set(alert.deliveries.values_list("status", flat=True))
    if not statuses or alert.status in ("muted", "superseded", "no_recipient"):
        return
    if statuses == {"sent"}:
        status = "sent"
    elif statuses <= {"failed"}:
        status = "failed"
    elif "sent" in statuses and statuses <= {"sent", "failed"}:
        status = "partial"
    else:
        status = "pending"
    if status != alert.status:
        Alert.objects.filter(pk=alert.pk).update(status=status)
        alert.status = status


CHANNEL_LABELS = [("email", "Email"), ("slack", "Slack webhook"), ("webhook", "JSON webhook")]
