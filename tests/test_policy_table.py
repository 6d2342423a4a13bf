"""The policy as a table: the cast x every public can_*/may_* question of Principal, each cell
written by hand (never computed from config/policy), so a rule wrongly widened or narrowed
(e.g. can_manage_key losing its read-only guard) fails here, and a new question cannot be
added without a row.

Columns: PA proxy admin, AV admin viewer, OA org admin, TA team admin, MB internal user, IV
internal viewer, OU outsider (other org, admin of the other team), VTA an internal viewer who
is admin of a team, OPS ops superuser, STAFF ops staff. Y allowed, . refused.

The world: cast.team (in cast.org; TA admin, MB and IV users), vta_team (in cast.org; VTA
admin), cast.other_team (in other_org; OU admin). Keys: member_key (MB's, in cast.team),
vta_key (no owner, in vta_team), iv_key (IV's own, no team). An invitation TA created.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accounts.models import InvitationLink, OrganizationTable, TeamTable, UserTable
from config import policy
from keys.models import VerificationToken
from tests import factories
from tests.cast import ROLES, TenPeople

pytestmark = pytest.mark.django_db(databases="__all__")

COLUMNS = ROLES  # the ten people of tests/cast.py

# question -> one cell per column, in COLUMNS order
TABLE = {
    #                                          PA AV OA TA MB IV OU VTA OPS STAFF
    "may_see_whole_proxy":                    "Y  Y  .  .  .  .  .  .   Y   Y",
    "may_change_anything":                    "Y  .  Y  Y  Y  .  Y  .   Y   .",
    "may_manage_some_team":                   ".  .  .  Y  .  .  Y  .   .   .",
    "may_see_people_figures":                 "Y  Y  Y  .  .  .  .  .   Y   Y",
    "may_see_invitation_ids":                 "Y  .  .  .  .  .  .  .   Y   .",
    "can_open(users)":                        "Y  Y  Y  Y  .  .  Y  .   Y   Y",
    "can_open(organizations)":                "Y  Y  Y  .  .  .  .  .   Y   Y",
    "can_open(invitations)":                  "Y  Y  Y  Y  .  .  Y  .   Y   Y",
    "can_open(audit)":                        "Y  Y  .  .  .  .  .  .   Y   Y",
    "can_open(reports)":                      "Y  Y  Y  Y  .  .  Y  Y   Y   Y",
    "can_open(alerts)":                       "Y  Y  Y  Y  .  .  Y  .   Y   Y",
    "can_open(jobs)":                         "Y  Y  .  .  .  .  .  .   Y   Y",
    "can_send_test_alerts":                   "Y  .  .  .  .  .  .  .   Y   .",
    "can_retry_jobs":                         "Y  .  .  .  .  .  .  .   Y   .",
    "can_open(database)":                     "Y  .  .  .  .  .  .  .   Y   Y",
    "may_see_database_health":                "Y  .  .  .  .  .  .  .   Y   Y",
    "can_manage_team(team)":                  "Y  .  Y  Y  .  .  .  .   Y   .",
    "can_manage_team(vta_team)":              "Y  .  Y  .  .  .  .  .   Y   .",
    "can_manage_team(other_team)":            "Y  .  .  .  .  .  Y  .   Y   .",
    "can_see_member_spend(team, member)":     "Y  Y  Y  Y  Y  .  .  .   Y   Y",
    "can_edit_team_settings(team)":           "Y  .  Y  .  .  .  .  .   Y   .",
    "can_create_teams":                       "Y  .  Y  .  .  .  .  .   Y   .",
    "can_place_outside_orgs":                 "Y  .  .  .  .  .  .  .   Y   .",
    "can_put_team_in(org)":                   "Y  .  Y  .  .  .  .  .   Y   .",
    "can_put_team_in(None)":                  "Y  .  .  .  .  .  .  .   Y   .",
    "can_manage_user(member)":                "Y  .  Y  .  .  .  .  .   Y   .",
    "can_manage_user(proxy admin)":           "Y  .  .  .  .  .  .  .   Y   .",
    "can_manage_credentials(member)":         "Y  .  Y  .  .  .  .  .   Y   .",
    "can_manage_credentials(org admin)":      "Y  .  .  .  .  .  .  .   Y   .",
    "can_delete_user(member)":                "Y  .  Y  .  .  .  .  .   Y   .",
    "can_delete_user(proxy admin)":           ".  .  .  .  .  .  .  .   Y   .",
    "can_create_users":                       "Y  .  Y  .  .  .  .  .   Y   .",
    "can_learn_account_exists":               "Y  .  .  .  .  .  .  .   Y   .",
    "can_assign_role(proxy_admin)":           "Y  .  .  .  .  .  .  .   Y   .",
    "can_assign_role(internal_user)":         "Y  .  Y  Y  Y  .  Y  .   Y   .",
    "can_manage_org(org)":                    "Y  .  Y  .  .  .  .  .   Y   .",
    "can_manage_org(other_org)":              "Y  .  .  .  .  .  .  .   Y   .",
    "can_create_orgs":                        "Y  .  .  .  .  .  .  .   Y   .",
    "can_delete_orgs":                        "Y  .  .  .  .  .  .  .   Y   .",
    "can_change_org_membership(org, member)": "Y  .  Y  .  .  .  .  .   Y   .",
    "can_change_org_membership(org, admin)":  "Y  .  .  .  .  .  .  .   Y   .",
    "can_manage_key(member_key)":             "Y  .  Y  Y  Y  .  .  .   Y   .",
    "can_manage_key(vta_key)":                "Y  .  Y  .  .  .  .  .   Y   .",
    "can_manage_key(iv_key)":                 "Y  .  .  .  .  .  .  .   Y   .",
    "can_create_keys":                        "Y  .  Y  Y  Y  .  Y  .   Y   .",
    "can_bulk_manage_keys":                   "Y  .  Y  Y  Y  .  Y  .   Y   .",
    "may_see_others_keys":                    "Y  Y  Y  Y  .  .  Y  .   Y   Y",
    "can_choose_key_owner":                   "Y  .  Y  Y  .  .  Y  .   Y   .",
    "can_grant_any_model":                    "Y  .  .  .  .  .  .  .   Y   .",
    "may_give_key_routes(custom)":            "Y  .  .  .  .  .  .  .   Y   .",
    "may_give_key_routes(read_only)":         "Y  .  Y  Y  Y  .  Y  .   Y   .",
    "may_give_key_routes(widen read_only)":   "Y  .  .  .  .  .  .  .   Y   .",
    "can_create_service_account_key(team)":   "Y  .  .  Y  .  .  .  .   Y   .",
    "can_invite":                             "Y  .  Y  Y  .  .  Y  .   Y   .",
    "can_invite_to_orgs":                     "Y  .  Y  .  .  .  .  .   Y   .",
    "can_manage_invitation(by TA)":           "Y  .  .  Y  .  .  .  .   Y   .",
    "can_see_invitation_link(by TA)":         "Y  .  .  Y  .  .  .  .   Y   .",
    "can_invite_to_team(team)":               "Y  .  Y  Y  .  .  .  .   Y   .",
    "can_invite_to_org(org)":                 "Y  .  Y  .  .  .  .  .   Y   .",
    "can_manage_end_users":                   "Y  .  .  .  .  .  .  .   Y   .",
    "can_edit_budgets":                       "Y  .  Y  .  .  .  .  .   Y   .",
    "can_see_budget_rows":                    "Y  Y  .  .  .  .  .  .   Y   Y",
    "can_edit_budget_rows":                   "Y  .  .  .  .  .  .  .   Y   .",
    "may_pick_usage_scope(proxy)":            "Y  Y  .  .  .  .  .  .   Y   Y",
    "may_pick_usage_scope(org)":              "Y  Y  Y  .  .  .  .  .   Y   Y",
    "may_pick_usage_scope(team)":             "Y  Y  Y  Y  .  .  Y  Y   Y   Y",
    "may_pick_usage_scope(user)":             "Y  Y  Y  Y  Y  Y  Y  Y   Y   Y",
    "may_pick_usage_scope(tag)":              "Y  Y  .  .  .  .  .  .   Y   Y",
    "can_see_usage_of_org(org)":              "Y  Y  Y  .  .  .  .  .   Y   Y",
    "can_see_usage_of_team(team)":            "Y  Y  Y  Y  .  .  .  .   Y   Y",
    "can_see_usage_of_team(vta_team)":        "Y  Y  Y  .  .  .  .  Y   Y   Y",
    "may_see_others_usage":                   "Y  Y  Y  .  .  .  .  .   Y   Y",
    "can_see_usage_of_user(member)":          "Y  Y  Y  .  Y  .  .  .   Y   Y",
    "may_see_error_logs":                     "Y  Y  .  .  .  .  .  .   Y   Y",
    "may_see_whole_report":                   "Y  Y  .  .  .  .  .  .   Y   Y",
    "may_close_months":                       "Y  .  .  .  .  .  .  .   Y   .",
    "may_reconcile":                          "Y  Y  .  .  .  .  .  .   Y   Y",
    "may_see_report_org(org)":                "Y  Y  Y  .  .  .  .  .   Y   Y",
    "may_see_report_org(other_org)":          "Y  Y  .  .  .  .  .  .   Y   Y",
    "may_see_report_team(team)":              "Y  Y  Y  Y  .  .  .  .   Y   Y",
    "may_see_report_team(vta_team)":          "Y  Y  Y  .  .  .  .  Y   Y   Y",
    "may_see_report_team(other_team)":        "Y  Y  .  .  .  .  Y  .   Y   Y",
    "can_open(models)":                       "Y  Y  Y  Y  Y  Y  Y  Y   Y   Y",
    "can_open(model_requests)":               "Y  Y  Y  Y  Y  .  Y  .   Y   Y",
    "may_see_deployment_settings":            "Y  Y  Y  Y  .  .  Y  .   Y   Y",
    "can_create_deployments":                 "Y  .  .  Y  .  .  Y  .   Y   .",
    "can_manage_deployment(None)":            "Y  .  .  .  .  .  .  .   Y   .",
    "can_manage_deployment(team)":            "Y  .  .  Y  .  .  .  .   Y   .",
    "can_manage_deployment(other_team)":      "Y  .  .  .  .  .  Y  .   Y   .",
    "can_edit_team_aliases(team)":            "Y  .  Y  Y  .  .  .  .   Y   .",
    "can_request_models":                     ".  .  Y  Y  Y  .  Y  .   .   .",
    "may_review_model_requests":              "Y  Y  Y  .  .  .  .  .   Y   Y",
    "can_answer_model_request(member's)":     "Y  .  Y  .  .  .  .  .   Y   .",
}  # fmt: skip


class World:
    def __init__(self, cast):
        self.cast = cast
        self.people = TenPeople(cast)
        self.viewer_team_admin = self.people.viewer_team_admin
        vta_team = factories.make_team(
            alias="Viewers", organization_id=cast.org["organization_id"], members=[(self.viewer_team_admin, "admin")]
        )
        self.team = TeamTable.objects.get(team_id=cast.team["team_id"])
        self.vta_team = TeamTable.objects.get(team_id=vta_team["team_id"])
        self.other_team = TeamTable.objects.get(team_id=cast.other_team["team_id"])
        self.org = OrganizationTable.objects.get(organization_id=cast.org["organization_id"])
        self.other_org = OrganizationTable.objects.get(organization_id=cast.other_org["organization_id"])
        self.member = UserTable.objects.get(user_id=cast.member["user_id"])
        self.admin = UserTable.objects.get(user_id=cast.proxy_admin["user_id"])
        self.org_admin = UserTable.objects.get(user_id=cast.org_admin["user_id"])

        def key(**values):
            return VerificationToken.objects.get(token=factories.make_key(**values)["token"])

        self.member_key = key(user_id=cast.member["user_id"], team_id=cast.team["team_id"])
        self.vta_key = key(user_id=None, team_id=vta_team["team_id"])
        self.iv_key = key(user_id=cast.internal_viewer["user_id"])
        invited = factories.make_user(email="invited@example.com")
        row = factories.make_invitation(user_id=invited["user_id"], created_by=cast.team_admin["user_id"])
        self.invitation = InvitationLink.objects.get(id=row["id"])
        from config.models import UserNotifications

        request_row = factories.make_model_request(cast.member["user_id"], ["gpt-4o"])
        self.model_request = UserNotifications.objects.get(request_id=request_row["request_id"])

    def principals(self) -> dict[str, policy.Principal]:
        return {role: self.people.principal(role) for role in COLUMNS}

    def ask(self, p: policy.Principal, question: str) -> bool:
        w = self
        asks = {
            "can_open(users)": lambda: p.can_open("users"),
            "can_open(organizations)": lambda: p.can_open("organizations"),
            "can_open(invitations)": lambda: p.can_open("invitations"),
            "can_open(audit)": lambda: p.can_open("audit"),
            "can_open(reports)": lambda: p.can_open("reports"),
            "may_see_report_org(org)": lambda: p.may_see_report_org(w.org.organization_id),
            "may_see_report_org(other_org)": lambda: p.may_see_report_org(w.other_org.organization_id),
            "may_see_report_team(team)": lambda: p.may_see_report_team(w.team.team_id, w.team.organization_id),
            "may_see_report_team(vta_team)": lambda: p.may_see_report_team(
                w.vta_team.team_id, w.vta_team.organization_id
            ),
            "may_see_report_team(other_team)": lambda: p.may_see_report_team(
                w.other_team.team_id, w.other_team.organization_id
            ),
            "can_open(alerts)": lambda: p.can_open("alerts"),
            "can_open(jobs)": lambda: p.can_open("jobs"),
            "can_open(database)": lambda: p.can_open("database"),
            "can_manage_team(team)": lambda: p.can_manage_team(w.team),
            "can_manage_team(vta_team)": lambda: p.can_manage_team(w.vta_team),
            "can_manage_team(other_team)": lambda: p.can_manage_team(w.other_team),
            "can_see_member_spend(team, member)": lambda: p.can_see_member_spend(w.team, w.member.user_id),
            "can_edit_team_settings(team)": lambda: p.can_edit_team_settings(w.team),
            "can_put_team_in(org)": lambda: p.can_put_team_in(w.org),
            "can_put_team_in(None)": lambda: p.can_put_team_in(None),
            "can_manage_user(member)": lambda: p.can_manage_user(w.member),
            "can_manage_user(proxy admin)": lambda: p.can_manage_user(w.admin),
            "can_manage_credentials(member)": lambda: p.can_manage_credentials(w.member),
            "can_manage_credentials(org admin)": lambda: p.can_manage_credentials(w.org_admin),
            "can_delete_user(member)": lambda: p.can_delete_user(w.member),
            "can_delete_user(proxy admin)": lambda: p.can_delete_user(w.admin),
            "can_assign_role(proxy_admin)": lambda: p.can_assign_role(policy.PROXY_ADMIN),
            "can_assign_role(internal_user)": lambda: p.can_assign_role(policy.INTERNAL_USER),
            "can_manage_org(org)": lambda: p.can_manage_org(w.org),
            "can_manage_org(other_org)": lambda: p.can_manage_org(w.other_org),
            "can_change_org_membership(org, member)": lambda: p.can_change_org_membership(w.org, w.member),
            "can_change_org_membership(org, admin)": lambda: p.can_change_org_membership(w.org, w.admin),
            "can_manage_key(member_key)": lambda: p.can_manage_key(w.member_key),
            "can_manage_key(vta_key)": lambda: p.can_manage_key(w.vta_key),
            "can_manage_key(iv_key)": lambda: p.can_manage_key(w.iv_key),
            "can_manage_invitation(by TA)": lambda: p.can_manage_invitation(w.invitation),
            "can_see_invitation_link(by TA)": lambda: p.can_see_invitation_link(w.invitation),
            "may_give_key_routes(custom)": lambda: p.may_give_key_routes(["/chat/completions"]),
            "may_give_key_routes(read_only)": lambda: p.may_give_key_routes(["info_routes"]),
            "may_give_key_routes(widen read_only)": lambda: p.may_give_key_routes([], ["info_routes"]),
            "can_create_service_account_key(team)": lambda: p.can_create_service_account_key(w.team),
            "can_invite_to_team(team)": lambda: p.can_invite_to_team(w.team),
            "can_invite_to_org(org)": lambda: p.can_invite_to_org(w.org),
            "may_pick_usage_scope(proxy)": lambda: p.may_pick_usage_scope("proxy"),
            "may_pick_usage_scope(org)": lambda: p.may_pick_usage_scope("org"),
            "may_pick_usage_scope(team)": lambda: p.may_pick_usage_scope("team"),
            "may_pick_usage_scope(user)": lambda: p.may_pick_usage_scope("user"),
            "may_pick_usage_scope(tag)": lambda: p.may_pick_usage_scope("tag"),
            "can_see_usage_of_org(org)": lambda: p.can_see_usage_of_org(w.org.organization_id),
            "can_see_usage_of_team(team)": lambda: p.can_see_usage_of_team(w.team.team_id, w.team.organization_id),
            "can_see_usage_of_team(vta_team)": lambda: p.can_see_usage_of_team(
                w.vta_team.team_id, w.vta_team.organization_id
            ),
            "can_see_usage_of_user(member)": lambda: p.can_see_usage_of_user(w.member.user_id),
            "can_open(models)": lambda: p.can_open("models"),
            "can_open(model_requests)": lambda: p.can_open("model_requests"),
            "can_manage_deployment(None)": lambda: p.can_manage_deployment(None),
            "can_manage_deployment(team)": lambda: p.can_manage_deployment(w.team.team_id),
            "can_manage_deployment(other_team)": lambda: p.can_manage_deployment(w.other_team.team_id),
            "can_edit_team_aliases(team)": lambda: p.can_edit_team_aliases(w.team),
            "can_answer_model_request(member's)": lambda: p.can_answer_model_request(w.model_request),
        }
        if question in asks:
            return asks[question]()
        answer = getattr(p, question)  # a property, or a question without arguments
        return answer() if callable(answer) else answer


def public_questions() -> set[str]:
    return {n for n in dir(policy.Principal) if n.startswith(("can_", "may_"))}


def test_every_public_question_has_a_row():
    asked = {row.split("(")[0] for row in TABLE}
    assert public_questions() - asked == set(), "add a row (a hand-written answer per person) for each"
    assert asked - public_questions() == set()
    for row, cells in TABLE.items():
        assert len(cells.split()) == len(COLUMNS), row


def test_the_cast_gets_exactly_the_table(cast):
    world = World(cast)
    principals = world.principals()
    wrong = []
    for question, cells in TABLE.items():
        for column, cell in zip(COLUMNS, cells.split(), strict=True):
            expected = cell == "Y"
            got = world.ask(principals[column], question)
            assert isinstance(got, bool), f"{question} for {column} answered {got!r}, not a bool"
            if got != expected:
                wrong.append(f"{question} for {column}: expected {expected}, policy says {got}")
    assert wrong == [], "\n".join(wrong)


ROLE_FLAGS = re.compile(
    r"is_proxy_admin|sees_everything|is_read_only|is_org_admin|is_team_admin|org_admin_of|team_admin_of"
    r"|\.role ==|\.role in|principal\.role\s*(==|!=|in\b)"
)


def test_nothing_outside_the_policy_reads_role_flags():
    """Views, selectors, forms and templates ask the principal's questions; only config/policy/
    knows roles. (A team member's own `m.role` on a roster is data, not the principal's.)"""
    root = Path(__file__).resolve().parent.parent
    found = []
    for app in ("accounts", "budgets", "keys", "usage", "config"):
        for path in (root / app).rglob("*.py"):
            if app == "config" and path.relative_to(root / "config").parts[0] == "policy":
                continue
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if ROLE_FLAGS.search(line):
                    found.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    for path in (root / "templates").rglob("*.html"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"principal\.(is_|sees_|org_admin_of|team_admin_of|role\s*(==|!=|in\b))", line):
                found.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert found == [], "ask a Principal can_*/may_* question instead:\n" + "\n".join(found)
