"""The console's alert tables (schema litellm_console): settings per entity kind, per-entity
overrides and mutes, every alert evaluated (sent or suppressed) and its deliveries per channel."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from budgets.kinds import BUDGET_KINDS

KINDS = [*BUDGET_KINDS, ("model", "Model"), ("test", "Test")]  # spikes are per model too
RULES = [("budget", "Budget threshold"), ("soft", "Soft budget"), ("spike", "Spend spike"), ("test", "Test")]
STATUSES = [
    ("pending", "Sending"),
    ("sent", "Sent"),
    ("partial", "Partly delivered"),
    ("failed", "Delivery failed"),
    ("muted", "Muted"),
    ("no_recipient", "No recipient"),
    ("superseded", "Superseded by a higher threshold"),
]
CHANNELS = [("email", "Email"), ("slack", "Slack webhook"), ("webhook", "JSON webhook")]
DELIVERY_STATUSES = [("pending", "Pending"), ("sent", "Sent"), ("retrying", "Retrying"), ("failed", "Failed")]


class AlertSettings(models.Model):
    """Defaults for one entity kind (no row: ALERT_THRESHOLDS, soft budget on, not muted)."""

    kind = models.CharField(max_length=20, choices=KINDS, unique=True)
    thresholds = ArrayField(models.FloatField(), default=list, blank=True)
    soft_budget = models.BooleanField(default=True)
    spikes = models.BooleanField(default=True)
    muted = models.BooleanField(default=False)
    extra_emails = ArrayField(models.EmailField(), default=list, blank=True)

    class Meta:
        db_table = "console_alert_settings"


class AlertOverride(models.Model):
    """One entity's own thresholds, extra addresses or mute (NULL: the kind's default)."""

    kind = models.CharField(max_length=20, choices=KINDS)
    object_id = models.TextField()
    thresholds = ArrayField(models.FloatField(), null=True, blank=True)
    soft_budget = models.BooleanField(null=True, blank=True)
    muted = models.BooleanField(default=False)
    muted_until = models.DateTimeField(null=True, blank=True)
    extra_emails = ArrayField(models.EmailField(), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "console_alert_override"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="alert_override_unique")]


class Alert(models.Model):
    """One threshold crossed in one budget period (or one spike day): the unique constraint is
    what makes two concurrent evaluations send it once."""

    kind = models.CharField(max_length=20, choices=KINDS)
    object_id = models.TextField()
    name = models.TextField()
    rule = models.CharField(max_length=10, choices=RULES)
    threshold = models.FloatField()  # percent of max_budget; the soft budget; 0 for a spike
    period = models.TextField()  # budget period (reset time and cap) or the spike's UTC day
    status = models.CharField(max_length=20, choices=STATUSES, default="pending")
    spend = models.FloatField()
    max_budget = models.FloatField(null=True)
    soft_budget = models.FloatField(null=True)
    pct = models.FloatField(null=True)
    baseline = models.FloatField(null=True)  # spikes: the median of the previous 14 days
    reset_at = models.DateTimeField(null=True)
    team_id = models.TextField(null=True, db_index=True)
    org_id = models.TextField(null=True, db_index=True)
    owner_id = models.TextField(null=True, db_index=True)
    recipients = ArrayField(models.TextField(), default=list)
    skipped = ArrayField(models.TextField(), default=list)  # people with no email address
    subject = models.TextField(default="")
    message = models.TextField(default="")
    evaluation = models.UUIDField(null=True)  # the pass that inserted it
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "console_alert"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "rule", "threshold", "period"], name="alert_once")
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=CHANNELS)
    status = models.CharField(max_length=10, choices=DELIVERY_STATUSES, default="pending")
    attempts = models.IntegerField(default=0)
    error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True)
    sent_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "console_alert_delivery"
        ordering = ["channel"]
