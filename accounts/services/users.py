"""User create, update and delete (/user/new, /user/update, /user/delete)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from config import policy, writes
from config.errors import ChangeRefused
from keys.models import VerificationToken

from ..models import (
    InvitationLink,
    OrganizationMembership,
    TeamMembership,
    TeamTable,
    UserTable,
)
from .base import (
    USER_LIMIT_FIELDS,
    _budget_reset_at,
    _check_limits,
    _clean_email,
    _insert_user,
    _lock_email,
    _lock_users,
    _org_role,
    _refuse_unknown,
    _users_with_email,
    delete_keys,
    new_user_row,
    user_snapshot,
)
from .orgs import org_member_add
from .roster_base import _is_entry_of, _read_roster, _write_roster


def user_create(
    *,
    actor: writes.Actor,
    email: str,
    role: str,
    alias: str | None = None,
    models: list[str] | None = None,
    organization_id: str | None = None,
    **limits: Any,
) -> dict:
    """/user/new without a key: uuid4 id, the role as given, models [], metadata {}, teams [],
    spend 0, budget_reset_at when a duration is given. A duplicate email (any case) is refused.
    With `organization_id` the person also joins that organization."""
    email = _clean_email(email)
    if not email:
        raise ChangeRefused("Enter an email address.", "email")
    if role not in dict(policy.USER_ROLES):
        raise ChangeRefused("Choose a role.", "role")
    _refuse_unknown(limits, USER_LIMIT_FIELDS, "user")
    _check_limits(limits, create=True)
    with writes.atomic():
        _lock_email(email)
        if _users_with_email(email):
            raise ChangeRefused(f"A user with the email {email} already exists.", "email")
        row = new_user_row(
            user_id=writes.new_id(), email=email, role=role, user_alias=alias or None, models=models, **limits
        )
        _insert_user(actor, row)
        if organization_id:
            org_member_add(actor=actor, organization_id=organization_id, user_id=row["user_id"], role=_org_role(role))
    return row


def user_update(*, actor: writes.Actor, user_id: str, changes: dict, expected: dict | None = None) -> dict:
    """Write only the changed columns; recompute budget_reset_at when the duration changes.
    `expected` (field -> value the form showed) refuses with EditConflict a field someone
    else changed meanwhile. Audit: before = the old row, updated = the new row (as /user/update)."""
    allowed = {"user_role", "user_alias", "user_email", "models", *USER_LIMIT_FIELDS}
    _refuse_unknown(changes, allowed, "user")
    _check_limits(changes, create=False)
    if "user_email" in changes:
        changes["user_email"] = _clean_email(changes["user_email"])
    with writes.atomic():
        _lock_users([user_id])
        user = UserTable.objects.filter(user_id=user_id).first()
        if user is None:
            raise ChangeRefused("This user no longer exists.")
        writes.refuse_conflicts(user, changes, expected)
        changed = {k: v for k, v in changes.items() if getattr(user, k) != v}
        if not changed:
            return {}
        if "user_email" in changed and changed["user_email"]:
            clash = [u for u in _users_with_email(changed["user_email"]) if u.user_id != user_id]
            if clash:
                raise ChangeRefused(f"A user with the email {changed['user_email']} already exists.", "user_email")
        if "budget_duration" in changed:
            changed["budget_reset_at"] = _budget_reset_at(changed["budget_duration"])
        before = user_snapshot(user)
        writes.update_row(UserTable, user_id, {**changed, "updated_at": writes.now_utc()})
        after = user_snapshot(UserTable.objects.get(user_id=user_id))
        writes.audit(actor, writes.UPDATED, "UserTable", user_id, before, after)
    return changed


def user_delete(*, actor: writes.Actor, user_id: str) -> None:
    """/user/delete: the user's keys deleted (not archived: /user/delete delete_many's them;
    only /management/v1/users/bulk_delete archives, litellm-exact.md §3), invitations naming them (user_id,
    created_by, updated_by: FKs without cascade), org and team memberships, their entries in
    every team's members_with_roles; then the row. One transaction, team locks first."""
    with writes.atomic():
        user = UserTable.objects.filter(user_id=user_id).first()
        if user is None:
            raise ChangeRefused("This user no longer exists.")
        team_ids = set(user.teams or [])
        team_ids |= set(TeamMembership.objects.filter(user_id=user_id).values_list("team_id", flat=True))
        team_ids |= set(
            TeamTable.objects.filter(members_with_roles__contains=[{"user_id": user_id}]).values_list(
                "team_id", flat=True
            )
        )
        for team_id in sorted(team_ids):
            writes.advisory_xact_lock(team_id)
        _lock_users([user_id])
        user = UserTable.objects.get(user_id=user_id)
        for team_id in sorted(team_ids):
            roster, alias = _read_roster(team_id)
            if roster is None:
                continue
            kept = [m for m in roster if not _is_entry_of(m, user_id, user.user_email)]
            if len(kept) != len(roster):
                _write_roster(actor, team_id, alias, roster, kept)
        # As delete_user: the user's `deleted` audit row comes before the keys'.
        writes.audit(actor, writes.DELETED, "UserTable", user_id, user_snapshot(user), {})
        delete_keys(
            actor=actor,
            tokens=list(VerificationToken.objects.filter(user_id=user_id).values_list("token", flat=True)),
            archive=False,
        )
        naming = Q(user_id=user_id) | Q(created_by=user_id) | Q(updated_by=user_id)
        for invitation in InvitationLink.objects.filter(naming):
            writes.audit(actor, writes.DELETED, "InvitationLink", invitation.id, writes.snapshot(invitation), {})
        writes.delete_rows(
            InvitationLink, pk__in=list(InvitationLink.objects.filter(naming).values_list("id", flat=True))
        )
        writes.delete_rows(OrganizationMembership, user_id=user_id)
        writes.delete_rows(TeamMembership, user_id=user_id)
        writes.delete_rows(UserTable, user_id=user_id)


def ensure_proxy_admin_user(*, actor: writes.Actor) -> str:
    """The row for settings.LITELLM_PROXY_ADMIN_ID, created as the proxy's admin login
    upserts it (role proxy_admin) when missing. Invitations need an existing created_by."""
    admin_id = settings.LITELLM_PROXY_ADMIN_ID
    with writes.atomic():
        if not UserTable.objects.filter(user_id=admin_id).exists():
            _insert_user(actor, new_user_row(user_id=admin_id, email=None, role=policy.PROXY_ADMIN))
    return admin_id
