"""The test session's database: an embedded PostgreSQL with LiteLLM's schema built from
the pinned migrations, at the version the runner asks for (LITELLM_TEST_SCHEMA)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from . import embedded

TEST_DATABASE = "litellm_test"
_server = None


def prepare_test_database() -> str:
    global _server
    schema = os.environ.get("LITELLM_TEST_SCHEMA", "newest")
    prefix = os.environ.get("LITELLM_TABLE_PREFIX", "LiteLLM_")
    base = Path(tempfile.mkdtemp(prefix="litellm-console-test-"))
    os.chmod(base, 0o755)  # the server runs as user embedded_postgres when we are root
    _server = embedded.start_server(base / "pgdata")
    atexit.register(shutil.rmtree, base, True)  # registered first, so it runs after the stop
    embedded.create_database(_server, TEST_DATABASE, drop=True)
    upto = embedded.SEED_LAST_MIGRATION if schema == "seed" else None
    embedded.apply_litellm_migrations(_server, TEST_DATABASE, upto=upto, table_prefix=prefix)
    os.environ["LITELLM_TEST_SOCKET"] = embedded.socket_dir(_server)
    return embedded.database_url(_server, TEST_DATABASE)


def server():
    return _server
