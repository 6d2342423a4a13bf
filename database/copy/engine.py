"""Copy one table in batches: read a keyset batch from the source with COPY TO, stream it into a
temporary staging table on the target with COPY FROM, then (one target transaction per batch)
insert the rows the target lacks, count the identical ones as skipped, and list the ones that
differ as conflicts, overwriting them only when asked. A rerun therefore resumes: what is
already there and identical is skipped. The staging table is TEMP (the session's own schema):
LiteLLM's schema is never created or altered."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from psycopg import sql

from .plan import TablePlan

BATCH = 5000
CONFLICTS_LISTED = 20


@dataclass
class TableReport:
    table: str
    why: str
    source_rows: int = 0
    inserted: int = 0
    identical: int = 0
    conflicts: int = 0
    overwritten: int = 0
    conflict_keys: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sequences: list[str] = field(default_factory=list)
    verify: str = ""

    @property
    def rate(self) -> float:
        return self.source_rows / self.seconds if self.seconds else 0.0


def ident(*names: str) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def where_since(plan: TablePlan, since: datetime | None) -> sql.Composable:
    if since is None or plan.time_column is None:
        return sql.SQL("TRUE")
    return sql.SQL("{} >= {}").format(sql.Identifier(plan.time_column), sql.Literal(since))


def source_count(src: psycopg.Connection, plan: TablePlan, since: datetime | None) -> int:
    q = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(sql.Identifier(plan.table), where_since(plan, since))
    return src.execute(q).fetchone()[0]


def _same(plan: TablePlan, a: str, b: str) -> sql.Composable:
    """Row a equals row b in every copied column, compared as text (json has no = operator)."""
    return sql.SQL("ROW({}) IS NOT DISTINCT FROM ROW({})").format(
        sql.SQL(", ").join(sql.SQL("{}.{}::text").format(sql.Identifier(a), sql.Identifier(c)) for c in plan.columns),
        sql.SQL(", ").join(sql.SQL("{}.{}::text").format(sql.Identifier(b), sql.Identifier(c)) for c in plan.columns),
    )


def _join(plan: TablePlan) -> sql.Composable:
    return sql.SQL(" AND ").join(
        sql.SQL("t.{c} = s.{c}").format(c=sql.Identifier(c)) for c in (plan.match_key or plan.key)
    )


def copy_table(
    src: psycopg.Connection,
    dst: psycopg.Connection,
    plan: TablePlan,
    *,
    since: datetime | None = None,
    overwrite: bool = False,
    dry_run: bool = False,
    batch: int = BATCH,
    progress: Callable[[TableReport, int], None] | None = None,
) -> TableReport:
    report = TableReport(plan.table, plan.why)
    report.source_rows = source_count(src, plan, since)
    started = time.monotonic()
    stage = sql.Identifier(f"copydb_stage_{abs(hash(plan.table)) % 10**8}")
    table = sql.Identifier(plan.table)
    cols = ident(*plan.columns)
    key = ident(*plan.key)
    dst.execute(
        sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS").format(
            stage, table
        )
    )
    dst.commit()
    lower: tuple | None = None
    done = 0
    while True:
        after = (
            sql.SQL("TRUE")
            if lower is None
            else sql.SQL("({}) > ({})").format(key, sql.SQL(", ").join(sql.Literal(v) for v in lower))
        )
        filt = sql.SQL("{} AND {}").format(where_since(plan, since), after)
        upper = src.execute(
            sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {} OFFSET {} LIMIT 1").format(
                key, table, filt, key, sql.Literal(batch - 1)
            )
        ).fetchone()
        upto = (
            sql.SQL("TRUE")
            if upper is None
            else sql.SQL("({}) <= ({})").format(key, sql.SQL(", ").join(sql.Literal(v) for v in upper))
        )
        out = sql.SQL("COPY (SELECT {} FROM {} WHERE {} AND {} ORDER BY {}) TO STDOUT").format(
            cols, table, filt, upto, key
        )
        with dst.cursor() as cur:
            with (
                src.cursor().copy(out) as reader,
                cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage, cols)) as w,
            ):
                for chunk in reader:
                    w.write(chunk)
            n = merge(cur, plan, stage, report, overwrite=overwrite, dry_run=dry_run)
        src.commit()
        if dry_run:
            dst.rollback()
        else:
            dst.commit()
        done += n
        if progress:
            report.seconds = time.monotonic() - started
            progress(report, done)
        if upper is None:
            break
        lower = upper
    report.seconds = time.monotonic() - started
    if not dry_run:
        report.sequences = advance_sequences(dst, plan)
    return report


def merge(cur, plan: TablePlan, stage, report: TableReport, *, overwrite: bool, dry_run: bool = False) -> int:
    """Compare the staged batch with the target; write unless a dry run (which counts what it would)."""
    table = sql.Identifier(plan.table)
    cols = ident(*plan.columns)
    cur.execute(
        sql.SQL(
            "SELECT count(*), count(*) FILTER (WHERE t.ctid IS NULL), count(*) FILTER (WHERE t.ctid IS NOT NULL AND {})"
            " FROM {} s LEFT JOIN {} t ON {}"
        ).format(_same(plan, "t", "s"), stage, table, _join(plan))
    )
    staged, new, same = cur.fetchone()
    differ = staged - new - same
    report.identical += same
    report.conflicts += differ
    if differ and len(report.conflict_keys) < CONFLICTS_LISTED:
        cur.execute(
            sql.SQL("SELECT {} FROM {} s JOIN {} t ON {} WHERE NOT {} LIMIT {}").format(
                sql.SQL(", ").join(sql.SQL("s.{}::text").format(sql.Identifier(c)) for c in plan.match_key or plan.key),
                stage, table, _join(plan), _same(plan, "t", "s"),
                sql.Literal(CONFLICTS_LISTED - len(report.conflict_keys)),
            )
        )  # fmt: skip
        report.conflict_keys += [" / ".join(r) for r in cur.fetchall()]
    if dry_run:
        report.inserted += new
        report.overwritten += differ if overwrite else 0
        return staged
    if new:
        cur.execute(
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} s WHERE NOT EXISTS (SELECT 1 FROM {} t WHERE {})").format(
                table, cols, sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in plan.columns),
                stage, table, _join(plan),
            )
        )  # fmt: skip
        report.inserted += cur.rowcount
    if differ and overwrite:
        cur.execute(
            sql.SQL("UPDATE {} t SET ({}) = ROW({}) FROM {} s WHERE {} AND NOT {}").format(
                table, cols, sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in plan.columns),
                stage, _join(plan), _same(plan, "t", "s"),
            )
        )  # fmt: skip
        report.overwritten += cur.rowcount
    return staged


def advance_sequences(dst: psycopg.Connection, plan: TablePlan) -> list[str]:
    """A serial column (ModelTable.id) copied with its values leaves the target's sequence behind,
    and the proxy's next insert would collide: move the sequence past the highest id."""
    rows = dst.execute(
        "SELECT column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
        "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s "
        "AND column_default LIKE 'nextval(%%'",
        [plan.table],
    ).fetchall()
    moved = []
    for column, sequence in rows:
        if not sequence or column not in plan.columns:
            continue
        top = dst.execute(sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(column), sql.Identifier(plan.table)))
        top = top.fetchone()[0]
        if top is not None:
            dst.execute("SELECT setval(%s, greatest(%s, (SELECT last_value FROM " + sequence + ")))", [sequence, top])
            moved.append(f"{sequence} -> {top}")
    dst.commit()
    return moved
