"""Shared helpers for the people commands: resolving teams/orgs/inviters, links, tables."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import Q
from django.urls import reverse

from accounts.models import OrganizationTable, TeamTable, UserTable
from accounts.services import invitation_token
from config import policy


def _resolve(model, id_field: str, alias_field: str, noun: str, value: str | None):
    """The row whose id is `value`, else the one row whose alias is; CommandError otherwise."""
    if not value:
        return None
    matches = list(model.objects.filter(Q(**{id_field: value}) | Q(**{alias_field: value}))[:3])
    by_id = [m for m in matches if getattr(m, id_field) == value]
    if by_id:
        return by_id[0]
    if not matches:
        raise CommandError(f"No {noun} with the id or alias {value!r}.")
    if len(matches) > 1:
        raise CommandError(f"Several {noun}s are called {value!r}; use the {noun} id.")
    return matches[0]


def resolve_team(value: str | None) -> TeamTable | None:
    return _resolve(TeamTable, "team_id", "team_alias", "team", value)


def resolve_org(value: str | None) -> OrganizationTable | None:
    return _resolve(OrganizationTable, "organization_id", "organization_alias", "organization", value)


def resolve_acting_user(email: str | None):
    """(inviter user id or None for the proxy admin, principal whose rights apply)."""
    if not email:
        return None, policy.Principal(label="shell", role=policy.PROXY_ADMIN, ops_username="manage.py")
    users = list(UserTable.objects.filter(user_email__iexact=email.strip())[:2])
    if not users:
        raise CommandError(f"--as {email}: no LiteLLM user has this email.")
    if len(users) > 1:
        raise CommandError(f"--as {email}: several LiteLLM users share this email.")
    principal = policy.principal_for_litellm_user(users[0].user_id)
    return users[0].user_id, principal


def console_link(invitation) -> str:
    """The console's signed accept link (the row id alone no longer claims it)."""
    return settings.CONSOLE_BASE_URL + reverse("accounts:invitation_accept", args=[invitation_token(invitation)])


def litellm_link(invitation_id: str) -> str | None:
    if not settings.PROXY_BASE_URL:
        return None
    return f"{settings.PROXY_BASE_URL}/ui/onboarding?invitation_id={invitation_id}"


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


class Progress:
    """A one-line progress bar on stderr (only when it is a terminal or forced)."""

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total, self.done, self.width = max(total, 1), 0, width
        self.stream = stream or sys.stderr

    def step(self, label: str = "") -> None:
        self.done += 1
        filled = int(self.width * self.done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label[:40]:<40}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
