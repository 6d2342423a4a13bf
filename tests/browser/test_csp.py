"""The Content-Security-Policy holds in a real browser: the busiest pages load in Chromium
without one violation (inline script, handler, style or a foreign asset would be reported)."""

from __future__ import annotations

from playwright.sync_api import expect

# Collected before any page script runs (Playwright's init scripts are exempt from the CSP).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def visit(page, live_url, paths) -> dict[str, list[str]]:
    page.add_init_script(LISTEN)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    seen = {}
    for path in paths:
        response = page.goto(live_url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_timeout(100)  # violations are reported asynchronously
        seen[path] = page.evaluate("window.__cspViolations")
    return {p: v for p, v in seen.items() if v} | ({"console": console} if console else {})


def test_the_main_pages_load_without_a_csp_violation(page, sign_in, demo, live_url):
    sign_in(page, "admin@acme.example")
    team_id = demo["teams"]["ml-research"]
    org_id = next(iter(demo["orgs"].values()))
    violations = visit(
        page,
        live_url,
        (
            "/",
            "/keys/",
            "/keys/new/",
            f"/teams/{team_id}/",
            f"/organizations/{org_id}/",
            "/usage/",
            "/usage/logs/",
            "/budgets/",
            "/accounts/password/",
        ),
    )
    # The role select no longer submits by itself: the explicit button is there.
    page.goto(f"{live_url}/teams/{team_id}/")
    expect(page.locator("#members button", has_text="Change role").first).to_be_visible()
    assert violations == {}


def test_the_ops_admin_loads_without_a_csp_violation(page, sign_in_ops, live_url):
    sign_in_ops(page)
    assert visit(page, live_url, ("/admin/", "/admin/auth/user/", "/admin/auth/user/add/")) == {}
