"""Two console processes behind a load balancer without sticky sessions: sign-in and flash
messages live in the database (sessions and messages in the console's own schema), so a person
signed in on one process continues on the other. The second process is a real `manage.py
runserver` on the same test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "litellm"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def second_process(clean_litellm):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "true",  # plain static storage (no collectstatic manifest needed for this proof)
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CONSOLE_NO_BOOTSTRAP": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    # As `migrate` does in a deployment: the production settings' cache table (this session's
    # own settings use an in-memory cache, so the test database has none yet).
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # a pipe nobody reads would fill up with its request log and block it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("second console process did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_sign_in_on_one_process_continues_on_the_other(live_server, second_process):
    from urllib.parse import urlsplit

    from accounts import passwords

    # Both behind one name, as behind a load balancer (cookies are per host name, not per port).
    host = urlsplit(live_server.url).hostname
    second_process = second_process.replace("127.0.0.1", host)

    make_user(role="proxy_admin", email="pat@example.com", password=passwords.hash_password("Pat-Password-123!"))
    first = live_server.url
    browser = requests.Session()
    page = browser.get(f"{first}/accounts/login/", timeout=10)
    token = browser.cookies["csrftoken"]
    signed = browser.post(
        f"{first}/accounts/login/",
        data={"username": "pat@example.com", "password": "Pat-Password-123!", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{first}/accounts/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert page.status_code == 200 and signed.status_code == 302
    # The same cookies, the other process: still signed in.
    other = browser.get(f"{second_process}/users/", timeout=10, allow_redirects=False)
    assert other.status_code == 200 and "pat@example.com" in other.text
    # A change on the other process leaves a flash message; the first process shows it.
    form = browser.get(f"{second_process}/users/new/", timeout=10)
    assert form.status_code == 200
    created = browser.post(
        f"{second_process}/users/new/",
        data={
            "user_email": "newhire@example.com",
            "user_role": "internal_user",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": f"{second_process}/users/new/"},
        timeout=10,
        allow_redirects=False,
    )
    assert created.status_code == 302, created.text[:2000]
    shown = browser.get(f"{first}{created.headers['Location']}", timeout=10)
    assert "newhire@example.com" in shown.text
    assert 'class="messages"' in shown.text
