"""The measuring child process of `manage.py bench`: times each page through Django's test
Client (no test-environment instrumentation: see notes.md), counts its SQL, and with
`--profile` profiles one extra run of each page with pyinstrument."""

from __future__ import annotations

import logging
import statistics
import time
from collections import defaultdict
from pathlib import Path

from .pages import BENCH_TEAM_ADMIN, EXPORT, label_matches, pages

PROFILE_TOP = 6  # functions per page in BENCHMARKS.md (by time spent in them, callees excluded)


def _clients():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from config.policy import LITELLM_USERNAME_PREFIX

    User = get_user_model()
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench@example.com", "bench-password"
    )
    team_admin, _ = User.objects.get_or_create(username=LITELLM_USERNAME_PREFIX + BENCH_TEAM_ADMIN)
    clients = {}
    for who, user, backend in (
        ("admin", admin, None),
        ("team admin", team_admin, "accounts.auth.LiteLLMUserBackend"),
    ):
        client = Client(raise_request_exception=False)
        client.force_login(user, backend=backend)
        clients[who] = client
    return clients


def _get(client, url) -> tuple[object, int]:
    """The response and its body size (a streamed body is read to the end, like a browser)."""
    response = client.get(url)
    if hasattr(response, "streaming_content"):
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    return response, size


def measure_pages(
    *,
    runs: int,
    log,
    only: str = "",
    profile_dir: str | None = None,
    over_http: bool = True,
    replica_only: bool = False,
) -> list[dict]:
    """Server ms over HTTP through gunicorn (usage/bench/http.py) unless `over_http` is off; the
    in-process test Client pass gives SQL ms and statements (and its own ms, `client_ms`).
    `replica_only`: just the pages the replica may serve (config/replica.py decides, as for a
    person), each with the statements it ran on each connection and the replica's lag."""
    import contextlib

    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", database="default", verbosity=0, interactive=False)
    call_command("createcachetable", database="default", verbosity=0)
    # as the job queue's hourly usage_warm keeps them in a deployment (usage/rollup.py); the
    # pages "closed days not cached" clear Django's cache, not these
    from usage import rollup

    started = time.perf_counter()
    done = rollup.refresh()
    log(f"rollups of closed days: {done.rows_written} rows written in {time.perf_counter() - started:.1f} s")
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a broken page is reported, not dumped
    clients = _clients()
    selected = [p for p in pages() if label_matches(p.label, only)]
    if replica_only:
        selected = [p for p in selected if _may_read_replica(p)]
    results = []
    with contextlib.ExitStack() as stack:
        browsers = {}
        if over_http and selected:
            from .http import Browser, Gunicorn

            server = stack.enter_context(Gunicorn())
            browsers = {who: Browser(server.port, client.cookies) for who, client in clients.items()}
            stack.callback(lambda: [b.close() for b in browsers.values()])
        for n, page in enumerate(selected, 1):
            _measure_page(page, n, len(selected), clients, browsers, runs, log, profile_dir, results, cache)
    return results


def _may_read_replica(page) -> bool:
    """Whether config/replica.py lets this page read the replica (its URL's namespace, or an
    export): the same rule the middleware applies, on a request made from the page's URL."""
    from django.test import RequestFactory
    from django.urls import resolve

    from config.replica import page_may_use_replica

    try:
        request = RequestFactory().get(page.url())
    except Exception:  # its data is missing: reported as n/a by the main pass
        return False
    request.resolver_match = resolve(request.path_info)
    return page_may_use_replica(request)


def _per_alias(contexts: dict) -> dict[str, int]:
    return {alias: len(ctx.captured_queries) for alias, ctx in contexts.items()}


