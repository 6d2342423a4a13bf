#!/usr/bin/env python3
"""Django's command-line utility, plus a bootstrap so a fresh clone needs only Python 3.11+.

`python3 manage.py demo`  starts the console on an embedded demo database (or DATABASE_URL).
`python3 manage.py test`  runs the whole test suite (both LiteLLM schema versions).
Any other command, with DATABASE_URL unset and .demo/ present, runs on the demo database.

On first use it creates .venv/ and installs requirements-dev.lock (runtime + demo + test, all
hashed) into it; set CONSOLE_NO_BOOTSTRAP=1 to use the current environment as it is (production
images install requirements.lock instead, see README).
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements-dev.lock"  # the demo and the tests need the dev pins


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def bootstrap() -> None:
    """Create .venv and install requirements-dev.lock (again when it changes), then re-exec."""
    if os.environ.get("CONSOLE_NO_BOOTSTRAP"):
        return
    if sys.version_info < (3, 11):  # noqa: UP036  (run by any python3 before the venv exists)
        sys.exit("litellm-console needs Python 3.11 or newer.")
    stamp = VENV / ".requirements.sha256"
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    in_venv = Path(sys.prefix).resolve() == VENV.resolve()
    if in_venv and stamp.exists() and stamp.read_text() == digest:
        return
    if not _venv_python().exists():
        print("Creating .venv (first run) ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    if not stamp.exists() or stamp.read_text() != digest:
        print("Installing the locked requirements into .venv ...", flush=True)
        subprocess.check_call(
            [str(_venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(LOCK)]
        )
        stamp.write_text(digest)
    if not in_venv:
        os.execv(str(_venv_python()), [str(_venv_python()), str(Path(__file__).resolve()), *sys.argv[1:]])


def only_help(argv: list[str]) -> bool:
    """`manage.py`, `help [command]`, `--help`, `--version` or `<command> --help`: nothing that
    needs a secret key or a database."""
    args = argv[1:]
    return not args or args[0] in ("help", "--help", "-h", "--version") or "--help" in args or "-h" in args


def main() -> None:
    bootstrap()
    sys.path.insert(0, str(ROOT))
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "test":
        from demo.testrunner import main as run_tests

        sys.exit(run_tests(sys.argv[2:]))
    if only_help(sys.argv):
        # Help lists every command and each one's options without settings: a placeholder key
        # (nothing is signed) and no database (nothing connects).
        if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
            os.environ["SECRET_KEY"] = "manage-py-help-only-not-a-secret"
    elif not os.environ.get("DATABASE_URL"):
        from demo import database

        if command in ("demo", "bench"):
            database.prepare_embedded_database(bench=command == "bench")
        elif database.demo_dir().exists():
            # A clone that ran the demo: its commands work on the demo database, and say so.
            database.prepare_embedded_database()
            print(
                f"Using the demo database in {database.demo_dir()} (DATABASE_URL is unset; set it to use another).",
                file=sys.stderr,
                flush=True,
            )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
