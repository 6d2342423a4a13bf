"""The demo deployment's cast and catalogue: the demo accounts, organizations, teams, models and
their prices, tags, names and end users. Plain data; the builders in this package read it."""

from ..database import DEMO_SALT_KEY  # noqa: F401  (the demo's LITELLM_SALT_KEY; `demo` prints it)

DEMO_PASSWORD = "Demo-Password-1!"

# (email, name, LiteLLM role, org alias, [(team alias, team role)], org role)
DEMO_ACCOUNTS = [
    ("admin@acme.example", "Alex Morgan", "proxy_admin", None, [], None),
    ("viewer@acme.example", "Vera Lindqvist", "proxy_admin_viewer", None, [], None),
    ("orgadmin@acme.example", "Omar Haddad", "org_admin", "Acme Corp", [], "org_admin"),
    ("lead@acme.example", "Lena Fischer", "internal_user", "Acme Corp", [("ml-research", "admin")], "internal_user"),
    (
        "dev@acme.example",
        "Dev Patel",
        "internal_user",
        "Acme Corp",
        [("ml-research", "user"), ("platform", "user")],
        "internal_user",
    ),
    (
        "intern@acme.example",
        "Iris Novak",
        "internal_user_viewer",
        "Acme Corp",
        [("ml-research", "user")],
        "internal_user_viewer",
    ),
]

# (alias, domain, max_budget, budget_duration)
ORGS = [
    ("Acme Corp", "acme.example", 1000.0, "1mo"),
    ("Globex Research", "globex.example", 400.0, "1mo"),
    ("Initech", "initech.example", 300.0, None),
]

# (alias, org alias, max_budget, budget_duration, models, blocked)
TEAMS = [
    ("ml-research", "Acme Corp", 200.0, "1mo", ["gpt-4o", "claude-3-5-sonnet", "gpt-4o-mini"], False),
    ("platform", "Acme Corp", 100.0, "1mo", [], False),
    ("data-eng", "Acme Corp", 50.0, "30d", ["gpt-4o-mini", "text-embedding-3-small"], False),
    ("support-bots", "Globex Research", 120.0, "1mo", ["gpt-4o-mini", "claude-3-5-haiku"], False),
    ("growth", "Globex Research", 20.0, "7d", [], False),
    ("security", "Initech", None, None, ["gpt-4o", "claude-3-5-sonnet"], False),
    ("finance-analytics", "Initech", 40.0, "1mo", ["gpt-4o-mini", "gemini-1.5-pro"], False),
    ("legacy-chatbot", None, 10.0, None, ["gpt-4o-mini"], True),
]

# (model, model group, provider, $ per 1M prompt tokens, $ per 1M completion tokens, call type)
MODELS = [
    ("gpt-4o", "gpt-4o", "openai", 2.5, 10.0, "acompletion"),
    ("gpt-4o-mini", "gpt-4o-mini", "openai", 0.15, 0.6, "acompletion"),
    ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet", "anthropic", 3.0, 15.0, "acompletion"),
    ("claude-3-5-haiku-20241022", "claude-3-5-haiku", "anthropic", 0.8, 4.0, "acompletion"),
    ("gemini-1.5-pro", "gemini-1.5-pro", "vertex_ai", 1.25, 5.0, "acompletion"),
    ("text-embedding-3-small", "text-embedding-3-small", "openai", 0.02, 0.0, "aembedding"),
]
MODEL_BY_GROUP = {m[1]: m for m in MODELS}
MODEL_POPULARITY = {
    "gpt-4o": 5,
    "gpt-4o-mini": 8,
    "claude-3-5-sonnet": 4,
    "claude-3-5-haiku": 3,
    "gemini-1.5-pro": 2,
    "text-embedding-3-small": 2,
}
API_BASES = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "vertex_ai": "https://us-central1-aiplatform.googleapis.com",
}
ENDPOINTS = {"acompletion": "/chat/completions", "aembedding": "/embeddings"}
TAGS = [
    "User-Agent: OpenAI/Python 1.54.3",
    "User-Agent: langchain/0.3.7",
    "feature:chat",
    "feature:search",
    "batch",
    "eval",
]
KEY_PURPOSES = ["laptop", "notebook", "ci", "prod", "staging", "batch", "eval", "agent", "scratch", "backfill"]
FIRST_NAMES = (
    "Maya Noah Priya Lucas Sofia Mateo Aisha Jonas Chloe Kenji Elena Tariq Hannah Diego Mei Felix Amara Oskar "
    "Leila Tomás Ingrid Ravi Zoe Emil Yara Hugo Nadia Arjun Clara Malik Freya Sami Lucia Theo Anya Bruno Ines Kai"
).split()
LAST_NAMES = (
    "Chen Okafor Silva Berg Kowalski Rossi Tanaka Dubois Nguyen Müller Haddad Kim Novak Costa Ibrahim Larsen "
    "Moreau Sato Jensen Romero Petrov Hughes Khan Olsen"
).split()
END_USERS = [
    ("cust-northwind", "Northwind Traders"),
    ("cust-contoso", "Contoso Ltd"),
    ("cust-fabrikam", "Fabrikam"),
    ("cust-tailspin", "Tailspin Toys"),
    ("cust-wingtip", "Wingtip Toys"),
    ("cust-adventure", "Adventure Works"),
    ("cust-litware", "Litware Inc"),
    ("cust-proseware", "Proseware"),
    ("cust-fourthcoffee", "Fourth Coffee"),
    ("cust-woodgrove", "Woodgrove Bank"),
]
LOG_DAYS = 3  # spend logs cover today and the two days before; older days are daily rows only