def _measure_page(page, n, total, clients, browsers, runs, log, profile_dir, results, cache):
    import contextlib

    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from config import replica

    entry = {"label": page.label, "kind": page.kind, "who": page.who}
    client = clients[page.who]
    prefix = f"  [{n}/{total}] {page.label}"
    try:
        url = page.url()
    except Exception as exc:  # a page not built yet (NoReverseMatch) or its data missing
        results.append({**entry, "status": "n/a", "reason": f"not built yet ({type(exc).__name__})"})
        log(f"{prefix}: not available ({type(exc).__name__})")
        return
    response, size = _get(client, url)  # the warm-up
    if response.status_code != 200:
        reason = f"HTTP {response.status_code}"
        results.append({**entry, "status": "n/a", "url": url, "reason": reason})
        log(f"{prefix}: {reason}")
        return
    page_runs = max(1, runs // 3) if page.kind == EXPORT else runs
    server, sql, counts, slowest = [], [], [], []
    aliases = ["litellm", "default", *([replica.REPLICA_ALIAS] if replica.configured() else [])]
    per_alias = {}
    for _ in range(page_runs):
        if page.cold:
            cache.clear()
        with contextlib.ExitStack() as stack:
            contexts = {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in aliases}
            started = time.perf_counter()
            _get(client, url)
            elapsed = time.perf_counter() - started
        captured = [q for ctx in contexts.values() for q in ctx.captured_queries]
        per_alias = _per_alias(contexts)
        server.append(elapsed * 1000)
        sql.append(sum(float(q["time"]) for q in captured) * 1000)
        counts.append(len(captured))
        slowest.append(max((float(q["time"]) * 1000 for q in captured), default=0.0))
    entry.update(
        status="ok",
        url=url,
        bytes=size,
        runs=page_runs,
        server_ms=median(server),
        client_ms=median(server),
        via="client",
        sql_ms=median(sql),
        slowest_ms=median(slowest),
        queries=max(counts),
        queries_min=min(counts),
        statements_by_alias=per_alias,  # of the last run
    )
    if replica.configured():
        found = replica.measure()
        entry["replica"] = {"usable": found.usable, "lag_seconds": found.lag_seconds, "reason": found.reason}
    if browsers:
        entry.update(_over_http(browsers[page.who], url, page_runs, page.cold, cache))
    if profile_dir:
        if page.cold:
            cache.clear()
        entry["profile"] = profile_page(client, url, Path(profile_dir), page.label)
    via = f" ({entry['via']}; in-process {entry['client_ms']:.1f} ms)" if entry["via"] == "http" else ""
    log(f"{prefix}: {entry['server_ms']:.1f} ms{via}, SQL {entry['sql_ms']:.1f} ms, {entry['queries']} queries")
    results.append(entry)


def _over_http(browser, url: str, runs: int, cold: bool, cache) -> dict:
    """The page's median over HTTP (after one warm-up), with the same cache treatment."""
    browser.get(url)
    times, statuses = [], set()
    for _ in range(runs):
        if cold:
            cache.clear()
        ms, status = browser.timed_get(url)
        times.append(ms)
        statuses.add(status)
    extra = {"server_ms": median(times), "via": "http"}
    if statuses != {200}:
        extra["http_status"] = sorted(statuses)
    return extra


def profile_page(client, url: str, directory: Path, label: str) -> list[tuple[str, float]]:
    """One run under pyinstrument: its text tree goes to `directory`, and the functions that
    took most of it (their own time, callees excluded) come back as (function, ms)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)  # finer sampling slowed a 0.1 s page to 20 s under the profiler
    profiler.start()
    _get(client, url)
    profiler.stop()
    directory.mkdir(parents=True, exist_ok=True)
    slug = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")
    (directory / f"{slug}.txt").write_text(profiler.output_text(unicode=False, color=False))
    own: dict[str, float] = defaultdict(float)

    def walk(frame, parent=None):
        children = frame.children
        mine = frame.time - sum(c.time for c in children)
        # pyinstrument 5 puts a function's own time in a synthetic "[self]" child: its parent's
        named = parent if frame.is_synthetic and parent is not None else frame
        if mine > 0:
            where = named.file_path_short or named.file_path or ""
            own[f"{named.function} ({_short(where)}:{named.line_no})"] += mine
        for child in children:
            walk(child, frame)

    root = profiler.last_session.root_frame()
    if root is not None:
        walk(root)
    top = sorted(own.items(), key=lambda item: -item[1])[:PROFILE_TOP]
    return [(name, seconds * 1000) for name, seconds in top]


def _short(path: str) -> str:
    for marker in ("site-packages/", "/speed/", "/main/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def median(values):
    return statistics.median(values) if values else 0.0
