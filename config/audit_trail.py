"""Two audit trails, one record of every change.

LiteLLM_AuditLog holds only what LiteLLM's own model accepts: LiteLLM_AuditLogs.table_name is a
LitellmTableNames and action an AUDIT_ACTIONS (proxy/_types.py, litellm-exact.md §4), so a row
for LiteLLM_BudgetTable, _OrganizationTable, _InvitationLink, ... would fail LiteLLM's model.
Those go into the console's own ConsoleAuditLog (same columns, schema litellm_console).

Who changed it (litellm-exact.md §5): an ops login acts as LiteLLM's master key, so LiteLLM's
row says changed_by=LITELLM_PROXY_ADMIN_ID ("default_user_id") and changed_by_api_key=
"litellm_proxy_master_key"; the ops username and client address go into AuditAttribution,
keyed by the audit row's id (either trail). A LiteLLM user signed in to the console has no
key hash to record, so changed_by_api_key is "".
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.db import transaction

from .routers import LITELLM_ALIAS

# proxy/_types.py::LitellmTableNames (values without the table prefix) and AUDIT_ACTIONS.
LITELLM_AUDITED_TABLES = frozenset(
    {
        "TeamTable",
        "UserTable",
        "VerificationToken",
        "ProxyModelTable",
        "ManagedFileTable",
        "ToolTable",
        "CacheConfig",
        "ConfigOverrides",
        "Config",
        "SSOConfig",
        "UISettings",
        "AgentsTable",
    }
)
AUDIT_ACTIONS = ("created", "updated", "deleted", "blocked", "unblocked", "rotated", "kill_switch_fired")
# constants.py::LITELLM_PROXY_MASTER_KEY_ALIAS: the api_key/token of a master-key caller.
MASTER_KEY_ALIAS = "litellm_proxy_master_key"

LITELLM_TRAIL = "litellm"
CONSOLE_TRAIL = "console"


def trail_for(logical_table: str) -> str:
    return LITELLM_TRAIL if logical_table in LITELLM_AUDITED_TABLES else CONSOLE_TRAIL


def client_address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "") if request is not None else ""


def actor_for(principal, request=None, *, fallback_username: str = ""):
    """The Actor of a signed-in person: a LiteLLM user acts as themselves (no key hash: ''),
    an ops login as the master key would, its username kept for the console's trail."""
    from .writes import Actor

    address = client_address(request)
    user_id = getattr(principal, "user_id", None)
    if user_id:
        return Actor(changed_by=user_id, writer_id=user_id, client_address=address)
    username = getattr(principal, "ops_username", None) or fallback_username or "console"
    return Actor(
        changed_by=settings.LITELLM_PROXY_ADMIN_ID,
        writer_id=settings.LITELLM_PROXY_ADMIN_ID,
        api_key=MASTER_KEY_ALIAS,
        ops_username=username,
        client_address=address,
    )


@contextlib.contextmanager
def atomic():
    """The LiteLLM transaction with the console's around it, so a rolled-back change leaves
    no console trail row behind (the console's commits right after LiteLLM's)."""
    with transaction.atomic(using="default"), transaction.atomic(using=LITELLM_ALIAS):
        yield


def record(actor, row: dict, logical_table: str) -> None:
    """Store one audit row (LiteLLM_AuditLog's columns) in its trail, and who did it."""
    from .models import AuditAttribution, AuditLog, ConsoleAuditLog
    from .writes import insert_row

    if row["action"] not in AUDIT_ACTIONS:
        raise ValueError(f"{row['action']!r} is not one of LiteLLM's audit actions")
    trail = trail_for(logical_table)
    with atomic():
        if trail == LITELLM_TRAIL:
            insert_row(AuditLog, row)
        else:
            ConsoleAuditLog.objects.create(**row)
        if getattr(actor, "ops_username", ""):
            AuditAttribution.objects.create(
                audit_id=row["id"], trail=trail, ops_username=actor.ops_username, client_address=actor.client_address
            )
