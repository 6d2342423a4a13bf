"""Writes to users, teams, organizations, memberships, invitations and end users, in
LiteLLM's terms (litellm/proxy/management_endpoints/*.py, management_helpers/*.py).

Every function is keyword-only, validates before writing, runs in one transaction on the
LiteLLM database and leaves its audit row. Rows are written the way the proxy writes them
(uuid4 ids, naive UTC stamps, real JSONB arrays), and only the columns that change.

Team rosters live in three places that must move together (litellm-compat.md §3):
`TeamTable.members_with_roles`, `UserTable.teams` and the `TeamMembership` row. Every roster
change takes the proxy's advisory lock on the team id, re-reads the roster under it, and locks
the touched user rows in the proxy's order, so a concurrent change (ours or the proxy's) is
never lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Q

from budgets.models import BudgetTable
from config import litellm, policy, writes
from config.routers import LITELLM_ALIAS
from keys.models import VerificationToken

from . import passwords
from .models import (
    DeletedTeamTable,
    EndUserTable,
    InvitationLink,
    OrganizationMembership,
    OrganizationTable,
    TeamMembership,
    TeamTable,
    UserTable,
)

INVITATION_LIFETIME = timedelta(days=7)  # user_invitation.py::create_invitation_for_user
TEAM_ROLES = ("admin", "user")
ORG_ROLES = (policy.ORG_ADMIN, policy.INTERNAL_USER, policy.INTERNAL_USER_VIEWER)
ADMIN_ROLES = (policy.PROXY_ADMIN, policy.PROXY_ADMIN_VIEWER)


class ServiceError(ValueError):
    """A change refused before anything was written; `field` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- small helpers -------------------------------------------------------------------------


def _cursor():
    return connections[LITELLM_ALIAS].cursor()


def _qn(model) -> str:
    return connections[LITELLM_ALIAS].ops.quote_name(model._meta.db_table)


def _json(value):
    """jsonb read through a raw cursor arrives as text with Django's psycopg setup."""
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def writer_id(actor: writes.Actor) -> str:
    """What LiteLLM puts in created_by/updated_by: the caller's user_id, or for a caller
    without one (ops staff, like a master-key call) the proxy admin id."""
    if actor.changed_by and UserTable.objects.filter(user_id=actor.changed_by).exists():
        return actor.changed_by
    return settings.LITELLM_PROXY_ADMIN_ID


def user_snapshot(user: UserTable) -> dict:
    """A user row for the audit log, without the password hash (never copied anywhere)."""
    data = writes.snapshot(user)
    data.pop("password", None)
    return data


def _clean_email(email: str | None) -> str | None:
    email = (email or "").strip()
    return email or None


def _lock_email(email: str) -> None:
    """Serialize our own creates of one email (user create, member add, invite), so two
    people adding the same address at once make one user, not two."""
    writes.advisory_xact_lock("console:user_email:" + email.strip().lower())


def _users_with_email(email: str) -> list[UserTable]:
    return list(UserTable.objects.filter(user_email__iexact=email.strip()).order_by("user_id")[:2])


def _lock_users(user_ids) -> None:
    """The proxy's USER_ROWS_LOCK_SQL: FOR UPDATE in `user_id COLLATE "C"` order (no deadlocks)."""
    ids = sorted(set(i for i in user_ids if i))
    if not ids:
        return
    with _cursor() as cursor:
        cursor.execute(
            f'SELECT user_id FROM {_qn(UserTable)} WHERE user_id = ANY(%s) ORDER BY user_id COLLATE "C" FOR UPDATE',
            [ids],
        )


def _budget_reset_at(duration: str | None):
    if not duration:
        return None
    from budgets.durations import budget_reset_at

    return budget_reset_at(duration)


def _validate_duration(duration: str | None, field: str = "budget_duration") -> str | None:
    if not duration:
        return None
    from django.core.exceptions import ValidationError

    from budgets.durations import validate_budget_duration

    try:
        return validate_budget_duration(duration)
    except ValidationError as e:
        raise ServiceError(" ".join(e.messages), field) from None


def _check_non_negative(values: dict, *names: str) -> None:
    for name in names:
        value = values.get(name)
        if value is not None and value < 0:
            raise ServiceError("Must be zero or more.", name)


def delete_keys(*, actor: writes.Actor, tokens: list[str]) -> None:
    """Archive (where LiteLLM_DeletedVerificationToken exists), delete and audit keys, as
    /key/delete does: the keys app's one implementation, joined to our transaction."""
    from keys.services import keys_delete

    keys_delete(actor=actor, tokens=list(tokens))


# --- users ---------------------------------------------------------------------------------


