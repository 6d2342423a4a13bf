"""Invitations and password-reset links (/invitation/new, delete, /onboarding/claim_token)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from config import policy, writes
from config.errors import ChangeRefused
from keys.models import VerificationToken

from ..invitation_status import PENDING, invitation_status, invitation_status_q, is_expired  # noqa: F401
from ..models import (
    InvitationLink,
    OrganizationMembership,
    OrganizationTable,
    TeamTable,
    UserTable,
)
from .base import (
    INVITATION_LIFETIME,
    _clean_email,
    _lock_email,
    _org_role,
    _users_with_email,
    delete_keys,
)
from .orgs import org_member_add
from .roster_base import _read_roster
from .rosters import team_member_add
from .user_passwords import user_set_password
from .users import user_create


def pending_invitation_for(user_id: str) -> InvitationLink | None:
    return InvitationLink.objects.filter(_pending_q(), user_id=user_id).order_by("-created_at").first()


def _pending_q(today=None):
    return invitation_status_q(PENDING, today)


def revoke_pending_links(*, actor: writes.Actor, user_id: str, keep: str | None = None) -> int:
    """Every pending link of a person but `keep`, revoked as /invitation/delete does: one
    live credential link per person, and none left once they have set a password."""
    ids = list(
        InvitationLink.objects.filter(_pending_q(), user_id=user_id).exclude(id=keep or "").values_list("id", flat=True)
    )
    for invitation_id in ids:
        invitation_revoke(actor=actor, invitation_id=invitation_id)
    return len(ids)


def invitation_create(*, actor: writes.Actor, user_id: str, inviter_id: str) -> InvitationLink:
    """/invitation/new: uuid4 id, created_at = updated_at = now, expires_at = now + 7 days,
    created_by = updated_by = the inviter (an existing user id: an FK). The person's older
    pending links are revoked first: one pending invitation or reset per person."""
    with writes.atomic():
        if not UserTable.objects.filter(user_id=user_id).exists():
            raise ChangeRefused("This user no longer exists.")
        if not UserTable.objects.filter(user_id=inviter_id).exists():
            raise ChangeRefused("The inviter must be an existing LiteLLM user.")
        revoke_pending_links(actor=actor, user_id=user_id)
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
        raise ChangeRefused("Enter a valid email address.", "email")
    if role not in dict(policy.USER_ROLES):
        raise ChangeRefused(f"Unknown role {role!r}.", "role")
    if max_budget is not None and max_budget < 0:
        raise ChangeRefused("Must be zero or more.", "max_budget")
    if team_id and not TeamTable.objects.filter(team_id=team_id).exists():
        raise ChangeRefused("No such team.", "team")
    if organization_id and not OrganizationTable.objects.filter(organization_id=organization_id).exists():
        raise ChangeRefused("No such organization.", "organization")
    with writes.atomic():
        _lock_email(email)
        matches = _users_with_email(email)
        if len(matches) > 1:
            raise ChangeRefused("Several users share this email.", "email")
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
            raise ChangeRefused("This invitation no longer exists.")
        writes.delete_rows(InvitationLink, id=invitation_id)
        writes.audit(actor, writes.DELETED, "InvitationLink", invitation_id, writes.snapshot(invitation), {})


def invitation_reissue(*, actor: writes.Actor, invitation_id: str, inviter_id: str) -> InvitationLink:
    """A fresh 7-day invitation for the same person; the expired one is removed."""
    with writes.atomic():
        old = InvitationLink.objects.filter(id=invitation_id).first()
        if old is None:
            raise ChangeRefused("This invitation no longer exists.")
        if invitation_status(old) != "expired":
            raise ChangeRefused("Only an expired invitation can be re-issued.")
        new = invitation_create(actor=actor, user_id=old.user_id, inviter_id=inviter_id)
        invitation_revoke(actor=actor, invitation_id=invitation_id)
    return new


class InvitationUnusable(ChangeRefused):
    """The link is unknown, expired or used: nothing is written."""


def invitation_check(invitation_id: str) -> InvitationLink:
    """The checks of /onboarding/get_token and /onboarding/claim_token, in their order."""
    invitation = InvitationLink.objects.filter(id=invitation_id).first()
    if invitation is None:
        raise InvitationUnusable("This invitation link does not exist. It may have been revoked.")
    if is_expired(invitation):
        raise InvitationUnusable("This invitation link has expired.")
    if invitation.is_accepted or invitation.accepted_at is not None:
        raise InvitationUnusable("This invitation link has already been used.")
    if not UserTable.objects.filter(user_id=invitation.user_id).exists():
        raise InvitationUnusable("The person this link was made for no longer exists.")
    return invitation


TOKEN_SALT = "console.invitation"


def _token_version(invitation) -> str:
    """Binds a token to this very row: a re-created or edited row with the same id (or a
    forged one) does not match."""
    stamp = f"{invitation.id}|{invitation.created_at.isoformat()}|{invitation.updated_at.isoformat()}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:16]


def invitation_token(invitation) -> str:
    """The secret of the console's own accept/reset link. The row id alone (which lower roles
    can read in lists and the audit log) is not enough to claim a link: the token is signed
    with the console's SECRET_KEY and expires with the invitation."""
    return signing.dumps({"i": invitation.id, "v": _token_version(invitation)}, salt=TOKEN_SALT, compress=True)


def invitation_from_token(token: str) -> InvitationLink:
    """The invitation a console link names, checked as /onboarding/get_token checks it.
    A bare id, a tampered or expired token, or one of a revoked/replaced row: refused."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=INVITATION_LIFETIME + timedelta(days=1))
    except signing.SignatureExpired:
        raise InvitationUnusable("This invitation link has expired.") from None
    except signing.BadSignature:
        raise InvitationUnusable(
            "This link is not valid. Ask whoever sent it for a new one; older links that end in "
            "the invitation id alone no longer work here."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("i"), str):
        raise InvitationUnusable("This link is not valid.")
    invitation = invitation_check(data["i"])
    if data.get("v") != _token_version(invitation):
        raise InvitationUnusable("This link was replaced by a newer one or revoked.")
    return invitation


def invitation_accept(*, invitation_id: str, password: str) -> str:
    """/onboarding/claim_token: in one transaction, mark the link accepted (only if still
    unaccepted), store the password as scrypt with password_reset_required=false and
    last_breach_check_at=NULL, then stamp accepted_at; the person's old UI session keys are
    revoked (session_endpoints.py::revoke_ui_session_keys). Returns the user id."""
    from ..passwords import password_policy_errors

    invitation = invitation_check(invitation_id)
    problems = password_policy_errors(password)
    if problems:
        raise ChangeRefused("Password must " + ", ".join(problems) + ".", "password1")
    user_id = invitation.user_id
    actor = writes.Actor(changed_by=user_id, writer_id=user_id)
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
        # The password is set: any other link for this person would set it again.
        revoke_pending_links(actor=actor, user_id=user_id, keep=invitation_id)
    return user_id
