"""The console's record of failed job attempts (Procrastinate keeps the status, not the error)."""

from django.db import models


class JobFailure(models.Model):
    job_id = models.BigIntegerField(db_index=True)
    task_name = models.CharField(max_length=255)
    attempt = models.IntegerField()
    error = models.TextField()
    traceback = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "console_job_failure"
        ordering = ["-at"]
