"""LiteLLM tables that belong to no console app: audit log, models, notifications, config."""

from django.contrib.postgres.fields import ArrayField
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
