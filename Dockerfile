# The console's production image: runtime pins only (requirements.lock, hashes checked), static
# files collected at build, a non-root user, gunicorn with threaded workers, a health check on
# /healthz. Build: docker build -t litellm-console .   Run: see compose.yaml and README "Production".
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CONSOLE_NO_BOOTSTRAP=1 \
    STATIC_ROOT=/app/staticfiles \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    PORT=8000

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY manage.py ./
COPY config ./config
COPY accounts ./accounts
COPY budgets ./budgets
COPY keys ./keys
COPY usage ./usage
COPY demo ./demo
COPY templates ./templates
COPY static ./static
# Runs from /app as checked out (gunicorn and manage.py import config/ from the working directory).
RUN SECRET_KEY=collectstatic-only-not-a-secret python3 manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin console \
    && mkdir -p /tmp/prometheus && chown console /tmp/prometheus

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=4)"]
CMD ["gunicorn", "config.wsgi", "--config", "python:config.gunicorn"]
