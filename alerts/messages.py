"""What an alert says: the subject, the text (email and Slack) and the JSON webhook's payload."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from config.dates import when

KIND_WORDS = {
    "key": "Key",
    "user": "User",
    "team": "Team",
    "org": "Organization",
    "member": "Team member",
    "end_user": "End user",
    "model": "Model",
    "test": "Test",
}


def entity_path(kind: str, object_id: str, parent_id: str | None = None) -> str:
    names = {
        "key": ("keys:key_detail", object_id),
        "user": ("accounts:user_detail", object_id),
        "team": ("accounts:team_detail", object_id),
        "org": ("accounts:org_detail", object_id),
        "member": ("accounts:team_detail", parent_id),
    }
    try:
        if kind in names and names[kind][1]:
            return reverse(names[kind][0], args=[names[kind][1]])
    except NoReverseMatch:
        pass
    return reverse("alerts:alert_list")


def link(alert) -> str:
    parent = alert.team_id if alert.kind == "member" else None
    return settings.CONSOLE_BASE_URL + entity_path(alert.kind, alert.object_id, parent)


def _money(value) -> str:
    return "—" if value is None else f"${value:,.2f}"


def compose(alert) -> tuple[str, str]:
    """(subject, text) of an alert; the text says where the spend comes from, what 100 % means
    and when the budget resets."""
    who = f"{KIND_WORDS.get(alert.kind, alert.kind)} {alert.name}"
    if alert.rule == "test":
        return "Test alert from litellm-console", "This is a test alert: the channel works."
    if alert.rule == "spike":
        subject = f"Spend spike: {who} spent {_money(alert.spend)} today"
        text = (
            f"{who} has spent {_money(alert.spend)} so far on {alert.period} (UTC), against a median of "
            f"{_money(alert.baseline)} a day over the previous 14 UTC days (from LiteLLM's daily spend tables)."
        )
        return subject, text
    if alert.rule == "soft":
        subject = f"Soft budget reached: {who} at {_money(alert.spend)} of a {_money(alert.soft_budget)} soft budget"
        head = f"{who} has reached its soft budget of {_money(alert.soft_budget)}: spend is {_money(alert.spend)}."
    else:
        subject = (
            f"Budget alert: {who} at {alert.pct:.0f}% of {_money(alert.max_budget)} ({alert.threshold:g}% threshold)"
        )
        head = (
            f"{who} has used {alert.pct:.1f}% of its budget: spend {_money(alert.spend)} of "
            f"{_money(alert.max_budget)} (threshold {alert.threshold:g}%)."
        )
    source = (
        "Spend is the entity's own spend counter, which is what the proxy enforces (the daily usage "
        "tables may differ slightly)."
    )
    block = "At 100% of the max budget the proxy blocks its requests (budget exceeded)."
    if alert.reset_at:
        reset = f"The budget resets at {when(alert.reset_at)}; the thresholds re-arm then."
    else:
        reset = "This budget does not reset: this alert does not repeat unless the budget is raised."
    return subject, " ".join([head, source, block, reset])


def payload(alert) -> dict:
    """The generic JSON webhook's body."""
    return {
        "type": alert.rule,
        "entity": {"kind": alert.kind, "id": alert.object_id, "name": alert.name},
        "litellm_ids": {
            k: v
            for k, v in {
                "token": alert.object_id if alert.kind == "key" else None,
                "user_id": alert.owner_id,
                "team_id": alert.team_id,
                "organization_id": alert.org_id,
                "end_user_id": alert.object_id if alert.kind == "end_user" else None,
                "model": alert.object_id if alert.kind == "model" else None,
            }.items()
            if v
        },
        "spend": alert.spend,
        "max_budget": alert.max_budget,
        "soft_budget": alert.soft_budget,
        "threshold": alert.threshold,
        "budget_percentage_used": None if alert.pct is None else round(alert.pct, 2),
        "baseline": alert.baseline,
        "period_end": alert.reset_at.isoformat() if alert.reset_at else None,
        "day": alert.period if alert.rule == "spike" else None,
        "subject": alert.subject,
        "text": alert.message,
        "url": link(alert),
        "alert_id": alert.id,
    }
