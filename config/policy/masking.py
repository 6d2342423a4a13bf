"""Ids that work as bearer secrets, as pages, CSVs and the admin may show them."""

from __future__ import annotations

from .principal import Principal


def mask_secret(value: str | None) -> str:
    """An id that works as a bearer secret, as keys are shown: its last 4 characters."""
    return f"…{value[-4:]}" if value else ""


def visible_invitation_id(principal: Principal | None, invitation) -> str:
    """What a page, a CSV or the admin may show of an invitation's id (its LiteLLM link's
    secret): the id for proxy admins and its creator, masked for everyone else."""
    if principal is not None and principal.can_see_invitation_link(invitation):
        return invitation.id
    return mask_secret(invitation.id)
