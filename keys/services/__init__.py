"""Virtual-key writes, done as LiteLLM's key endpoints do them (litellm-compat.md §1).

Every function is keyword-only, runs one transaction, writes only the columns it means to
change (never spend, model_spend, total_spend or last_active), and records one audit row per
key in LiteLLM's shape (object_id = the key's hash). The raw key a caller gets back from
`key_create` / `key_regenerate` is never stored or logged.

Modules: base (the secret: generation and hashing; the reads the writes share), edits
(key_create, key_update), lifecycle (block/unblock, regenerate, delete).
"""

from .base import (  # noqa: F401
    LOGICAL_TABLE,
    UI_SESSION_TEAM_ID,
    IssuedKey,
    _locked_key,
    _settings_stamp,
    abbreviate,
    alias_taken,
    hash_token,
    issue_key,
)
from .edits import EDITABLE, key_create, key_update  # noqa: F401
from .lifecycle import (  # noqa: F401
    KEY_OWNED_TABLES,
    _archive,
    _detach_from_access_groups,
    _has_key_groups,
    _repoint_key_references,
    key_block,
    key_regenerate,
    key_unblock,
    keys_delete,
    keys_set_blocked,
)
