"""axe-core in the browser tests: axe_report(page) runs the axe-core that the
axe-playwright-python package bundles (no network) on the open page and returns its serious and
critical violations as readable text ("" when there are none).

Playwright's evaluate runs outside the page's Content-Security-Policy, so the console's CSP
(tests/browser/test_csp.py) stays as strict as it is in production."""

from __future__ import annotations

from axe_playwright_python.base import AXE_SCRIPT

FAILING = ("serious", "critical")
# WCAG 2.1 A/AA rules plus axe's best practices (landmarks, one h1, headings in order).
OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("options => axe.run(document, options)", OPTIONS)
    return [v for v in results["violations"] if v.get("impact") in FAILING]


def axe_report(page) -> str:
    lines = []
    for violation in axe_violations(page):
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            lines.append(f"      {target}: {node['html'][:160]}")
            if summary:
                lines.append(f"        {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"      ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
