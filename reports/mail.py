"""Emailing a closed month: the whole report (CSV attached) to REPORTS_EMAIL_TO, and each
opted-in team's section to that team's admins. Django's email backend sends (EMAIL_* settings)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage

from config.policy import INTERNAL_USER, PROXY_ADMIN_VIEWER, Principal
from config.views.export import csv_cell

from . import selectors
from .models import MonthClose, TeamReportEmail


@dataclass
class Sent:
    to: list[str]
    subject: str
    sections: int


def _csv(close: MonthClose, sections) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(selectors.CSV_HEADER)
    for section in sections:
        for row in selectors.section_csv_rows(close, section):
            writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def _body(close: MonthClose, sections) -> str:
    lines = [
        f"LiteLLM report {close.label}, version {close.version} (closed {close.closed_at:%Y-%m-%d %H:%M} UTC).",
        "",
    ]
    for s in sections:
        f = s.headline.figure if s.headline else None
        if f is not None:
            lines.append(f"{s.title}: spend ${f.spend:,.2f}, {f.api_requests:,} requests")
    lines += [
        "",
        f"Method: {close.method}",
        "",
        f"{settings.CONSOLE_BASE_URL}/reports/{close.label}/?version={close.version}",
    ]
    return "\n".join(lines)


def _send(close: MonthClose, principal: Principal, to: list[str]) -> Sent | None:
    sections = selectors.visible_sections(principal, close, limit=None)
    if not to or not sections:
        return None
    subject = f"LiteLLM report {close.label} (version {close.version})"
    message = EmailMessage(subject, _body(close, sections), to=to)
    message.attach(f"report-{close.label}-v{close.version}.csv", _csv(close, sections), "text/csv")
    message.send()
    return Sent(to, subject, len(sections))


def team_admin_emails(team_id: str) -> list[str]:
    from accounts.models import TeamTable, UserTable

    roles = TeamTable.objects.filter(team_id=team_id).values_list("members_with_roles", flat=True).first() or []
    admins = [m.get("user_id") for m in roles if isinstance(m, dict) and m.get("role") == "admin" and m.get("user_id")]
    emails = UserTable.objects.filter(user_id__in=admins).exclude(user_email=None).values_list("user_email", flat=True)
    return sorted({e for e in emails if e})


def email_report(close: MonthClose) -> list[Sent]:
    """Send `close` to every configured recipient; returns what was sent."""
    sent = []
    recipients = list(getattr(settings, "REPORTS_EMAIL_TO", []))
    whole = _send(close, Principal(label="report recipients", role=PROXY_ADMIN_VIEWER), recipients)
    if whole:
        sent.append(whole)
    for team_id in TeamReportEmail.objects.order_by("team_id").values_list("team_id", flat=True):
        # the team's section alone, as its admins read it on the page
        reader = Principal(label=f"admins of {team_id}", role=INTERNAL_USER, team_admin_of=frozenset({team_id}))
        one = _send(close, reader, team_admin_emails(team_id))
        if one:
            sent.append(one)
    return sent
