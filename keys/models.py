"""Unmanaged models over LiteLLM's tables (generated from the live catalog, then reviewed)."""

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BigIntegerField,
    BooleanField,
    DateTimeField,
    FloatField,
    IntegerField,
    JSONField,
    TextField,
)

from config.litellm import table_name
from config.models_base import DeletedArchive, LiteLLMModel


class VerificationToken(LiteLLMModel):
    optional_columns = frozenset(
        [
            "access_group_ids",
            "agent_id",
            "auto_rotate",
            "budget_fallbacks",
            "budget_limits",
            "key_rotation_at",
            "key_type",
            "last_active",
            "last_rotation_at",
            "object_permission_id",
            "policies",
            "project_id",
            "rotation_count",
            "rotation_interval",
            "router_settings",
            "settings_updated_at",
            "total_spend",
            "tpd_limit",
        ]
    )
    token = TextField(primary_key=True)
    key_name = TextField(null=True, blank=True)
    key_alias = TextField(null=True, blank=True)
    soft_budget_cooldown = BooleanField()
    spend = FloatField()
    expires = DateTimeField(null=True, blank=True)
    models = ArrayField(TextField(), null=True, blank=True)
    aliases = JSONField()
    config = JSONField()
    user_id = TextField(null=True, blank=True)
    team_id = TextField(null=True, blank=True)
    permissions = JSONField()
    max_parallel_requests = IntegerField(null=True, blank=True)
    metadata = JSONField()
    blocked = BooleanField(null=True, blank=True)
    tpm_limit = BigIntegerField(null=True, blank=True)
    rpm_limit = BigIntegerField(null=True, blank=True)
    max_budget = FloatField(null=True, blank=True)
    budget_duration = TextField(null=True, blank=True)
    budget_reset_at = DateTimeField(null=True, blank=True)
    allowed_cache_controls = ArrayField(TextField(), null=True, blank=True)
    model_spend = JSONField()
    model_max_budget = JSONField()
    budget_id = TextField(null=True, blank=True)
    organization_id = TextField(null=True, blank=True)
    created_at = DateTimeField(null=True, blank=True)
    created_by = TextField(null=True, blank=True)
    updated_at = DateTimeField(null=True, blank=True)
    updated_by = TextField(null=True, blank=True)
    allowed_routes = ArrayField(TextField(), null=True, blank=True)
    object_permission_id = TextField(null=True, blank=True)
    auto_rotate = BooleanField(null=True, blank=True)
    key_rotation_at = DateTimeField(null=True, blank=True)
    last_rotation_at = DateTimeField(null=True, blank=True)
    rotation_count = IntegerField(null=True, blank=True)
    rotation_interval = TextField(null=True, blank=True)
    project_id = TextField(null=True, blank=True)
    router_settings = JSONField(null=True, blank=True)
    policies = ArrayField(TextField(), null=True, blank=True)
    access_group_ids = ArrayField(TextField(), null=True, blank=True)
    last_active = DateTimeField(null=True, blank=True)
    agent_id = TextField(null=True, blank=True)
    budget_limits = JSONField(null=True, blank=True)
    budget_fallbacks = JSONField()
    key_type = TextField(null=True, blank=True)
    settings_updated_at = DateTimeField(null=True, blank=True)
    tpd_limit = BigIntegerField(null=True, blank=True)
    total_spend = FloatField()

    def __str__(self) -> str:
        return self.key_alias or self.key_name or self.token[:12]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("keys:key_detail", args=[self.token])

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("VerificationToken")


class DeletedVerificationToken(DeletedArchive):
    token = TextField()
    key_name = TextField(null=True, blank=True)
    key_alias = TextField(null=True, blank=True)
    soft_budget_cooldown = BooleanField()
    spend = FloatField()
    expires = DateTimeField(null=True, blank=True)
    models = ArrayField(TextField(), null=True, blank=True)
    aliases = JSONField()
    config = JSONField()
    user_id = TextField(null=True, blank=True)
    team_id = TextField(null=True, blank=True)
    permissions = JSONField()
    max_parallel_requests = IntegerField(null=True, blank=True)
    metadata = JSONField()
    blocked = BooleanField(null=True, blank=True)
    tpm_limit = BigIntegerField(null=True, blank=True)
    rpm_limit = BigIntegerField(null=True, blank=True)
    max_budget = FloatField(null=True, blank=True)
    budget_duration = TextField(null=True, blank=True)
    budget_reset_at = DateTimeField(null=True, blank=True)
    allowed_cache_controls = ArrayField(TextField(), null=True, blank=True)
    allowed_routes = ArrayField(TextField(), null=True, blank=True)
    model_spend = JSONField()
    model_max_budget = JSONField()
    budget_id = TextField(null=True, blank=True)
    organization_id = TextField(null=True, blank=True)
    object_permission_id = TextField(null=True, blank=True)
    created_at = DateTimeField(null=True, blank=True)
    created_by = TextField(null=True, blank=True)
    updated_at = DateTimeField(null=True, blank=True)
    updated_by = TextField(null=True, blank=True)
    rotation_count = IntegerField(null=True, blank=True)
    auto_rotate = BooleanField(null=True, blank=True)
    rotation_interval = TextField(null=True, blank=True)
    last_rotation_at = DateTimeField(null=True, blank=True)
    key_rotation_at = DateTimeField(null=True, blank=True)
    router_settings = JSONField(null=True, blank=True)
    policies = ArrayField(TextField(), null=True, blank=True)
    access_group_ids = ArrayField(TextField(), null=True, blank=True)
    last_active = DateTimeField(null=True, blank=True)
    project_id = TextField(null=True, blank=True)
    agent_id = TextField(null=True, blank=True)
    budget_fallbacks = JSONField()
    key_type = TextField(null=True, blank=True)
    settings_updated_at = DateTimeField(null=True, blank=True)
    tpd_limit = BigIntegerField(null=True, blank=True)
    total_spend = FloatField()

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("DeletedVerificationToken")
