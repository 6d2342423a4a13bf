"""Unmanaged models over LiteLLM's tables (generated from the live catalog, then reviewed)."""

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

DAILY_OPTIONAL_COLUMNS = [
    "autorouter_savings_spend",
    "compression_saved_tokens",
    "compression_savings_spend",
    "endpoint",
    "gateway_injected_caching_savings_spend",
    "mcp_namespaced_tool_name",
    "prompt_caching_savings_spend",
    "timed_requests",
    "total_response_time_ms",
]


# The counters of a daily row (the proxy's daily-spend update adds each request to them).
DAILY_COUNTERS = (
    "prompt_tokens",
    "completion_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "spend",
    "api_requests",
    "successful_requests",
    "failed_requests",
)


def zero_counters() -> dict:
    """A daily row's counters before any request: spend 0.0, the counts 0."""
    return {name: 0.0 if name == "spend" else 0 for name in DAILY_COUNTERS}


class DailySpend(LiteLLMModel):
    """The columns LiteLLM's daily spend tables share (one row per entity, date, key, model,
    provider, MCP tool and endpoint; schema.prisma). Each table adds its entity column."""

    optional_columns = frozenset(DAILY_OPTIONAL_COLUMNS)
    id = TextField(primary_key=True)
    date = TextField()
    api_key = TextField()
    model = TextField(null=True, blank=True)
    model_group = TextField(null=True, blank=True)
    custom_llm_provider = TextField(null=True, blank=True)
    prompt_tokens = BigIntegerField()
    completion_tokens = BigIntegerField()
    spend = FloatField()
    created_at = DateTimeField()
    updated_at = DateTimeField()
    api_requests = BigIntegerField()
    failed_requests = BigIntegerField()
    successful_requests = BigIntegerField()
    cache_creation_input_tokens = BigIntegerField()
    cache_read_input_tokens = BigIntegerField()
    mcp_namespaced_tool_name = TextField(null=True, blank=True)
    endpoint = TextField(null=True, blank=True)
    compression_saved_tokens = BigIntegerField()
    compression_savings_spend = FloatField()
    prompt_caching_savings_spend = FloatField()
    autorouter_savings_spend = FloatField()
    gateway_injected_caching_savings_spend = FloatField()
    total_response_time_ms = BigIntegerField()
    timed_requests = BigIntegerField()

    class Meta(LiteLLMModel.Meta):
        abstract = True


class DailyUserSpend(DailySpend):
    user_id = TextField(null=True, blank=True)

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("DailyUserSpend")


class DailyTeamSpend(DailySpend):
    optional_columns = DailySpend.optional_columns | frozenset(["ptu_flat_cost"])
    team_id = TextField(null=True, blank=True)
    ptu_flat_cost = FloatField()

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("DailyTeamSpend")


class DailyTagSpend(DailySpend):
    optional_columns = DailySpend.optional_columns | frozenset(["request_id"])
    tag = TextField(null=True, blank=True)
    request_id = TextField(null=True, blank=True)

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("DailyTagSpend")


