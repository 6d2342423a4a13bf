"""What LiteLLM's own page "What is stored in the DB" (seeds 002-004) says about each table:
what it is for, how often the proxy inserts rows, and whether a database move must copy it.

The page lists the tables the proxy writes; the rest of the entries (daily spend tables, the
model table, deleted-key archives) are the console's reading of LiteLLM's schema.prisma and say so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableInfo:
    name: str  # logical, without the prefix
    purpose: str
    frequency: str  # the seeds' "Row Insert Frequency", or the console's reading (marked)
    move: str  # "required", "optional" or "" (not in the seeds' migration list)
    move_why: str = ""
    from_seeds: bool = True


TABLES: tuple[TableInfo, ...] = (
    TableInfo(
        "OrganizationTable",
        "Organization settings, spend, model access, budget link.",
        "Low",
        "optional",
        "Optional: only if you use Organizations in DB",
    ),
    TableInfo(
        "TeamTable",
        "Team settings, members and admins, budgets, rate limits, model access.",
        "Low",
        "required",
        "Required to ensure Teams are migrated",
    ),
    TableInfo(
        "UserTable",
        "Users and their settings, spend, model access, rate limits, roles.",
        "Low",
        "required",
        "Required to ensure existing virtual keys continue working",
    ),
    TableInfo("EndUserTable", "End-user model access, region requirements and spend.", "Low", ""),
    TableInfo(
        "TeamMembership",
        "Who is in which team; per-member budgets and spend.",
        "Low",
        "required",
        "Required to ensure Teams member budgets are migrated",
    ),
    TableInfo(
        "OrganizationMembership",
        "User roles within organizations.",
        "Low",
        "optional",
        "Optional: only if you use Organizations in DB",
    ),
    TableInfo("InvitationLink", "User invitations: status, expiry, who created and accepted.", "Low", ""),
    TableInfo("UserNotifications", "Model access requests and their approval status.", "Low", ""),
    TableInfo(
        "VerificationToken",
        "Virtual keys (hashed), their budgets, limits, model access and spend.",
        "Medium - stores all Virtual Keys",
        "required",
        "Required to ensure existing virtual keys continue working",
    ),
    TableInfo(
        "ProxyModelTable",
        "Models stored in the DB (STORE_MODEL_IN_DB=True).",
        "Low - Configuration only",
        "optional",
        "Optional: only if you store your LLMs in the DB (STORE_MODEL_IN_DB=True)",
    ),
    TableInfo(
        "BudgetTable",
        "Budget and rate-limit settings of organizations, keys, end users, members.",
        "Low - Configuration only",
        "required",
        "Required to migrate existing budgeting settings",
    ),
    TableInfo(
        "SpendLogs",
        "One row per API request: tokens, spend, timing, model and key.",
        "High - every LLM API request",
        "optional",
        "Optional: only if you want historical data (request logs) on the UI",
    ),
    TableInfo(
        "ErrorLogs",
        "Failed requests: exception details and request information.",
        "Medium - on errors only",
        "optional",
        "Optional: only if you want historical data on the UI",
    ),
    TableInfo(
        "AuditLog",
        "Changes to keys, teams, users and models: who changed what.",
        "Off by default, High - when enabled",
        "",
    ),
    # Not on LiteLLM's page: the console's reading of schema.prisma.
    TableInfo(
        "DailyUserSpend",
        "Spend, tokens and requests per user, key, model and day (the usage pages).",
        "Medium - batch process on an interval (console's reading)",
        "optional",
        "Usage history: the console's usage pages read it",
        from_seeds=False,
    ),
    TableInfo(
        "DailyTeamSpend",
        "Spend per team, key, model and day (the usage pages).",
        "Medium - batch process on an interval (console's reading)",
        "optional",
        "Usage history: the console's usage pages read it",
        from_seeds=False,
    ),
    TableInfo(
        "DailyTagSpend",
        "Spend per tag, key, model and day (the usage pages).",
        "Medium - batch process on an interval (console's reading)",
        "optional",
        "Usage history: the console's usage pages read it",
        from_seeds=False,
    ),
    TableInfo(
        "ModelTable",
        "Team model aliases (TeamTable.model_id points at it).",
        "Low (console's reading)",
        "optional",
        "Needed by teams with model aliases",
        from_seeds=False,
    ),
    TableInfo(
        "Config",
        "The proxy's config stored in the DB (general_settings, ...).",
        "Low - Configuration only (console's reading)",
        "optional",
        "The proxy's stored config",
        from_seeds=False,
    ),
)

BY_NAME = {t.name: t for t in TABLES}
# Tables the spend-log cleanup may delete from; the daily tables are never among them.
LOG_TABLES = ("SpendLogs", "ErrorLogs")
DAILY_TABLES = ("DailyUserSpend", "DailyTeamSpend", "DailyTagSpend")


def info(logical: str) -> TableInfo | None:
    return BY_NAME.get(logical)
