"""The LiteLLM tables this app reads and writes (unmanaged, config/models.py) and the
console's own table for answers LiteLLM's schema has no column for."""

from __future__ import annotations

from django.db import models

from config.models import LiteLLMConfig, ModelTable, ProxyModelTable, UserNotifications  # noqa: F401


class ModelRequestAnswer(models.Model):
    """Who answered a model access request, when, and the reason given for a disapproval:
    LiteLLM_UserNotifications holds only its `status` (schema.prisma), so the rest lives in the
    console's schema, keyed by the request's id."""

    request_id = models.TextField(primary_key=True)
    status = models.TextField()
    reason = models.TextField(blank=True, default="")
    answered_by = models.TextField()
    answered_at = models.DateTimeField()
    key_token = models.TextField(blank=True, default="")  # the key the models went to, if one was named

    class Meta:
        db_table = "console_model_request_answer"
