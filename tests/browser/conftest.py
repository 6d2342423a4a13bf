"""Browser tests: the console's pages in headless Chromium, on a live server over the demo
deployment (demo.deployment), built once per session when LITELLM_TEST_DEMO=1.

Fixtures:
    demo            the demo summary (ids of the demo accounts, teams, orgs; see build_deployment)
    live_url        base URL of a live server on the demo data (an ops superuser exists per test)
    page            a Playwright page in Debian's chromium (a fresh browser context per test)
    sign_in         sign_in(page, email, password=DEMO_PASSWORD): signs in a demo LiteLLM user
    sign_in_ops     sign_in_ops(page): signs in the ops superuser (OPS_USERNAME / OPS_PASSWORD)
    shot            shot(page, name, full_page=True): saves screenshots/<name>.png (look at it!)

Every test in tests/browser/ is marked `browser` and, unless it says otherwise,
`django_db(transaction=True, databases="__all__")`: the live server runs in another thread,
so test data must be committed. Django's flush empties the console's own tables (auth_user,
sessions) after each test; LiteLLM's tables are unmanaged and keep the demo data, so a test
that changes demo rows should change rows no other test relies on (or make its own).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from demo.deployment import DEMO_PASSWORD

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM
# calls made from the test body and fixtures.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
OPS_USERNAME = "ops"
OPS_PASSWORD = "ops-demo-password"
# Small enough to build in about a second, large enough for every page to show something.
DEMO_SIZE = {"users": 30, "teams": 8, "keys": 70, "days": 60, "spend_logs": 400}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here not in Path(str(item.path)).resolve().parents:
            continue
        if item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(transaction=True, databases="__all__"))


@pytest.fixture(scope="session")
def demo(django_db_setup, django_db_blocker):
    """The demo deployment, built once and committed (the live server reads it from its own
    connection)."""
    if os.environ.get("LITELLM_TEST_DEMO") != "1":
        pytest.skip("browser tests run on the demo deployment: set LITELLM_TEST_DEMO=1")
    from config import litellm
    from demo import deployment as demodata

    with django_db_blocker.unblock():
        litellm.reset_catalog()
        summary = demodata.build_deployment(**DEMO_SIZE)
    return summary


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
        args=CHROMIUM_ARGS,
        headless=True,
    )
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def live_url(demo, live_server, transactional_db):
    """The live server's base URL (no trailing slash), with a fresh ops superuser."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    cache.clear()  # sign-in throttling counts live in the cache; start each test clean
    User = get_user_model()
    if not User.objects.filter(username=OPS_USERNAME).exists():
        User.objects.create_superuser(OPS_USERNAME, "ops@example.com", OPS_PASSWORD)
    return live_server.url.rstrip("/")


@pytest.fixture
def page(browser, live_url):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=live_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _submit_login(page, live_url: str, username: str, password: str) -> None:
    page.goto(f"{live_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    if "/accounts/login/" in page.url:
        errors = page.locator(".form-errors, .field-error").all_inner_texts()
        raise AssertionError(f"sign-in as {username} failed: {errors}")


@pytest.fixture
def sign_in(live_url):
    def sign_in(page, email: str, password: str = DEMO_PASSWORD):
        _submit_login(page, live_url, email, password)
        return page

    return sign_in


@pytest.fixture
def sign_in_ops(live_url):
    def sign_in_ops(page):
        _submit_login(page, live_url, OPS_USERNAME, OPS_PASSWORD)
        return page

    return sign_in_ops


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(exist_ok=True)

    def shot(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return shot
