from django.db import migrations, models


class Migration(migrations.Migration):
    """The console's rollups of closed days (usage/rollup.py). Only these managed models: the
    app's other models are LiteLLM's tables, never migrated."""

    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="RollupRow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.TextField(help_text='"proxy" or "org:<organization_id>".')),
                ("part", models.CharField(max_length=16)),
                (
                    "day",
                    models.CharField(help_text="'YYYY-MM-DD', as LiteLLM's daily tables store it.", max_length=10),
                ),
                ("k1", models.TextField(blank=True, default="")),
                ("k2", models.TextField(blank=True, default="")),
                ("spend", models.FloatField(default=0.0)),
                ("tokens", models.BigIntegerField(default=0)),
                ("prompt", models.BigIntegerField(default=0)),
                ("completion", models.BigIntegerField(default=0)),
                ("cache_read", models.BigIntegerField(default=0)),
                ("cache_creation", models.BigIntegerField(default=0)),
                ("requests", models.BigIntegerField(default=0)),
                ("successful", models.BigIntegerField(default=0)),
                ("failed", models.BigIntegerField(default=0)),
            ],
            options={
                "db_table": "usage_rollup_row",
                "indexes": [
                    models.Index(
                        fields=["scope", "part", "day"],
                        include=["k1", "spend", "tokens", "requests"],
                        name="usage_rollup_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RollupName",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("value", models.TextField(unique=True)),
            ],
            options={"db_table": "usage_rollup_name"},
        ),
        migrations.CreateModel(
            name="RollupGroupDay",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "scope", "part", "gid", "day", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("scope", models.IntegerField()),
                ("part", models.SmallIntegerField()),
                ("gid", models.IntegerField()),
                ("day", models.DateField()),
                ("spend", models.FloatField()),
                ("tokens", models.BigIntegerField()),
                ("requests", models.BigIntegerField()),
            ],
            options={
                "db_table": "usage_rollup_group_day",
                "indexes": [
                    models.Index(
                        fields=["scope", "part", "day"],
                        include=["gid", "spend", "tokens", "requests"],
                        name="usage_rollup_group_range",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RollupDay",
            fields=[
                ("day", models.CharField(max_length=10, primary_key=True, serialize=False)),
                ("fingerprint", models.TextField()),
                ("rolled_at", models.DateTimeField()),
            ],
            options={"db_table": "usage_rollup_day", "verbose_name": "rolled-up day"},
        ),
        migrations.CreateModel(
            name="RollupScope",
            fields=[
                ("scope", models.TextField(primary_key=True, serialize=False)),
                ("membership", models.TextField(blank=True, default="")),
                ("before_day", models.CharField(max_length=10)),
                ("rolled_at", models.DateTimeField()),
            ],
            options={
                "db_table": "usage_rollup_scope",
                "verbose_name": "rollup of closed days",
                "verbose_name_plural": "rollups of closed days",
            },
        ),
    ]
