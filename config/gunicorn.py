"""gunicorn settings for the image (`gunicorn config.wsgi --config python:config.gunicorn`), from
the environment: PORT, WEB_CONCURRENCY (worker processes), GUNICORN_THREADS. Threaded workers
keep checking in while a thread streams a long CSV export (README "CSV exports and the worker
timeout"). With PROMETHEUS_MULTIPROC_DIR set, each worker's samples are summed at /metrics and a
dead worker's live gauges are dropped."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:  # samples of a previous run would be summed in
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            os.remove(os.path.join(directory, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
