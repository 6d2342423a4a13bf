"""Usage figures, charts and breakdowns from LiteLLM's daily spend tables, and the request
and error log explorers.

Every figure set is one SQL statement grouped in the database. The same functions feed the
pages and their CSV exports, so an export holds exactly what the page shows.

Facts this package relies on (shared/litellm-compat.md §7):
- `date` is a 'YYYY-MM-DD' UTC string; ranges compare as strings;
- the newest schema can hold several rows per entity/date/key/model (endpoint and MCP tool
  columns joined the unique key), and older proxies left NULL where newer ones write '':
  always SUM ... GROUP BY, and treat NULL and '' as the same "none";
- DailyTeamSpend and DailyUserSpend each get one row share of every request; DailyTagSpend
  one per tag (a request with two tags counts twice there).

What lives where: periods (date ranges), scopes (what figures are about, who may pick which),
sql (the read helpers), cache (closed days), ranking (order and names), overview (headline
figures and series), breakdowns (top-N tables), logs (request and error log pages).
This module re-exports their public names: `from usage import selectors; selectors.X` works.
A constant is read by the submodule that defines it, so a test that changes one patches that
submodule (e.g. selectors.logs.LOG_PAGE_SIZE, selectors.breakdowns.CACHED_TOP).
"""

from .breakdowns import BREAKDOWNS, CACHED_TOP, SPEND_ONLY_FIRST, TopGroups, breakdown
from .cache import (
    CACHE_VERSION,
    CACHED_SCOPES,
    OPEN_DAYS,
    _caching,
    _segments,
    closed_days_ttl,
    refreshing_closed_days,
)
from .logs import (
    LOG_LIST_FIELDS,
    LOG_PAGE_SIZE,
    MAX_LOG_WINDOW,
    decode_cursor,
    encode_cursor,
    error_logs_queryset,
    keyset_page,
    spend_logs_queryset,
    spend_logs_visible_q,
)
from .overview import BreakdownRow, DailySeries, Figure, Overview, daily_series, figures, overview
from .periods import MAX_CUSTOM_DAYS, RANGE_CHOICES, Period, period_for
from .ranking import NONE_LABEL, OTHER_LABEL, TOP_N, labels
from .scopes import (
    SCOPE_KINDS,
    SCOPE_LABELS,
    Scope,
    ScopeNotFound,
    ScopeRefused,
    default_scope_value,
    pick_scope,
    resolve_scope,
    scope_filter,
    scope_kinds_for,
    visible_orgs,
    visible_teams,
)
from .sql import aggregation_session

__all__ = [
    "BREAKDOWNS",
    "CACHED_TOP",
    "SPEND_ONLY_FIRST",
    "TopGroups",
    "breakdown",
    "CACHE_VERSION",
    "CACHED_SCOPES",
    "OPEN_DAYS",
    "_caching",
    "_segments",
    "closed_days_ttl",
    "refreshing_closed_days",
    "LOG_LIST_FIELDS",
    "LOG_PAGE_SIZE",
    "MAX_LOG_WINDOW",
    "decode_cursor",
    "encode_cursor",
    "error_logs_queryset",
    "keyset_page",
    "spend_logs_queryset",
    "spend_logs_visible_q",
    "BreakdownRow",
    "DailySeries",
    "Figure",
    "Overview",
    "daily_series",
    "figures",
    "overview",
    "MAX_CUSTOM_DAYS",
    "RANGE_CHOICES",
    "Period",
    "period_for",
    "NONE_LABEL",
    "OTHER_LABEL",
    "TOP_N",
    "labels",
    "SCOPE_KINDS",
    "SCOPE_LABELS",
    "Scope",
    "ScopeNotFound",
    "ScopeRefused",
    "default_scope_value",
    "pick_scope",
    "resolve_scope",
    "scope_filter",
    "scope_kinds_for",
    "visible_orgs",
    "visible_teams",
    "aggregation_session",
]
