"""What a person may see, as Q objects for the querysets of each kind of row (everything
outside answers 404), and the teams and organizations they may pick for each purpose."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from .roles import UI_SESSION_TEAM_ID

TEAM_CHOICE_PURPOSES = ("key", "invite", "filter", "usage")
ORG_CHOICE_PURPOSES = ("form", "filter", "usage")
NOTHING = Q(pk__in=[])


class ScopesMixin:
    """Principal's scoped querysets (its fields and broad rights live in principal.py)."""

    def teams_q(self) -> Q:
        if self.sees_everything:
            return Q()
        return Q(team_id__in=self.team_ids) | Q(organization_id__in=self.org_admin_of)

    def team_choices_q(self, purpose: str = "key") -> Q:
        """Teams this person may pick, by what for (the one place that answers it):
        - "key": a team for a key they make: proxy admins any, org admins their orgs' teams,
          others the teams they belong to; never for read-only people;
        - "invite": a team to invite someone into or make someone a member of: the teams
          they manage (as can_manage_team);
        - "filter": a team to narrow a list by: the teams they see;
        - "usage": a team whose usage they may read: everyone's for those who see everything,
          else their orgs' teams and the teams they administer (read-only or not: it only reads).
        The proxy's UI-session team is offered only on the usage dashboard (its spend is real)."""
        if purpose not in TEAM_CHOICE_PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        if purpose == "usage":
            if self.sees_everything:
                return Q()
            return Q(team_id__in=self.team_admin_of) | Q(organization_id__in=self.org_admin_of)
        if purpose == "filter":
            q = self.teams_q()
        elif self.is_read_only:
            return NOTHING
        elif self.is_proxy_admin:
            q = Q()
        elif purpose == "key":
            q = Q(team_id__in=self.team_ids) | Q(organization_id__in=self.org_admin_of)
        else:  # invite
            q = Q(organization_id__in=self.org_admin_of) | Q(team_id__in=self.team_admin_of)
        return q & ~Q(team_id=UI_SESSION_TEAM_ID)

    def alerts_q(self) -> Q:
        """console_alert rows (alerts/): everything for those who see everything; else the
        alerts of their own keys and budgets, of the teams they administer and of their orgs
        (an alert stores the owner, team and org it was about)."""
        if self.sees_everything:
            return Q()
        q = Q(owner_id=self.user_id) if self.user_id else NOTHING
        if self.team_admin_of and not self.is_read_only:
            q |= Q(team_id__in=self.team_admin_of)
        if self.org_admin_of and not self.is_read_only:
            q |= Q(org_id__in=self.org_admin_of)
        return q & ~Q(kind="test")

    def team_ids_managed(self) -> frozenset[str]:
        return self.team_admin_of

    def users_q(self) -> Q:
        """UserTable rows this person may see (org admins: their orgs' users and teams)."""
        if self.sees_everything:
            return Q()
        q = Q(user_id=self.user_id)
        if self.org_admin_of:
            q |= Q(organization_id__in=self.org_admin_of)
            q |= Q(user_id__in=_org_member_ids(self.org_admin_of))
        if self.team_admin_of:
            q |= Q(teams__overlap=list(self.team_admin_of))
        return q

    def orgs_q(self) -> Q:
        if self.sees_everything:
            return Q()
        return Q(organization_id__in=self.org_ids)

    def org_choices_q(self, purpose: str = "form") -> Q:
        """Organizations this person may pick, by what for:
        - "form": an organization for a user, team or invitation they make: proxy admins any,
          others the organizations they administer;
        - "filter": an organization to narrow a list by: those they see;
        - "usage": an organization whose usage they may read: any for those who see
          everything, else those they administer."""
        if purpose not in ORG_CHOICE_PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        if purpose == "filter":
            return self.orgs_q()
        everything = self.is_proxy_admin if purpose == "form" else self.sees_everything
        return Q() if everything else Q(organization_id__in=self.org_admin_of)

    def keys_q(self) -> Q:
        """VerificationToken rows: own keys; org admins also their orgs' teams' keys;
        team admins also their teams' keys."""
        if self.sees_everything:
            return Q()
        q = Q(user_id=self.user_id) if self.user_id else NOTHING
        if self.org_admin_of:
            q |= Q(organization_id__in=self.org_admin_of) | Q(team_id__in=_org_team_ids(self.org_admin_of))
        if self.team_admin_of and not self.is_read_only:
            q |= Q(team_id__in=self.team_admin_of)
        return q

    def invitations_q(self) -> Q:
        """InvitationLink rows: everything for admins; otherwise the ones you created and the
        onboarding invitations of people you may see. Password-reset rows (a link for someone
        who already has a password) created by others never appear to team or org admins."""
        if self.sees_everything:
            return Q()
        from accounts.models import UserTable

        q = Q(created_by=self.user_id) if self.user_id else NOTHING
        if self.is_org_admin or self.is_team_admin:
            without_password = UserTable.objects.filter(self.users_q()).filter(
                Q(password__isnull=True) | Q(password="")
            )
            q |= Q(user_id__in=without_password.values("user_id"))
        return q

    def spend_logs_q(self) -> Q:
        """SpendLogs a person may see: admins all; org admins their orgs' teams' logs; team
        admins their teams' logs; everyone their own keys' logs."""
        from keys.models import VerificationToken

        if self.sees_everything:
            return Q()
        q = NOTHING
        if self.user_id:
            q |= Q(api_key__in=VerificationToken.objects.filter(user_id=self.user_id).values("token"))
        if self.team_admin_of:
            q |= Q(team_id__in=list(self.team_admin_of))
        if self.org_admin_of:
            from accounts.models import TeamTable

            teams = TeamTable.objects.filter(organization_id__in=list(self.org_admin_of)).values("team_id")
            q |= Q(team_id__in=teams)
        return q


def get_visible_or_404(queryset, q: Q, **lookup):
    obj = queryset.filter(q).filter(**lookup).first()
    if obj is None:
        raise Http404("Not found")
    return obj


def _org_member_ids(org_ids) -> list[str]:
    from accounts.models import OrganizationMembership

    return list(
        OrganizationMembership.objects.filter(organization_id__in=list(org_ids)).values_list("user_id", flat=True)
    )


def _org_team_ids(org_ids) -> list[str]:
    from accounts.models import TeamTable

    return list(TeamTable.objects.filter(organization_id__in=list(org_ids)).values_list("team_id", flat=True))
