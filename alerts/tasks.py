"""The alert jobs: the periodic evaluation and one delivery per (alert, channel)."""

from __future__ import annotations

from django.conf import settings
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from jobs import console_task, periodic_task

from .channels import attempt
from .evaluate import evaluate
from .models import Delivery


class DeliveryFailed(Exception):
    pass


class DeliveryRetry(BaseRetryStrategy):
    """ALERT_DELIVERY_ATTEMPTS runs in all, waiting ALERT_RETRY_WAIT_SECONDS × 2^n (read when a
    job fails, so a settings change applies to the jobs already queued)."""

    def get_retry_decision(self, *, exception, job):
        if job.attempts + 1 >= settings.ALERT_DELIVERY_ATTEMPTS:
            return None
        return RetryDecision(retry_in={"seconds": settings.ALERT_RETRY_WAIT_SECONDS * 2**job.attempts})


@periodic_task(f"*/{settings.ALERT_EVERY_MINUTES} * * * *", name="alerts.evaluate")
def evaluate_alerts(timestamp: int) -> None:
    evaluate()


@console_task(
    name="alerts.deliver",
    retry=DeliveryRetry(),
)
def deliver(delivery_id: int) -> None:
    """One attempt; a failure raises, so the queue retries it with backoff, until the delivery
    is marked failed after ALERT_DELIVERY_ATTEMPTS attempts."""
    delivery = Delivery.objects.select_related("alert").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in ("sent", "failed"):
        return
    if not attempt(delivery):
        raise DeliveryFailed(f"{delivery.channel}: {delivery.error}")
