"""Two editors of one key in two browser windows: the second save from a stale form that
changes the same field is refused, and says so with both values; nothing is overwritten."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from keys.models import VerificationToken
from tests import factories


def test_a_stale_key_form_is_refused_with_both_values(page, browser, live_url, sign_in, shot):
    alias = f"shared-{secrets.token_hex(3)}"
    key = factories.make_key(alias=alias, spend=2.0, max_budget=100.0)
    edit_url = f"/keys/{key['token']}/edit/"
    other = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=live_url).new_page()
    try:
        for p in (page, other):
            sign_in(p, "admin@acme.example")
            p.goto(edit_url)
            expect(p.get_by_label("Max budget (USD)")).to_have_value("100")

        page.get_by_label("Max budget (USD)").fill("77")
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_text("Saved.")).to_be_visible()

        other.get_by_label("Max budget (USD)").fill("50")
        other.get_by_label("Requests per minute (RPM)").fill("30")
        other.get_by_role("button", name="Save changes").click()
        expect(other.get_by_role("alert").first).to_contain_text(
            "Someone else changed max budget (USD) since you opened this form. Nothing was saved."
        )
        # next to the field (the summary at the top repeats it as a link)
        message = other.locator(".field-error", has_text="changed by someone else since you opened this form")
        expect(message).to_be_visible()
        expect(message).to_contain_text("it was 100 when you opened it and is now 77; you entered 50")
        shot(other, "keys-edit-conflict")
    finally:
        other.context.close()
    stored = VerificationToken.objects.get(token=key["token"])
    assert stored.max_budget == 77.0 and stored.rpm_limit is None and stored.spend == 2.0
