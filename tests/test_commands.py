"""The shell commands as a newcomer types them: help without settings, every command on the demo
database when DATABASE_URL is unset, Ctrl-C/SIGTERM stopping the demo's PostgreSQL, and every
`python3 manage.py ...` line README shows, run as written.

Each command runs in a subprocess with a shell's environment (no DATABASE_URL, SECRET_KEY or test
settings) and CONSOLE_DEMO_DIR pointing at a demo folder of this module's own, so it builds and
stops its own embedded PostgreSQL and never touches the checkout's .demo/. The interpreter is this
one with CONSOLE_NO_BOOTSTRAP=1 (the .venv bootstrap is run by .ci/run as written).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
MANAGE = str(ROOT / "manage.py")
FALLBACK = "Using the demo database in"
# What a newcomer's shell does not have (DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' conftest).
SHELL_DROPS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def shell_env(demo_dir: Path | None, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SHELL_DROPS and not k.startswith(("LITELLM_", "CONSOLE_", "PYTEST_"))
    }
    env["CONSOLE_NO_BOOTSTRAP"] = "1"
    if demo_dir is not None:
        env["CONSOLE_DEMO_DIR"] = str(demo_dir)
    env.update(extra)
    return env


def manage(args: list[str], env: dict, *, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, MANAGE, *args], env=env, cwd=cwd, capture_output=True, text=True, input=stdin, timeout=600
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postmaster_pid(demo_dir: Path) -> int | None:
    pidfile = demo_dir / "pgdata" / "postmaster.pid"
    return int(pidfile.read_text().split()[0]) if pidfile.exists() else None


def running(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_gone(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not running(pid)


class Demo:
    """`manage.py demo ADDR` serving in the background, until stop()."""

    def __init__(self, demo_dir: Path):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, MANAGE, "demo", f"127.0.0.1:{self.port}"],
            env=shell_env(demo_dir),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, so a stuck stop can end its worker too
        )
        self.output = ""
        for line in self.proc.stdout:
            self.output += line
            if "Quit the server with" in line:
                break
        assert self.proc.poll() is None, self.output
        self.url = f"http://127.0.0.1:{self.port}/"

    def get(self, path: str) -> int:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=30) as response:
            return response.status

    def stop(self, signum=signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            rest, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            # the whole group: a worker left behind would hold the output pipe open forever
            os.killpg(self.proc.pid, signal.SIGKILL)
            rest, _ = self.proc.communicate(timeout=60)
        self.output += rest or ""
        return self.proc.returncode


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """A demo folder with the demo deployment written (`manage.py demo --no-serve`), its
    server stopped again."""
    base = tmp_path_factory.mktemp("shell")
    os.chmod(base, 0o755)  # the server runs as user embedded_postgres when we are root
    folder = base / ".demo"
    built = manage(["demo", "--no-serve"], shell_env(folder))
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Writing the demo deployment" in built.stdout
    yield folder
    pid = postmaster_pid(folder)
    if running(pid):  # a failed test left it up: stop it as the library would
        subprocess.run([sys.executable, MANAGE, "check"], env=shell_env(folder), capture_output=True, timeout=120)


# --- help without settings --------------------------------------------------------------------

PROJECT_COMMANDS = ["demo", "invite", "invitations", "indexes", "usage_warm", "close_month", "bench"]


def test_help_lists_every_project_command_without_a_secret_key(tmp_path):
    run = manage(["help"], shell_env(tmp_path / "no-demo"))
    assert run.returncode == 0, run.stderr
    assert "only Django core commands are listed" not in run.stdout + run.stderr
    listed = set(re.findall(r"^\s{4}(\w+)$", run.stdout, re.M))
    assert set(PROJECT_COMMANDS) <= listed


@pytest.mark.parametrize("command", PROJECT_COMMANDS)
def test_each_commands_help_works_with_no_settings_at_all(tmp_path, command):
    run = manage([command, "--help"], shell_env(tmp_path / "no-demo"))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert run.stdout.startswith(f"usage: manage.py {command}")
    assert not (tmp_path / "no-demo").exists()  # help starts no database


# --- every command on the demo database when DATABASE_URL is unset ----------------------------


def test_a_command_without_database_url_uses_the_demo_database_says_so_and_stops_it_again(demo_dir):
    run = manage(["invitations", "--status", "pending"], shell_env(demo_dir))
    assert run.returncode == 0, run.stderr
    assert [line for line in run.stderr.splitlines() if FALLBACK in line] == [
        f"Using the demo database in {demo_dir} (DATABASE_URL is unset; set it to use another)."
    ]
    assert "@" in run.stdout  # the demo's pending invitations, by email
    assert not running(postmaster_pid(demo_dir))  # it started the server, so it stopped it


def test_with_database_url_set_nothing_changes(demo_dir):
    env = shell_env(demo_dir, DATABASE_URL="postgresql://postgres:@/nowhere?host=/nonexistent", SECRET_KEY="k" * 50)
    run = manage(["invitations", "--status", "pending"], env)
    assert run.returncode != 0 and FALLBACK not in run.stderr
    assert "/nonexistent" in run.stderr  # it tried the URL it was given


# --- stopping the demo stops its PostgreSQL -----------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_demo_stops_its_postgres(demo_dir, signum):
    demo = Demo(demo_dir)
    try:
        pid = postmaster_pid(demo_dir)
        assert running(pid) and demo.get("/accounts/login/") == 200
    finally:
        demo.stop(signum)
    assert wait_gone(pid), f"postgres {pid} still runs after {signum.name}:\n{demo.output}"


def test_the_demo_prints_every_login_with_the_role_readme_gives_it(demo_dir):
    run = manage(["demo", "--no-serve"], shell_env(demo_dir))
    assert run.returncode == 0, run.stderr
    table = re.findall(r"^\| `([^`]+)` \| [^|]+ \| (.+?) \|$", (ROOT / "README.md").read_text(), re.M)
    logins = [(login, what) for login, what in table if "@" in login]
    assert len(logins) == 6
    for login, what in logins:
        assert re.search(rf"^\s+{re.escape(login)}\s+{re.escape(what)}$", run.stdout, re.M), (login, what)


# --- README, as written -----------------------------------------------------------------------

# Every `python3 manage.py ...` README shows, and how this test runs it against the demo folder
# ({port}, {index}, {superuser} are filled in); or why it does not.
NOT_RUN_HERE = {
    "python3 manage.py test": "the suite itself; .ci/run runs it as written",
    "python3 manage.py test -x -k audit": "the suite itself",
    "python3 manage.py bench": "builds 2,000,000 rows for minutes; README says it is not part of the suite",
    "python3 manage.py <command>": "a placeholder for any of the others",
    "python3 manage.py worker": "runs until stopped: `worker --once` is run instead, and demo starts one",
    "python3 manage.py procrastinate worker": "the library's own command, the same worker as `worker`",
}
PRODUCTION_ENV = {
    "SECRET_KEY": "production-like-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "console.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://console.example.com",
    "BEHIND_TLS_PROXY": "true",
    "DEBUG": "false",
}


def readme_commands() -> set[str]:
    text = (ROOT / "README.md").read_text()
    return {" ".join(m.split()) for m in re.findall(r"python3 manage\.py[^`#\n]*", text)}


def test_every_readme_command_is_run_here_or_says_why_not():
    ran = set(RUN_AS_WRITTEN) | set(NOT_RUN_HERE)
    assert readme_commands() == ran


RUN_AS_WRITTEN = {
    "python3 manage.py demo": (["demo", "127.0.0.1:{port}"], "LiteLLM console: http://127.0.0.1:"),
    "python3 manage.py demo 127.0.0.1:8001": (["demo", "127.0.0.1:{port}"], "LiteLLM console: http://127.0.0.1:"),
    "python3 manage.py help": (["help"], "usage_warm"),
    "python3 manage.py check": (["check"], "System check identified no issues"),
    "python3 manage.py migrate": (["migrate"], "No migrations to apply"),
    "python3 manage.py createsuperuser": (
        ["createsuperuser", "--noinput", "--username", "{superuser}", "--email", "root@example.com"],
        "Superuser created successfully",
    ),
    "python3 manage.py indexes": (["indexes"], "missing"),
    "python3 manage.py indexes --create <name>": (["indexes", "--create", "{index}"], ": built."),
    "python3 manage.py indexes --create NAME": (["indexes", "--create", "{index}"], "already present"),
    "python3 manage.py usage_warm [--orgs]": (["usage_warm"], "[5/5] proxy last_month"),
    "python3 manage.py usage_warm --orgs": (["usage_warm", "--orgs"], "[20/20] org"),
    "python3 manage.py check --deploy": (["check", "--deploy"], "System check identified no issues"),
    "python3 manage.py collectstatic --noinput": (["collectstatic", "--noinput"], "static files copied"),
    'python3 manage.py invite alice@example.com --role internal_user --team ml-research --org "Acme Corp"': (
        ["invite", "alice@example.com", "--role", "internal_user", "--team", "ml-research", "--org", "Acme Corp"],
        "alice@example.com",
    ),
    "python3 manage.py invite --csv people.csv --dry-run": (["invite", "--csv", "people.csv", "--dry-run"], "bob@"),
    "python3 manage.py invitations --status pending": (["invitations", "--status", "pending"], "alice@example.com"),
    "python3 manage.py close_month YYYY-MM": (["close_month", "{last_month}"], "as version 1"),
    "python3 manage.py alerts --once": (["alerts", "--once"], "new alert(s)"),
    "python3 manage.py worker --once": (["worker", "--once"], "Worker on every queue"),
    "python3 manage.py prune_logs --days 30 --dry-run": (
        ["prune_logs", "--days", "30", "--dry-run"],
        "rows would be deleted (dry run: nothing deleted).",
    ),
    "python3 manage.py db_snapshot": (["db_snapshot"], "Recorded sizes of"),
}


def test_readme_commands_run_as_written_on_the_demo_database(demo_dir, tmp_path):
    """In README's order, while `demo` serves (as a newcomer runs them in a second shell): each
    exits 0 with its useful output and leaves the running demo's database up."""
    (tmp_path / "people.csv").write_text(
        "email,role,team,organization,max_budget\nbob@example.com,internal_user,platform,Acme Corp,25\n"
    )
    demo = Demo(demo_dir)
    try:
        assert "LiteLLM console: http://127.0.0.1:" in demo.output
        listing = manage(["indexes"], shell_env(demo_dir)).stdout
        missing = re.findall(r"^MISSING\s+(\S+)", listing, re.M)
        assert missing, listing
        last_month = (datetime.now(UTC).date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        fill = {"port": str(free_port()), "index": missing[0], "superuser": "root", "last_month": last_month}
        env = shell_env(demo_dir, STATIC_ROOT=str(tmp_path / "static"), DJANGO_SUPERUSER_PASSWORD="x" * 16)
        for text, (args, expect) in RUN_AS_WRITTEN.items():
            if args[0] == "demo":
                continue  # the one serving here, and test_stopping_the_demo_stops_its_postgres
            run_env = {**env, **PRODUCTION_ENV} if text.endswith(("--deploy", "--noinput")) else env
            run = manage([a.format(**fill) for a in args], run_env, cwd=tmp_path)
            assert run.returncode == 0, f"{text}:\n{run.stdout}\n{run.stderr}"
            assert expect in run.stdout + run.stderr, f"{text}:\n{run.stdout}\n{run.stderr}"
            assert (FALLBACK in run.stderr) is (args[0] != "help")  # help needs no database
            assert demo.get("/accounts/login/") == 200, f"{text} stopped the demo's database"
    finally:
        demo.stop()
