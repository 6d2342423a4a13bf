"""`python3 manage.py test`: the whole suite, once per LiteLLM schema.

Each run is its own pytest process with its own embedded PostgreSQL, because the console
reads the live catalog once per process:
  newest  every test but the browser ones, on all 220 migrations
  seed    the same tests on the seed-era schema (migrations up to 20250430193429)
  prefix  the schema-sensitive tests on a seed schema whose tables are named LLM_*
  browser the pages in headless Chromium, on the newest schema with a demo deployment
Extra arguments go to every pytest run (e.g. `-x`, `-k name`). A closing line sums them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUNS = [
    ("newest", {"LITELLM_TEST_SCHEMA": "newest"}, ["-m", "not browser"]),
    ("seed", {"LITELLM_TEST_SCHEMA": "seed"}, ["-m", "not browser"]),
    ("prefix", {"LITELLM_TEST_SCHEMA": "seed", "LITELLM_TABLE_PREFIX": "LLM_"}, ["-m", "schema"]),
    ("browser", {"LITELLM_TEST_SCHEMA": "newest", "LITELLM_TEST_DEMO": "1"}, ["-m", "browser"]),
]


def main(argv: list[str]) -> int:
    only = os.environ.get("CONSOLE_TEST_RUNS", "")
    selected = [r for r in RUNS if not only or r[0] in only.split(",")]
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    worst = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, env, args in selected:
            print(f"\n=== tests on the {name} schema ===", flush=True)
            report = Path(tmp) / f"{name}.xml"
            code = _run([sys.executable, "-m", "pytest", *args, f"--junitxml={report}", *argv], {**os.environ, **env})
            if code == INTERRUPTED:
                print(f"\ninterrupted during the {name} run; its database is stopped", flush=True)
                return code
            if code == 5:  # no tests selected in this run (e.g. -k narrowed it away)
                code = 0
            worst = max(worst, code)
            if report.exists():
                for key, value in _counts(report).items():
                    totals[key] += value
    summary = f"{totals['passed']} passed, {totals['failed']} failed"
    if totals["skipped"]:
        summary += f", {totals['skipped']} skipped"
    print(f"\nall runs: {summary}", flush=True)
    return worst if worst else (1 if totals["failed"] else 0)


INTERRUPTED = 130


def _run(command: list[str], env: dict) -> int:
    """One pytest run. On Ctrl-C or SIGTERM it is asked to stop (SIGTERM, once) and waited for,
    so its exit handlers stop the embedded PostgreSQL it started: subprocess.call would SIGKILL
    it and leave the server running. It runs in its own session, so a terminal's Ctrl-C reaches
    it only through this relay, exactly once."""
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGTERM)  # the test database stops on it (demo.embedded)
            while True:
                try:
                    proc.wait()
                    return INTERRUPTED
                except KeyboardInterrupt:
                    continue  # still stopping its database; let it finish
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _counts(report: Path) -> dict[str, int]:
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return {"passed": tests - failed - skipped, "failed": failed, "skipped": skipped}