def _new_user_row(
    *,
    user_id: str,
    email: str | None,
    role: str,
    teams: list[str] | None = None,
    **fields: Any,
) -> dict:
    """A user row as /user/new (generate_key_helper_fn, request_type="user") writes it."""
    now = writes.now_utc()
    row = {
        "user_id": user_id,
        "user_email": email,
        "user_role": role,
        "teams": list(teams or []),
        "models": list(fields.pop("models", None) or []),
        "metadata": {},
        "spend": 0.0,
        "model_spend": {},
        "model_max_budget": {},
        "allowed_cache_controls": [],
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    if row.get("budget_duration"):
        row["budget_reset_at"] = _budget_reset_at(row["budget_duration"])
    return {k: v for k, v in row.items() if v is not None}


def _insert_user(actor: writes.Actor, row: dict) -> dict:
    writes.insert_row(UserTable, row)
    writes.audit(actor, writes.CREATED, "UserTable", row["user_id"], None, row)
    return row


USER_LIMIT_FIELDS = (
    "max_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
)


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
        raise ServiceError("Enter an email address.", "email")
    if role not in dict(policy.USER_ROLES):
        raise ServiceError("Choose a role.", "role")
    unknown = set(limits) - set(USER_LIMIT_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields {sorted(unknown)}")
    _check_non_negative(limits, "max_budget", "tpm_limit", "rpm_limit", "max_parallel_requests")
    limits["budget_duration"] = _validate_duration(limits.get("budget_duration"))
    with writes.atomic():
        _lock_email(email)
        if _users_with_email(email):
            raise ServiceError(f"A user with the email {email} already exists.", "email")
        row = _new_user_row(
            user_id=writes.new_id(), email=email, role=role, user_alias=alias or None, models=models, **limits
        )
        _insert_user(actor, row)
        if organization_id:
            org_member_add(actor=actor, organization_id=organization_id, user_id=row["user_id"], role=_org_role(role))
    return row


def _org_role(user_role: str) -> str:
    return user_role if user_role in ORG_ROLES else policy.INTERNAL_USER


def user_update(*, actor: writes.Actor, user_id: str, changes: dict) -> dict:
    """Write only the changed columns; recompute budget_reset_at when the duration changes.
    Audit: before = the old row, updated = the new row (as /user/update)."""
    allowed = {"user_role", "user_alias", "user_email", "models", *USER_LIMIT_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown user fields {sorted(unknown)}")
    _check_non_negative(changes, "max_budget", "tpm_limit", "rpm_limit", "max_parallel_requests")
    if "budget_duration" in changes:
        changes["budget_duration"] = _validate_duration(changes["budget_duration"])
    if "user_email" in changes:
        changes["user_email"] = _clean_email(changes["user_email"])
    with writes.atomic():
        _lock_users([user_id])
        user = UserTable.objects.filter(user_id=user_id).first()
        if user is None:
            raise ServiceError("This user no longer exists.")
        changed = {k: v for k, v in changes.items() if getattr(user, k) != v}
        if not changed:
            return {}
        if "user_email" in changed and changed["user_email"]:
            clash = [u for u in _users_with_email(changed["user_email"]) if u.user_id != user_id]
            if clash:
                raise ServiceError(f"A user with the email {changed['user_email']} already exists.", "user_email")
        if "budget_duration" in changed:
            changed["budget_reset_at"] = _budget_reset_at(changed["budget_duration"])
        before = user_snapshot(user)
        writes.update_row(UserTable, user_id, {**changed, "updated_at": writes.now_utc()})
        after = user_snapshot(UserTable.objects.get(user_id=user_id))
        writes.audit(actor, writes.UPDATED, "UserTable", user_id, before, after)
    return changed


def user_delete(*, actor: writes.Actor, user_id: str) -> None:
    """/user/delete: the user's keys archived and deleted, invitations naming them (user_id,
    created_by, updated_by: FKs without cascade), org and team memberships, their entries in
    every team's members_with_roles; then the row. One transaction, team locks first."""
    with writes.atomic():
        user = UserTable.objects.filter(user_id=user_id).first()
        if user is None:
            raise ServiceError("This user no longer exists.")
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
            kept = [m for m in roster if m.get("user_id") != user_id]
            if len(kept) != len(roster):
                _write_roster(actor, team_id, alias, roster, kept)
        delete_keys(
            actor=actor, tokens=list(VerificationToken.objects.filter(user_id=user_id).values_list("token", flat=True))
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
        writes.audit(actor, writes.DELETED, "UserTable", user_id, user_snapshot(user), {})


def user_set_password(*, user_id: str, password: str, reset_required: bool) -> None:
    """Store LiteLLM's scrypt hash. An admin-set password also asks for a reset at next login
    (internal_user_endpoints.py::_hash_password_in_dict); a claimed invitation clears it."""
    writes.update_row(
        UserTable,
        user_id,
        {
            "password": passwords.hash_password(password),
            "password_reset_required": reset_required,
            "last_breach_check_at": None,
            "updated_at": writes.now_utc(),
        },
    )


def user_change_own_password(*, user_id: str, current_password: str, new_password: str) -> None:
    """A signed-in LiteLLM user changes their own password: checked against the stored hash,
    stored as scrypt with password_reset_required=false (as /user/update does for the
    user themself), audited as a user update without the hash."""
    from .passwords import password_policy_errors

    user = UserTable.objects.filter(user_id=user_id).first()
    if user is None or not passwords.verify_password(current_password, user.password):
        raise ServiceError("That is not your current password.", "current_password")
    problems = password_policy_errors(new_password)
    if problems:
        raise ServiceError("Password must " + ", ".join(problems) + ".", "password1")
    with writes.atomic():
        before = user_snapshot(user)
        user_set_password(user_id=user_id, password=new_password, reset_required=False)
        after = user_snapshot(UserTable.objects.get(user_id=user_id))
        writes.audit(writes.Actor(changed_by=user_id), writes.UPDATED, "UserTable", user_id, before, after)


def user_upgrade_password_hash(*, user_id: str, password: str) -> None:
    """Rehash a legacy sha256 password to scrypt on sign-in, as the proxy's login does
    (auth/login_utils.py::_rehash_password_if_needed: the password column, and the
    updated_at Prisma's @updatedAt stamps on that update)."""
    with writes.atomic():
        writes.update_row(
            UserTable, user_id, {"password": passwords.hash_password(password), "updated_at": writes.now_utc()}
        )


def ensure_proxy_admin_user(*, actor: writes.Actor) -> str:
    """The row for settings.LITELLM_PROXY_ADMIN_ID, created as the proxy's admin login
    upserts it (role proxy_admin) when missing. Invitations need an existing created_by."""
    admin_id = settings.LITELLM_PROXY_ADMIN_ID
    with writes.atomic():
        if not UserTable.objects.filter(user_id=admin_id).exists():
            _insert_user(actor, _new_user_row(user_id=admin_id, email=None, role=policy.PROXY_ADMIN))
    return admin_id


# --- team rosters --------------------------------------------------------------------------


def _read_roster(team_id: str) -> tuple[list[dict] | None, str | None]:
    """members_with_roles and alias read fresh (call under the team's advisory lock).
    None when the team is gone. The column's DB default `{}` reads as an empty roster."""
    with _cursor() as cursor:
        cursor.execute(f"SELECT members_with_roles, team_alias FROM {_qn(TeamTable)} WHERE team_id = %s", [team_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    roster = _json(row[0]) or []
    if isinstance(roster, dict):
        roster = []
    return list(roster), row[1]


def _members_audit(alias, members) -> dict:
    """team_endpoints.py::_members_audit_value."""
    return {"team_alias": alias, "members_with_roles": list(members)}


def _write_roster(actor, team_id: str, alias, before: list[dict], after: list[dict]) -> None:
    writes.update_row(TeamTable, team_id, {"members_with_roles": after, "updated_at": writes.now_utc()})
    writes.audit(
        actor, writes.UPDATED, "TeamTable", team_id, _members_audit(alias, before), _members_audit(alias, after)
    )


def _roster_entry(user_id: str, email: str | None, role: str) -> dict:
    """models/team.py::Member, in the order model_dump() writes it."""
    return {"user_id": user_id, "user_email": email, "role": role}


def _append_team_id(user_id: str, team_id: str) -> None:
    """management_helpers/utils.py::_append_team_id_if_absent (never a duplicate)."""
    with _cursor() as cursor:
        cursor.execute(
            f"UPDATE {_qn(UserTable)} SET teams = array_append(COALESCE(teams, ARRAY[]::text[]), %s), "
            "updated_at = %s WHERE user_id = %s AND NOT (%s = ANY(COALESCE(teams, ARRAY[]::text[])))",
            [team_id, writes.now_utc(), user_id, team_id],
        )


def _remove_team_id(user_ids, team_id: str) -> None:
    with _cursor() as cursor:
        cursor.execute(
            f"UPDATE {_qn(UserTable)} SET teams = array_remove(teams, %s), updated_at = %s "
            "WHERE user_id = ANY(%s) AND %s = ANY(teams)",
            [team_id, writes.now_utc(), sorted(user_ids), team_id],
        )


def _team_default_budget_id(team: TeamTable) -> str | None:
    value = (team.metadata or {}).get("team_member_budget_id") if isinstance(team.metadata, dict) else None
    return value if isinstance(value, str) else None


def _new_budget(actor, values: dict, keep_empty: tuple[str, ...] = ()) -> str:
    """A budget row of the given non-empty values (`keep_empty` names columns written even
    when empty, as a LiteLLM call site that sends them explicitly)."""
    now = writes.now_utc()
    by = writer_id(actor)
    budget_id = writes.new_id()
    row = {
        "budget_id": budget_id,
        "created_at": now,
        "updated_at": now,
        "created_by": by,
        "updated_by": by,
        **{k: v for k, v in values.items() if v not in (None, [], {}) or k in keep_empty},
    }
    if row.get("budget_duration") and "budget_reset_at" not in values:
        row["budget_reset_at"] = _budget_reset_at(row["budget_duration"])
    writes.insert_row(BudgetTable, row)
    writes.audit(actor, writes.CREATED, "BudgetTable", budget_id, None, row)
    return budget_id


@dataclass
class MemberAdded:
    user_id: str
    user_email: str | None
    created_user: bool


def team_member_add(
    *,
    actor: writes.Actor,
    team_id: str,
    user_id: str | None = None,
    email: str | None = None,
    role: str = "user",
    max_budget_in_team: float | None = None,
    budget_duration: str | None = None,
) -> MemberAdded:
    """/team/member_add for one member, by user id or by email (creating the user as LiteLLM
    does: uuid4, role internal_user, teams [team_id], no password, no key)."""
    if role not in TEAM_ROLES:
        raise ServiceError("Choose admin or user.", "role")
    email = _clean_email(email)
    if not user_id and not email:
        raise ServiceError("Choose a user or enter an email address.", "user")
    if max_budget_in_team is not None and max_budget_in_team < 0:
        raise ServiceError("Must be zero or more.", "max_budget_in_team")
    budget_duration = _validate_duration(budget_duration)
    with writes.atomic():
        if not user_id:
            _lock_email(email)  # always before the team lock, the order invite_person takes them in
        writes.advisory_xact_lock(team_id)
        roster, alias = _read_roster(team_id)
        if roster is None:
            raise ServiceError("This team no longer exists.")
        team = TeamTable.objects.get(team_id=team_id)
        existing = None
        if user_id:
            existing = UserTable.objects.filter(user_id=user_id).first()
            if existing is None:
                raise ServiceError("No user has this id.", "user")
        else:
            matches = _users_with_email(email)
            if len(matches) > 1:
                raise ServiceError("Several users share this email; choose the user by id instead.", "email")
            existing = matches[0] if matches else None
        if existing is not None:
            _lock_users([existing.user_id])
            existing = UserTable.objects.get(user_id=existing.user_id)
            member_id, member_email = existing.user_id, existing.user_email
        else:
            member_id, member_email = writes.new_id(), email
        if any(m.get("user_id") == member_id or (member_email and m.get("user_email") == member_email) for m in roster):
            raise ServiceError(f"{member_email or member_id} is already a member of this team.", "user")

        if existing is None:
            _insert_user(
                actor, _new_user_row(user_id=member_id, email=member_email, role=policy.INTERNAL_USER, teams=[team_id])
            )
        else:
            _append_team_id(member_id, team_id)

        budget_id = _resolve_member_budget(actor, team, max_budget_in_team, budget_duration)
        if not TeamMembership.objects.filter(user_id=member_id, team_id=team_id).exists():
            writes.insert_row(
                TeamMembership, {"user_id": member_id, "team_id": team_id, "spend": 0.0, "budget_id": budget_id}
            )
        _write_roster(actor, team_id, alias, roster, [*roster, _roster_entry(member_id, member_email, role)])
    return MemberAdded(user_id=member_id, user_email=member_email, created_user=existing is None)


def _resolve_member_budget(actor, team: TeamTable, max_budget_in_team, budget_duration) -> str | None:
    """management_helpers/utils.py::_resolve_member_budget_id."""
    default_id = _team_default_budget_id(team)
    allowed_models = list(team.default_team_member_models or []) or None
    explicit = max_budget_in_team is not None or allowed_models is not None
    if not explicit and default_id and budget_duration is None:
        return default_id if BudgetTable.objects.filter(budget_id=default_id).exists() else None
    if not explicit and default_id:
        return _clone_budget(actor, default_id, {"budget_duration": budget_duration})
    if not explicit and budget_duration is None:
        return None
    return _new_budget(
        actor,
        {"max_budget": max_budget_in_team, "allowed_models": allowed_models, "budget_duration": budget_duration},
    )


CLONABLE_BUDGET_FIELDS = (
    "max_budget",
    "soft_budget",
    "max_parallel_requests",
    "tpm_limit",
    "rpm_limit",
    "model_max_budget",
    "budget_duration",
    "allowed_models",
)


def _clone_budget(actor, source_id: str, patch: dict) -> str | None:
    """A private copy of the team's shared default member budget (never mutate the shared row)."""
    source = BudgetTable.objects.filter(budget_id=source_id).first()
    if source is None:
        return None
    # _clone_team_default_budget_for_member skips None and empty lists only ({} is copied).
    values = {f: getattr(source, f) for f in CLONABLE_BUDGET_FIELDS if getattr(source, f) not in (None, [])}
    values.update(patch)
    return _new_budget(actor, values, keep_empty=("model_max_budget",))


def team_member_remove(*, actor: writes.Actor, team_id: str, user_id: str) -> None:
    """/team/member_delete: off members_with_roles and UserTable.teams, TeamMembership deleted
    (its private budget row is left orphaned, as LiteLLM does), and their keys for this team
    archived and deleted."""
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        roster, alias = _read_roster(team_id)
        if roster is None:
            raise ServiceError("This team no longer exists.")
        kept = [m for m in roster if m.get("user_id") != user_id]
        user = UserTable.objects.filter(user_id=user_id).first()
        on_user_row = user is not None and team_id in (user.teams or [])
        if len(kept) == len(roster) and not on_user_row:
            raise ServiceError("This person is not a member of the team.")
        _lock_users([user_id])
        tokens = list(
            VerificationToken.objects.filter(user_id=user_id, team_id=team_id).values_list("token", flat=True)
        )
        if len(kept) != len(roster):
            _write_roster(actor, team_id, alias, roster, kept)
        _remove_team_id([user_id], team_id)
        writes.delete_rows(TeamMembership, user_id=user_id, team_id=team_id)
        delete_keys(actor=actor, tokens=tokens)


def team_member_set_role(*, actor: writes.Actor, team_id: str, user_id: str, role: str) -> None:
    """/team/member_update role change (_update_team_member_role), under the team lock."""
    if role not in TEAM_ROLES:
        raise ServiceError("Choose admin or user.", "role")
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        roster, alias = _read_roster(team_id)
        if roster is None:
            raise ServiceError("This team no longer exists.")
        if all(m.get("user_id") != user_id for m in roster):
            raise ServiceError("This person is not a member of the team.")
        after = [{**m, "role": role} if m.get("user_id") == user_id else m for m in roster]
        if after != roster:
            _write_roster(actor, team_id, alias, roster, after)


MEMBER_BUDGET_FIELDS = ("max_budget", "budget_duration", "tpm_limit", "rpm_limit")


def team_member_set_budget(
    *,
    actor: writes.Actor,
    team_id: str,
    user_id: str,
    patch: dict,
    shared_budget_ids: frozenset[str] = frozenset(),
) -> str | None:
    """/team/member_update budget fields (common_utils.py::upsert_budget_and_membership):
    merge-patch the member's own budget row; a membership still on the team's shared default
    budget (or on a row in `shared_budget_ids`, which the bulk edit passes) gets a private
    clone first; with no limit left the budget is disconnected.
    Returns the member's budget id afterwards."""
    unknown = set(patch) - set(MEMBER_BUDGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown member budget fields {sorted(unknown)}")
    _check_non_negative(patch, "max_budget", "tpm_limit", "rpm_limit")
    if "budget_duration" in patch:
        patch["budget_duration"] = _validate_duration(patch["budget_duration"])
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        team = TeamTable.objects.filter(team_id=team_id).first()
        membership = TeamMembership.objects.filter(team_id=team_id, user_id=user_id).first()
        if team is None or membership is None:
            raise ServiceError("This person is not a member of the team.")
        write = dict(patch)
        if "budget_duration" in write:
            write["budget_reset_at"] = _budget_reset_at(write["budget_duration"])
        current_id = membership.budget_id
        team_default_id = _team_default_budget_id(team)
        shared = current_id is not None and (current_id == team_default_id or current_id in shared_budget_ids)
        key = {"user_id": user_id, "team_id": team_id}
        own_budget = BudgetTable.objects.filter(budget_id=current_id).first() if current_id and not shared else None
        if own_budget is not None:
            budget = own_budget
            merged = {f: getattr(budget, f) for f in _member_limit_fields()} | write
            if not _has_limit(merged):
                return _unlink_member_budget(actor, team_id, user_id, current_id)
            changed = {k: v for k, v in write.items() if getattr(budget, k) != v}
            if changed:
                before = writes.snapshot(budget)
                writes.update_row(
                    BudgetTable, current_id, {**changed, "updated_at": writes.now_utc(), "updated_by": writer_id(actor)}
                )
                writes.audit(actor, writes.UPDATED, "BudgetTable", current_id, before, changed)
            return current_id
        # upsert_budget_and_membership's create: model_max_budget {} unless sent, the shared
        # row's set limits copied (temporary increase included; the team default's
        # model_max_budget not), its reset time carried unless the duration changes.
        source: dict[str, Any] = {"model_max_budget": {}}
        if shared:
            budget = BudgetTable.objects.filter(budget_id=current_id).first()
            if budget is not None:
                source |= {
                    f: getattr(budget, f)
                    for f in _member_limit_fields()
                    if (f != "model_max_budget" or current_id != team_default_id)
                    and getattr(budget, f) not in (None, [], {})
                }
                if "budget_duration" not in write and budget.budget_reset_at is not None:
                    source["budget_reset_at"] = budget.budget_reset_at
        values = source | write
        if not _has_limit(values):
            return _unlink_member_budget(actor, team_id, user_id, current_id) if current_id else None
        new_id = _new_budget(actor, values, keep_empty=("model_max_budget",))
        writes.update_row(TeamMembership, key, {"budget_id": new_id})
        writes.audit(
            actor,
            writes.UPDATED,
            "TeamTable",
            team_id,
            {"user_id": user_id, "budget_id": current_id},
            {"user_id": user_id, "budget_id": new_id},
        )
        return new_id


def _member_limit_fields() -> tuple[str, ...]:
    """common_utils.py::_TEAM_MEMBER_BUDGET_LIMIT_FIELDS (the temporary-increase pair only
    where this database has it)."""
    temp = tuple(f for f in ("temp_budget_increase", "temp_budget_expiry") if BudgetTable.has_column(f))
    return CLONABLE_BUDGET_FIELDS + temp


def shared_member_budget_ids(team_id: str, user_ids) -> frozenset[str]:
    """bulk_team_member_budgets.py::_shared_budget_ids: of these members' budget rows, those
    more than one membership points at (counted across every team)."""
    budget_ids = set(
        TeamMembership.objects.filter(team_id=team_id, user_id__in=list(user_ids), budget_id__isnull=False).values_list(
            "budget_id", flat=True
        )
    )
    if not budget_ids:
        return frozenset()
    counts: dict[str, int] = {}
    for budget_id in TeamMembership.objects.filter(budget_id__in=budget_ids).values_list("budget_id", flat=True):
        counts[budget_id] = counts.get(budget_id, 0) + 1
    return frozenset(b for b, n in counts.items() if n > 1)


def _unlink_member_budget(actor, team_id: str, user_id: str, budget_id: str) -> None:
    """No meaningful limit left: disconnect the member's budget row (upsert_budget_and_membership)."""
    writes.update_row(TeamMembership, {"user_id": user_id, "team_id": team_id}, {"budget_id": None})
    writes.audit(
        actor,
        writes.UPDATED,
        "TeamTable",
        team_id,
        {"user_id": user_id, "budget_id": budget_id},
        {"user_id": user_id, "budget_id": None},
    )
    return None


def _has_limit(values: dict) -> bool:
    """common_utils.py::_has_meaningful_budget_limit: some limit set (None, [] and {} are unset)."""
    return any(values.get(f) not in (None, [], {}) for f in _member_limit_fields())


# --- teams ---------------------------------------------------------------------------------

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


def team_create(*, actor: writes.Actor, creator_user_id: str | None = None, **fields: Any) -> dict:
    """/team/new: uuid4 id, members_with_roles [] (a JSONB array), admins/members [], metadata {},
    budget_reset_at from the duration; a LiteLLM user who creates a team joins it as admin
    (team_endpoints.py::_should_auto_add_team_creator). Audit `created` with the snapshot."""
    unknown = set(fields) - set(TEAM_SETTING_FIELDS)
    if unknown:
        raise TypeError(f"unknown team fields {sorted(unknown)}")
    alias = (fields.get("team_alias") or "").strip()
    if not alias:
        raise ServiceError("Give the team a name.", "team_alias")
    _check_non_negative(fields, "max_budget", "tpm_limit", "rpm_limit", "max_parallel_requests")
    fields["budget_duration"] = _validate_duration(fields.get("budget_duration"))
    org_id = fields.get("organization_id") or None
    if org_id and not OrganizationTable.objects.filter(organization_id=org_id).exists():
        raise ServiceError("No such organization.", "organization_id")
    now = writes.now_utc()
    team_id = writes.new_id()
    row = {
        "team_id": team_id,
        "team_alias": alias,
        "organization_id": org_id,
        "admins": [],
        "members": [],
        "members_with_roles": [],
        "metadata": {},
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
        "created_at": now,
        "updated_at": now,
    }
    row = {k: v for k, v in row.items() if v is not None}
    with writes.atomic():
        writes.insert_row(TeamTable, row)
        if creator_user_id:
            team_member_add(actor=actor, team_id=team_id, user_id=creator_user_id, role="admin")
        created = writes.snapshot(TeamTable.objects.get(team_id=team_id))
        writes.audit(actor, writes.CREATED, "TeamTable", team_id, None, created)
    return created


def team_update(*, actor: writes.Actor, team_id: str, changes: dict) -> dict:
    """/team/update: only the changed settings; a new duration sets budget_reset_at, a cleared
    one clears it. Audit: before = the old row, updated = the changed fields."""
    unknown = set(changes) - set(TEAM_SETTING_FIELDS)
    if unknown:
        raise TypeError(f"unknown team fields {sorted(unknown)}")
    _check_non_negative(changes, "max_budget", "tpm_limit", "rpm_limit", "max_parallel_requests")
    if "budget_duration" in changes:
        changes["budget_duration"] = _validate_duration(changes["budget_duration"])
    if "team_alias" in changes and not (changes["team_alias"] or "").strip():
        raise ServiceError("Give the team a name.", "team_alias")
    if (
        changes.get("organization_id")
        and not OrganizationTable.objects.filter(organization_id=changes["organization_id"]).exists()
    ):
        raise ServiceError("No such organization.", "organization_id")
    with writes.atomic():
        team = TeamTable.objects.select_for_update().filter(team_id=team_id).first()
        if team is None:
            raise ServiceError("This team no longer exists.")
        changed = {k: v for k, v in changes.items() if getattr(team, k) != v}
        if not changed:
            return {}
        if "budget_duration" in changed:
            changed["budget_reset_at"] = _budget_reset_at(changed["budget_duration"])
        before = writes.snapshot(team)
        writes.update_row(TeamTable, team_id, {**changed, "updated_at": writes.now_utc()})
        if set(changed) == {"blocked"}:
            action = writes.BLOCKED if changed["blocked"] else writes.UNBLOCKED
            writes.audit(actor, action, "TeamTable", team_id, before, {})
        else:
            writes.audit(actor, writes.UPDATED, "TeamTable", team_id, before, changed)
    return changed


def team_delete(*, actor: writes.Actor, team_id: str) -> None:
    """/team/delete: archive into LiteLLM_DeletedTeamTable (where it exists), archive and
    delete its keys and its BYOK models, strip the id from every user's teams, delete its
    memberships and the row, and take it out of access groups, under the team's advisory lock."""
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        team = TeamTable.objects.filter(team_id=team_id).first()
        if team is None:
            raise ServiceError("This team no longer exists.")
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
                deleted_by=writer_id(actor),
                deleted_by_api_key=actor.api_key or None,
            )
            writes.insert_as_proxy(DeletedTeamTable, values)  # an archive copy, spend included
        writes.audit(actor, writes.DELETED, "TeamTable", team_id, before, {})
        delete_keys(
            actor=actor, tokens=list(VerificationToken.objects.filter(team_id=team_id).values_list("token", flat=True))
        )
        _delete_team_models(team_id)
        with _cursor() as cursor:
            # team_endpoints.py::_STRIP_DELETED_TEAMS_FROM_USERS_SQL (order kept, rows locked in "C" order;
            # raw SQL, so updated_at is left as it was)
            cursor.execute(
                f"UPDATE {_qn(UserTable)} SET teams = array_remove(teams, %s) WHERE user_id IN "
                f'(SELECT user_id FROM {_qn(UserTable)} WHERE %s = ANY(teams) ORDER BY user_id COLLATE "C" FOR UPDATE)',
                [team_id, team_id],
            )
        writes.delete_rows(TeamMembership, team_id=team_id)
        writes.delete_rows(TeamTable, team_id=team_id)
        _detach_team_from_access_groups(team_id)


def _delete_team_models(team_id: str) -> None:
    """delete_team -> model_management_endpoints.py::delete_team_models: the team's BYOK
    deployments go with it (rows named "model_name_<team_id>_..." whose model_info.team_id is
    the team; model_info may be stored as an object or as its JSON string)."""
    from config.models import ProxyModelTable

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
    if not litellm.catalog().has_column("AccessGroupTable", "assigned_team_ids"):
        return
    groups = connections[LITELLM_ALIAS].ops.quote_name(litellm.table_name("AccessGroupTable"))
    with _cursor() as cursor:
        cursor.execute(
            f'UPDATE {groups} SET "assigned_team_ids" = array_remove("assigned_team_ids", %s) '
            f'WHERE %s = ANY(COALESCE("assigned_team_ids", ARRAY[]::text[]))',
            [team_id, team_id],
        )


# --- organizations -------------------------------------------------------------------------

ORG_BUDGET_FIELDS = (
    "max_budget",
    "soft_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
)


def org_create(*, actor: writes.Actor, alias: str, models: list[str] | None = None, **budget: Any) -> dict:
    """/organization/new: a BudgetTable row from the budget fields (every org has one; no
    budget_reset_at, as LiteLLM leaves it for the reset job), then the org row."""
    alias = (alias or "").strip()
    if not alias:
        raise ServiceError("Give the organization a name.", "organization_alias")
    unknown = set(budget) - set(ORG_BUDGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown budget fields {sorted(unknown)}")
    _check_non_negative(budget, "max_budget", "tpm_limit", "rpm_limit", "max_parallel_requests")
    budget["budget_duration"] = _validate_duration(budget.get("budget_duration"))
    with writes.atomic():
        by = writer_id(actor)
        budget_id = _new_budget(actor, {**budget, "budget_reset_at": None})
        now = writes.now_utc()
        row = {
            "organization_id": writes.new_id(),
            "organization_alias": alias,
            "budget_id": budget_id,
            "metadata": {},
            "models": list(models or []),
            "spend": 0.0,
            "model_spend": {},
            "created_at": now,
            "created_by": by,
            "updated_at": now,
            "updated_by": by,
        }
        writes.insert_row(OrganizationTable, row)
        writes.audit(actor, writes.CREATED, "OrganizationTable", row["organization_id"], None, row)
    return row


def org_update(*, actor: writes.Actor, organization_id: str, changes: dict, budget_changes: dict) -> None:
    """/organization/update: alias and models on the org row; budget fields on its budget row
    (budget_reset_at follows a sent duration, organization_endpoints.py::build_budget_write_data)."""
    unknown = (set(changes) - {"organization_alias", "models"}) | (set(budget_changes) - set(ORG_BUDGET_FIELDS))
    if unknown:
        raise TypeError(f"unknown organization fields {sorted(unknown)}")
    if "organization_alias" in changes and not (changes["organization_alias"] or "").strip():
        raise ServiceError("Give the organization a name.", "organization_alias")
    _check_non_negative(budget_changes, "max_budget", "tpm_limit", "rpm_limit", "max_parallel_requests")
    if "budget_duration" in budget_changes:
        budget_changes["budget_duration"] = _validate_duration(budget_changes["budget_duration"])
    with writes.atomic():
        org = OrganizationTable.objects.select_for_update().filter(organization_id=organization_id).first()
        if org is None:
            raise ServiceError("This organization no longer exists.")
        by = writer_id(actor)
        now = writes.now_utc()
        changed = {k: v for k, v in changes.items() if getattr(org, k) != v}
        budget = BudgetTable.objects.filter(budget_id=org.budget_id).first()
        budget_changed = {k: v for k, v in budget_changes.items() if budget is None or getattr(budget, k) != v}
        if budget_changed and budget is not None:
            if "budget_duration" in budget_changed:
                budget_changed["budget_reset_at"] = _budget_reset_at(budget_changed["budget_duration"])
            before = writes.snapshot(budget)
            writes.update_row(BudgetTable, budget.budget_id, {**budget_changed, "updated_at": now, "updated_by": by})
            writes.audit(actor, writes.UPDATED, "BudgetTable", budget.budget_id, before, budget_changed)
        if changed:
            before = writes.snapshot(org)
            writes.update_row(OrganizationTable, organization_id, {**changed, "updated_at": now, "updated_by": by})
            writes.audit(actor, writes.UPDATED, "OrganizationTable", organization_id, before, changed)


def _org_members(organization_id: str) -> list[dict]:
    return [
        {"user_id": u, "user_role": r}
        for u, r in OrganizationMembership.objects.filter(organization_id=organization_id)
        .order_by("user_id")
        .values_list("user_id", "user_role")
    ]


def _audit_org_members(actor, organization_id: str, before: list[dict]) -> None:
    alias = (
        OrganizationTable.objects.filter(organization_id=organization_id)
        .values_list("organization_alias", flat=True)
        .first()
    )
    writes.audit(
        actor,
        writes.UPDATED,
        "OrganizationTable",
        organization_id,
        {"organization_alias": alias, "members": before},
        {"organization_alias": alias, "members": _org_members(organization_id)},
    )


def org_member_add(
    *, actor: writes.Actor, organization_id: str, user_id: str | None = None, email: str | None = None, role: str
) -> str:
    """/organization/member_add: by user id or email; an unknown email creates the user as
    get_new_internal_user_defaults does (role internal_user). Returns the user id."""
    if role not in ORG_ROLES:
        raise ServiceError("Choose an organization role.", "role")
    email = _clean_email(email)
    if not user_id and not email:
        raise ServiceError("Choose a user or enter an email address.", "user")
    with writes.atomic():
        if not OrganizationTable.objects.filter(organization_id=organization_id).exists():
            raise ServiceError("This organization no longer exists.")
        if user_id:
            if not UserTable.objects.filter(user_id=user_id).exists():
                raise ServiceError("No user has this id.", "user")
        else:
            _lock_email(email)
            matches = _users_with_email(email)
            if len(matches) > 1:
                raise ServiceError("Several users share this email; choose the user by id instead.", "email")
            if matches:
                user_id = matches[0].user_id
            else:
                user_id = _insert_user(
                    actor, _new_user_row(user_id=writes.new_id(), email=email, role=policy.INTERNAL_USER)
                )["user_id"]
        if OrganizationMembership.objects.filter(organization_id=organization_id, user_id=user_id).exists():
            raise ServiceError("This person is already a member of the organization.", "user")
        before = _org_members(organization_id)
        now = writes.now_utc()
        writes.insert_row(
            OrganizationMembership,
            {
                "user_id": user_id,
                "organization_id": organization_id,
                "user_role": role,
                "spend": 0.0,
                "created_at": now,
                "updated_at": now,
            },
        )
        _audit_org_members(actor, organization_id, before)
    return user_id


def org_member_set_role(*, actor: writes.Actor, organization_id: str, user_id: str, role: str) -> None:
    if role not in ORG_ROLES:
        raise ServiceError("Choose an organization role.", "role")
    with writes.atomic():
        key = {"organization_id": organization_id, "user_id": user_id}
        membership = OrganizationMembership.objects.select_for_update().filter(**key).first()
        if membership is None:
            raise ServiceError("This person is not a member of the organization.")
        if membership.user_role == role:
            return
        before = _org_members(organization_id)
        writes.update_row(OrganizationMembership, key, {"user_role": role, "updated_at": writes.now_utc()})
        _audit_org_members(actor, organization_id, before)


def org_member_remove(*, actor: writes.Actor, organization_id: str, user_id: str) -> None:
    with writes.atomic():
        key = {"organization_id": organization_id, "user_id": user_id}
        if not OrganizationMembership.objects.filter(**key).exists():
            raise ServiceError("This person is not a member of the organization.")
        before = _org_members(organization_id)
        writes.delete_rows(OrganizationMembership, **key)
        _audit_org_members(actor, organization_id, before)


# --- end users (customers) -------------------------------------------------------------------

END_USER_FIELDS = ("alias", "allowed_model_region", "default_model", "budget_id", "blocked")


def end_user_update(*, actor: writes.Actor, end_user_id: str, changes: dict) -> dict:
    unknown = set(changes) - set(END_USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown end-user fields {sorted(unknown)}")
    if changes.get("budget_id") and not BudgetTable.objects.filter(budget_id=changes["budget_id"]).exists():
        raise ServiceError("No such budget.", "budget_id")
    with writes.atomic():
        row = EndUserTable.objects.select_for_update().filter(user_id=end_user_id).first()
        if row is None:
            raise ServiceError("This end user no longer exists.")
        changed = {k: v for k, v in changes.items() if getattr(row, k) != v}
        if not changed:
            return {}
        before = writes.snapshot(row)
        writes.update_row(EndUserTable, end_user_id, changed)
        if set(changed) == {"blocked"}:
            writes.audit(
                actor,
                writes.BLOCKED if changed["blocked"] else writes.UNBLOCKED,
                "EndUserTable",
                end_user_id,
                before,
                {},
            )
        else:
            writes.audit(actor, writes.UPDATED, "EndUserTable", end_user_id, before, changed)
    return changed


# --- invitations ---------------------------------------------------------------------------


def invitation_status(invitation, today=None) -> str:
    """pending / accepted / expired, judged by DATE as /onboarding/get_token does."""
    if invitation.is_accepted or invitation.accepted_at is not None:
        return "accepted"
    today = today or writes.now_utc().date()
    return "expired" if invitation.expires_at.date() < today else "pending"


def pending_invitation_for(user_id: str) -> InvitationLink | None:
    today = writes.now_utc().date()
    return (
        InvitationLink.objects.filter(
            user_id=user_id, is_accepted=False, accepted_at__isnull=True, expires_at__date__gte=today
        )
        .order_by("-created_at")
        .first()
    )


def invitation_create(*, actor: writes.Actor, user_id: str, inviter_id: str) -> InvitationLink:
    """/invitation/new: uuid4 id, created_at = updated_at = now, expires_at = now + 7 days,
    created_by = updated_by = the inviter (an existing user id: an FK)."""
    with writes.atomic():
        if not UserTable.objects.filter(user_id=user_id).exists():
            raise ServiceError("This user no longer exists.")
        if not UserTable.objects.filter(user_id=inviter_id).exists():
            raise ServiceError("The inviter must be an existing LiteLLM user.")
        now = writes.now_utc()
        row = {
            "id": writes.new_id(),
            "user_id": user_id,
            "is_accepted": False,
            "accepted_at": None,
            "expires_at": now + INVITATION_LIFETIME,
            "created_at": now,
            "created_by": inviter_id,
            "updated_at": now,
            "updated_by": inviter_id,
        }
        writes.insert_row(InvitationLink, row)
        writes.audit(actor, writes.CREATED, "InvitationLink", row["id"], None, row)
    return InvitationLink.objects.get(id=row["id"])


@dataclass
class InviteResult:
    status: str  # "invited" or "already pending"
    invitation: InvitationLink
    user_id: str
    created_user: bool


def invite_person(
    *,
    actor: writes.Actor,
    inviter_id: str,
    email: str,
    role: str = policy.INTERNAL_USER,
    team_id: str | None = None,
    organization_id: str | None = None,
    max_budget: float | None = None,
) -> InviteResult:
    """The UI's "+ Invite User": /user/new (no key) for a new person, org and team membership,
    then /invitation/new. An existing person with a pending invitation gets that one back
    (safe re-runs); an existing person otherwise gets memberships added and a new link."""
    email = _clean_email(email)
    if not email or "@" not in email:
        raise ServiceError("Enter a valid email address.", "email")
    if role not in dict(policy.USER_ROLES):
        raise ServiceError(f"Unknown role {role!r}.", "role")
    if max_budget is not None and max_budget < 0:
        raise ServiceError("Must be zero or more.", "max_budget")
    if team_id and not TeamTable.objects.filter(team_id=team_id).exists():
        raise ServiceError("No such team.", "team")
    if organization_id and not OrganizationTable.objects.filter(organization_id=organization_id).exists():
        raise ServiceError("No such organization.", "organization")
    with writes.atomic():
        _lock_email(email)
        matches = _users_with_email(email)
        if len(matches) > 1:
            raise ServiceError("Several users share this email.", "email")
        created = not matches
        if created:
            user_id = user_create(actor=actor, email=email, role=role, max_budget=max_budget)["user_id"]
        else:
            user_id = matches[0].user_id
            pending = pending_invitation_for(user_id)
            if pending is not None:
                return InviteResult("already pending", pending, user_id, False)
        if (
            organization_id
            and not OrganizationMembership.objects.filter(organization_id=organization_id, user_id=user_id).exists()
        ):
            org_member_add(actor=actor, organization_id=organization_id, user_id=user_id, role=_org_role(role))
        if team_id:
            roster, _ = _read_roster(team_id)
            if not any(m.get("user_id") == user_id for m in roster or []):
                team_member_add(actor=actor, team_id=team_id, user_id=user_id, role="user")
        invitation = invitation_create(actor=actor, user_id=user_id, inviter_id=inviter_id)
    return InviteResult("invited", invitation, user_id, created)


def invitation_revoke(*, actor: writes.Actor, invitation_id: str) -> None:
    """/invitation/delete."""
    with writes.atomic():
        invitation = InvitationLink.objects.filter(id=invitation_id).first()
        if invitation is None:
            raise ServiceError("This invitation no longer exists.")
        writes.delete_rows(InvitationLink, id=invitation_id)
        writes.audit(actor, writes.DELETED, "InvitationLink", invitation_id, writes.snapshot(invitation), {})


def invitation_reissue(*, actor: writes.Actor, invitation_id: str, inviter_id: str) -> InvitationLink:
    """A fresh 7-day invitation for the same person; the expired one is removed."""
    with writes.atomic():
        old = InvitationLink.objects.filter(id=invitation_id).first()
        if old is None:
            raise ServiceError("This invitation no longer exists.")
        if invitation_status(old) != "expired":
            raise ServiceError("Only an expired invitation can be re-issued.")
        new = invitation_create(actor=actor, user_id=old.user_id, inviter_id=inviter_id)
        invitation_revoke(actor=actor, invitation_id=invitation_id)
    return new


class InvitationUnusable(ServiceError):
    """The link is unknown, expired or used: nothing is written."""


def invitation_check(invitation_id: str) -> InvitationLink:
    """The checks of /onboarding/get_token and /onboarding/claim_token, in their order."""
    invitation = InvitationLink.objects.filter(id=invitation_id).first()
    if invitation is None:
        raise InvitationUnusable("This invitation link does not exist. It may have been revoked.")
    if invitation.expires_at.date() < writes.now_utc().date():
        raise InvitationUnusable("This invitation link has expired.")
    if invitation.is_accepted or invitation.accepted_at is not None:
        raise InvitationUnusable("This invitation link has already been used.")
    if not UserTable.objects.filter(user_id=invitation.user_id).exists():
        raise InvitationUnusable("The person this link was made for no longer exists.")
    return invitation


def invitation_accept(*, invitation_id: str, password: str) -> str:
    """/onboarding/claim_token: in one transaction, mark the link accepted (only if still
    unaccepted), store the password as scrypt with password_reset_required=false and
    last_breach_check_at=NULL, then stamp accepted_at; the person's old UI session keys are
    revoked (session_endpoints.py::revoke_ui_session_keys). Returns the user id."""
    from .passwords import password_policy_errors

    invitation = invitation_check(invitation_id)
    problems = password_policy_errors(password)
    if problems:
        raise ServiceError("Password must " + ", ".join(problems) + ".", "password1")
    user_id = invitation.user_id
    actor = writes.Actor(changed_by=user_id)
    with writes.atomic():
        now = writes.now_utc()
        hit = writes.update_row(
            InvitationLink,
            {"id": invitation_id, "is_accepted": False},
            {"is_accepted": True, "updated_at": now, "updated_by": user_id},
        )
        if hit == 0:
            raise InvitationUnusable("This invitation link has already been used.")
        user_set_password(user_id=user_id, password=password, reset_required=False)
        now = writes.now_utc()
        writes.update_row(InvitationLink, invitation_id, {"accepted_at": now, "updated_at": now, "updated_by": user_id})
        writes.audit(
            actor,
            writes.UPDATED,
            "InvitationLink",
            invitation_id,
            {"is_accepted": False, "accepted_at": None},
            {"is_accepted": True, "accepted_at": now, "password": "set by the invitee"},
        )
        sessions = VerificationToken.objects.filter(user_id=user_id, team_id=policy.UI_SESSION_TEAM_ID)
        delete_keys(actor=actor, tokens=list(sessions.values_list("token", flat=True)))
    return user_id
