"""Team members: add, remove, change role (/team/member_add, member_delete, member_update)."""

from __future__ import annotations

from dataclasses import dataclass

from budgets.services import resolve_member_budget
from config import policy, writes
from config.errors import ChangeRefused
from keys.models import VerificationToken

from ..models import (
    TeamMembership,
    TeamTable,
    UserTable,
)
from .base import (
    TEAM_ROLES,
    _clean_email,
    _insert_user,
    _lock_email,
    _lock_users,
    _users_with_email,
    _validate_duration,
    delete_keys,
    new_user_row,
)
from .roster_base import (
    _append_team_id,
    _is_entry_of,
    _read_roster,
    _remove_team_id,
    _roster_entry,
    _same_email,
    _write_roster,
)


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
        raise ChangeRefused("Choose admin or user.", "role")
    email = _clean_email(email)
    if not user_id and not email:
        raise ChangeRefused("Choose a user or enter an email address.", "user")
    if max_budget_in_team is not None and max_budget_in_team < 0:
        raise ChangeRefused("Must be zero or more.", "max_budget_in_team")
    budget_duration = _validate_duration(budget_duration)
    with writes.atomic():
        if not user_id:
            _lock_email(email)  # always before the team lock, the order invite_person takes them in
        writes.advisory_xact_lock(team_id)
        roster, alias = _read_roster(team_id)
        if roster is None:
            raise ChangeRefused("This team no longer exists.")
        team = TeamTable.objects.get(team_id=team_id)
        existing = None
        if user_id:
            existing = UserTable.objects.filter(user_id=user_id).first()
            if existing is None:
                raise ChangeRefused("No user has this id.", "user")
        else:
            matches = _users_with_email(email)
            if len(matches) > 1:
                raise ChangeRefused("Several users share this email; choose the user by id instead.", "email")
            existing = matches[0] if matches else None
        if existing is not None:
            _lock_users([existing.user_id])
            existing = UserTable.objects.get(user_id=existing.user_id)
            # _resolve_member_identity: "a value the caller supplied is never overwritten", so the
            # roster keeps the email as typed ("Alice@X.com") even when the user row says
            # "alice@x.com" (litellm-exact.md §2). LiteLLM's member update/delete by email compare
            # exactly against this spelling; the console's own lookups ignore case (_same_email).
            member_id, member_email = existing.user_id, email or existing.user_email
        else:
            member_id, member_email = writes.new_id(), email
        if any(
            m.get("user_id") == member_id
            or _same_email(m.get("user_email"), member_email)
            or (existing is not None and _same_email(m.get("user_email"), existing.user_email))
            for m in roster
        ):
            raise ChangeRefused(f"{member_email or member_id} is already a member of this team.", "user")

        if existing is None:
            _insert_user(
                actor, new_user_row(user_id=member_id, email=member_email, role=policy.INTERNAL_USER, teams=[team_id])
            )
        else:
            _append_team_id(member_id, team_id)

        budget_id = resolve_member_budget(actor, team, max_budget_in_team, budget_duration)
        if not TeamMembership.objects.filter(user_id=member_id, team_id=team_id).exists():
            writes.insert_row(
                TeamMembership, {"user_id": member_id, "team_id": team_id, "spend": 0.0, "budget_id": budget_id}
            )
        _write_roster(actor, team_id, alias, roster, [*roster, _roster_entry(member_id, member_email, role)])
    return MemberAdded(user_id=member_id, user_email=member_email, created_user=existing is None)


def team_member_remove(*, actor: writes.Actor, team_id: str, user_id: str) -> None:
    """/team/member_delete: off members_with_roles and UserTable.teams, TeamMembership deleted
    (its private budget row is left orphaned, as LiteLLM does), and their keys for this team
    archived and deleted."""
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        roster, alias = _read_roster(team_id)
        if roster is None:
            raise ChangeRefused("This team no longer exists.")
        user = UserTable.objects.filter(user_id=user_id).first()
        kept = [m for m in roster if not _is_entry_of(m, user_id, user.user_email if user else None)]
        on_user_row = user is not None and team_id in (user.teams or [])
        if len(kept) == len(roster) and not on_user_row:
            raise ChangeRefused("This person is not a member of the team.")
        _lock_users([user_id])
        tokens = list(
            VerificationToken.objects.filter(user_id=user_id, team_id=team_id).values_list("token", flat=True)
        )
        if len(kept) != len(roster):
            _write_roster(actor, team_id, alias, roster, kept)
        _remove_team_id([user_id], team_id)
        writes.delete_rows(TeamMembership, user_id=user_id, team_id=team_id)
        delete_keys(actor=actor, tokens=tokens)


def team_member_set_role(
    *, actor: writes.Actor, team_id: str, user_id: str, role: str, expected: dict | None = None
) -> None:
    """/team/member_update role change (_update_team_member_role), under the team lock.
    `expected` ({"role": the role the page showed}) refuses with EditConflict a role someone
    else changed meanwhile."""
    if role not in TEAM_ROLES:
        raise ChangeRefused("Choose admin or user.", "role")
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        roster, alias = _read_roster(team_id)
        if roster is None:
            raise ChangeRefused("This team no longer exists.")
        if all(m.get("user_id") != user_id for m in roster):
            raise ChangeRefused("This person is not a member of the team.")
        now = next(m.get("role") or "user" for m in roster if m.get("user_id") == user_id)
        writes.refuse_conflicts({"role": now}, {"role": role}, expected)
        after = [{**m, "role": role} if m.get("user_id") == user_id else m for m in roster]
        if after != roster:
            _write_roster(actor, team_id, alias, roster, after)
