"""The container recipe and the compose example, read as Docker would (dockerfile-parse, YAML):
non-root, runtime pins with hashes, static files collected, gunicorn with the repo's config, a
health check that really answers against a running console; compose has the console, the worker,
PostgreSQL and a streaming replica, wired to each other."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]


def instructions():
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    return parser, [(i["instruction"], i["value"]) for i in parser.structure]


def test_dockerfile_is_non_root_pinned_and_serves_with_gunicorn():
    parser, steps = instructions()
    assert parser.baseimage.startswith("python:3.11")
    runs = [v for k, v in steps if k == "RUN"]
    assert any("--require-hashes" in r and "requirements.lock" in r for r in runs)
    assert any("collectstatic --noinput" in r for r in runs)
    users = [v for k, v in steps if k == "USER"]
    assert users and users[-1] not in ("root", "0")
    last_user = max(i for i, (k, _) in enumerate(steps) if k == "USER")
    assert all(k != "RUN" for k, _ in steps[last_user:])  # nothing runs as root after it
    cmd = parser.cmd if hasattr(parser, "cmd") else [v for k, v in steps if k == "CMD"][-1]
    assert "gunicorn" in str(cmd) and "python:config.gunicorn" in str(cmd)
    health = [v for k, v in steps if k == "HEALTHCHECK"]
    assert health and "/healthz" in health[0]
    for _, value in (s for s in steps if s[0] == "COPY"):
        *sources, _target = value.split()
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    assert parser.envs["CONSOLE_NO_BOOTSTRAP"] == "1"


@pytest.mark.django_db(databases=["default", "litellm"])
def test_the_healthcheck_command_passes_against_a_running_console(live_server):
    _, steps = instructions()
    health = [v for k, v in steps if k == "HEALTHCHECK"][0]
    command = yaml.safe_load(health.split("CMD", 1)[1].strip())  # the exec form is a JSON list
    assert command[:2] == ["python3", "-c"]
    port = live_server.url.rsplit(":", 1)[1]
    ok = subprocess.run([sys.executable, "-c", command[2]], env={**os.environ, "PORT": port}, timeout=30)
    assert ok.returncode == 0
    down = subprocess.run(
        [sys.executable, "-c", command[2]], env={**os.environ, "PORT": "9"}, timeout=30, capture_output=True
    )
    assert down.returncode != 0


def test_gunicorn_config_loads():
    env = {**os.environ, "SECRET_KEY": "x", "DATABASE_URL": "postgresql://u:p@nowhere/db", "CONSOLE_NO_BOOTSTRAP": "1"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "config.wsgi", "--config", "python:config.gunicorn", "--check-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_has_console_worker_primary_and_replica():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"console", "worker", "postgres", "replica"}
    assert services["worker"]["command"] == ["python3", "manage.py", "worker"]
    console_env = services["console"]["environment"]
    assert "@postgres:5432/" in console_env["DATABASE_URL"]
    assert "@replica:5432/" in console_env["LITELLM_REPLICA_URL"]
    assert services["worker"]["environment"] == console_env
    assert "pg_basebackup -h postgres" in " ".join(services["replica"]["command"])
    assert "wal_level=replica" in services["postgres"]["command"]
    init = services["postgres"]["volumes"][1].split(":")[0]
    assert (ROOT / init / "10-replication.sh").exists()
    assert services["console"]["build"] == "."
