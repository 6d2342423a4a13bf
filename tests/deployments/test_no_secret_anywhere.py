"""A provider secret entered once is never shown, exported, logged or audited in clear: every
page, CSV, log line and audit row the console makes after it was set is searched for it."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from config.models import AuditLog, ConsoleAuditLog, ProxyModelTable
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

SECRET = "planted-aws-secret-9d8c7b6a5f4e3d2c"
KEY_ID = "AKIAPLANTED12345678"


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_the_planted_secret_appears_nowhere(cast, client_for, settings, caplog):
    settings.LITELLM_SALT_KEY = "sk-salt-for-the-grep"
    admin = client_for(cast.proxy_admin)
    data = {
        "model_name": "bedrock-claude",
        "custom_llm_provider": "bedrock",
        "model": "bedrock/anthropic.claude-3-5-sonnet",
        "aws_region_name": "eu-west-1",
        "aws_access_key_id": KEY_ID,
        "aws_secret_access_key": SECRET,
        "api_key": SECRET + "-api",
        "vertex_credentials": '{"private_key": "' + SECRET + '-vertex"}',
        "team_id": cast.team["team_id"],
        "access_groups": "aws",
    }
    with caplog.at_level(logging.DEBUG):
        created = admin.post(reverse("deployments:model_create"), data)
        assert created.status_code == 302
        model_id = ProxyModelTable.objects.get().model_id
        admin.post(reverse("deployments:model_edit", args=[model_id]), data | {"aws_secret_access_key": SECRET + "2"})
        factories.make_key(alias="aws-user", user_id=cast.member["user_id"], models=["aws"])
        pages = [
            reverse("deployments:model_list"),
            reverse("deployments:model_list") + "?export=csv",
            reverse("deployments:model_list") + "?q=bedrock&export=csv",
            reverse("deployments:model_detail", args=[model_id]),
            reverse("deployments:model_edit", args=[model_id]),
            reverse("deployments:model_delete", args=[model_id]),
            reverse("deployments:model_choices"),
            reverse("accounts:team_detail", args=[cast.team["team_id"]]),
            reverse("audit:audit_list"),
            reverse("audit:audit_list") + "?export=csv",
            reverse("home"),
        ]
        pages += [reverse("audit:audit_detail", args=[a.id]) for a in AuditLog.objects.filter(object_id=model_id)]
        ops = Client()
        ops.force_login(cast.ops)
        pages_ops = ["/admin/config/proxymodeltable/", f"/admin/config/proxymodeltable/{model_id}/change/"]
        texts = [(url, body(admin.get(url))) for url in pages]
        texts += [(url, body(ops.get(url))) for url in pages_ops]
        texts += [(url, body(client_for(cast.member).get(url))) for url in pages[:4]]
        admin.post(reverse("deployments:model_delete", args=[model_id]))
    assert [url for url, text in texts if len(text) < 30] == []
    assert "bedrock-claude" in texts[0][1] and "aws_secret_access_key: set" in texts[1][1]
    found = [url for url, text in texts if SECRET in text or KEY_ID in text]
    assert not found, f"the secret is shown on {found}"
    assert SECRET not in caplog.text and KEY_ID not in caplog.text
    audits = [*AuditLog.objects.all(), *ConsoleAuditLog.objects.all()]
    assert len([a for a in audits if a.object_id == model_id]) == 3
    for audit in audits:
        assert SECRET not in str(audit.before_value) + str(audit.updated_values), audit.action
