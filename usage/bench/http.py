"""The HTTP side of `manage.py bench`: gunicorn as README says (config/gunicorn.py: gthread
workers), on 127.0.0.1 and a free port, started from the measuring child with its environment
(production settings, the bench database); pages timed with http.client over one keep-alive
connection per identity, the whole body read, as a browser would."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn config.wsgi --config python:config.gunicorn` bound to 127.0.0.1:<free port>."""

    def __init__(self, workers: int = 3):
        self.port = free_port()
        self.workers = workers
        self.process = None

    def __enter__(self):
        cmd = [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "python:config.gunicorn"]
        cmd += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--access-logfile", "/dev/null"]
        self.process = subprocess.Popen(
            cmd, cwd=Path(settings.BASE_DIR), env=os.environ.copy(), stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start listening within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Browser:
    """One keep-alive connection carrying a signed-in session (the test Client's session cookie:
    the sessions live in the database, so gunicorn's workers accept it)."""

    def __init__(self, port: int, cookies):
        self.port = port
        self.cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
        self.conn = None

    def get(self, url: str) -> tuple[int, int]:
        """(status, body bytes), the body read to its end (chunked streams included)."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request("GET", url, headers={"Host": "localhost", "Cookie": self.cookie})
                response = self.conn.getresponse()
                size = 0
                while chunk := response.read(65536):
                    size += len(chunk)
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, size
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def timed_get(self, url: str) -> tuple[float, int]:
        started = time.perf_counter()
        status, _ = self.get(url)
        return (time.perf_counter() - started) * 1000, status

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
