"""LiteLLM tables that belong to no console app: audit log, models, notifications, config."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import (
    BigIntegerField,
    BooleanField,
    DateTimeField,
    IntegerField,
    JSONField,
    TextField,
)

from .litellm import table_name
from .models_base import LiteLLMModel


class AuditLog(LiteLLMModel):
    id = TextField(primary_key=True)
    updated_at = DateTimeField()
    changed_by = TextField()
    changed_by_api_key = TextField()
    action = TextField()
    table_name = TextField()
    object_id = TextField()
    before_value = JSONField(null=True, blank=True)
    updated_values = JSONField(null=True, blank=True)

    trail = "litellm"

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("AuditLog")


class ProxyModelTable(LiteLLMModel):
    optional_columns = frozenset(["blocked"])
    model_id = TextField(primary_key=True)
    model_name = TextField()
    litellm_params = JSONField()
    model_info = JSONField(null=True, blank=True)
    created_at = DateTimeField()
    created_by = TextField()
    updated_at = DateTimeField()
    updated_by = TextField()
    blocked = BooleanField()

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("ProxyModelTable")


class ModelTable(LiteLLMModel):
    id = IntegerField(primary_key=True)
    aliases = JSONField(null=True, blank=True)
    created_at = DateTimeField()
    created_by = TextField()
    updated_at = DateTimeField()
    updated_by = TextField()

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("ModelTable")


class UserNotifications(LiteLLMModel):
    request_id = TextField(primary_key=True)
    user_id = TextField()
    models = ArrayField(TextField(), null=True, blank=True)
    justification = TextField()
    status = TextField()

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("UserNotifications")


class LiteLLMConfig(LiteLLMModel):
    optional_columns = frozenset(["last_run_at", "reload_revision"])
    param_name = TextField(primary_key=True)
    param_value = JSONField(null=True, blank=True)
    last_run_at = DateTimeField(null=True, blank=True)
    reload_revision = BigIntegerField()

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("Config")


# --- The console's own audit trail (managed: schema litellm_console, default database) -------------


class ConsoleAuditLog(models.Model):
    """Changes to tables LiteLLM never audits (not in its LitellmTableNames: budgets,
    organizations, invitations, end users, ...), in LiteLLM_AuditLog's columns, so the Audit
    page shows one stream (config/audit_trail.py)."""

    id = TextField(primary_key=True)
    updated_at = DateTimeField(db_index=True)
    changed_by = TextField(default="")
    changed_by_api_key = TextField(default="")
    action = TextField()
    table_name = TextField()
    object_id = TextField()
    before_value = JSONField(null=True, blank=True)
    updated_values = JSONField(null=True, blank=True)

    trail = "console"

    class Meta:
        db_table = "console_audit_log"


class AuditAttribution(models.Model):
    """Which ops login (and from where) made an audit row of either trail, linked by its id:
    LiteLLM's own row says changed_by=default_user_id as a master-key call would."""

    audit_id = TextField(primary_key=True)
    trail = TextField()
    ops_username = TextField()
    client_address = TextField(default="", blank=True)

    class Meta:
        db_table = "console_audit_attribution"
