"""The target of a copy: a second connection alias, and the check that it already has
LiteLLM's schema (config/checks.py's schema check, run against the target's catalog). The copy
never creates or alters LiteLLM's schema; a target that lacks a table or column is refused."""

from __future__ import annotations

import environ
import psycopg
from django.db import connections

from config import litellm
from config.checks import schema_problems
from config.errors import ChangeRefused
from config.routers import LITELLM_ALIAS


def conninfo(url: str) -> dict:
    """psycopg connection parameters of a DATABASE_URL-style URL (as django-environ reads it),
    with the session zone pinned to UTC as for the source (LiteLLM stores naive UTC)."""
    try:
        cfg = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several kinds for a bad URL
        raise ChangeRefused(f"--to is not a database URL: {exc}") from None
    if "postgres" not in cfg.get("ENGINE", ""):
        raise ChangeRefused("--to must be a postgresql:// URL.")
    params = dict(cfg.get("OPTIONS", {}))  # e.g. ?host=/socket/dir, ?sslmode=require
    for key, name in (
        ("dbname", "NAME"),
        ("user", "USER"),
        ("password", "PASSWORD"),
        ("host", "HOST"),
        ("port", "PORT"),
    ):
        if cfg.get(name):
            params[key] = cfg[name]
    params["options"] = (params.get("options", "") + " -c TimeZone=UTC").strip()
    return {k: v for k, v in params.items() if v not in (None, "")}


def connect_source() -> psycopg.Connection:
    return psycopg.connect(**connections[LITELLM_ALIAS].get_connection_params())


def connect_target(params: dict) -> psycopg.Connection:
    return psycopg.connect(**params)


def describe(params: dict) -> str:
    """host:port/dbname, no password: how reports and the run history name a database."""
    return f"{params.get('host', 'local socket')}:{params.get('port', 5432)}/{params.get('dbname')}"


def identity(conn: psycopg.Connection) -> tuple:
    return conn.execute("SELECT current_database(), pg_postmaster_start_time()::text, inet_server_port()").fetchone()


def check(conn: psycopg.Connection, source: litellm.Catalog, tables: list[str]) -> litellm.Catalog:
    """The target's catalog, or ChangeRefused naming everything it lacks: what the console's
    schema check finds, and each table/column of the source that is to be copied."""
    try:
        with conn.cursor() as cursor:
            cat = litellm.read_catalog_with(cursor)
        conn.commit()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ChangeRefused(f"Cannot reach the target database: {first}") from None
    if not cat.columns:
        raise ChangeRefused(
            f"The target holds no {litellm.table_name('')}* tables: create LiteLLM's schema there first "
            "(run the proxy's migrations, e.g. start the proxy once against it); copydb never creates it."
        )
    problems = schema_problems(cat)
    for table in tables:
        live = cat.columns.get(table)
        if live is None:
            problems.append(f'table "{table}" is missing')
            continue
        problems += [f'column "{table}"."{c}" is missing' for c in source.columns[table] if c not in live]
    problems = list(dict.fromkeys(problems))
    if problems:
        raise ChangeRefused(
            "The target's LiteLLM schema is not ready: " + "; ".join(problems) + ". Run the proxy's migrations "
            "(litellm-proxy-extras, at least the source's version) against it; copydb never alters LiteLLM's schema."
        )
    return cat
