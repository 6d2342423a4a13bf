"""Request logs (SpendLogs) and error logs: time-bounded keyset pages."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from django.db.models import Q

MAX_LOG_WINDOW = timedelta(days=31)
LOG_PAGE_SIZE = 50
LOG_LIST_FIELDS = [
    "request_id",
    "start_time",
    "end_time",
    "api_key",
    "user",
    "team_id",
    "model",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "call_type",
    "metadata",
]


def encode_cursor(start_time: datetime, request_id: str) -> str:
    raw = f"{start_time.isoformat()}|{request_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str] | None:
    """The (startTime, request_id) an encode_cursor() string holds; None for anything else
    (garbage, an aware time, a NUL or unpaired surrogate PostgreSQL would refuse)."""
    from config.validation import text_problem

    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, request_id = raw.split("|", 1)
        at = datetime.fromisoformat(stamp)
    except (ValueError, UnicodeDecodeError):
        return None
    if at.tzinfo is not None or text_problem(request_id) or len(request_id) > 1000:
        return None
    return at, request_id


def spend_logs_visible_q(principal) -> Q:
    """SpendLogs a person may see (the policy decides)."""
    return principal.spend_logs_q()


def _resolved(principal, kind: str, value):
    """A filter's value as a config.lookups.Match (the forms hand over Matches already; a
    plain string is resolved here, for callers without a form)."""
    from config import lookups

    if isinstance(value, lookups.Match):
        return value
    return getattr(lookups, f"resolve_{kind}")(principal, str(value))


def _model_q(match, model: str, group: str) -> Q:
    column = group if match.column == "model_group" else model
    return Q(**{f"{column}__in": match.ids})


def spend_logs_queryset(principal, *, start: datetime, end: datetime, filters: dict):
    """Spend logs in [start, end), visible to `principal`, with the explorer's filters; newest
    first. Every query is bounded by the window, so it stays fast without an
    (api_key, "startTime") index: the "startTime" index narrows the scan first."""
    from usage.models import SpendLogs

    fields = [f for f in LOG_LIST_FIELDS]
    if SpendLogs.has_column("status"):
        fields.append("status")
    qs = SpendLogs.objects.only(*fields).filter(start_time__gte=start, start_time__lt=end)
    qs = qs.filter(spend_logs_visible_q(principal))
    # Entities come resolved to ids (config.lookups): a typed alias or email that matches
    # nothing the viewer sees matches no rows.
    for kind, column in (("key", "api_key"), ("user", "user"), ("team", "team_id"), ("end_user", "end_user")):
        if filters.get(kind):
            qs = qs.filter(**{f"{column}__in": _resolved(principal, kind, filters[kind]).ids})
    if filters.get("org"):
        # SpendLogs has no organization column: an organization's requests are its teams'.
        from accounts.models import TeamTable

        org_ids = _resolved(principal, "org", filters["org"]).ids
        qs = qs.filter(team_id__in=TeamTable.objects.filter(organization_id__in=org_ids).values("team_id"))
    if filters.get("model"):
        qs = qs.filter(_model_q(_resolved(principal, "model", filters["model"]), "model", "model_group"))
    if filters.get("status") and SpendLogs.has_column("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("min_spend") is not None:
        qs = qs.filter(spend__gte=filters["min_spend"])
    return qs.order_by("-start_time", "-request_id")


def keyset_page(queryset, cursor: tuple[datetime, str] | None, *, size: int | None = None):
    """One page after `cursor` (a (startTime, request_id) pair) in newest-first order, with
    the cursor of the next page (None on the last). No OFFSET, no COUNT(*)."""
    size = size or LOG_PAGE_SIZE
    if cursor is not None:
        at, request_id = cursor
        queryset = queryset.filter(Q(start_time__lt=at) | Q(start_time=at, request_id__lt=request_id))
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1].start_time, rows[-1].request_id)
    return rows, next_cursor


def error_logs_queryset(*, start: datetime, end: datetime, filters: dict):
    from usage.models import ErrorLogs

    qs = ErrorLogs.objects.defer("request_kwargs").filter(start_time__gte=start, start_time__lt=end)
    if filters.get("model"):
        # ErrorLogs has no "model" column: a model name is the end of litellm_model_name
        # ("anthropic/claude-3-5-sonnet-20241022"), a group its model_group
        match = _resolved(None, "model", filters["model"])
        if match.column == "model_group":
            qs = qs.filter(model_group__in=match.ids)
        else:
            qs = qs.filter(Q(litellm_model_name__in=match.ids) | Q(litellm_model_name__endswith=f"/{match.typed}"))
    if filters.get("exception_type"):
        qs = qs.filter(exception_type=filters["exception_type"])
    if filters.get("status_code"):
        qs = qs.filter(status_code=filters["status_code"])
    return qs.order_by("-start_time", "-request_id")
