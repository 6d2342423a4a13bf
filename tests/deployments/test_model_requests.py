"""Model access requests: an internal user asks, a proxy admin (or their org admin) approves
(the models reach the key named, or the user, through the audited write path) or disapproves
with a reason the requester reads; two answers at once write one."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.urls import reverse

from accounts.models import UserTable
from config.errors import ChangeRefused
from config.models import AuditLog, UserNotifications
from deployments import requests
from deployments.models import ModelRequestAnswer
from keys.models import VerificationToken
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

LIST = reverse("deployments:request_list")
NEW = reverse("deployments:request_create")


@pytest.fixture
def deployments():
    factories.make_proxy_model("m-1", "gpt-4o", {"id": "m-1", "access_groups": ["beta"]})
    factories.make_proxy_model("m-2", "claude-3", {"id": "m-2"})


def ask(client, *, key=None, models=("gpt-4o",)):
    url = NEW + (f"?key={key}" if key else "")
    return client.post(url, {"models": list(models), "justification": "For the eval project"})


def test_member_asks_and_admin_approves_into_the_key(cast, client_for, deployments):
    key = factories.make_key(alias="eval", user_id=cast.member["user_id"], models=["claude-3"])
    member = client_for(cast.member)
    assert ask(member, key=key["token"], models=("gpt-4o", "beta")).status_code == 302
    row = UserNotifications.objects.get()
    assert (row.user_id, row.models, row.status) == (cast.member["user_id"], ["gpt-4o", "beta"], "pending")
    assert row.justification == "For the eval project"
    admin = client_for(cast.proxy_admin)
    assert ">1</span>" in admin.get(reverse("home")).content.decode()  # the count in the navigation
    answer = reverse("deployments:request_answer", args=[row.request_id])
    assert "key eval" in admin.get(answer).content.decode()
    assert admin.post(answer, {"decision": "approve"}).status_code == 302
    assert VerificationToken.objects.get(token=key["token"]).models == ["claude-3", "gpt-4o", "beta"]
    assert UserNotifications.objects.get().status == "approved"
    assert AuditLog.objects.filter(object_id=key["token"], action="updated").exists()
    assert "approved" in member.get(LIST).content.decode()
    refused = admin.post(answer, {"decision": "disapprove", "reason": "late"})
    assert "already approved" in refused.content.decode()


def test_disapproved_with_a_reason_the_requester_reads(cast, client_for, deployments):
    member = client_for(cast.member)
    ask(member)
    row = UserNotifications.objects.get()
    org_admin = client_for(cast.org_admin)
    answer = reverse("deployments:request_answer", args=[row.request_id])
    no_reason = org_admin.post(answer, {"decision": "disapprove", "reason": ""})
    assert no_reason.status_code == 200 and "Give the requester a reason" in no_reason.content.decode()
    org_admin.post(answer, {"decision": "disapprove", "reason": "Use claude-3 instead"})
    assert UserNotifications.objects.get().status == "disapproved"
    assert ModelRequestAnswer.objects.get().reason == "Use claude-3 instead"
    page = member.get(LIST).content.decode()
    assert "disapproved" in page and "Use claude-3 instead" in page
    assert UserTable.objects.get(user_id=cast.member["user_id"]).models in (None, [])


def test_approval_to_the_user_and_who_may_answer(cast, client_for, deployments):
    ask(client_for(cast.member))
    row = UserNotifications.objects.get()
    answer = reverse("deployments:request_answer", args=[row.request_id])
    assert client_for(cast.outsider).get(answer).status_code == 404
    assert client_for(cast.team_admin).get(answer).status_code in (403, 404)
    assert client_for(cast.admin_viewer).post(answer, {"decision": "approve"}).status_code == 403
    assert client_for(cast.member).post(answer, {"decision": "approve"}).status_code == 403
    assert client_for(cast.internal_viewer).get(NEW).status_code == 403
    client_for(cast.proxy_admin).post(answer, {"decision": "approve"})
    # An empty list meant every model: the grant keeps that and adds the request.
    assert UserTable.objects.get(user_id=cast.member["user_id"]).models == ["all-proxy-models", "gpt-4o"]


def test_someone_elses_key_is_not_found(cast, client_for, deployments):
    key = factories.make_key(alias="theirs", user_id=cast.team_admin["user_id"])
    assert client_for(cast.member).get(NEW + f"?key={key['token']}").status_code == 404


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_two_answers_at_once_write_one(cast, deployments, clean_litellm):
    from config import writes

    request_id = requests.request_models(
        actor=writes.Actor(changed_by="m"), user_id=cast.member["user_id"], models=["gpt-4o"], justification="x"
    )
    results, barrier = [], threading.Barrier(2)

    def act(approve):
        try:
            barrier.wait()
            results.append(
                requests.answer(actor=writes.Actor(changed_by="a"), request_id=request_id, approve=approve, reason="no")
            )
        except ChangeRefused as e:
            results.append(e.message)
        finally:
            for alias in connections:
                connections[alias].close()

    threads = [threading.Thread(target=act, args=(flag,)) for flag in (True, False)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    answered = [r for r in results if r in ("approved", "disapproved")]
    assert len(answered) == 1 and any("already" in r for r in results)
    assert UserNotifications.objects.get().status == answered[0]
    updates = AuditLog.objects.filter(object_id=cast.member["user_id"], action="updated").count()
    assert updates == (1 if answered[0] == "approved" else 0)
