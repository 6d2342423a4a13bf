"""After a copy: per table, row count and an order-independent checksum (the sum of each row's
md5 over the copied columns) on both sides; and a sample of virtual keys looked up on the target
by hash as the proxy looks them up, compared with the source."""

from __future__ import annotations

from datetime import datetime

import psycopg
from psycopg import sql

from config import litellm

from .engine import where_since
from .plan import TablePlan

KEY_SAMPLE = 20


def checksum(conn: psycopg.Connection, plan: TablePlan, since: datetime | None) -> tuple[int, str]:
    row = sql.SQL("md5(ROW({})::text)").format(
        sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in plan.columns)
    )
    q = sql.SQL(
        "SELECT count(*), coalesce(sum(('x' || substr({}, 1, 15))::bit(60)::bigint), 0)::text FROM {} WHERE {}"
    ).format(row, sql.Identifier(plan.table), where_since(plan, since))
    result = conn.execute(q).fetchone()
    conn.commit()
    return result[0], result[1]


def compare(src, dst, plan: TablePlan, since: datetime | None) -> tuple[bool, str]:
    s_count, s_sum = checksum(src, plan, since)
    d_count, d_sum = checksum(dst, plan, since)
    if (s_count, s_sum) == (d_count, d_sum):
        return True, f"{s_count} rows, checksums agree"
    if s_count == d_count:
        return False, f"{s_count} rows on both, checksums DIFFER (conflicting rows)"
    return False, f"source {s_count} rows, target {d_count}: checksums DIFFER"


def proxy_lookup_sql(cat: litellm.Catalog) -> sql.Composable:
    """The core of the proxy's auth lookup (litellm/proxy/utils.py PrismaClient.get_data,
    table_name="combined_view"): the key by its hash, with its team, team membership, budget
    rows, team model aliases and organization, as far as this schema has them."""
    t = litellm.table_name
    parts = [
        "v.token, v.spend, v.max_budget, v.expires, v.models::text, v.blocked, v.user_id, v.team_id",
        "t.team_alias, t.spend, t.max_budget, t.blocked, t.models::text",
        "tm.spend, b.max_budget, b.tpm_limit, o.organization_alias",
    ]
    joins = [
        f'LEFT JOIN "{t("TeamTable")}" t ON v.team_id = t.team_id',
        f'LEFT JOIN "{t("TeamMembership")}" tm ON v.team_id = tm.team_id AND tm.user_id = v.user_id',
        f'LEFT JOIN "{t("BudgetTable")}" b ON v.budget_id = b.budget_id',
        f'LEFT JOIN "{t("OrganizationTable")}" o ON v.organization_id = o.organization_id',
    ]
    if cat.has_table("ModelTable"):
        parts.append("m.aliases::text")
        joins.append(f'LEFT JOIN "{t("ModelTable")}" m ON t.model_id = m.id')
    query = f'SELECT {", ".join(parts)} FROM "{t("VerificationToken")}" v {" ".join(joins)} WHERE v.token = %s'
    return sql.SQL(query)


def lookup(conn, cat: litellm.Catalog, token: str):
    row = conn.execute(proxy_lookup_sql(cat), [token]).fetchone()
    conn.commit()
    return row


def check_keys(src, dst, cat_src, cat_dst, tokens: list[str] | None = None) -> tuple[int, list[str]]:
    """(keys checked, problems): each sampled key must be found by its hash on the target with
    what the proxy reads for it equal to the source's."""
    if tokens is None:
        tokens = [
            r[0]
            for r in src.execute(
                sql.SQL("SELECT token FROM {} ORDER BY random() LIMIT {}").format(
                    sql.Identifier(litellm.table_name("VerificationToken")), sql.Literal(KEY_SAMPLE)
                )
            ).fetchall()
        ]
        src.commit()
    problems = []
    for token in tokens:
        there = lookup(dst, cat_dst, token)
        if there is None:
            problems.append(f"key …{token[-6:]} is not found on the target")
        elif there != lookup(src, cat_src, token):
            problems.append(f"key …{token[-6:]} reads differently on the target")
    return len(tokens), problems
