"""A closed month is emailed, CSV attached, to REPORTS_EMAIL_TO (the whole report) and to the
admins of teams that opted in (their team's section only)."""

import csv
import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from config.writes import now_utc
from reports.close import close_month, close_previous_month
from reports.models import TeamReportEmail
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def november(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REPORTS_EMAIL_TO = ["finance@example.com"]
    for team, spend in ((cast.team, 6.0), (cast.other_team, 30.0)):
        factories.make_daily_team_spend(team["team_id"], "2026-11-10", spend=spend, api_key=f"k-{spend}")


def attachment_rows(message) -> list[list[str]]:
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".csv") and mimetype == "text/csv"
    return list(csv.reader(io.StringIO(content)))


def test_the_periodic_close_emails_the_whole_report_and_opted_in_team_sections(cast, november):
    TeamReportEmail.objects.create(team_id=cast.team["team_id"], enabled_at=now_utc())
    close_previous_month(today=date(2026, 12, 1))
    whole, team = mail.outbox
    assert whole.to == ["finance@example.com"] and "2026-11" in whole.subject
    assert "Whole proxy: spend $36.00" in whole.body
    assert {r[2] for r in attachment_rows(whole)[1:]} >= {"Whole proxy", "Team · Research", "Team · Other"}
    assert team.to == ["teamadmin@example.com"]
    sections = {r[2] for r in attachment_rows(team)[1:]}
    assert sections == {"Team · Research"}
    close_previous_month(today=date(2026, 12, 1))
    assert len(mail.outbox) == 2  # already closed: nothing closed or sent again


def test_a_refusing_mail_server_leaves_the_close_done(cast, november, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    close = close_previous_month(today=date(2026, 12, 1))
    assert close.version == 1 and close.figures.get(kind="total").spend == 36.0


def test_the_command_emails_only_when_asked(cast, november, capsys):
    close_month("2026-11", today=date(2026, 12, 1))
    assert mail.outbox == []
    call_command("close_month", "2026-11", "--email")
    assert "Emailed LiteLLM report 2026-11 (version 2) to finance@example.com" in capsys.readouterr().out
    assert len(mail.outbox) == 1
