"""A tour of the console per role: every page of the console, visited as every person of the demo
cast, against a table kept here BY HAND of who may open it. A page that is wrongly opened (or
closed) in config/policy/ or in a view fails here, so the table must never be derived from the
policy. A page a person may open answers 200, shows its heading, nothing sticks out of the
window and axe-core finds no serious or critical accessibility violation (see axe.py); one
they may not open is refused: 403, 404 (an object they cannot see) or a redirect elsewhere.

Screenshots land in screenshots/tour-<role>-<page>.png so a human can look at each page as that
person sees it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import InvitationLink, UserTable
from accounts.services import invitation_token
from budgets.models import BudgetTable
from config.models import AuditLog, ProxyModelTable, UserNotifications
from keys.models import VerificationToken
from reports.close import close_previous_month
from usage.models import ErrorLogs, SpendLogs

from .axe import axe_report

ROLES = {
    "admin": "admin@acme.example",  # proxy admin
    "viewer": "viewer@acme.example",  # proxy admin viewer (read-only)
    "orgadmin": "orgadmin@acme.example",  # org admin of Acme Corp
    "lead": "lead@acme.example",  # internal user, team admin of ml-research
    "dev": "dev@acme.example",  # internal user, member of ml-research and platform
    "intern": "intern@acme.example",  # internal user viewer, member of ml-research
}
EVERYONE = frozenset(ROLES)
ADMINS = frozenset({"admin", "viewer"})  # see the whole proxy
WRITERS = EVERYONE - {"viewer", "intern"}  # change things somewhere
MANAGERS = frozenset({"admin", "orgadmin"})
USERS_SECTION = ADMINS | {"orgadmin", "lead"}  # plain members have no Users section


class Demo:
    """The demo objects the tour opens, found by what they are (never through the policy)."""

    def __init__(self, demo: dict):
        self.accounts = demo["accounts"]
        self.team = demo["teams"]["ml-research"]
        self.org = demo["orgs"]["Acme Corp"]
        dev = self.accounts["dev@acme.example"]
        self.dev_key = self._key(dev, "dev-laptop")
        self.model_budget_key = self._key(dev, "dev-notebook")  # legacy per-model budgets
        dev_tokens = VerificationToken.objects.filter(user_id=dev, team_id=self.team).values("token")
        self.dev_log = SpendLogs.objects.filter(api_key__in=dev_tokens).order_by("-start_time").first().request_id
        self.error = ErrorLogs.objects.order_by("-start_time").first().request_id
        self.budget_row = BudgetTable.objects.order_by("budget_id").first().budget_id
        self.audit = AuditLog.objects.order_by("-updated_at").first().id
        # The month that just ended, closed as the periodic job does (the console's tables are
        # emptied after each test, so each one closes it again).
        self.report_month = close_previous_month().label
        # An invitation the org admin wrote for someone outside the lead's team.
        in_team = UserTable.objects.filter(teams__contains=[self.team]).values("user_id")
        self.invitation = (
            InvitationLink.objects.filter(created_by=self.accounts["orgadmin@acme.example"])
            .exclude(user_id__in=in_team)
            .order_by("-created_at")
            .first()
            .id
        )

        # A proxy-wide deployment (the Azure one), ml-research's team model, dev's model request.
        models = list(ProxyModelTable.objects.all())
        self.deployment = next(
            m.model_id for m in models if "api_base" in m.litellm_params and not (m.model_info or {}).get("team_id")
        )
        self.team_model = next(m.model_id for m in models if (m.model_info or {}).get("team_id") == self.team)
        self.model_request = UserNotifications.objects.filter(user_id=dev).first().request_id

    @staticmethod
    def _key(user_id: str, alias: str) -> str:
        return VerificationToken.objects.get(user_id=user_id, key_alias=alias).token


def r(name: str, *args) -> str:
    return reverse(name, args=args)


# (page, path, who may open it). By hand: this is the rule the tour checks, not a copy of it.
PAGES = [
    ("home", lambda d, me: r("home"), EVERYONE),
    ("password", lambda d, me: r("password_change"), EVERYONE),
    ("keys", lambda d, me: r("keys:key_list"), EVERYONE),
    ("key-create", lambda d, me: r("keys:key_create"), WRITERS),
    # dev's own key in ml-research: seen by admins, Acme's org admin, the team's admin, dev.
    ("key-detail", lambda d, me: r("keys:key_detail", d.dev_key), EVERYONE - {"intern"}),
    ("key-edit", lambda d, me: r("keys:key_edit", d.dev_key), WRITERS),
    ("key-regenerate", lambda d, me: r("keys:key_regenerate", d.dev_key), WRITERS),
    ("key-delete", lambda d, me: r("keys:key_delete", d.dev_key), WRITERS),
    ("key-detail-model-budgets", lambda d, me: r("keys:key_detail", d.model_budget_key), EVERYONE - {"intern"}),
    ("key-edit-model-budgets", lambda d, me: r("keys:key_edit", d.model_budget_key), WRITERS),
    ("teams", lambda d, me: r("accounts:team_list"), EVERYONE),
    ("team-create", lambda d, me: r("accounts:team_create"), MANAGERS),
    ("team-detail", lambda d, me: r("accounts:team_detail", d.team), EVERYONE),  # all are members or admins
    ("team-edit", lambda d, me: r("accounts:team_edit", d.team), MANAGERS),
    ("team-member-add", lambda d, me: r("accounts:team_member_add", d.team), MANAGERS | {"lead"}),
    # Every member sees the matrix (read-only, only their own row unless they run the team).
    ("team-member-budgets", lambda d, me: r("budgets:team_members", d.team), EVERYONE),
    ("users", lambda d, me: r("accounts:user_list"), USERS_SECTION),
    ("user-create", lambda d, me: r("accounts:user_create"), MANAGERS),
    # User pages belong to the Users section: people without it (plain members) open none, not even their own.
    ("user-detail", lambda d, me: r("accounts:user_detail", d.accounts["dev@acme.example"]), USERS_SECTION),
    ("user-edit", lambda d, me: r("accounts:user_edit", d.accounts["dev@acme.example"]), MANAGERS),
    ("user-self", lambda d, me: r("accounts:user_detail", d.accounts[me]), USERS_SECTION),
    ("orgs", lambda d, me: r("accounts:org_list"), ADMINS | {"orgadmin"}),
    ("org-create", lambda d, me: r("accounts:org_create"), {"admin"}),
    ("org-detail", lambda d, me: r("accounts:org_detail", d.org), ADMINS | {"orgadmin"}),
    ("org-edit", lambda d, me: r("accounts:org_edit", d.org), MANAGERS),
    # Deleting an organization is for proxy admins only (its org admin sees it, may not delete it).
    ("org-delete", lambda d, me: r("accounts:org_delete", d.org), {"admin"}),
    ("end-users", lambda d, me: r("accounts:enduser_list"), ADMINS),
    ("end-user-create", lambda d, me: r("accounts:enduser_create"), {"admin"}),
    ("end-user-edit", lambda d, me: r("accounts:enduser_edit", "acct/eu-west/4711"), {"admin"}),
    ("budgets", lambda d, me: r("budgets:budget_overview"), ADMINS | {"orgadmin"}),
    ("budget-rows", lambda d, me: r("budgets:budget_rows"), ADMINS),
    ("budget-row-create", lambda d, me: r("budgets:budget_row_create"), {"admin"}),
    ("budget-row-edit", lambda d, me: r("budgets:budget_row_edit", d.budget_row), {"admin"}),
    ("usage", lambda d, me: r("usage:dashboard"), EVERYONE),
    ("logs", lambda d, me: r("usage:spendlog_list"), EVERYONE),
    ("log-detail", lambda d, me: r("usage:spendlog_detail", d.dev_log), EVERYONE - {"intern"}),
    ("errors", lambda d, me: r("usage:errorlog_list"), ADMINS),
    ("error-detail", lambda d, me: r("usage:errorlog_detail", d.error), ADMINS),
    # Reports: admins read whole months, the org admin Acme's sections, the lead ml-research's.
    ("reports", lambda d, me: r("reports:month_list"), ADMINS | {"orgadmin", "lead"}),
    ("report-month", lambda d, me: r("reports:month_report", d.report_month), ADMINS | {"orgadmin", "lead"}),
    ("reconcile", lambda d, me: r("reports:reconcile"), ADMINS),
    ("invitations", lambda d, me: r("accounts:invitation_list"), ADMINS | {"orgadmin", "lead"}),
    ("invitation-create", lambda d, me: r("accounts:invitation_create"), MANAGERS | {"lead"}),
    ("invitation-detail", lambda d, me: r("accounts:invitation_detail", d.invitation), ADMINS | {"orgadmin"}),
    ("audit", lambda d, me: r("audit:audit_list"), ADMINS),
    ("audit-detail", lambda d, me: r("audit:audit_detail", d.audit), ADMINS),
    ("alerts", lambda d, me: r("alerts:alert_list"), ADMINS | {"orgadmin", "lead"}),
    ("jobs", lambda d, me: r("jobs:job_list"), ADMINS),
    ("models", lambda d, me: r("deployments:model_list"), EVERYONE),
    ("model-create", lambda d, me: r("deployments:model_create"), {"admin", "lead"}),  # lead: team models
    ("model-detail", lambda d, me: r("deployments:model_detail", d.deployment), EVERYONE),
    ("model-edit", lambda d, me: r("deployments:model_edit", d.deployment), {"admin"}),
    ("model-delete", lambda d, me: r("deployments:model_delete", d.deployment), {"admin"}),
    ("team-model-detail", lambda d, me: r("deployments:model_detail", d.team_model), EVERYONE),  # all in ml-research
    ("team-model-edit", lambda d, me: r("deployments:model_edit", d.team_model), {"admin", "lead"}),
    ("team-aliases", lambda d, me: r("deployments:team_aliases", d.team), MANAGERS | {"lead"}),
    ("model-requests", lambda d, me: r("deployments:request_list"), EVERYONE - {"intern"}),
    ("model-request-create", lambda d, me: r("deployments:request_create"), {"orgadmin", "lead", "dev"}),
    ("model-request-answer", lambda d, me: r("deployments:request_answer", d.model_request), MANAGERS),
    ("database", lambda d, me: r("database:health"), {"admin"}),  # proxy admins (and ops), not viewers
]


def paths_for(demo: dict, role: str) -> dict[str, str]:
    world = Demo(demo)
    return {name: path(world, ROLES[role]) for name, path, _ in PAGES}


def visit(page, live_url, shot, role: str, name: str, path: str) -> list[str]:
    """Open a page the person may open; returns what is wrong with it (empty: nothing)."""
    response = page.goto(f"{live_url}{path}")
    status = response and response.status
    if status != 200:
        return [f"{role} {name} {path}: answered {status}, the table says it opens"]
    heading = page.locator("main h1").first
    expect(heading).to_be_visible()
    problems = []
    if not heading.inner_text().strip():
        problems.append(f"{role} {name}: empty heading")
    # Nothing sticks out to the right of the window: tables scroll inside their own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        problems.append(f"{role} {name} {path}: page is {overflow}px wider than the window")
    report = axe_report(page)
    if report:
        problems.append(f"{role} {name} {path}: accessibility\n{report}")
    shot(page, f"tour-{role}-{name}")
    return problems


def refused(page, live_url, role: str, name: str, path: str) -> list[str]:
    """A page the person may not open: 403, 404 or sent elsewhere."""
    response = page.goto(f"{live_url}{path}")
    if response.status in (403, 404):
        expect(page.locator("main h1").first).to_be_visible()  # the console's own page says why
        return []
    if response.request.redirected_from is not None and not page.url.endswith(path):
        return []
    return [f"{role} {name} {path}: answered {response.status}, the table says it is refused"]


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_opens_exactly_the_pages_the_table_gives_it(page, live_url, demo, sign_in, shot, role):
    sign_in(page, ROLES[role])
    paths = paths_for(demo, role)
    problems = []
    for name, _, allowed in PAGES:
        if role in allowed:
            problems += visit(page, live_url, shot, role, name, paths[name])
        else:
            problems += refused(page, live_url, role, name, paths[name])
    assert not problems, "\n".join(problems)


def test_the_table_names_every_role_and_page_once():
    names = [name for name, _, _ in PAGES]
    assert len(names) == len(set(names))
    for name, _, allowed in PAGES:
        assert allowed and set(allowed) <= set(ROLES), name


def test_ops_superuser_opens_every_page_and_the_django_admin(page, live_url, demo, sign_in_ops, shot):
    sign_in_ops(page)
    # Ops staff see what a proxy admin sees (the admin's tour covers every page): a sample here.
    sample = ["home", "keys", "key-detail", "key-edit", "teams", "users", "budgets", "audit", "audit-detail"]
    paths = paths_for(demo, "admin")
    problems = []
    for name in sample:
        problems += visit(page, live_url, shot, "ops", name, paths[name])
    for name, path in [
        ("admin", "/admin/"),
        ("admin-keys", "/admin/keys/verificationtoken/"),
        ("admin-teams", "/admin/accounts/teamtable/"),
        ("admin-users", "/admin/accounts/usertable/"),
    ]:
        response = page.goto(f"{live_url}{path}")
        assert response.status == 200, f"ops {name}: {response.status}"
        shot(page, f"tour-ops-{name}")
    assert not problems, "\n".join(problems)


def test_refusals_and_the_anonymous_pages_read_well(page, live_url, demo, sign_in, shot):
    invitation = InvitationLink.objects.filter(is_accepted=False).order_by("-created_at").first()
    page.goto(f"{live_url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Sign in")
    problems = [f"sign-in: accessibility\n{report}"] if (report := axe_report(page)) else []
    shot(page, "tour-anon-sign-in")
    if invitation is not None:
        page.goto(f"{live_url}{reverse('accounts:invitation_accept', args=[invitation_token(invitation)])}")
        expect(page.locator("h1")).to_be_visible()
        if report := axe_report(page):
            problems.append(f"invitation accept: accessibility\n{report}")
        shot(page, "tour-anon-accept")
    sign_in(page, ROLES["dev"])
    response = page.goto(f"{live_url}/audit/")
    assert response.status == 403
    expect(page.locator("h1")).to_be_visible()
    if report := axe_report(page):
        problems.append(f"403: accessibility\n{report}")
    shot(page, "tour-dev-403")
    response = page.goto(f"{live_url}/keys/no-such-key/")
    assert response.status == 404
    expect(page.locator("h1")).to_be_visible()
    if report := axe_report(page):
        problems.append(f"404: accessibility\n{report}")
    shot(page, "tour-dev-404")
    assert not problems, "\n".join(problems)


LISTS = ["keys", "teams", "users", "orgs", "end-users", "budgets", "budget-rows", "invitations", "audit", "logs"]


def test_lists_fit_a_1024px_window(page, live_url, demo, sign_in, shot):
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, ROLES["admin"])
    paths = paths_for(demo, "admin")
    problems = []
    for name in [*LISTS, "key-detail", "team-detail", "team-member-budgets", "user-detail", "org-detail"]:
        problems += visit(page, live_url, shot, "admin-1024", name, paths[name])
        # ...and no column hides behind the table's own scrollbar.
        hidden = page.evaluate(
            "Math.max(0, ...[...document.querySelectorAll('main .table-container')]"
            ".map(el => el.scrollWidth - el.clientWidth))"
        )
        if hidden > 0:
            problems.append(f"{name}: {hidden}px of the table are scrolled out of view at 1024px")
    assert not problems, "\n".join(problems)


def test_a_phone_sized_window_keeps_every_page_usable(page, live_url, demo, sign_in, shot):
    """At 390 px the page itself never scrolls sideways (wide tables scroll in their own box),
    the navigation is still reachable and axe still finds nothing serious."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, ROLES["lead"])
    paths = paths_for(demo, "lead")
    problems = []
    for name in ["home", "keys", "key-detail", "key-create", "team-detail", "usage", "logs", "invitations"]:
        problems += visit(page, live_url, shot, "lead-390", name, paths[name])
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Keys")).to_be_visible()
    assert not problems, "\n".join(problems)
