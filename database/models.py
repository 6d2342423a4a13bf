"""The console's own table of daily size snapshots (default database, schema litellm_console):
`manage.py db_snapshot` writes one row per LiteLLM table per UTC day; /database/ reads growth
from them."""

from __future__ import annotations

from django.db import models


class TableSnapshot(models.Model):
    taken_on = models.DateField()  # the UTC day; a second run that day replaces its rows
    taken_at = models.DateTimeField()
    table = models.TextField()  # the real table name, prefix included
    rows = models.BigIntegerField()
    rows_estimated = models.BooleanField(default=False)
    total_bytes = models.BigIntegerField()
    table_bytes = models.BigIntegerField()
    index_bytes = models.BigIntegerField()
    toast_bytes = models.BigIntegerField()

    class Meta:
        db_table = "console_table_snapshot"
        constraints = [models.UniqueConstraint(fields=["taken_on", "table"], name="console_table_snapshot_day")]
        indexes = [models.Index(fields=["table", "taken_on"], name="console_table_snapshot_tbl")]


class CopyRun(models.Model):
    """One `manage.py copydb` run: where to, when it started (what --since-last-run tops up
    from) and its report."""

    target = models.TextField()  # host:port/dbname, never a password
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    tables = models.JSONField(default=list)
    report = models.JSONField(default=dict)
    dry_run = models.BooleanField(default=False)

    class Meta:
        db_table = "console_copy_run"
        indexes = [models.Index(fields=["target", "started_at"], name="console_copy_run_target")]
