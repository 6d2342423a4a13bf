"""One evaluation pass: every budget the budget overview knows, in set-based SQL.

Statements, however many entities: the settings and overrides (2), the candidates from
budgets.selectors.budget_union (1: only rows at or past their lowest threshold or soft budget),
the alerts already recorded for them (1), their recipients (recipients.resolve: up to 4), the
spike queries (spikes.py: 4), the insert (1 per 1,000 new alerts), the new rows (1), their
deliveries (1) and their jobs (1). A threshold is recorded once per budget period: the period is
the budget's `budget_reset_at` (a reset moves it, re-arming the thresholds) and its cap (a budget
with no reset fires once until it is raised); the unique constraint on console_alert makes two
concurrent passes insert it once, and only the pass whose row it is delivers it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from budgets.selectors import budget_union
from config.policy import system_principal
from config.routers import LITELLM_ALIAS

from . import messages, recipients, spikes
from .channels import configured_channels
from .models import Alert, AlertOverride, AlertSettings, Delivery

SYSTEM = system_principal("alerts")


@dataclass
class Rules:
    thresholds: list[float]
    soft_budget: bool = True
    spikes: bool = True
    muted: bool = False
    extra_emails: list[str] = field(default_factory=list)


@dataclass
class PassResult:
    created: list[Alert]
    statements: int = 0

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for alert in self.created:
            out[alert.status] = out.get(alert.status, 0) + 1
        return out


def load_rules() -> tuple[dict[str, Rules], dict[tuple[str, str], AlertOverride]]:
    defaults = {}
    for row in AlertSettings.objects.all():
        defaults[row.kind] = Rules(
            thresholds=sorted(row.thresholds) or list(settings.ALERT_THRESHOLDS),
            soft_budget=row.soft_budget,
            spikes=row.spikes,
            muted=row.muted,
            extra_emails=list(row.extra_emails),
        )
    overrides = {(o.kind, o.object_id): o for o in AlertOverride.objects.all()}
    return defaults, overrides


def rules_for(kind: str, object_id: str, defaults, overrides, now) -> Rules:
    base = defaults.get(kind) or Rules(thresholds=sorted(settings.ALERT_THRESHOLDS))
    rules = Rules(base.thresholds, base.soft_budget, base.spikes, base.muted, [*base.extra_emails])
    override = overrides.get((kind, object_id))
    if override:
        if override.thresholds is not None:
            rules.thresholds = sorted(override.thresholds)
        if override.soft_budget is not None:
            rules.soft_budget = override.soft_budget
        if override.muted and (override.muted_until is None or override.muted_until > now):
            rules.muted = True
        rules.extra_emails += override.extra_emails
    rules.extra_emails += settings.ALERT_EXTRA_EMAILS
    return rules


def _aware(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def budget_period(reset_at, max_budget) -> str:
    cap = "none" if max_budget is None else f"{max_budget:g}"
    return f"{_aware(reset_at).isoformat() if reset_at else 'no reset'} | cap {cap}"


def _candidates(lowest: float) -> list[tuple]:
    base, params = budget_union(SYSTEM)
    sql = (
        f"SELECT kind, object_id, name, parent_id, spend, max_budget, soft_budget, reset_at, pct FROM ({base}) AS b "
        "WHERE pct >= %s OR (soft_budget IS NOT NULL AND spend >= soft_budget)"
    )
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(sql, [*params, lowest])
        return cursor.fetchall()


def _existing(pairs: list[tuple[str, str]], rules_: tuple[str, ...]) -> set[tuple]:
    if not pairs:
        return set()
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"SELECT kind, object_id, rule, threshold, period FROM {Alert._meta.db_table} "
            "WHERE rule = ANY(%s) AND (kind, object_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
            [list(rules_), [p[0] for p in pairs], [p[1] for p in pairs]],
        )
        return set(cursor.fetchall())


def budget_alerts(defaults, overrides, now) -> list[tuple[Alert, Rules]]:
    thresholds = [t for r in defaults.values() for t in r.thresholds] + [
        t for o in overrides.values() for t in (o.thresholds or [])
    ]
    lowest = min([*thresholds, *settings.ALERT_THRESHOLDS])
    rows = _candidates(lowest)
    existing = _existing([(r[0], r[1]) for r in rows], ("budget", "soft"))
    out = []
    for kind, object_id, name, parent_id, spend, max_budget, soft_budget, reset_at, pct in rows:
        rules = rules_for(kind, object_id, defaults, overrides, now)
        period = budget_period(reset_at, max_budget)
        if kind == "member":  # one person has a member budget per team: the team is part of the period
            period = f"team {parent_id} | {period}"
        common = dict(
            kind=kind,
            object_id=object_id,
            name=name or object_id,
            period=period,
            spend=spend or 0.0,
            max_budget=max_budget,
            soft_budget=soft_budget,
            pct=pct,
            reset_at=_aware(reset_at),
            team_id=parent_id if kind in ("key", "member") else None,
        )
        crossed = [t for t in rules.thresholds if pct is not None and pct >= t]
        for threshold in crossed:
            if (kind, object_id, "budget", float(threshold), period) in existing:
                continue
            status = "superseded" if threshold != crossed[-1] else "pending"
            out.append((Alert(rule="budget", threshold=float(threshold), status=status, **common), rules))
        if rules.soft_budget and soft_budget is not None and (spend or 0) >= soft_budget:
            if (kind, object_id, "soft", float(soft_budget), period) not in existing:
                out.append((Alert(rule="soft", threshold=float(soft_budget), **common), rules))
    return out


def _usable(channels: list[str], alert: Alert) -> list[str]:
    """The channels an alert can go to: email only when someone has an address."""
    return [c for c in channels if c != "email" or alert.recipients]


def evaluate(*, deliver_now: bool = False) -> PassResult:
    """One pass; new alerts get one delivery per configured channel, queued as jobs (or, with
    deliver_now, attempted here: `manage.py alerts --once`)."""
    now = timezone.now()
    defaults, overrides = load_rules()
    found = budget_alerts(defaults, overrides, now)
    found += spikes.spike_alerts(defaults, overrides, now, rules_for, _existing)
    targets = []
    for alert, _rules in found:
        target = recipients.Target(alert.kind, alert.object_id, parent_id=alert.team_id)
        targets.append(target)
    recipients.resolve(targets)
    pass_id = uuid.uuid4()
    channels = configured_channels()
    for (alert, rules), target in zip(found, targets, strict=True):
        alert.owner_id, alert.team_id, alert.org_id = target.owner_id, target.team_id, target.org_id
        alert.recipients = list(dict.fromkeys([*target.emails, *(e.lower() for e in rules.extra_emails)]))
        alert.skipped = target.skipped
        alert.evaluation = pass_id
        alert.subject, alert.message = messages.compose(alert)
        if alert.status == "pending":
            if rules.muted:
                alert.status = "muted"
            elif not _usable(channels, alert):
                alert.status = "no_recipient"
    with transaction.atomic(using="default"):
        Alert.objects.bulk_create([a for a, _ in found], ignore_conflicts=True, batch_size=1000)
        created = list(Alert.objects.filter(evaluation=pass_id).order_by("id"))
        deliveries = [
            Delivery(alert=alert, channel=channel)
            for alert in created
            if alert.status == "pending"
            for channel in _usable(channels, alert)
        ]
        Delivery.objects.bulk_create(deliveries, batch_size=1000)
        if not deliver_now:
            from jobs import defer

            defer("alerts.deliver", *({"delivery_id": d.id} for d in deliveries))
    if deliver_now:
        from .channels import attempt

        for delivery in Delivery.objects.filter(alert__evaluation=pass_id).select_related("alert"):
            while delivery.status in ("pending", "retrying") and not attempt(delivery):
                pass
        created = list(Alert.objects.filter(evaluation=pass_id).order_by("id"))
    return PassResult(created=created)
