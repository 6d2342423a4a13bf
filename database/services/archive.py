"""The archive prune_logs writes of what it deletes: gzip, streamed batch by batch.

`.jsonl.gz`: one JSON object per line, `{"table": ..., "row": {...}}` (the row as PostgreSQL's
row_to_json gives it). `.csv.gz`: a header line per table (`table` and its columns), then its
rows; JSON columns as JSON text. Values are written as stored (no spreadsheet-formula
neutralising: the archive is for restoring, not for opening in a spreadsheet).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

from config.errors import ChangeRefused

SUFFIXES = (".jsonl.gz", ".csv.gz")


def check_path(path: str) -> Path:
    p = Path(path)
    if not p.name.endswith(SUFFIXES):
        raise ChangeRefused(f"--archive must end in {' or '.join(SUFFIXES)}: {path}")
    if p.exists():
        raise ChangeRefused(f"--archive {path} exists already; give a new file (it is never overwritten).")
    if not p.parent.is_dir():
        raise ChangeRefused(f"--archive {path}: folder {p.parent} does not exist.")
    return p


class Archive:
    def __init__(self, path: str):
        self.path = check_path(path)
        self.csv = self.path.name.endswith(".csv.gz")
        self._gz = gzip.open(self.path, "wt", encoding="utf-8", newline="")
        self._writer = csv.writer(self._gz) if self.csv else None
        self._header: tuple | None = None
        self.rows = 0

    def write(self, table: str, row_json: str) -> None:
        self.rows += 1
        if not self.csv:
            self._gz.write('{"table": ' + json.dumps(table) + ', "row": ' + row_json + "}\n")
            return
        row = json.loads(row_json)
        header = (table, *row)
        if header != self._header:
            self._writer.writerow(["table", *row])
            self._header = header
        self._writer.writerow([table, *(_cell(v) for v in row.values())])

    def flush(self) -> None:
        self._gz.flush()

    def close(self) -> None:
        self._gz.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_jsonl(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def read_csv(path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.reader(io.StringIO(fh.read())))
