"""Deleting an organization (/organization/delete) and the PTU-share refusal it shares with
/team/delete.

organization_endpoints.py::delete_organization (1.108.11):

- refuses anyone but a proxy admin (401 "Only proxy admins can delete organizations");
- refuses while a team of the organization holds a PTU share on a deployment
  (management_helpers/ptu_share_guard.py::raise_if_teams_hold_ptu_shares, 400 "Team … holds a
  PTU share on deployment …");
- deletes the organization's teams (``delete_many`` on TeamTable by organization_id), its
  OrganizationMembership rows, its keys (``_delete_organization_keys``: every
  VerificationToken with that organization_id, not archived), then the organization row
  (404 when it does not exist). Its LiteLLM_BudgetTable row is left in place. Users whose
  ``organization_id`` was it are unlinked by the foreign key (ON DELETE SET NULL).
- writes no audit row.

The console does the same, with two deliberate differences: each team goes as /team/delete
deletes it (team_delete: archived, its keys archived and deleted, its memberships and the
users' ``teams`` entries swept) instead of a bare ``delete_many`` that leaves keys, memberships
and ``teams`` entries pointing at teams that no longer exist; and every deletion is audited
(the organization in the console's trail, teams and keys in LiteLLM_AuditLog).
"""

from __future__ import annotations

from config import writes
from config.errors import ChangeRefused
from config.models import ProxyModelTable
from keys.models import VerificationToken

from ..models import OrganizationMembership, OrganizationTable, TeamTable
from .base import delete_keys


def _whole_ptus(share) -> int | None:
    """ptu_pricing.py::_whole_ptus: a positive whole number of PTUs (2.0 reads as 2), else None."""
    if isinstance(share, bool):
        return None
    whole = int(share) if isinstance(share, float) and share.is_integer() else share
    return whole if isinstance(whole, int) and whole > 0 else None


def _ptu_shares(model_info) -> dict | None:
    """ptu_shares.py::_deployment_shares with ptu_pricing.py::parsed_ptu_shares: team id ->
    PTUs, None when empty or any entry is unusable. model_info may be stored as its JSON text."""
    info = writes.decode_audit_value(model_info)
    raw = info.get("ptu_shares") if isinstance(info, dict) else None
    if not isinstance(raw, dict) or not raw:
        return None
    entries = {k: _whole_ptus(v) for k, v in raw.items() if isinstance(k, str) and k}
    if len(entries) != len(raw) or None in entries.values():
        return None
    return entries


def refuse_ptu_share_holders(team_ids) -> None:
    """raise_if_teams_hold_ptu_shares, over the deployments in LiteLLM_ProxyModelTable (the
    console does not see config.yaml deployments; the proxy refuses those too)."""
    team_ids = set(team_ids)
    if not team_ids:
        return
    for model_id, model_info in ProxyModelTable.objects.values_list("model_id", "model_info"):
        shares = _ptu_shares(model_info) or {}
        held = sorted(team_ids & set(shares))
        if held:
            raise ChangeRefused(
                f"Team {held[0]} holds a PTU share on deployment {model_id}. "
                "Move its share to another team in model_info.ptu_shares before deleting the team."
            )


def org_delete_consequences(organization_id: str) -> dict:
    """What deleting the organization takes with it, for the confirm page."""
    team_ids = list(TeamTable.objects.filter(organization_id=organization_id).values_list("team_id", flat=True))
    return {
        "teams": len(team_ids),
        "team_keys": VerificationToken.objects.filter(team_id__in=team_ids).count() if team_ids else 0,
        "org_keys": VerificationToken.objects.filter(organization_id=organization_id)
        .exclude(team_id__in=team_ids)
        .count(),
        "members": OrganizationMembership.objects.filter(organization_id=organization_id).count(),
    }


def org_delete(*, actor: writes.Actor, organization_id: str) -> None:
    """/organization/delete for one organization, in one transaction (see the module docstring)."""
    from .teams import team_delete

    with writes.atomic():
        org = OrganizationTable.objects.select_for_update().filter(organization_id=organization_id).first()
        if org is None:
            raise ChangeRefused("This organization no longer exists.")
        team_ids = list(TeamTable.objects.filter(organization_id=organization_id).values_list("team_id", flat=True))
        refuse_ptu_share_holders(team_ids)
        before = writes.snapshot(org)
        before["members"] = [
            {"user_id": u, "user_role": r}
            for u, r in OrganizationMembership.objects.filter(organization_id=organization_id)
            .order_by("user_id")
            .values_list("user_id", "user_role")
        ]
        before["teams"] = sorted(team_ids)
        for team_id in sorted(team_ids):
            team_delete(actor=actor, team_id=team_id)
        writes.delete_rows(OrganizationMembership, organization_id=organization_id)
        # _delete_organization_keys: delete_many, no archive
        tokens = list(VerificationToken.objects.filter(organization_id=organization_id).values_list("token", flat=True))
        if tokens:
            delete_keys(actor=actor, tokens=tokens, archive=False)
        writes.delete_rows(OrganizationTable, organization_id=organization_id)
        writes.audit(actor, writes.DELETED, "OrganizationTable", organization_id, before, {})
