"""The ops admin over LiteLLM's tables: what every app's admin.py builds on.

`LiteLLMAdmin` keeps the Django admin inside the console's rules:
- a table the console writes (users, teams, orgs, keys, budget rows, end users, invitations)
  is written through the console's own services (the admin overrides `create`/`update`), so
  validation, locks and audit rows are the console's; a refusal (ChangeRefused) shows next to
  its field, never a 500. Only the columns those services write are editable here;
- tables no service covers go through config.writes: an edit UPDATEs only the fields the form
  changed (never a proxy counter), an add INSERTs with ids and timestamps filled the way
  LiteLLM fills them, and each write leaves a LiteLLM_AuditLog row (changed_by = the ops login);
- an edit writes only what the person changed relative to the page they loaded (a signed
  `loaded_state` hidden field), and is refused when someone else changed that same field
  meanwhile (compared under the row lock), so two ops never silently overwrite each other;
- deletes go through the app's service where one exists (it archives and cascades as the
  proxy does), else `writes.delete_rows` plus an audit row;
- LiteLLM_UserTable.password (a hash) never appears: not in forms, lists or read-only fields;
- proxy counters (spend, model_spend, total_spend, last_active) are read-only everywhere;
- columns only newer schemas have are left out of forms, lists and filters when the live
  database lacks them (decided per request from the catalog, not at import time).
Ops superusers may change; other staff (the admin-viewer role) may only look.

`BigTableAdmin` is for the log and daily-spend tables: read-only, no COUNT(*) over millions of
rows (an estimate from pg_class, or a count capped at CAP rows when filtered), no filters
that scan for distinct values, exact-match search that can use an index.

Modules: forms.py (the change form and its loaded state), model_admin.py (LiteLLMAdmin,
ReadOnlyAdmin; ConsoleViewOnlyAdmin for the console's own tables), big_tables.py (BigTableAdmin
and its paginator and filter), display.py (label, render_rows). Import the names from
`config.admin_base`.
"""

from .big_tables import BigRecentFilter, BigTableAdmin, EstimatedCountPaginator, table_estimate  # noqa: F401
from .display import label, render_rows  # noqa: F401
from .forms import HIDDEN, LOADED_STATE, STAMPS, LiteLLMAdminForm, NullableJSONFormField, fingerprint  # noqa: F401
from .model_admin import ConsoleViewOnlyAdmin, LiteLLMAdmin, ReadOnlyAdmin  # noqa: F401
