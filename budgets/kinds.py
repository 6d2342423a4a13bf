"""The kinds of entity a LiteLLM budget belongs to, and their names on pages (one list: the
budget overview, the alerts and the reconciliation use it)."""

BUDGET_KINDS = [
    ("key", "Key"),
    ("user", "User"),
    ("team", "Team"),
    ("org", "Organization"),
    ("member", "Team member"),
    ("end_user", "End user"),
]
