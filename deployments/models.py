"""The LiteLLM tables this app reads and writes (unmanaged, config/models.py) and the
console's own table for answers LiteLLM's schema has no column for."""

from __future__ import annotations

from django.db import models

from config.models import LiteLLMConfig, ModelTable, ProxyModelTable, UserNotifications  # noqa: F401


class ModelRequestAnswer(models.Model):
    """What LiteLLM_UserNotifications has no column for (schema.prisma: request_id, user_id,
    models, justification, status): when the request was made, the key it came from (its
    models go there on approval), and who answered, when, with the reason given for a
    disapproval. Keyed by the request's id, in the console's schema."""

    request_id = models.TextField(primary_key=True)
    key_token = models.TextField(blank=True, default="")
    requested_at = models.DateTimeField()
    status = models.TextField(default="pending")
    reason = models.TextField(blank=True, default="")
    answered_by = models.TextField(blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "console_model_request_answer"
