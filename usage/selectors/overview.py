"""Overview: headline figures, daily series, models and providers in one statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from config.litellm import table_name

from .cache import _segmented
from .periods import Period
from .ranking import MAX_SERIES, NONE_LABEL, OTHER_LABEL, RANK_DIGITS, TOP_N, labels
from .scopes import Scope, scope_filter
from .sql import _fetch, _none


@dataclass
class Figure:
    key: str
    label: str
    value: float | None  # None: no requests to take a rate or an average of
    previous: float | None
    kind: str = "int"  # int, money, percent

    @property
    def change(self) -> float | None:
        """Relative change against the previous period (None when it had nothing)."""
        if not self.previous or self.value is None:
            return None
        return (self.value - self.previous) / abs(self.previous)


@dataclass
class DailySeries:
    """Per-day figures for a period; `spend_by` is {series label: [spend per day]}."""

    dates: list[date]
    stack: str
    spend_by: dict[str, list[float]] = field(default_factory=dict)
    prompt_tokens: list[int] = field(default_factory=list)
    completion_tokens: list[int] = field(default_factory=list)
    cache_tokens: list[int] = field(default_factory=list)
    successful: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def spend(self) -> list[float]:
        if not self.spend_by:
            return [0.0] * len(self.dates)
        return [sum(values) for values in zip(*self.spend_by.values(), strict=True)]

    def cumulative_spend(self) -> list[float]:
        total, out = 0.0, []
        for value in self.spend:
            total += value
            out.append(total)
        return out


@dataclass
class BreakdownRow:
    id: str
    label: str
    spend: float
    tokens: int
    requests: int
    share: float  # of the scope's spend in this table, 0..1


@dataclass
class Overview:
    figures: list[Figure]
    series: DailySeries
    models: list[BreakdownRow]
    providers: list[BreakdownRow]


COUNTERS = ["spend", "prompt", "completion", "cache_read", "cache_creation", "requests", "successful", "failed"]


def overview(scope: Scope, period: Period, *, stack: str = "model") -> Overview:
    """Figures for the period and the previous one of equal length, spend/tokens/outcomes per
    day, and the model and provider breakdowns: one statement grouped by (date, model,
    provider) over both periods, which the database reduces to a few hundred rows. Closed days
    come from the cache where it holds them (see `_cached_segment`)."""
    prev = period.previous()
    rows = _segmented(scope, "overview", prev.start, period.end, _overview_rows)
    dates = period.dates()
    index = {d.isoformat(): i for i, d in enumerate(dates)}
    n = len(dates)
    cur_total = dict.fromkeys(COUNTERS, 0)
    old_total = dict.fromkeys(COUNTERS, 0)
    series = DailySeries(dates=dates, stack=stack)
    series.prompt_tokens, series.completion_tokens, series.cache_tokens = [0] * n, [0] * n, [0] * n
    series.successful, series.failed = [0] * n, [0] * n
    per_model: dict[str, list[float]] = {}
    groups: dict[str, dict[str, list]] = {"models": {}, "providers": {}}
    for day, model, provider, *values in rows:
        counters = dict(zip(COUNTERS, values, strict=True))
        i = index.get(day)
        if i is None:  # the previous period (or a malformed date string, which is skipped)
            if prev.start.isoformat() <= day < period.start.isoformat():
                for k, v in counters.items():
                    old_total[k] += v
            continue
        for k, v in counters.items():
            cur_total[k] += v
        per_model.setdefault(model, [0.0] * n)[i] += counters["spend"]
        series.prompt_tokens[i] += counters["prompt"]
        series.completion_tokens[i] += counters["completion"]
        series.cache_tokens[i] += counters["cache_read"] + counters["cache_creation"]
        series.successful[i] += counters["successful"]
        series.failed[i] += counters["failed"]
        for name, key in (("models", model), ("providers", provider)):
            acc = groups[name].setdefault(key, [0.0, 0, 0])
            acc[0] += counters["spend"]
            acc[1] += counters["prompt"] + counters["completion"]
            acc[2] += counters["requests"]
    if stack == "team":
        per_model = _spend_per_day_by_team(scope, period, index)
    series.spend_by = _top_series(per_model, n, "teams" if stack == "team" else "models")
    total = cur_total["spend"]
    return Overview(
        figures=_figures(cur_total, old_total),
        series=series,
        models=_ranked("models", groups["models"], total),
        providers=_ranked("providers", groups["providers"], total),
    )


def _overview_rows(scope: Scope, start: str, stop: str) -> list[tuple]:
    """(date, model, provider, 8 counters) for start <= date < stop on the scope's own table."""
    table = scope.base_table
    where, params = scope_filter(scope, table)
    sql = f"""
        SELECT date, {_none("model")}, {_none("custom_llm_provider")}, SUM(spend), SUM(prompt_tokens),
               SUM(completion_tokens), SUM(cache_read_input_tokens), SUM(cache_creation_input_tokens),
               SUM(api_requests), SUM(successful_requests), SUM(failed_requests)
        FROM "{table_name(table)}"
        WHERE date >= %s AND date < %s AND {where}
        GROUP BY 1, 2, 3
    """
    return [
        (day, model, provider, float(spend or 0), *(int(v or 0) for v in rest))
        for day, model, provider, spend, *rest in _fetch(sql, [start, stop, *params])
    ]


