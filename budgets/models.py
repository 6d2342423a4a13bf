"""Unmanaged models over LiteLLM's tables (generated from the live catalog, then reviewed)."""

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BigIntegerField,
    DateTimeField,
    FloatField,
    IntegerField,
    JSONField,
    TextField,
)

from config.litellm import table_name
from config.models_base import LiteLLMModel


class BudgetTable(LiteLLMModel):
    optional_columns = frozenset(["allowed_models", "temp_budget_expiry", "temp_budget_increase", "tpd_limit"])
    budget_id = TextField(primary_key=True)
    max_budget = FloatField(null=True, blank=True)
    soft_budget = FloatField(null=True, blank=True)
    max_parallel_requests = IntegerField(null=True, blank=True)
    tpm_limit = BigIntegerField(null=True, blank=True)
    rpm_limit = BigIntegerField(null=True, blank=True)
    model_max_budget = JSONField(null=True, blank=True)
    budget_duration = TextField(null=True, blank=True)
    budget_reset_at = DateTimeField(null=True, blank=True)
    created_at = DateTimeField()
    created_by = TextField()
    updated_at = DateTimeField()
    updated_by = TextField()
    allowed_models = ArrayField(TextField(), null=True, blank=True)
    tpd_limit = BigIntegerField(null=True, blank=True)
    temp_budget_increase = FloatField(null=True, blank=True)
    temp_budget_expiry = DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.budget_id

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("budgets:budget_row_edit", args=[self.budget_id])

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("BudgetTable")
