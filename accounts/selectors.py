"""Reads for the people pages: a handful of queries per page, joined in Python by id
(the models have no relations), never one query per row."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Func, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, Lower

from budgets.member_cap import active_temp_increase, member_cap, team_default_budget_id
from budgets.models import BudgetTable
from budgets.thresholds import budget_state
from config import writes
from config.policy import UI_SESSION_TEAM_ID
from keys.models import VerificationToken
from keys.selectors import attach_labels
from keys.status import is_expired
from usage import daily

from .models import InvitationLink, OrganizationMembership, OrganizationTable, TeamMembership, TeamTable, UserTable


def roster_of(team: TeamTable) -> list[dict]:
    """members_with_roles as a list (the column's DB default `{}` means no members)."""
    roster = team.members_with_roles
    return list(roster) if isinstance(roster, list) else []


def visible_keys(principal, **filters):
    """Keys this principal may see, without the proxy's UI session keys."""
    return (
        VerificationToken.objects.filter(principal.keys_q(), **filters)
        .exclude(team_id=UI_SESSION_TEAM_ID)
        .only("token", "key_name", "key_alias", "user_id", "team_id", "spend", "max_budget", "blocked", "expires")
        .order_by("key_alias", "token")
    )


@dataclass
class KeyRow:
    key: VerificationToken
    team_alias: str | None
    owner_email: str | None

    @property
    def expired(self) -> bool:
        return is_expired(self.key.expires)


KEYS_SHOWN = 50  # keys on a team's or a person's page; the keys list, filtered, has every one


@dataclass
class KeyPanel:
    rows: list[KeyRow]  # the first KEYS_SHOWN by alias
    total: int  # every key the viewer may see there

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def key_panel(principal, limit: int | None = None, **filters) -> KeyPanel:
    """The first `limit` visible keys (by alias) with their team's alias and owner's email, and
    how many there are in all (counted only when there are more than shown)."""
    limit = limit or KEYS_SHOWN
    keys = list(visible_keys(principal, **filters)[: limit + 1])
    total = len(keys) if len(keys) <= limit else visible_keys(principal, **filters).count()
    keys = keys[:limit]
    attach_labels(keys)  # the keys list's two lookups for the lot
    return KeyPanel([KeyRow(k, k.team_alias, k.user_email) for k in keys], total)


@dataclass
class BudgetView:
    """Spend against a budget, for a meter."""

    spend: float
    max_budget: float | None
    duration: str | None = None
    reset_at: object = None

    @property
    def percent(self) -> float:
        if not self.max_budget:
            return 0.0
        return min(100.0, 100.0 * (self.spend or 0.0) / self.max_budget)

    @property
    def state(self) -> str:
        if not self.max_budget:
            return ""
        return budget_state(100.0 * (self.spend or 0) / self.max_budget)


@dataclass
class Member:
    user_id: str | None
    user_email: str | None
    role: str
    alias: str | None = None
    spend: float = 0.0
    budget: BudgetTable | None = None
    in_user_table: bool = True
    cap: float | None = None  # budgets.member_cap.member_cap: what the proxy enforces
    temp_increase: float = 0.0
    cap_from_default: bool = False  # no own max_budget: the team's default member budget applies


def team_members(team: TeamTable) -> list[Member]:
    """The roster with each member's spend in the team and their member budget (3 queries)."""
    roster = roster_of(team)
    ids = [m.get("user_id") for m in roster if m.get("user_id")]
    users = {
        u.user_id: u for u in UserTable.objects.filter(user_id__in=ids).only("user_id", "user_email", "user_alias")
    }
    memberships = {m.user_id: m for m in TeamMembership.objects.filter(team_id=team.team_id, user_id__in=ids)}
    default_id = team_default_budget_id(team)
    budget_ids = [m.budget_id for m in memberships.values() if m.budget_id] + ([default_id] if default_id else [])
    budgets = {b.budget_id: b for b in BudgetTable.objects.filter(budget_id__in=budget_ids)}
    now = writes.now_utc()
    members = []
    for entry in roster:
        uid = entry.get("user_id")
        user = users.get(uid)
        membership = memberships.get(uid)
        budget = budgets.get(membership.budget_id) if membership and membership.budget_id else None
        cap = member_cap(budget, budgets.get(default_id), now)
        members.append(
            Member(
                user_id=uid,
                user_email=entry.get("user_email") or (user.user_email if user else None),
                role=entry.get("role") or "user",
                alias=user.user_alias if user else None,
                spend=membership.spend if membership else 0.0,
                budget=budget,
                in_user_table=user is not None,
                cap=cap,
                temp_increase=active_temp_increase(budget, now) if budget is not None else 0.0,
                cap_from_default=cap is not None and getattr(budget, "max_budget", None) is None,
            )
        )
    members.sort(key=lambda m: (m.role != "admin", (m.user_email or m.user_id or "").lower()))
    return members


def team_budget(team: TeamTable) -> BudgetView:
    return BudgetView(team.spend, team.max_budget, team.budget_duration, team.budget_reset_at)


def user_budget(user: UserTable) -> BudgetView:
    return BudgetView(user.spend, user.max_budget, user.budget_duration, user.budget_reset_at)


@dataclass
class UserTeam:
    team: TeamTable
    role: str


def user_teams(user: UserTable, principal) -> list[UserTeam]:
    """Teams the user is on (UserTable.teams or the roster), that the viewer may see."""
    teams = TeamTable.objects.filter(principal.teams_q()).filter(
        Q(team_id__in=user.teams or []) | Q(members_with_roles__contains=[{"user_id": user.user_id}])
    )
    result = []
    for team in teams.order_by("team_alias"):
        role = next((m.get("role") for m in roster_of(team) if m.get("user_id") == user.user_id), None)
        result.append(UserTeam(team, role or "user"))
    return result


@dataclass
class UserOrg:
    org: OrganizationTable
    role: str | None


def user_orgs(user: UserTable) -> list[UserOrg]:
    memberships = dict(
        OrganizationMembership.objects.filter(user_id=user.user_id).values_list("organization_id", "user_role")
    )
    orgs = OrganizationTable.objects.filter(organization_id__in=list(memberships)).order_by("organization_alias")
    return [UserOrg(org, memberships.get(org.organization_id)) for org in orgs]


def usage_totals(days) -> dict:
    return daily.totals(days)


def recent_user_usage(user_id: str, days: int = 30) -> list:
    """Spend, requests and tokens per day: usage/daily.py, the dashboard's user scope."""
    return daily.last_days(daily.scope("user", user_id), days)


@dataclass
class OrgMember:
    user: UserTable | None
    user_id: str
    role: str | None
    spend: float | None


ORG_PAGE_ROWS = 50  # members and teams shown on an organization's page (as KEYS_SHOWN); the rest are a link away


def org_members(org: OrganizationTable, limit: int | None = None) -> tuple[list[OrgMember], int]:
    """The first `limit` members (org admins first, then by email or id) and how many there
    are. Sorted and cut in SQL: an organization may have thousands of members, and building
    and rendering a row with its role form for each took seconds (issue 17: 14 s under load)."""
    limit = limit or ORG_PAGE_ROWS
    email = UserTable.objects.filter(user_id=OuterRef("user_id")).values("user_email")[:1]
    memberships = OrganizationMembership.objects.filter(organization_id=org.organization_id)
    ordered = memberships.annotate(email=Subquery(email)).order_by(
        Case(When(user_role="org_admin", then=0), default=1), Lower(Coalesce("email", "user_id")), "user_id"
    )
    shown = list(ordered.only("user_id", "organization_id", "user_role", "spend")[:limit])
    total = len(shown) if len(shown) < limit else memberships.count()
    users = {
        u.user_id: u
        for u in UserTable.objects.filter(user_id__in=[m.user_id for m in shown]).only(
            "user_id", "user_email", "user_alias", "user_role"
        )
    }
    return [OrgMember(users.get(m.user_id), m.user_id, m.user_role, m.spend) for m in shown], total


# members_with_roles defaults to '{}' (schema.prisma): an object counts as no members, as |length did.
MEMBER_COUNT_SQL = (
    "CASE WHEN jsonb_typeof(%(expressions)s) = 'array' THEN jsonb_array_length(%(expressions)s) ELSE 0 END"
)


def org_teams(org: OrganizationTable, limit: int | None = None) -> tuple[list[TeamTable], int]:
    """The first `limit` teams by alias, with the columns the page shows (members counted in
    SQL, not by loading each team's members_with_roles), and how many there are."""
    limit = limit or ORG_PAGE_ROWS
    teams = TeamTable.objects.filter(organization_id=org.organization_id)
    shown = list(
        teams.only("team_id", "team_alias", "spend", "max_budget")
        .annotate(member_count=Func("members_with_roles", template=MEMBER_COUNT_SQL, output_field=IntegerField()))
        .order_by("team_alias", "team_id")[:limit]
    )
    return shown, len(shown) if len(shown) < limit else teams.count()


def org_budget(org: OrganizationTable) -> tuple[BudgetTable | None, BudgetView]:
    budget = BudgetTable.objects.filter(budget_id=org.budget_id).first()
    view = BudgetView(
        org.spend,
        budget.max_budget if budget else None,
        budget.budget_duration if budget else None,
        budget.budget_reset_at if budget else None,
    )
    return budget, view


@dataclass
class InvitationRow:
    invitation: InvitationLink
    status: str
    invitee: UserTable | None = None
    inviter: UserTable | None = None
    extra: dict = field(default_factory=dict)


def people_by_id(user_ids) -> dict[str, UserTable]:
    ids = [i for i in set(user_ids) if i]
    return {u.user_id: u for u in UserTable.objects.filter(user_id__in=ids).only("user_id", "user_email", "user_alias")}
