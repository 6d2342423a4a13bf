"""A tour of the console per role: every page the person may open answers without error, shows
its heading and nothing cut off; screenshots land in screenshots/tour-<role>-<page>.png so a
human can look at each page as that person sees it.

The pages come from what the person may see (policy scopes), so the tour follows the rules
instead of repeating them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import EndUserTable, InvitationLink, OrganizationTable, TeamTable, UserTable
from accounts.services import invitation_token
from budgets.models import BudgetTable
from config import policy
from config.models import AuditLog
from keys.models import VerificationToken
from usage.models import ErrorLogs, SpendLogs

ROLES = {
    "admin": "admin@acme.example",
    "viewer": "viewer@acme.example",
    "orgadmin": "orgadmin@acme.example",
    "lead": "lead@acme.example",
    "dev": "dev@acme.example",
    "intern": "intern@acme.example",
}


def pages_for(principal) -> list[tuple[str, str]]:
    """(name, path) of every page this principal may open, with one object of each kind it sees."""
    pages = [("home", reverse("home"))]
    open_ = principal.can_open
    writes = not principal.is_read_only

    key = VerificationToken.objects.filter(principal.keys_q()).order_by("-created_at").first()
    pages.append(("keys", reverse("keys:key_list")))
    if principal.can_create_keys():
        pages.append(("key-create", reverse("keys:key_create")))
    if key is not None:
        pages.append(("key-detail", reverse("keys:key_detail", args=[key.token])))
        if principal.can_manage_key(key):
            for action in ("edit", "regenerate", "delete"):
                pages.append((f"key-{action}", reverse(f"keys:key_{action}", args=[key.token])))
    # A key with per-model budgets (the demo has them in LiteLLM's legacy spelling too).
    odd = VerificationToken.objects.filter(principal.keys_q()).exclude(model_max_budget={}).order_by("token").first()
    if odd is not None:
        pages.append(("key-detail-model-budgets", reverse("keys:key_detail", args=[odd.token])))
        if principal.can_manage_key(odd):
            pages.append(("key-edit-model-budgets", reverse("keys:key_edit", args=[odd.token])))

    team = TeamTable.objects.filter(principal.teams_q()).order_by("team_alias").first()
    pages.append(("teams", reverse("accounts:team_list")))
    if principal.can_create_teams():
        pages.append(("team-create", reverse("accounts:team_create")))
    if team is not None:
        pages.append(("team-detail", reverse("accounts:team_detail", args=[team.team_id])))
        if principal.can_edit_team_settings(team):
            pages.append(("team-edit", reverse("accounts:team_edit", args=[team.team_id])))
        if principal.can_manage_team(team):
            pages.append(("team-member-add", reverse("accounts:team_member_add", args=[team.team_id])))
        if principal.can_edit_budgets() or principal.can_manage_team(team):
            pages.append(("team-member-budgets", reverse("budgets:team_members", args=[team.team_id])))

    if open_("users"):
        user = UserTable.objects.filter(principal.users_q()).exclude(user_id=principal.user_id).first()
        pages.append(("users", reverse("accounts:user_list")))
        if principal.can_create_users():
            pages.append(("user-create", reverse("accounts:user_create")))
        if user is not None:
            pages.append(("user-detail", reverse("accounts:user_detail", args=[user.user_id])))
            if principal.can_manage_user(user):
                pages.append(("user-edit", reverse("accounts:user_edit", args=[user.user_id])))
    if principal.user_id and open_("users"):
        pages.append(("user-self", reverse("accounts:user_detail", args=[principal.user_id])))

    if open_("organizations"):
        org = OrganizationTable.objects.filter(principal.orgs_q()).order_by("organization_alias").first()
        pages.append(("orgs", reverse("accounts:org_list")))
        if principal.can_create_orgs():
            pages.append(("org-create", reverse("accounts:org_create")))
        if org is not None:
            pages.append(("org-detail", reverse("accounts:org_detail", args=[org.organization_id])))
            if principal.can_manage_org(org):
                pages.append(("org-edit", reverse("accounts:org_edit", args=[org.organization_id])))

    if open_("end_users"):
        pages.append(("end-users", reverse("accounts:enduser_list")))
        end_user = EndUserTable.objects.order_by("user_id").first()
        if end_user is not None and principal.can_manage_end_users():
            pages.append(("end-user-edit", reverse("accounts:enduser_edit", args=[end_user.user_id])))

    if open_("budgets"):
        pages.append(("budgets", reverse("budgets:budget_overview")))
        if principal.sees_everything:  # budget rows are shared by everyone's keys and teams
            pages.append(("budget-rows", reverse("budgets:budget_rows")))
            row = BudgetTable.objects.order_by("budget_id").first()
            if row is not None and principal.is_proxy_admin:
                pages.append(("budget-row-edit", reverse("budgets:budget_row_edit", args=[row.budget_id])))
        if principal.is_proxy_admin:
            pages.append(("budget-row-create", reverse("budgets:budget_row_create")))

    pages.append(("usage", reverse("usage:dashboard")))
    pages.append(("logs", reverse("usage:spendlog_list")))
    log = SpendLogs.objects.filter(api_key__in=VerificationToken.objects.filter(principal.keys_q()).values("token"))
    log = log.order_by("-start_time").only("request_id").first() if not principal.sees_everything else None
    if principal.sees_everything:
        log = SpendLogs.objects.order_by("-start_time").only("request_id").first()
    if log is not None:
        pages.append(("log-detail", reverse("usage:spendlog_detail", args=[log.request_id])))
    if principal.sees_everything:
        pages.append(("errors", reverse("usage:errorlog_list")))
        error = ErrorLogs.objects.order_by("-start_time").only("request_id").first()
        if error is not None:
            pages.append(("error-detail", reverse("usage:errorlog_detail", args=[error.request_id])))

    if open_("invitations"):
        pages.append(("invitations", reverse("accounts:invitation_list")))
        if principal.can_invite() and writes:
            pages.append(("invitation-create", reverse("accounts:invitation_create")))
        invitation = InvitationLink.objects.filter(principal.invitations_q()).order_by("-created_at").first()
        if invitation is not None:
            pages.append(("invitation-detail", reverse("accounts:invitation_detail", args=[invitation.id])))

    if open_("audit"):
        pages.append(("audit", reverse("audit:audit_list")))
        entry = AuditLog.objects.order_by("-updated_at").only("id").first()
        if entry is not None:
            pages.append(("audit-detail", reverse("audit:audit_detail", args=[entry.id])))
    return pages


def visit(page, live_url, shot, role: str, name: str, path: str) -> None:
    response = page.goto(f"{live_url}{path}")
    assert response is not None and response.status == 200, f"{role} {name} {path}: {response and response.status}"
    heading = page.locator("main h1").first
    expect(heading).to_be_visible()
    assert heading.inner_text().strip(), f"{role} {name}: empty heading"
    # Nothing sticks out to the right of the window: tables scroll inside their own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{role} {name} {path}: page is {overflow}px wider than the window"
    shot(page, f"tour-{role}-{name}")


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_opens_every_page_it_may(page, live_url, demo, sign_in, shot, role):
    sign_in(page, ROLES[role])
    principal = policy.principal_for_litellm_user(demo["accounts"][ROLES[role]])
    for name, path in pages_for(principal):
        visit(page, live_url, shot, role, name, path)


def test_ops_superuser_opens_every_page_and_the_django_admin(page, live_url, sign_in_ops, shot):
    sign_in_ops(page)
    from django.contrib.auth import get_user_model

    principal = policy.principal_for_user(get_user_model().objects.get(username="ops"))
    # Ops staff see what a proxy admin sees (the admin's tour covers every page): a sample here.
    sample = {"home", "keys", "key-detail", "key-edit", "teams", "users", "budgets", "audit", "audit-detail"}
    for name, path in pages_for(principal):
        if name in sample:
            visit(page, live_url, shot, "ops", name, path)
    for name, path in [
        ("admin", "/admin/"),
        ("admin-keys", "/admin/keys/verificationtoken/"),
        ("admin-teams", "/admin/accounts/teamtable/"),
        ("admin-users", "/admin/accounts/usertable/"),
    ]:
        response = page.goto(f"{live_url}{path}")
        assert response.status == 200, f"ops {name}: {response.status}"
        shot(page, f"tour-ops-{name}")


def test_refusals_and_the_anonymous_pages_read_well(page, live_url, demo, sign_in, shot):
    invitation = InvitationLink.objects.filter(is_accepted=False).order_by("-created_at").first()
    page.goto(f"{live_url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Sign in")
    shot(page, "tour-anon-sign-in")
    if invitation is not None:
        page.goto(f"{live_url}{reverse('accounts:invitation_accept', args=[invitation_token(invitation)])}")
        expect(page.locator("h1")).to_be_visible()
        shot(page, "tour-anon-accept")
    sign_in(page, ROLES["dev"])
    response = page.goto(f"{live_url}/audit/")
    assert response.status == 403
    expect(page.locator("h1")).to_be_visible()
    shot(page, "tour-dev-403")
    response = page.goto(f"{live_url}/keys/no-such-key/")
    assert response.status == 404
    expect(page.locator("h1")).to_be_visible()
    shot(page, "tour-dev-404")


def test_lists_fit_a_1024px_window(page, live_url, sign_in, shot):
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, ROLES["admin"])
    admin = UserTable.objects.get(user_email=ROLES["admin"]).user_id
    paths = dict(pages_for(policy.principal_for_litellm_user(admin)))
    lists = ["keys", "teams", "users", "orgs", "end-users", "budgets", "budget-rows", "invitations", "audit", "logs"]
    for name in [*lists, "key-detail", "team-detail", "team-member-budgets", "user-detail", "org-detail"]:
        visit(page, live_url, shot, "admin-1024", name, paths[name])
        # ...and no column hides behind the table's own scrollbar.
        hidden = page.evaluate(
            "Math.max(0, ...[...document.querySelectorAll('main .table-container')]"
            ".map(el => el.scrollWidth - el.clientWidth))"
        )
        assert hidden <= 0, f"{name}: {hidden}px of the table are scrolled out of view at 1024px"