def _team_day_rows(scope: Scope, start: str, stop: str) -> list[tuple]:
    """(date, team, spend) for start <= date < stop: DailyTeamSpend grouped by (date, team)."""
    where, params = scope_filter(scope, "DailyTeamSpend")
    sql = f"""
        SELECT date, {_none("team_id")}, SUM(spend) FROM "{table_name("DailyTeamSpend")}"
        WHERE date >= %s AND date < %s AND {where} GROUP BY 1, 2
    """
    return [(d, t, float(s or 0)) for d, t, s in _fetch(sql, [start, stop, *params])]


def _spend_per_day_by_team(scope: Scope, period: Period, index: dict[str, int]) -> dict[str, list[float]]:
    """Spend per day and team (stacking by team)."""
    out: dict[str, list[float]] = {}
    for day, team, spend in _segmented(scope, "team_days", period.start, period.end, _team_day_rows):
        if day in index:
            out.setdefault(team, [0.0] * len(index))[index[day]] += spend
    return out


def _top_series(per_series: dict[str, list[float]], n: int, kind: str) -> dict[str, list[float]]:
    """The MAX_SERIES - 1 biggest series by name, the rest lumped together as Other."""
    ranked = sorted(per_series.items(), key=lambda item: (-round(sum(item[1]), RANK_DIGITS), item[0]))
    keep = ranked if len(ranked) <= MAX_SERIES else ranked[: MAX_SERIES - 1]
    names = labels(kind, [s for s, _ in keep])
    result = {names.get(s, s) or NONE_LABEL: values for s, values in keep}
    if len(ranked) > len(keep):
        other = [0.0] * n
        for _, values in ranked[len(keep) :]:
            other = [a + b for a, b in zip(other, values, strict=True)]
        result[OTHER_LABEL] = other
    return result


def _ranked(name: str, groups: dict[str, list], total: float, limit: int = TOP_N) -> list[BreakdownRow]:
    ranked = sorted(groups.items(), key=lambda item: (-round(item[1][0], RANK_DIGITS), item[0]))[:limit]
    return [
        BreakdownRow(
            id=k,
            label=k or ("unknown" if name == "providers" else NONE_LABEL),
            spend=spend,
            tokens=tokens,
            requests=requests,
            share=(spend / total) if total else 0.0,
        )
        for k, (spend, tokens, requests) in ranked
    ]


def _figures(cur: dict, old: dict) -> list[Figure]:
    # No requests means no rate and no average (shown as "—"), not 0 %: a scope that matched
    # nothing read "Success rate 0.0%".
    def rate(d):
        done = d["successful"] + d["failed"]
        return (d["successful"] / done) if done else None

    def avg_cost(d):
        return (d["spend"] / d["requests"]) if d["requests"] else None

    def cache(d):
        return d["cache_read"] + d["cache_creation"]

    return [
        Figure("spend", "Spend", cur["spend"], old["spend"], "money"),
        Figure("requests", "Requests", cur["requests"], old["requests"]),
        Figure("successful", "Successful", cur["successful"], old["successful"]),
        Figure("failed", "Failed", cur["failed"], old["failed"]),
        Figure("success_rate", "Success rate", rate(cur), rate(old), "percent"),
        Figure("prompt_tokens", "Prompt tokens", cur["prompt"], old["prompt"]),
        Figure("completion_tokens", "Completion tokens", cur["completion"], old["completion"]),
        Figure("cache_tokens", "Cache tokens (read + write)", cache(cur), cache(old)),
        Figure("avg_cost", "Average cost per request", avg_cost(cur), avg_cost(old), "money"),
    ]


def figures(scope: Scope, period: Period) -> list[Figure]:
    return overview(scope, period).figures


def daily_series(scope: Scope, period: Period, *, stack: str = "model") -> DailySeries:
    return overview(scope, period, stack=stack).series
