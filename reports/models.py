"""The console's own record of closed months (the `default` database, schema litellm_console).

A close freezes the daily tables' figures of one UTC month; closing the month again adds a new
version and leaves the old one as it was, so the page can show what moved between them."""

from __future__ import annotations

from django.db import models

# What a figure row is about. `parent` says inside which team or organization the row counts
# ("team_key": one key's spend in one team); the plain kinds have parent "".
FIGURE_KINDS = [
    ("total", "Whole proxy"),
    ("org", "Organization"),
    ("team", "Team"),
    ("user", "User"),
    ("key", "Key"),
    ("model", "Model"),
    ("tag", "Tag"),
    ("org_model", "Model in an organization"),
    ("team_key", "Key in a team"),
    ("team_model", "Model in a team"),
]

# The counters frozen per row, in the daily tables' column names.
COUNTERS = (
    "spend",
    "api_requests",
    "successful_requests",
    "failed_requests",
    "prompt_tokens",
    "completion_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


class MonthClose(models.Model):
    """One version of one month's close."""

    month = models.DateField(help_text="The first day of the closed month.")
    version = models.PositiveIntegerField()
    closed_at = models.DateTimeField()
    closed_by = models.CharField(max_length=255)
    method = models.TextField(help_text="How the figures were computed, as the report states it.")
    first_day = models.DateField()
    last_day = models.DateField()
    source_rows = models.BigIntegerField(default=0, help_text="Daily-table rows read.")

    class Meta:
        db_table = "reports_month_close"
        ordering = ["-month", "-version"]
        constraints = [models.UniqueConstraint(fields=["month", "version"], name="reports_month_version_unique")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version}"

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthFigure(models.Model):
    close = models.ForeignKey(MonthClose, on_delete=models.CASCADE, related_name="figures")
    kind = models.CharField(max_length=16, choices=FIGURE_KINDS)
    parent = models.TextField(default="", blank=True)
    entity = models.TextField(default="", blank=True)
    label = models.TextField(default="", blank=True)
    spend = models.FloatField(default=0.0)
    api_requests = models.BigIntegerField(default=0)
    successful_requests = models.BigIntegerField(default=0)
    failed_requests = models.BigIntegerField(default=0)
    prompt_tokens = models.BigIntegerField(default=0)
    completion_tokens = models.BigIntegerField(default=0)
    cache_read_input_tokens = models.BigIntegerField(default=0)
    cache_creation_input_tokens = models.BigIntegerField(default=0)

    class Meta:
        db_table = "reports_month_figure"
        indexes = [models.Index(fields=["close", "kind", "parent", "-spend"], name="reports_figure_section")]
        constraints = [
            models.UniqueConstraint(fields=["close", "kind", "parent", "entity"], name="reports_figure_unique")
        ]


class TeamReportEmail(models.Model):
    """A team whose admins opted in to receive each closed month's report (their team's section)."""

    team_id = models.TextField(unique=True)
    enabled_by = models.CharField(max_length=255, blank=True, default="")
    enabled_at = models.DateTimeField()

    class Meta:
        db_table = "reports_team_email"
        verbose_name = "team report email (opt-in)"

    def __str__(self) -> str:
        return self.team_id
