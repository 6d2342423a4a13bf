"""The console shell in a browser: sign-in, home figures, navigation per role, audit, sign-out, ops admin."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_it_signs_in_and_shows_home(page, live_url, sign_in, shot):
    page.goto(f"{live_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    shot(page, "shell-sign-in")
    sign_in(page, "admin@acme.example")
    expect(page.locator("h1")).to_have_text("Overview")
    shot(page, "shell-home-admin")