class SpendLogs(LiteLLMModel):
    optional_columns = frozenset(
        [
            "agent_id",
            "billing_agent_id",
            "created_at",
            "litellm_call_id",
            "mcp_namespaced_tool_name",
            "organization_id",
            "request_duration_ms",
            "status",
            "updated_at",
        ]
    )
    request_id = TextField(primary_key=True)
    call_type = TextField()
    api_key = TextField()
    spend = FloatField()
    total_tokens = IntegerField()
    prompt_tokens = IntegerField()
    completion_tokens = IntegerField()
    start_time = DateTimeField(db_column="startTime")
    end_time = DateTimeField(db_column="endTime")
    completion_start_time = DateTimeField(db_column="completionStartTime", null=True, blank=True)
    model = TextField()
    model_id = TextField(null=True, blank=True)
    model_group = TextField(null=True, blank=True)
    custom_llm_provider = TextField(null=True, blank=True)
    api_base = TextField(null=True, blank=True)
    user = TextField(null=True, blank=True)
    metadata = JSONField(null=True, blank=True)
    cache_hit = TextField(null=True, blank=True)
    cache_key = TextField(null=True, blank=True)
    request_tags = JSONField(null=True, blank=True)
    team_id = TextField(null=True, blank=True)
    end_user = TextField(null=True, blank=True)
    requester_ip_address = TextField(null=True, blank=True)
    messages = JSONField(null=True, blank=True)
    response = JSONField(null=True, blank=True)
    proxy_server_request = JSONField(null=True, blank=True)
    session_id = TextField(null=True, blank=True)
    status = TextField(null=True, blank=True)
    mcp_namespaced_tool_name = TextField(null=True, blank=True)
    organization_id = TextField(null=True, blank=True)
    agent_id = TextField(null=True, blank=True)
    request_duration_ms = IntegerField(null=True, blank=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    litellm_call_id = TextField(null=True, blank=True)
    billing_agent_id = TextField(null=True, blank=True)

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("SpendLogs")


class ErrorLogs(LiteLLMModel):
    request_id = TextField(primary_key=True)
    start_time = DateTimeField(db_column="startTime")
    end_time = DateTimeField(db_column="endTime")
    api_base = TextField()
    model_group = TextField()
    litellm_model_name = TextField()
    model_id = TextField()
    request_kwargs = JSONField()
    exception_type = TextField()
    exception_string = TextField()
    status_code = TextField()

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("ErrorLogs")


# --- The console's own rollups of closed days (usage/rollup.py builds them, usage/selectors/rollup.py
# reads them). Managed: they live in the console's schema, never in LiteLLM's tables.

from django.db import models  # noqa: E402


class RollupRow(models.Model):
    """One closed day's grouped figures of one dashboard part, for the whole proxy or one
    organization: exactly the rows the dashboard's own statement returns for that day (its
    rows grouped by date; the top-N parts grouped by (date, group))."""

    scope = models.TextField(help_text='"proxy" or "org:<organization_id>".')
    part = models.CharField(max_length=16)
    day = models.CharField(max_length=10, help_text="'YYYY-MM-DD', as LiteLLM's daily tables store it.")
    k1 = models.TextField(default="", blank=True)
    k2 = models.TextField(default="", blank=True)
    spend = models.FloatField(default=0.0)
    tokens = models.BigIntegerField(default=0)
    prompt = models.BigIntegerField(default=0)
    completion = models.BigIntegerField(default=0)
    cache_read = models.BigIntegerField(default=0)
    cache_creation = models.BigIntegerField(default=0)
    requests = models.BigIntegerField(default=0)
    successful = models.BigIntegerField(default=0)
    failed = models.BigIntegerField(default=0)

    class Meta:
        db_table = "usage_rollup_row"
        indexes = [
            # covering: a range of a top-N part is read from the index alone (after VACUUM)
            models.Index(
                fields=["scope", "part", "day"],
                include=["k1", "spend", "tokens", "requests"],
                name="usage_rollup_range",
            ),
        ]


class RollupName(models.Model):
    """A number for each scope, key hash and user id of the top-key and top-user rollups: their
    rows are one per key (user) and active day, and grouping 100,000 ints is cheaper than
    grouping 100,000 64-character hashes."""

    id = models.AutoField(primary_key=True)
    value = models.TextField(unique=True)

    class Meta:
        db_table = "usage_rollup_name"


class RollupGroupDay(models.Model):
    """One key's (user's) figures of one closed day for one scope (part 1: keys, 2: users);
    scope and gid are RollupName numbers."""

    pk = models.CompositePrimaryKey("scope", "part", "gid", "day")
    scope = models.IntegerField()
    part = models.SmallIntegerField()
    gid = models.IntegerField()
    day = models.DateField()
    spend = models.FloatField()
    tokens = models.BigIntegerField()
    requests = models.BigIntegerField()

    class Meta:
        db_table = "usage_rollup_group_day"
        indexes = [
            models.Index(
                fields=["scope", "part", "day"],
                include=["gid", "spend", "tokens", "requests"],
                name="usage_rollup_group_range",
            ),
        ]


class RollupDay(models.Model):
    """What LiteLLM's daily tables held for one closed day when it was rolled up (row counts and
    sums per table): a refresh that finds other figures rebuilds the day (a late flush)."""

    day = models.CharField(max_length=10, primary_key=True)
    fingerprint = models.TextField()
    rolled_at = models.DateTimeField()

    class Meta:
        db_table = "usage_rollup_day"
        verbose_name = "rolled-up day"


class RollupScope(models.Model):
    """A scope whose closed days are rolled up for every day before `before_day`; `membership` names what its
    rows depend on besides the daily tables (an organization's teams and their keys)."""

    scope = models.TextField(primary_key=True)
    membership = models.TextField(default="", blank=True)
    before_day = models.CharField(max_length=10)
    rolled_at = models.DateTimeField()

    class Meta:
        db_table = "usage_rollup_scope"
        verbose_name = "rollup of closed days"
        verbose_name_plural = "rollups of closed days"
