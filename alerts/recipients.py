"""Who an alert goes to, for a whole evaluation pass in a fixed number of statements.

Key: its owner, its team's admins, the team's org admins, the team's
`metadata.soft_budget_alerting_emails` (where LiteLLM keeps its own soft-budget recipients:
proxy/auth/auth_checks.py `_team_soft_budget_check`, a list or a comma-separated string).
User and team member: the person, and the team's admins. Team: its admins, org admins and those
addresses. Organization: its admins. End users and models: the configured extra addresses only.
People with no email are skipped and named on the alert."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connections

from accounts.models import OrganizationMembership, TeamTable, UserTable
from config.routers import LITELLM_ALIAS
from keys.models import VerificationToken


@dataclass
class Target:
    kind: str
    object_id: str
    parent_id: str | None = None  # team of a key or member
    owner_id: str | None = None
    team_id: str | None = None
    org_id: str | None = None
    emails: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _qn(model) -> str:
    return connections[LITELLM_ALIAS].ops.quote_name(model._meta.db_table)


def _rows(sql: str, params: list) -> list[tuple]:
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def team_alert_emails(metadata) -> list[str]:
    """`metadata.soft_budget_alerting_emails` read as LiteLLM reads it (auth_checks.py
    `_team_soft_budget_check`: a list of strings, or one comma-separated string)."""
    value = (metadata or {}).get("soft_budget_alerting_emails") if isinstance(metadata, dict) else None
    if isinstance(value, list):
        return [e.strip() for e in value if isinstance(e, str) and e.strip()]
    if isinstance(value, str):
        return [e.strip() for e in value.split(",") if e.strip()]
    return []


def resolve(targets: list[Target]) -> None:
    """Fill owner/team/org and the email lists of every target: at most four statements."""
    key_ids = [t.object_id for t in targets if t.kind == "key"]
    if key_ids:
        owners = dict(
            (token, (user_id, team_id))
            for token, user_id, team_id in _rows(
                f"SELECT token, user_id, team_id FROM {_qn(VerificationToken)} WHERE token = ANY(%s)", [key_ids]
            )
        )
        for t in targets:
            if t.kind == "key":
                t.owner_id, t.team_id = owners.get(t.object_id, (None, t.parent_id))
    for t in targets:
        if t.kind in ("user", "member"):
            t.owner_id = t.object_id
        if t.kind == "member":
            t.team_id = t.parent_id
        if t.kind == "team":
            t.team_id = t.object_id
        if t.kind == "org":
            t.org_id = t.object_id
    team_ids = sorted({t.team_id for t in targets if t.team_id})
    teams = {}
    if team_ids:
        for team_id, org_id, members, metadata in _rows(
            f"SELECT team_id, organization_id, members_with_roles, metadata FROM {_qn(TeamTable)} "
            "WHERE team_id = ANY(%s)",
            [team_ids],
        ):
            members, metadata = _json(members), _json(metadata)  # raw cursors return jsonb as text
            admins = [m.get("user_id") for m in (members or []) if isinstance(m, dict) and m.get("role") == "admin"]
            teams[team_id] = (org_id, [a for a in admins if a], team_alert_emails(metadata))
    for t in targets:
        if t.team_id in teams and not t.org_id:
            t.org_id = teams[t.team_id][0]
    org_ids = sorted({t.org_id for t in targets if t.org_id})
    org_admins: dict[str, list[str]] = {}
    if org_ids:
        for user_id, org_id in _rows(
            f"SELECT user_id, organization_id FROM {_qn(OrganizationMembership)} "
            "WHERE organization_id = ANY(%s) AND user_role = 'org_admin'",
            [org_ids],
        ):
            org_admins.setdefault(org_id, []).append(user_id)
    people: dict[str, list[str]] = {}
    for t in targets:
        ids: list[str] = []
        if t.owner_id and t.kind in ("key", "user", "member"):
            ids.append(t.owner_id)
        if t.kind in ("key", "member", "team") and t.team_id in teams:
            ids += teams[t.team_id][1]
        if t.kind in ("key", "team", "org") and t.org_id:
            ids += org_admins.get(t.org_id, [])
        people[id(t)] = list(dict.fromkeys(ids))
    user_ids = sorted({u for ids in people.values() for u in ids})
    emails = {}
    if user_ids:
        emails = dict(_rows(f"SELECT user_id, user_email FROM {_qn(UserTable)} WHERE user_id = ANY(%s)", [user_ids]))
    for t in targets:
        for user_id in people[id(t)]:
            if emails.get(user_id):
                t.emails.append(emails[user_id])
            else:
                t.skipped.append(user_id)
        if t.kind in ("key", "team") and t.team_id in teams:
            t.emails += teams[t.team_id][2]
        t.emails = list(dict.fromkeys(e.lower() for e in t.emails))
