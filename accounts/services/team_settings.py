"""A team's default member budget, its metadata and its member permissions, as LiteLLM writes them.

Default member budget (litellm/proxy/management_endpoints/team_endpoints.py,
TeamMemberBudgetHandler; the console's fields are /team/new's and /team/update's
``team_member_budget``, ``team_member_budget_duration``, ``team_member_tpm_limit`` and
``team_member_rpm_limit``):

- /team/new (``new_team`` -> ``create_team_member_budget_table``): when any of them is set, a
  LiteLLM_BudgetTable row is made through budget_management_endpoints.py::new_budget: id
  ``team-<alias, spaces as ->-budget-<uuid4 hex>`` (``team-budget-<hex>`` without an alias),
  ``max_budget``/``tpm_limit``/``rpm_limit`` from those fields, ``budget_duration`` the member
  duration or, when it is not given, the team's own ``budget_duration``, ``budget_reset_at``
  LiteLLM's aligned reset for it (``get_budget_reset_time``), ``created_by``/``updated_by`` the
  caller. Its id goes into ``TeamTable.metadata.team_member_budget_id``.
- /team/update (``update_team``): fields sent with some value -> ``upsert_team_member_budget_table``:
  the existing row gets exactly the fields sent (a null is written as null; a null duration
  clears ``budget_reset_at``, a new one recomputes it; ``update_budget`` stamps ``updated_by``),
  or, without one, a new row is made as on /team/new; then
  ``backfill_team_member_budget_entries``: a TeamMembership row (budget = the default) for every
  roster member who has none, and the default on memberships whose ``budget_id`` is NULL
  (memberships with their own budget are left alone). Fields sent all null ->
  ``clear_team_member_budget_fields``: those columns nulled on the existing row, no backfill.
- The budget row itself is not audited by LiteLLM; the console records it in its own trail.

Metadata: ``TeamMemberBudgetHandler.SYSTEM_MANAGED_METADATA_KEYS`` (``team_member_budget_id``) is
stripped from what a caller sends and copied back from the stored row (``update_team``), so it
is never edited as raw JSON. ``logging`` is kept the same way: its ``callback_vars`` are
credentials the proxy encrypts with its master key (common_utils/callback_utils.py::
encrypt_callback_vars), which the console cannot do, so it neither shows nor writes them.

Member permissions (``team_member_permissions``, text[]): the routes non-admin members may call
on the team's keys (management_helpers/team_member_permission_checks.py). LiteLLM offers
``LiteLLMRoutes.key_management_routes`` (``get_all_available_team_member_permissions``), but
``get_permissions_for_team_member`` converts every stored value with ``KeyManagementRoutes(v)``,
so a value outside that enum (e.g. "/team/daily/activity/export") breaks the check for the
team's members: the console offers only the enum's values. ``/key/info`` and ``/key/health``
are always granted. LiteLLM sets the column through /team/new and /team/permissions_update
(``update_team_member_permissions``: team/org/proxy admins; no audit row); the console writes it
with the team's other settings and audits it in the same ``updated`` row.
"""

from __future__ import annotations

import uuid
from typing import Any

from budgets import services as budget_services
from budgets.models import BudgetTable
from config import writes
from config.errors import ChangeRefused

from ..models import TeamMembership, TeamTable

# form/request field -> LiteLLM_BudgetTable column
MEMBER_DEFAULT_FIELDS = {
    "team_member_budget": "max_budget",
    "team_member_budget_duration": "budget_duration",
    "team_member_tpm_limit": "tpm_limit",
    "team_member_rpm_limit": "rpm_limit",
}

RESERVED_METADATA_KEYS = ("team_member_budget_id", "logging")

# KeyManagementRoutes (litellm/types/proxy/auth/user_roles.py) that are also in
# LiteLLMRoutes.key_management_routes, in that list's order; KEY_INFO and KEY_HEALTH are the
# baseline every member has (BASELINE_TEAM_MEMBER_PERMISSIONS), so they are not choices.
TEAM_MEMBER_PERMISSIONS = (
    ("/key/generate", "Create keys"),
    ("/key/update", "Edit keys"),
    ("/key/delete", "Delete keys"),
    ("/key/regenerate", "Regenerate keys"),
    ("/key/service-account/generate", "Create service-account keys"),
    ("/key/{key_id}/regenerate", "Regenerate keys (by id)"),
    ("/key/list", "List the team's keys"),
    ("/key/block", "Block keys"),
    ("/key/unblock", "Unblock keys"),
    ("/key/bulk_update", "Bulk-edit keys"),
    ("/team/key/bulk_update", "Bulk-edit the team's keys"),
    ("/team/daily/activity", "See the team's daily usage"),
    ("/team/daily/activity/aggregated", "See the team's aggregated usage"),
    ("/spend/logs", "See the team's spend logs"),
    ("/spend/logs/v2", "See the team's spend logs (v2)"),
    ("/key/{key_id}/reset_spend", "Reset a key's spend"),
    ("/key/aliases", "List key aliases"),
    ("/key/access_group_assignment", "Assign access groups to keys"),
    ("/auto_router/manage", "Manage auto routers"),
)
BASELINE_PERMISSIONS = ("/key/info", "/key/health")


def has_member_permissions() -> bool:
    return TeamTable.has_column("team_member_permissions")


