"""Keep every LiteLLM model on the `litellm` connection, and never migrate it; send the heavy
reads of some pages to the read replica (`litellm_replica`, LITELLM_REPLICA_URL) when allowed.

Which reads may go to the replica is decided once per request by config/replica.py
(ReplicaReadsMiddleware: a GET of a usage, logs, audit or export page, a replica up and within
its lag limit, no write by this person in the last READ_YOUR_WRITES_SECONDS); it sets the
context variable below. Every write, and every read inside a transaction on the primary (a
service's reads before its write), goes to the primary whatever the page.
"""

from __future__ import annotations

import contextvars

from django.db import connections

LITELLM_ALIAS = "litellm"
REPLICA_ALIAS = "litellm_replica"

replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("console_replica_reads", default=False)


def is_litellm_model(model) -> bool:
    return getattr(model, "is_litellm_table", False)


def read_alias() -> str:
    """Where a LiteLLM read goes now: the replica when this request may use it and no
    transaction is open on the primary, else the primary. Raw SQL reads ask this too."""
    if replica_reads.get() and not connections[LITELLM_ALIAS].in_atomic_block:
        return REPLICA_ALIAS
    return LITELLM_ALIAS


class LiteLLMRouter:
    def db_for_read(self, model, **hints):
        return read_alias() if is_litellm_model(model) else "default"

    def db_for_write(self, model, **hints):
        return LITELLM_ALIAS if is_litellm_model(model) else "default"

    def allow_relation(self, obj1, obj2, **hints):
        return is_litellm_model(obj1) == is_litellm_model(obj2)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        model = hints.get("model")
        if model is not None and is_litellm_model(model):
            return False
        return db == "default"
