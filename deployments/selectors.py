"""Deployments as pages show them: LiteLLM_ProxyModelTable rows with their litellm_params
decrypted under the salt key (deployments/crypto.py), secrets reduced to "set", and what
names them (keys, teams). Without the salt key only names and ids are known."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import crypto
from .models import ProxyModelTable, UserNotifications
from .params import is_secret, provider_of

LOCKED = "locked"  # a value that could not be read (no salt key, or a wrong one)


@dataclass
class Deployment:
    row: ProxyModelTable
    readable: bool  # the salt key is set and every value opened
    params: dict = field(default_factory=dict)  # non-secret params, decrypted
    secrets: list = field(default_factory=list)  # names of the secret params that are set
    unreadable: list = field(default_factory=list)  # names that did not open

    @property
    def model_id(self) -> str:
        return self.row.model_id

    @property
    def info(self) -> dict:
        return as_dict(self.row.model_info)

    @property
    def public_name(self) -> str:
        """What callers (and keys' and teams' `models`) name: team models' public name."""
        return self.info.get("team_public_model_name") or self.row.model_name

    @property
    def team_id(self) -> str | None:
        return self.info.get("team_id") or None

    @property
    def access_groups(self) -> list[str]:
        groups = self.info.get("access_groups") or []
        return [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []

    @property
    def provider(self) -> str:
        return provider_of(self.params) if self.readable else ""

    @property
    def model(self) -> str:
        return self.params.get("model", "") if self.readable else ""

    def param(self, name: str):
        return self.params.get(name)

    def __str__(self) -> str:
        return self.public_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("deployments:model_detail", args=[self.row.model_id])

    # Plain attributes for tables and the CSV (never a secret).
    def __getattr__(self, name):
        if name in ("api_base", "api_version", "rpm", "tpm", "input_cost_per_token", "output_cost_per_token"):
            return self.params.get(name)
        raise AttributeError(name)


def as_dict(value) -> dict:
    """A JSON column as a dict: some writers store a JSON string holding the object."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def load(row: ProxyModelTable, key: str | None = None) -> Deployment:
    key = key if key is not None else crypto.salt_key()
    stored = as_dict(row.litellm_params)
    if not key:
        return Deployment(row, readable=False, secrets=[n for n in stored if is_secret(n) and stored[n] is not None])
    clear, failed = crypto.decrypt_params(stored, key)
    params = {n: v for n, v in clear.items() if not is_secret(n)}
    secrets = [n for n in stored if is_secret(n) and stored[n] not in (None, "")]
    return Deployment(row, readable=not failed, params=params, secrets=secrets, unreadable=failed)


def visible_rows(principal):
    return ProxyModelTable.objects.filter(principal.deployments_q()).order_by("model_name", "model_id")


def _visible_teams(principal) -> set | None:
    """The teams whose team models this person sees (None: every team's)."""
    if principal.sees_everything:
        return None
    return set(principal.team_ids) | set(principal.team_admin_of) | _org_teams(principal)


def _may_see(teams: set | None, deployment: Deployment) -> bool:
    """The row scope again in Python, for rows whose model_info is a JSON string (SQL cannot
    read its team_id)."""
    return teams is None or not deployment.team_id or deployment.team_id in teams


def _org_teams(principal) -> set:
    from accounts.models import TeamTable

    if not principal.org_admin_of:
        return set()
    return set(TeamTable.objects.filter(organization_id__in=principal.org_admin_of).values_list("team_id", flat=True))


def visible(principal) -> list[Deployment]:
    key = crypto.salt_key()
    loaded = [load(row, key) for row in visible_rows(principal)]
    teams = _visible_teams(principal)
    return [d for d in loaded if _may_see(teams, d)]


def get_visible(principal, model_id: str) -> Deployment | None:
    row = visible_rows(principal).filter(model_id=model_id).first()
    deployment = load(row) if row is not None else None
    return deployment if deployment is not None and _may_see(_visible_teams(principal), deployment) else None


def names_of(deployment: Deployment) -> list[str]:
    """What a key or team lists to reach this deployment: its public name, its access groups."""
    return [deployment.public_name, *deployment.access_groups]


def keys_naming(principal, deployment: Deployment, limit: int = 50) -> list:
    from keys.models import VerificationToken

    return list(
        VerificationToken.objects.filter(principal.keys_q())
        .filter(models__overlap=names_of(deployment))
        .order_by("key_alias", "token")[:limit]
    )


def teams_naming(principal, deployment: Deployment, limit: int = 50) -> list:
    from accounts.models import TeamTable

    return list(
        TeamTable.objects.filter(principal.teams_q())
        .filter(models__overlap=names_of(deployment))
        .order_by("team_alias", "team_id")[:limit]
    )


def public_names_and_groups(principal=None) -> tuple[list[str], list[str]]:
    """The pickers' choices: the deployments' public names and access groups (names only:
    no key needed)."""
    rows = visible_rows(principal) if principal is not None else ProxyModelTable.objects.all()
    names, groups = set(), set()
    for model_name, info in rows.values_list("model_name", "model_info"):
        info = as_dict(info)
        names.add(info.get("team_public_model_name") or model_name)
        for group in info.get("access_groups") or []:
            if isinstance(group, str):
                groups.add(group)
    return sorted(n for n in names if n), sorted(groups)


def pending_count(principal) -> int:
    """The navigation's count: pending requests this person may answer."""
    if not principal.may_review_model_requests():
        return 0
    qs = UserNotifications.objects.filter(principal.model_requests_q(), status="pending")
    if principal.user_id:
        qs = qs.exclude(user_id=principal.user_id)
    return qs.count()


def grantable_names(team_id: str | None) -> list[str]:
    """The key picker's names when every proxy model may be given: the public names of the
    proxy-wide deployments and of `team_id`'s own team models, then their access groups."""
    names, groups = set(), set()
    for model_name, info in ProxyModelTable.objects.exclude(model_name="").values_list("model_name", "model_info"):
        info = as_dict(info)
        owner = info.get("team_id")
        if owner and owner != team_id:
            continue
        names.add(info.get("team_public_model_name") or model_name)
        groups.update(g for g in info.get("access_groups") or [] if isinstance(g, str))
    return sorted(names) + sorted(groups - names)
