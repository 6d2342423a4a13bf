"""Teams: create, update and delete (/team/new, /team/update, /team/delete)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from budgets.services import resolve_member_budget
from config import litellm, policy, writes
from config.errors import ChangeRefused
from config.models import ProxyModelTable
from keys.models import VerificationToken

from ..models import (
    DeletedTeamTable,
    OrganizationTable,
    TeamMembership,
    TeamTable,
    UserTable,
)
from . import team_settings
from .base import (
    _audit_edit,
    _budget_reset_at,
    _check_limits,
    _lock_users,
    _locked_changes,
    _refuse_duplicate_alias,
    _refuse_unknown,
    delete_keys,
    new_user_row,
)
from .org_delete import refuse_ptu_share_holders
from .roster_base import _append_team_id, _read_roster, _roster_entry

TEAM_SETTING_FIELDS = (
    "team_alias",
    "organization_id",
    "models",
    "max_budget",
    "soft_budget",
    "model_max_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "blocked",
)
# The team form's extra settings (team_settings.py): the editable part of metadata, the member
# permissions and the default member budget's fields. Not columns the ops admin edits as such.
TEAM_EXTRA_FIELDS = ("metadata", "team_member_permissions", *team_settings.MEMBER_DEFAULT_FIELDS)


def should_auto_add_team_creator(creator_user_id: str | None, creator_role: str | None) -> bool:
    """team_endpoints.py::_should_auto_add_team_creator: every caller with a user_id joins the
    team it creates as admin, a proxy admin (an ops login is the master key: default_user_id)
    unless general_settings.disable_auto_add_proxy_admin_to_teams (litellm-exact.md §1)."""
    if not creator_user_id:
        return False
    if creator_role != policy.PROXY_ADMIN:
        return True
    return not settings.LITELLM_DISABLE_AUTO_ADD_PROXY_ADMIN_TO_TEAMS


def creator_of(principal) -> tuple[str | None, str | None]:
    """(user_id, role) of whoever creates a team: an ops login calls as the master key does,
    with user_id = LITELLM_PROXY_ADMIN_ID (user_api_key_auth.py, master-key branch)."""
    if principal is None:
        return None, None
    return principal.user_id or settings.LITELLM_PROXY_ADMIN_ID, principal.role


def team_create(
    *, actor: writes.Actor, creator_user_id: str | None = None, creator_role: str | None = None, **fields: Any
) -> dict:
    """/team/new: uuid4 id, members_with_roles [] (a JSONB array), admins/members [], metadata
    (the caller's, without LiteLLM's reserved keys; {} by default), budget_reset_at from the
    duration, team_member_permissions where given (else the column's default []), and the
    default member budget row when a team_member_* field is set (team_settings.py); the
    creator joins it as admin when should_auto_add_team_creator says so. Audit `created` with
    the snapshot taken before the creator was added (LiteLLM audits team_row, created with
    members_with_roles [])."""
    _refuse_unknown(fields, (*TEAM_SETTING_FIELDS, *TEAM_EXTRA_FIELDS), "team")
    fields = dict(fields)
    member_default = team_settings.member_default_values(team_settings.member_default_payload(fields))
    metadata = team_settings.merged_metadata(dict(fields.pop("metadata", None) or {}), {})
    permissions = fields.pop("team_member_permissions", None)
    if permissions is not None:
        if not team_settings.has_member_permissions():
            raise TypeError("this database has no team_member_permissions column")
        permissions = team_settings.check_member_permissions(permissions)
    alias = (fields.get("team_alias") or "").strip()
    if not alias:
        raise ChangeRefused("Give the team a name.", "team_alias")
    _check_limits(fields, create=True)
    org_id = fields.get("organization_id") or None
    if org_id and not OrganizationTable.objects.filter(organization_id=org_id).exists():
        raise ChangeRefused("No such organization.", "organization_id")
    now = writes.now_utc()
    team_id = writes.new_id()
    row = {
        "team_id": team_id,
        "team_alias": alias,
        "organization_id": org_id,
        "admins": [],
        "members": [],
        "members_with_roles": [],
        "metadata": metadata,
        "models": list(fields.get("models") or []),
        "max_budget": fields.get("max_budget"),
        "budget_duration": fields.get("budget_duration"),
        "budget_reset_at": _budget_reset_at(fields.get("budget_duration")),
        "tpm_limit": fields.get("tpm_limit"),
        "rpm_limit": fields.get("rpm_limit"),
        "max_parallel_requests": fields.get("max_parallel_requests"),
        "blocked": bool(fields.get("blocked", False)),
        "spend": 0.0,
        "model_spend": {},
        "model_max_budget": fields.get("model_max_budget") or {},
        "soft_budget": fields.get("soft_budget"),
        "team_member_permissions": permissions,
        "created_at": now,
        "updated_at": now,
    }
    row = {k: v for k, v in row.items() if v is not None}
    with writes.atomic():
        _refuse_duplicate_alias(TeamTable, "team_alias", alias, noun="A team")
        if any(v is not None for v in member_default.values()):
            row["metadata"] = {
                **metadata,
                "team_member_budget_id": team_settings.create_member_default(
                    actor, alias=alias, team_duration=row.get("budget_duration"), values=member_default
                ),
            }
        writes.insert_row(TeamTable, row)
        created = writes.snapshot(TeamTable.objects.get(team_id=team_id))
        if should_auto_add_team_creator(creator_user_id, creator_role):
            _add_creator(actor, team_id, creator_user_id)
        writes.audit(actor, writes.CREATED, "TeamTable", team_id, None, created)
    return created


def _add_creator(actor: writes.Actor, team_id: str, user_id: str) -> None:
    """new_team -> _add_team_members_to_team -> add_new_member for Member(role="admin", user_id):
    the user row upserted (created as get_new_internal_user_defaults: role internal_user, teams
    [team_id], models []; an existing row only gains team_id), a TeamMembership row, and the
    roster entry (user_id, the user row's email, "admin"). new_team writes no audit row for the
    user nor a roster "updated" row (litellm-exact.md §1)."""
    writes.advisory_xact_lock(team_id)
    _lock_users([user_id])
    user = UserTable.objects.filter(user_id=user_id).first()
    if user is None:
        writes.insert_row(
            UserTable, new_user_row(user_id=user_id, email=None, role=policy.INTERNAL_USER, teams=[team_id])
        )
    else:
        _append_team_id(user_id, team_id)
    team = TeamTable.objects.get(team_id=team_id)
    budget_id = resolve_member_budget(actor, team, None, None)
    if not TeamMembership.objects.filter(user_id=user_id, team_id=team_id).exists():
        writes.insert_row(
            TeamMembership, {"user_id": user_id, "team_id": team_id, "spend": 0.0, "budget_id": budget_id}
        )
    roster, _ = _read_roster(team_id)
    entry = _roster_entry(user_id, user.user_email if user else None, "admin")
    writes.update_row(TeamTable, team_id, {"members_with_roles": [*roster, entry], "updated_at": writes.now_utc()})


def team_update(*, actor: writes.Actor, team_id: str, changes: dict, expected: dict | None = None) -> dict:
    """/team/update: only the changed settings; a new duration sets budget_reset_at, a cleared
    one clears it. `expected` (field -> value the form showed) refuses with EditConflict a
    field someone else changed meanwhile. `metadata` is the editable part (LiteLLM's reserved
    keys are put back from the row); team_member_* fields go to the default member budget row
    (team_settings.update_member_default, whose new id lands in metadata). Audit: before = the
    old row, updated = the changed fields."""
    _refuse_unknown(changes, (*TEAM_SETTING_FIELDS, *TEAM_EXTRA_FIELDS), "team")
    changes = dict(changes)
    member_fields = team_settings.member_default_payload(changes)
    member_default = team_settings.member_default_values(member_fields)
    metadata = changes.pop("metadata", None)
    if "team_member_permissions" in changes:
        if not team_settings.has_member_permissions():
            raise TypeError("this database has no team_member_permissions column")
        changes["team_member_permissions"] = team_settings.check_member_permissions(changes["team_member_permissions"])
    _check_limits(changes, create=False)
    if "team_alias" in changes and not (changes["team_alias"] or "").strip():
        raise ChangeRefused("Give the team a name.", "team_alias")
    if (
        changes.get("organization_id")
        and not OrganizationTable.objects.filter(organization_id=changes["organization_id"]).exists()
    ):
        raise ChangeRefused("No such organization.", "organization_id")
    with writes.atomic():
        team, changed = _locked_changes(TeamTable, team_id, changes, expected, gone="This team no longer exists.")
        if metadata is not None:
            current = team_settings.editable_metadata(team.metadata)
            writes.refuse_conflicts({"metadata": current}, {"metadata": metadata}, expected)
            if not writes.same_value(current, metadata):
                changed["metadata"] = team_settings.merged_metadata(metadata, team.metadata)
        member_written = False
        if member_default:
            budget_id, created, member_written = team_settings.update_member_default(
                actor, team, member_default, expected
            )
            if created:
                base = changed.get("metadata", team.metadata if isinstance(team.metadata, dict) else {})
                changed["metadata"] = {**base, "team_member_budget_id": budget_id}
        if not changed:
            return dict(member_fields) if member_written else {}
        if "team_alias" in changed:
            _refuse_duplicate_alias(TeamTable, "team_alias", changed["team_alias"], noun="A team", except_pk=team_id)
        if "budget_duration" in changed:
            changed["budget_reset_at"] = _budget_reset_at(changed["budget_duration"])
        before = writes.snapshot(team)
        writes.update_row(TeamTable, team_id, {**changed, "updated_at": writes.now_utc()})
        _audit_edit(actor, "TeamTable", team_id, before, changed)
    return {**changed, **(member_fields if member_written else {})}


def team_delete(*, actor: writes.Actor, team_id: str) -> None:
    """/team/delete: archive into LiteLLM_DeletedTeamTable (where it exists), archive and
    delete its keys and its BYOK models, strip the id from every user's teams, delete its
    memberships and the row, and take it out of access groups, under the team's advisory lock.
    Refused while the team holds a PTU share (delete_team -> raise_if_teams_hold_ptu_shares)."""
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        team = TeamTable.objects.filter(team_id=team_id).first()
        if team is None:
            raise ChangeRefused("This team no longer exists.")
        refuse_ptu_share_holders([team_id])
        before = writes.snapshot(team)
        if DeletedTeamTable.table_exists():
            names = {f.name for f in DeletedTeamTable._meta.concrete_fields} - {"id"}
            values = {
                f.name: team.__dict__[f.attname]
                for f in TeamTable._meta.concrete_fields
                if f.name in names and team.__dict__.get(f.attname) is not None
            }
            values.update(
                id=writes.new_id(),
                deleted_at=writes.now_utc(),
                deleted_by=writes.writer_id(actor),
                deleted_by_api_key=actor.api_key or None,
            )
            writes.insert_as_proxy(DeletedTeamTable, values)  # an archive copy, spend included
        writes.audit(actor, writes.DELETED, "TeamTable", team_id, before, {})
        delete_keys(
            actor=actor, tokens=list(VerificationToken.objects.filter(team_id=team_id).values_list("token", flat=True))
        )
        _delete_team_models(team_id)
        # team_endpoints.py::_STRIP_DELETED_TEAMS_FROM_USERS_SQL (order kept, rows locked in "C" order;
        # raw SQL, so updated_at is left as it was)
        writes.array_remove(UserTable, "teams", team_id, lock_pk="user_id")
        writes.delete_rows(TeamMembership, team_id=team_id)
        writes.delete_rows(TeamTable, team_id=team_id)
        _detach_team_from_access_groups(team_id)


def _delete_team_models(team_id: str) -> None:
    """delete_team -> model_management_endpoints.py::delete_team_models: the team's BYOK
    deployments go with it (rows named "model_name_<team_id>_..." whose model_info.team_id is
    the team; model_info may be stored as an object or as its JSON string)."""
    owned = []
    for model_id, model_info in ProxyModelTable.objects.filter(
        model_name__startswith=f"model_name_{team_id}_"
    ).values_list("model_id", "model_info"):
        info = writes.decode_audit_value(model_info)
        if isinstance(info, dict) and info.get("team_id") == team_id:
            owned.append(model_id)
    if owned:
        writes.delete_rows(ProxyModelTable, model_id__in=owned)


def _detach_team_from_access_groups(team_id: str) -> None:
    """delete_team's sync_team_access_group_membership: a team with no row reconciles to no
    groups, so its id leaves every access group's assigned_team_ids
    (access_group_team_sync.py::_DETACH_SQL; raw SQL, no updated_at). Newer schemas only."""
    if litellm.catalog().has_column("AccessGroupTable", "assigned_team_ids"):
        writes.array_remove("AccessGroupTable", "assigned_team_ids", team_id)