def check_member_permissions(values) -> list[str]:
    """The permissions as stored: known values only, each once, in the offered order."""
    allowed = [v for v, _ in TEAM_MEMBER_PERMISSIONS]
    values = list(values or [])
    unknown = [v for v in values if v not in allowed and v not in BASELINE_PERMISSIONS]
    if unknown:
        names = ", ".join(unknown)
        raise ChangeRefused(f"Not a team member permission LiteLLM knows: {names}.", "team_member_permissions")
    return [v for v in allowed if v in values]


# --- metadata ----------------------------------------------------------------------------------


def editable_metadata(metadata) -> dict:
    """What a person edits as JSON: the stored metadata without LiteLLM's reserved keys."""
    if not isinstance(metadata, dict):
        return {}
    return {k: v for k, v in metadata.items() if k not in RESERVED_METADATA_KEYS}


def reserved_metadata(metadata) -> dict:
    if not isinstance(metadata, dict):
        return {}
    return {k: v for k, v in metadata.items() if k in RESERVED_METADATA_KEYS}


def merged_metadata(new: dict, stored) -> dict:
    """update_team: the caller's metadata with the stored system-managed keys put back."""
    if set(new) & set(RESERVED_METADATA_KEYS):
        names = ", ".join(sorted(set(new) & set(RESERVED_METADATA_KEYS)))
        raise ChangeRefused(f"{names} is kept by LiteLLM and cannot be set here.", "metadata")
    return {**new, **reserved_metadata(stored)}


# --- the default member budget -----------------------------------------------------------------


def member_default_values(fields: dict) -> dict:
    """The budget columns named by the team_member_* fields present in `fields`."""
    return {column: fields[name] for name, column in MEMBER_DEFAULT_FIELDS.items() if name in fields}


def member_default_shown(team: TeamTable | None) -> dict:
    """The team_member_* values of a team's default member budget row (None where unset)."""
    budget = None
    budget_id = budget_services.team_default_budget_id(team) if team is not None else None
    if budget_id:
        budget = BudgetTable.objects.filter(budget_id=budget_id).first()
    return {name: getattr(budget, column, None) for name, column in MEMBER_DEFAULT_FIELDS.items()}


def _budget_id_for(alias: str | None) -> str:
    if alias is not None:
        return f"team-{alias.replace(' ', '-')}-budget-{uuid.uuid4().hex}"
    return f"team-budget-{uuid.uuid4().hex}"


def create_member_default(actor: writes.Actor, *, alias: str | None, team_duration: str | None, values: dict) -> str:
    """create_team_member_budget_table: the row, its duration the member one or else the team's."""
    row = {k: v for k, v in values.items() if v is not None}
    if "budget_duration" not in values:
        row["budget_duration"] = team_duration
    row = {k: v for k, v in row.items() if v is not None}
    return budget_services.budget_row_create(actor=actor, values=row, budget_id=_budget_id_for(alias))


def update_member_default(
    actor: writes.Actor, team: TeamTable, values: dict, expected: dict | None
) -> tuple[str | None, bool, bool]:
    """/team/update's handling of the team_member_* fields sent (`values`: budget columns).
    Returns (the budget id to keep in metadata, or None when there is none; whether a new
    row was made; whether anything was written). Runs inside the caller's transaction, with the team row locked."""
    budget_id = budget_services.team_default_budget_id(team)
    exists = bool(budget_id) and BudgetTable.objects.filter(budget_id=budget_id).exists()
    if expected is not None:
        expected = {MEMBER_DEFAULT_FIELDS[k]: v for k, v in expected.items() if k in MEMBER_DEFAULT_FIELDS}
    if not any(v is not None for v in values.values()):
        # clear_team_member_budget_fields: only on an existing row
        if not exists:
            return None, False, False
        wrote = budget_services.budget_row_update(actor=actor, budget_id=budget_id, changes=values, expected=expected)
        return budget_id, False, bool(wrote)
    if exists:
        wrote = bool(
            budget_services.budget_row_update(actor=actor, budget_id=budget_id, changes=values, expected=expected)
        )
        created = False
    else:
        budget_id = create_member_default(
            actor, alias=team.team_alias, team_duration=team.budget_duration, values=values
        )
        created = wrote = True
    backfill_member_default(team, budget_id)
    return budget_id, created, wrote


def backfill_member_default(team: TeamTable, budget_id: str) -> None:
    """backfill_team_member_budget_entries: a membership for each roster member without one,
    and the default on memberships with no budget (own budgets are left alone)."""
    roster = team.members_with_roles if isinstance(team.members_with_roles, list) else []
    user_ids = [m.get("user_id") for m in roster if isinstance(m, dict) and m.get("user_id")]
    if not user_ids:
        return
    have = set(TeamMembership.objects.filter(team_id=team.team_id).values_list("user_id", flat=True))
    for user_id in dict.fromkeys(user_ids):
        if user_id not in have:
            writes.insert_row(
                TeamMembership, {"user_id": user_id, "team_id": team.team_id, "spend": 0.0, "budget_id": budget_id}
            )
    for user_id in TeamMembership.objects.filter(team_id=team.team_id, budget_id__isnull=True).values_list(
        "user_id", flat=True
    ):
        writes.update_row(TeamMembership, {"user_id": user_id, "team_id": team.team_id}, {"budget_id": budget_id})


def member_default_payload(fields: dict[str, Any]) -> dict[str, Any]:
    """Pop the team_member_* fields out of a team's settings (they live on the budget row)."""
    return {name: fields.pop(name) for name in list(MEMBER_DEFAULT_FIELDS) if name in fields}
