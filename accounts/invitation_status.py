"""An invitation's status: the one definition the list, its filter, the detail page, the home
count and the `invitations` command use.

LiteLLM's /onboarding/get_token and /onboarding/claim_token (proxy/proxy_server.py) refuse a link
when `invite_obj.expires_at.date() < utc_now_date` (judged by DATE, so a link works through its
last day) or when it was accepted. A row is accepted when flagged or stamped with accepted_at.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, Q, Value, When

from config import writes

PENDING, ACCEPTED, EXPIRED = "pending", "accepted", "expired"
INVITATION_STATUSES = [(PENDING, "Pending"), (ACCEPTED, "Accepted"), (EXPIRED, "Expired")]


def _today(today: date | None) -> date:
    return today or writes.now_utc().date()


def is_expired(invitation, today: date | None = None) -> bool:
    return invitation.expires_at.date() < _today(today)


def invitation_status(invitation, today: date | None = None) -> str:
    if invitation.is_accepted or invitation.accepted_at is not None:
        return ACCEPTED
    return EXPIRED if is_expired(invitation, today) else PENDING


def invitation_status_q(status: str, today: date | None = None) -> Q:
    """Rows where invitation_status(row) == status."""
    accepted = Q(is_accepted=True) | Q(accepted_at__isnull=False)
    if status == ACCEPTED:
        return accepted
    open_ = Q(is_accepted=False, accepted_at__isnull=True)
    if status == EXPIRED:
        return open_ & Q(expires_at__date__lt=_today(today))
    return open_ & Q(expires_at__date__gte=_today(today))


def invitation_status_annotation(today: date | None = None) -> Case:
    """The same rule as a column, for lists that sort or show it per row."""
    return Case(
        When(invitation_status_q(ACCEPTED, today), then=Value(ACCEPTED)),
        When(invitation_status_q(EXPIRED, today), then=Value(EXPIRED)),
        default=Value(PENDING),
        output_field=CharField(),
    )
