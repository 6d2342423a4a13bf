"""A large LiteLLM deployment for `manage.py bench`, built with set-based SQL.

Everything is made by `INSERT ... SELECT generate_series(...)` in the database itself (md5()
for hashes and ids), so 2,000,000 spend logs take seconds rather than hours. The rows are
shaped like the proxy's (hashed keys, naive UTC, '' for "none" on the newest schema,
several rows per key/day/model there), but the numbers are synthetic.

Runs only against the embedded benchmark databases, never against a real proxy's.
"""

from __future__ import annotations

import string
import time
from dataclasses import dataclass

import psycopg

MARKER = "litellm-console bench v1"


@dataclass(frozen=True)
class Size:
    orgs: int = 10
    teams: int = 400
    users: int = 20_000
    keys: int = 100_000
    days: int = 90
    daily_rows_per_day: int = 5_000  # x 90 days = 450,000 rows in each daily table
    spend_logs: int = 2_000_000
    spend_log_days: int = 30
    error_logs: int = 20_000


MODELS = [
    ("gpt-4o", "openai"),
    ("gpt-4o-mini", "openai"),
    ("claude-3-5-sonnet", "anthropic"),
    ("claude-3-haiku", "anthropic"),
    ("gemini-1.5-pro", "vertex_ai"),
    ("gemini-1.5-flash", "vertex_ai"),
    ("llama-3-70b", "bedrock"),
    ("text-embedding-3-small", "openai"),
]
TAGS = [f"project-{i}" for i in range(16)] + ["User-Agent: python-requests", "User-Agent: curl", "batch", "prod"]


def _array(values) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def is_built(conninfo: str) -> bool:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    return bool(row and row[0] == MARKER)


