"""What LiteLLM rewrites when a deployment's public name goes away or changes.

Allowlists (`models` on teams, keys, organizations, projects and users) and unified access groups
(`LiteLLM_AccessGroupTable.access_model_names`) hold model *names*, so:

- `/model/delete` then `sync_access_groups_for_deleted_model`
  (litellm/proxy/management_helpers/access_group_model_sync.py): when no deployment of that name
  is left, the name is removed from every access group;
- `/model/update` with a new `model_name` then `sync_access_groups_for_renamed_model` and
  `sync_model_allowlists_for_renamed_model` (model_allowlist_rename_sync.py): the old name becomes
  the new one in every access group and allowlist, or, when another deployment still serves the
  old name, the new name is added next to it.

LiteLLM's "still backed" check also counts deployments from the proxy's config file
(`_served_by_a_config_deployment`); those are not in the database and the console cannot see
them, so it counts only the database's deployments. Tables a schema lacks are skipped (the access
group and project tables are newer than the seed's). No audit rows: LiteLLM writes none for these.
"""

from __future__ import annotations

from config import writes
from config.litellm import catalog

from .models import ProxyModelTable

ALLOWLISTS = ("TeamTable", "VerificationToken", "OrganizationTable", "ProjectTable", "UserTable")


def _still_backed(name: str) -> bool:
    return ProxyModelTable.objects.filter(model_name=name).exists()


def _has(table: str, column: str) -> bool:
    return catalog().has_table(table) and catalog().has_column(table, column)


def after_delete(model_name: str) -> None:
    """Call after the row is deleted (the check must see the state after it)."""
    if _still_backed(model_name) or not _has("AccessGroupTable", "access_model_names"):
        return
    writes.array_remove("AccessGroupTable", "access_model_names", model_name)


def after_rename(old: str, new: str) -> None:
    """Call after the row holds its new name."""
    if old == new:
        return
    keep_old = _still_backed(old)
    if _has("AccessGroupTable", "access_model_names"):
        writes.array_rename("AccessGroupTable", "access_model_names", old, new, keep_old=keep_old)
    for table in ALLOWLISTS:
        if _has(table, "models"):
            writes.array_rename(table, "models", old, new, keep_old=keep_old)
