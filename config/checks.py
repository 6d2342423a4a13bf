"""`manage.py check` (and server start) compares the models with the live LiteLLM database."""

from __future__ import annotations

from django.apps import apps
from django.core.checks import Error, register
from django.db import DatabaseError

from . import litellm


def litellm_models():
    return [m for m in apps.get_models() if getattr(m, "is_litellm_table", False)]


def schema_problems(cat: litellm.Catalog | None = None) -> list[str]:
    """Missing tables and columns, one line each. Optional (newer-schema) ones are fine.
    `cat`: another database's catalog (copydb checks its target with it); default: the live one."""
    cat = cat or litellm.read_catalog()
    problems = []
    for model in litellm_models():
        table = model._meta.db_table
        live = cat.columns.get(table)
        if live is None:
            if not model.optional_table:
                problems.append(f'table "{table}" is missing')
            continue
        for field in model._meta.concrete_fields:
            if field.column not in live and field.column not in model.optional_columns:
                problems.append(f'column "{table}"."{field.column}" is missing')
    return problems


@register("litellm")
def check_litellm_schema(app_configs=None, **kwargs):
    try:
        cat = litellm.read_catalog()
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [
            Error(
                f"Cannot reach the LiteLLM database (DATABASE_URL): {first_line}",
                hint="Check DATABASE_URL: the console reads the proxy's own PostgreSQL database.",
                id="litellm.E001",
            )
        ]
    prefix = litellm.table_name("")
    if not cat.columns:
        return [
            Error(
                f'The database behind DATABASE_URL (schema "{cat.schema}") holds no {prefix}* tables: '
                "it is not a LiteLLM database.",
                hint="Point DATABASE_URL at the proxy's database, or set LITELLM_TABLE_PREFIX for a rebranded fork.",
                id="litellm.E002",
            )
        ]
    problems = schema_problems()
    if problems:
        return [
            Error(
                "The LiteLLM database does not match what the console expects: " + "; ".join(problems) + ".",
                hint="Run the proxy's migrations (litellm-proxy-extras) against this database.",
                id="litellm.E003",
            )
        ]
    return []


@register("console")
def check_time_zone(app_configs=None, **kwargs):
    """CONSOLE_TIME_ZONE must name an IANA zone (every date the console writes depends on it)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from django.conf import settings

    name = getattr(settings, "CONSOLE_TIME_ZONE", "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return [
            Error(
                f"CONSOLE_TIME_ZONE={name!r} is not a time zone.",
                hint="Use an IANA name such as UTC, Europe/Berlin or America/New_York.",
                id="console.E010",
            )
        ]
    return []