def build(conninfo: str, *, size: Size = Size(), log=print) -> None:
    """Fill an empty LiteLLM schema with a large deployment, then mark the database built."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        columns = {
            (t, c)
            for t, c in conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            ).fetchall()
        }
        newest = ("LiteLLM_SpendLogs", "status") in columns
        ctx = {
            "models": _array(m for m, _ in MODELS),
            "providers": _array(p for _, p in MODELS),
            "tags": _array(TAGS),
            "n_models": len(MODELS),
            "n_tags": len(TAGS),
            **size.__dict__,
            "daily_rows": size.days * size.daily_rows_per_day,
        }
        steps = _steps(newest)
        for label, sql in steps:
            started = time.perf_counter()
            conn.execute(string.Template(sql).substitute(ctx).encode())
            log(f"  {label}: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        log(f"  vacuum analyze: {time.perf_counter() - started:.1f} s")
        dbname = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(f"COMMENT ON DATABASE \"{dbname}\" IS '{MARKER}'")


def _steps(newest: bool) -> list[tuple[str, str]]:
    """(label, SQL) pairs; $names are filled from the size (string.Template, since SQL is full of braces)."""

    # Entity ids are deterministic so the bench can name "one team" and "one key":
    # org-<i>, team-<i>, user-<i>; key <i> hashes as md5('key-'||i)||md5('key2-'||i) (64 hex).
    # Key i belongs to user (i % users) and to that user's team (user % teams).
    def key_hash(k: str) -> str:
        return f"md5('key-' || {k}) || md5('key2-' || {k})"

    # On the newest schema the proxy writes '' for "none"; a tenth of the rows carry an
    # embeddings endpoint, giving several rows per key/day/model as that schema allows.
    daily_extra_cols = ", endpoint, mcp_namespaced_tool_name" if newest else ""
    daily_extra_vals = (
        ", CASE WHEN n % 10 = 0 THEN '/v1/embeddings' ELSE '/v1/chat/completions' END, ''" if newest else ""
    )
    status_col = ", status" if newest else ""
    status_val = ", CASE WHEN n % 50 = 0 THEN 'failure' ELSE 'success' END" if newest else ""

    def daily(table: str, entity_col: str, entity_expr: str) -> str:
        return f"""
        INSERT INTO "LiteLLM_{table}" (id, {entity_col}, date, api_key, model, model_group, custom_llm_provider,
            prompt_tokens, completion_tokens, cache_read_input_tokens, cache_creation_input_tokens, spend,
            api_requests, successful_requests, failed_requests, created_at, updated_at{daily_extra_cols})
        SELECT md5('{table}-' || n)::uuid::text, {entity_expr}, to_char(current_date - d, 'YYYY-MM-DD'),
               {key_hash("k")}, ($models)[1 + j % $n_models], ($models)[1 + j % $n_models],
               ($providers)[1 + j % $n_models],
               1000 + (n % 977) * 3, 200 + (n % 311), (n % 7) * 50, (n % 5) * 10, ((n % 1000) + 1) / 2000.0,
               10 + n % 40, 10 + n % 40 - (n % 3), n % 3,
               (current_date - d)::timestamp, (current_date - d)::timestamp + interval '23 hours'{daily_extra_vals}
        FROM (SELECT n, d, j, (j * 7919 + d * 13) % $keys AS k
              FROM (SELECT n, n / $daily_rows_per_day AS d, n % $daily_rows_per_day AS j
                    FROM generate_series(0, $daily_rows - 1) AS n) a) s
        """

    return [
        (
            "budgets + organizations",
            """
            INSERT INTO "LiteLLM_BudgetTable" (budget_id, max_budget, budget_duration, created_at, created_by,
                updated_at, updated_by)
            SELECT 'budget-org-' || i, 50000, '30d', now(), 'default_user_id', now(), 'default_user_id'
            FROM generate_series(0, $orgs - 1) i;
            INSERT INTO "LiteLLM_OrganizationTable" (organization_id, organization_alias, budget_id, metadata, models,
                spend, model_spend, created_at, created_by, updated_at, updated_by)
            SELECT 'org-' || i, 'Org ' || i, 'budget-org-' || i, '{}', '{}', 0, '{}', now(), 'default_user_id',
                   now(), 'default_user_id'
            FROM generate_series(0, $orgs - 1) i;
            """,
        ),
        (
            "teams",
            """
            INSERT INTO "LiteLLM_TeamTable" (team_id, team_alias, organization_id, admins, members, members_with_roles,
                metadata, max_budget, spend, models, blocked, created_at, updated_at, model_spend, model_max_budget,
                budget_duration)
            SELECT 'team-' || i, 'team ' || lpad(i::text, 3, '0'), 'org-' || (i % $orgs), '{}', '{}',
                   jsonb_build_array(jsonb_build_object('user_id', 'user-' || i, 'role', 'admin')), '{}',
                   CASE WHEN i % 4 = 0 THEN NULL ELSE 500 + (i % 10) * 100 END, (i % 97) * 3.5, '{}', false,
                   now() - interval '200 days', now(), '{}', '{}', '30d'
            FROM generate_series(0, $teams - 1) i;
            """,
        ),
        (
            "users + memberships",
            """
            INSERT INTO "LiteLLM_UserTable" (user_id, user_email, user_role, teams, max_budget, spend, models, metadata,
                model_spend, model_max_budget, created_at, updated_at)
            SELECT 'user-' || i, 'user' || i || '@bench.example', 'internal_user', ARRAY['team-' || (i % $teams)],
                   CASE WHEN i % 3 = 0 THEN 100 ELSE NULL END, (i % 113) * 0.7, '{}', '{}', '{}', '{}',
                   now() - interval '200 days', now()
            FROM generate_series(0, $users - 1) i;
            INSERT INTO "LiteLLM_TeamMembership" (user_id, team_id, spend)
            SELECT 'user-' || i, 'team-' || (i % $teams), (i % 113) * 0.7 FROM generate_series(0, $users - 1) i;
            INSERT INTO "LiteLLM_OrganizationMembership" (user_id, organization_id, user_role, spend, created_at,
                updated_at)
            SELECT 'user-' || i, 'org-' || ((i % $teams) % $orgs), 'internal_user', 0, now(), now()
            FROM generate_series(0, $users - 1) i;
            """,
        ),
        (
            "keys",
            f"""
            INSERT INTO "LiteLLM_VerificationToken" (token, key_name, key_alias, soft_budget_cooldown, spend, models,
                aliases, config, user_id, team_id, permissions, metadata, max_budget, allowed_cache_controls,
                model_spend, model_max_budget, created_at, created_by, updated_at, updated_by, allowed_routes)
            SELECT {key_hash("i")}, 'sk-...' || substr(md5('raw-' || i), 1, 4), 'key-' || i, false,
                   (i % 211) * 0.13, '{{}}', '{{}}', '{{}}', 'user-' || (i % $users),
                   'team-' || ((i % $users) % $teams), '{{}}', '{{}}',
                   CASE WHEN i % 5 = 0 THEN 50 ELSE NULL END, '{{}}', '{{}}', '{{}}',
                   now() - (i % 300) * interval '1 day', 'default_user_id', now(), 'default_user_id', '{{}}'
            FROM generate_series(0, $keys - 1) i
            """,
        ),
        ("daily user spend", daily("DailyUserSpend", "user_id", "'user-' || (k % $users)")),
        ("daily team spend", daily("DailyTeamSpend", "team_id", "'team-' || ((k % $users) % $teams)")),
        ("daily tag spend", daily("DailyTagSpend", "tag", "($tags)[1 + (k + d) % $n_tags]")),
        (
            "spend logs",
            f"""
            INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, api_key, spend, total_tokens, prompt_tokens,
                completion_tokens, "startTime", "endTime", model, model_group, custom_llm_provider, api_base, "user",
                metadata, cache_hit, cache_key, request_tags, team_id, messages, response,
                proxy_server_request{status_col})
            SELECT md5('req-' || n)::uuid::text, 'acompletion', {key_hash("k")}, ((n % 1000) + 1) / 20000.0,
                   1200 + n % 900, 1000 + n % 700, 200 + n % 200, ts, ts + (200 + n % 3000) * interval '1 millisecond',
                   ($models)[1 + n % $n_models], ($models)[1 + n % $n_models], ($providers)[1 + n % $n_models],
                   'https://api.example', 'user-' || (k % $users),
                   jsonb_build_object('user_api_key_alias', 'key-' || k, 'status', 'success'), 'False', '',
                   jsonb_build_array(($tags)[1 + n % $n_tags]), 'team-' || ((k % $users) % $teams),
                   '{{}}', '{{}}', '{{}}'{status_val}
            FROM (SELECT n, (n::bigint * 7919) % $keys AS k,
                         date_trunc('second', now() AT TIME ZONE 'UTC')
                           - (n::float8 / $spend_logs) * $spend_log_days * interval '1 day' AS ts
                  FROM generate_series(0, $spend_logs - 1) n) s
            """,
        ),
        (
            "error logs",
            """
            INSERT INTO "LiteLLM_ErrorLogs" (request_id, "startTime", "endTime", api_base, model_group,
                litellm_model_name, model_id, request_kwargs, exception_type, exception_string, status_code)
            SELECT md5('err-' || n)::uuid::text,
                   (now() AT TIME ZONE 'UTC') - (n::float8 / $error_logs) * 30 * interval '1 day',
                   (now() AT TIME ZONE 'UTC') - (n::float8 / $error_logs) * 30 * interval '1 day'
                     + interval '2 seconds',
                   'https://api.example', ($models)[1 + n % $n_models], ($models)[1 + n % $n_models],
                   md5('model-' || n % $n_models), '{}', 'RateLimitError', 'Rate limit exceeded', '429'
            FROM generate_series(0, $error_logs - 1) n;
            """,
        ),
    ]


def shuffled_copy(admin_conninfo: str, source: str, copy: str, *, log=print) -> None:
    """`copy`: database `source` with its spend logs stored in random order, as after a bulk import.

    build() writes the logs in time order (newest first, one `INSERT ... SELECT` over the
    series), so the heap follows "startTime" as a proxy's appends do. Here the same rows are
    reinserted in `ORDER BY random()` order (indexes kept, then VACUUM ANALYZE), so an index scan
    on "startTime" touches a different heap page for nearly every row. The source is only read
    (as CREATE DATABASE's template); a failed build drops the copy.
    """
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    try:
        with psycopg.connect(admin_conninfo.replace("dbname=postgres", f"dbname={copy}"), autocommit=True) as conn:
            started = time.perf_counter()
            with conn.transaction():
                conn.execute('CREATE TEMP TABLE shuffled AS SELECT * FROM "LiteLLM_SpendLogs" ORDER BY random()')
                conn.execute('TRUNCATE "LiteLLM_SpendLogs"')
                conn.execute('INSERT INTO "LiteLLM_SpendLogs" SELECT * FROM shuffled')
            conn.execute('VACUUM ANALYZE "LiteLLM_SpendLogs"')
            log(f"  spend logs shuffled: {time.perf_counter() - started:.1f} s")
            conn.execute(f"COMMENT ON DATABASE \"{copy}\" IS '{MARKER}, spend logs shuffled'")
    except BaseException:
        with psycopg.connect(admin_conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        raise
