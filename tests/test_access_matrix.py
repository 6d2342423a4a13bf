"""The role x action matrix: every URL pattern (read from the resolver, so a new page cannot be
forgotten) x the cast x GET and POST, against a table kept here by hand.

The table is ours, not the policy's: it says what each person should get, so a rule that is
wrongly widened or narrowed in config/policy/ (or a view that forgets to ask it) fails here.
Every refused request is also checked to have written nothing to LiteLLM's tables.

Codes: 200 page, 302 redirect (done, or sent elsewhere), 400 form errors, 403 refused,
404 not visible, 405 method not served, 410 link unusable. A POST carries no form data, so
an allowed form answers with its errors (200/400) and an allowed button does its action (302).

To see what the pages answer today (e.g. after adding a page), run with MATRIX_PRINT=1 and
compare with EXPECTED before changing it.
"""

from __future__ import annotations

import os

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config import litellm, policy, writes
from reports.close import close_month
from tests import factories
from tests.cast import ROLES, TenPeople

pytestmark = pytest.mark.django_db(databases="__all__")

# Who asks: the ten people of tests/cast.py (ROLES, imported from there).

# Pages the matrix does not drive: Django's admin (its own permission system, tested in
# tests/test_admin.py), sign-in/out (password and SSO: tests/accounts/test_sso.py) and static files.
SKIPPED_PREFIXES = ("admin/", "static/", "accounts/login/", "accounts/logout/", "accounts/sso/")


def url_params() -> dict[str, list[str]]:
    """Every named console URL -> the names of its parameters."""
    names = {}

    def walk(patterns, prefix="", namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if route.startswith(SKIPPED_PREFIXES) or not entry.name:
                    continue
                params = list(entry.pattern.converters)
                names[f"{namespace}:{entry.name}" if namespace else entry.name] = params

    walk(get_resolver().url_patterns)
    return names


def url_names() -> list[str]:
    return sorted(url_params())


class World:
    """The cast plus one object of every kind the URLs name, all inside cast.team/cast.org."""

    def __init__(self, cast):
        self.cast = cast
        self.people = TenPeople(cast)
        self.viewer_team_admin = self.people.viewer_team_admin
        # A proxy admin who joined the team: a team admin gains no authority over them.
        self.admin_in_team = factories.make_user(role=policy.PROXY_ADMIN, email="admin-in-team@example.com")
        team = factories.make_team(
            alias="Mixed",
            organization_id=cast.org["organization_id"],
            members=[(self.viewer_team_admin, "admin"), (cast.member, "user")],
        )
        self.mixed_team = team
        key = factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"], alias="member-key")
        self.key = key
        self.budget = factories.make_budget(max_budget=50.0)
        self.end_user = factories.make_end_user(user_id="customer-matrix")
        self.newcomer = factories.make_user(role=policy.INTERNAL_USER, email="newcomer@example.com", teams=[])
        self.invitation = factories.make_invitation(
            user_id=self.newcomer["user_id"], created_by=cast.team_admin["user_id"]
        )
        self.log = factories.make_spend_log(api_key=key["token"], user=cast.member["user_id"])
        self.report = close_month("2025-01")
        with connections["default"].cursor() as cursor:  # a failed job for /jobs/<id>/retry/
            cursor.execute(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, attempts) "
                "VALUES ('default', 'alerts.deliver', '{}', 'failed', 5) RETURNING id"
            )
            self.job_id = cursor.fetchone()[0]
        self.deployment = factories.make_proxy_model("matrix-model", "matrix-gpt", {"id": "matrix-model"})
        self.notification = factories.make_model_request(cast.member["user_id"], ["matrix-gpt"])
        self.audit_id = writes.audit(
            writes.Actor(cast.proxy_admin["user_id"]), writes.UPDATED, "TeamTable", cast.team["team_id"], {}, {}
        )

    def kwargs_for(self, name: str) -> dict:
        c = self.cast
        values = {
            "user_id": c.member["user_id"],
            "team_id": c.team["team_id"],
            "org_id": c.org["organization_id"],
            "end_user_id": self.end_user["user_id"],
            "invitation_id": self.invitation["id"],
            "token": self.key["token"],
            "kind": "team",
            "budget_id": self.budget["budget_id"],
            "request_id": self.log["request_id"],
            "pk": self.audit_id,
            "month": self.report.label,
            "channel": "email",  # not configured in the tests: an allowed test alert answers 404
            "job_id": self.job_id,
            "model_id": self.deployment["model_id"],
            "notification_id": self.notification["request_id"],
        }
        return {k: values[k] for k in url_params()[name]}

    def client_for(self, role: str) -> Client:
        return self.people.client(role)


def litellm_fingerprint() -> dict[str, str]:
    """One md5 per LiteLLM table over all its rows: equal before and after = nothing written."""
    tables = sorted(litellm.catalog().columns)
    parts = [
        f"SELECT '{t}', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x" for t in tables
    ]
    with connections["litellm"].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def observe(world, name: str, role: str, method: str) -> tuple[int, bool]:
    """(status, wrote_nothing) for one request, rolled back afterwards."""
    url = reverse(name, kwargs=world.kwargs_for(name))
    client = world.client_for(role)
    with transaction.atomic(using="litellm"), transaction.atomic(using="default"):
        before = litellm_fingerprint()
        response = client.get(url) if method == "GET" else client.post(url, {})
        unchanged = litellm_fingerprint() == before
        transaction.set_rollback(True, using="litellm")
        transaction.set_rollback(True, using="default")
    return response.status_code, unchanged


REFUSED = {403, 404, 405, 410}

# name -> {role: (GET status, POST status)}. Kept by hand: read a change here as a change of
# who may do what. The kwargs each page gets are in World.kwargs_for.
# fmt: off
EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "accounts:enduser_block": {
        "PA": (405, 302), "AV": (405, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "accounts:enduser_create": {  # a POST without an id is a form error (200)
        "PA": (200, 200), "AV": (403, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:enduser_edit": {  # a POST without the form's signed values is refused (200)
        "PA": (200, 200), "AV": (403, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:enduser_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "accounts:invitation_accept": {  # a bare invitation id is not the link's secret
        "PA": (410, 410), "AV": (410, 410), "OA": (410, 410), "TA": (410, 410), "MB": (410, 410),
        "OU": (410, 410), "IV": (410, 410), "VTA": (410, 410), "OPS": (410, 410), "STAFF": (410, 410),
    },
    "accounts:invitation_create": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (200, 200), "MB": (403, 403),
        "IV": (403, 403), "OU": (200, 200), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:invitation_detail": {
        "PA": (200, 405), "AV": (200, 405), "OA": (404, 405), "TA": (200, 405), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 405), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "accounts:invitation_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (403, 403),
        "IV": (403, 403), "OU": (200, 405), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "accounts:invitation_reissue": {
        "PA": (405, 302), "AV": (405, 403), "OA": (405, 404), "TA": (405, 302), "MB": (403, 403),
        "IV": (403, 403), "OU": (405, 404), "VTA": (403, 403), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "accounts:invitation_revoke": {
        "PA": (405, 302), "AV": (405, 403), "OA": (405, 404), "TA": (405, 302), "MB": (403, 403),
        "IV": (403, 403), "OU": (405, 404), "VTA": (403, 403), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "accounts:org_create": {
        "PA": (200, 200), "AV": (403, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:org_detail": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "accounts:org_delete": {  # proxy admins only: its org admin sees it and is refused
        "PA": (200, 302), "AV": (403, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 302), "STAFF": (403, 403),
    },
    "accounts:org_edit": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:org_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "accounts:org_member_add": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:org_member_remove": {
        "PA": (405, 302), "AV": (405, 403), "OA": (405, 302), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "accounts:org_member_role": {
        "PA": (405, 302), "AV": (405, 403), "OA": (405, 302), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "accounts:team_create": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:team_delete": {
        "PA": (200, 302), "AV": (403, 403), "OA": (200, 302), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 404), "VTA": (404, 404), "OPS": (200, 302), "STAFF": (403, 403),
    },
    "accounts:team_detail": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (200, 405), "OU": (404, 405), "VTA": (404, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "accounts:team_edit": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 404), "VTA": (404, 404), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:team_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (200, 405), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "accounts:team_member_add": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (200, 200), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 404), "VTA": (404, 404), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:team_member_budget": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (200, 200), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 404), "VTA": (404, 404), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:team_member_remove": {
        "PA": (405, 302), "AV": (405, 403), "OA": (405, 302), "TA": (405, 302), "MB": (405, 403),
        "IV": (405, 403), "OU": (405, 404), "VTA": (405, 404), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "accounts:team_member_role": {
        "PA": (405, 302), "AV": (405, 403), "OA": (405, 302), "TA": (405, 302), "MB": (405, 403),
        "IV": (405, 403), "OU": (405, 404), "VTA": (405, 404), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "accounts:user_create": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:user_delete": {
        "PA": (200, 302), "AV": (403, 403), "OA": (200, 302), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 404), "VTA": (403, 403), "OPS": (200, 302), "STAFF": (403, 403),
    },
    "accounts:user_detail": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 405), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "accounts:user_edit": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 404), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "accounts:user_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (403, 403),
        "IV": (403, 403), "OU": (200, 405), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "accounts:user_password_reset": {
        "PA": (405, 302), "AV": (405, 403), "OA": (405, 302), "TA": (405, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (405, 404), "VTA": (403, 403), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "alerts:alert_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (403, 403),
        "IV": (403, 403), "OU": (200, 405), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "alerts:test_alert": {
        "PA": (405, 404), "AV": (405, 403), "OA": (405, 403), "TA": (405, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (405, 403), "VTA": (403, 403), "OPS": (405, 404), "STAFF": (405, 403),
    },
    "entity_choices": {  # a filter datalist's choices: each person's own, scoped list (tests/test_filters.py)
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (200, 405), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "jobs:job_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "jobs:job_retry": {
        "PA": (405, 302), "AV": (405, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "audit:audit_detail": {
        "PA": (200, 405), "AV": (200, 405), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "audit:audit_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "database:health": {
        "PA": (200, 405), "AV": (403, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "budgets:budget_overview": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "budgets:budget_row_create": {
        "PA": (200, 302), "AV": (403, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 302), "STAFF": (403, 403),
    },
    "budgets:budget_row_edit": {
        "PA": (200, 200), "AV": (403, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "budgets:budget_rows": {
        "PA": (200, 405), "AV": (200, 405), "OA": (403, 405), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "budgets:team_members": {
        "PA": (200, 200), "AV": (200, 403), "OA": (200, 200), "TA": (200, 200), "MB": (200, 403),
        "IV": (200, 403), "OU": (404, 404), "VTA": (404, 404), "OPS": (200, 200), "STAFF": (200, 403),
    },
    "deployments:model_choices": {
        "PA": (200, 405), "AV": (403, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (403, 405), "OU": (200, 405), "VTA": (403, 405), "OPS": (200, 405), "STAFF": (403, 405),
    },
    "deployments:model_create": {
        "PA": (200, 200), "AV": (403, 403), "OA": (403, 403), "TA": (200, 200), "MB": (403, 403),
        "IV": (403, 403), "OU": (200, 200), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "deployments:model_delete": {
        "PA": (200, 302), "AV": (403, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 302), "STAFF": (403, 403),
    },
    "deployments:model_detail": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (200, 405), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "deployments:model_edit": {
        "PA": (200, 200), "AV": (403, 403), "OA": (403, 403), "TA": (403, 403), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 403), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "deployments:model_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (200, 405), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "deployments:request_answer": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (404, 404), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 404), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "deployments:request_create": {
        "PA": (403, 403), "AV": (403, 403), "OA": (200, 200), "TA": (200, 200), "MB": (200, 200),
        "IV": (403, 403), "OU": (200, 200), "VTA": (403, 403), "OPS": (403, 403), "STAFF": (403, 403),
    },
    "deployments:request_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (403, 403), "OU": (200, 405), "VTA": (403, 403), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "deployments:team_aliases": {
        "PA": (200, 302), "AV": (403, 403), "OA": (200, 302), "TA": (200, 302), "MB": (403, 403),
        "IV": (403, 403), "OU": (404, 404), "VTA": (404, 404), "OPS": (200, 302), "STAFF": (403, 403),
    },
    "home": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (200, 405), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "keys:key_block": {
        "PA": (405, 302), "AV": (405, 403), "OA": (405, 302), "TA": (405, 302), "MB": (405, 302),
        "IV": (405, 404), "OU": (405, 404), "VTA": (405, 404), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "keys:key_bulk": {
        "PA": (405, 302), "AV": (405, 302), "OA": (405, 302), "TA": (405, 302), "MB": (405, 302),
        "IV": (405, 302), "OU": (405, 302), "VTA": (405, 302), "OPS": (405, 302), "STAFF": (405, 302),
    },
    "keys:key_create": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (200, 200), "MB": (200, 200),
        "IV": (403, 403), "OU": (200, 200), "VTA": (403, 403), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "keys:key_delete": {
        "PA": (200, 302), "AV": (403, 403), "OA": (200, 302), "TA": (200, 302), "MB": (200, 302),
        "IV": (404, 404), "OU": (404, 404), "VTA": (404, 404), "OPS": (200, 302), "STAFF": (403, 403),
    },
    "keys:key_detail": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (404, 405), "OU": (404, 405), "VTA": (404, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "keys:key_edit": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (200, 200), "MB": (200, 200),
        "IV": (404, 404), "OU": (404, 404), "VTA": (404, 404), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "keys:key_issued": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (404, 405), "OU": (404, 405), "VTA": (404, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "keys:key_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (200, 405), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "keys:key_models": {
        "PA": (200, 405), "AV": (403, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (403, 405), "OU": (200, 405), "VTA": (403, 405), "OPS": (200, 405), "STAFF": (403, 405),
    },
    "keys:key_regenerate": {
        "PA": (200, 200), "AV": (403, 403), "OA": (200, 200), "TA": (200, 200), "MB": (200, 200),
        "IV": (404, 404), "OU": (404, 404), "VTA": (404, 404), "OPS": (200, 200), "STAFF": (403, 403),
    },
    "keys:key_unblock": {
        "PA": (405, 302), "AV": (405, 403), "OA": (405, 302), "TA": (405, 302), "MB": (405, 302),
        "IV": (405, 404), "OU": (405, 404), "VTA": (405, 404), "OPS": (405, 302), "STAFF": (405, 403),
    },
    "password_change": {
        "PA": (200, 200), "AV": (200, 200), "OA": (200, 200), "TA": (200, 200), "MB": (200, 200),
        "IV": (200, 200), "OU": (200, 200), "VTA": (200, 200), "OPS": (302, 302), "STAFF": (302, 302),
    },
    "reports:month_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (403, 403),
        "IV": (403, 403), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "reports:reconcile": {
        "PA": (200, 405), "AV": (200, 405), "OA": (403, 405), "TA": (403, 405), "MB": (403, 403),
        "IV": (403, 403), "OU": (403, 405), "VTA": (403, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "reports:month_report": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (403, 403),
        "IV": (403, 403), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "usage:dashboard": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (200, 405), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "usage:errorlog_detail": {
        "PA": (404, 405), "AV": (404, 405), "OA": (403, 405), "TA": (403, 405), "MB": (403, 405),
        "IV": (403, 405), "OU": (403, 405), "VTA": (403, 405), "OPS": (404, 405), "STAFF": (404, 405),
    },
    "usage:errorlog_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (403, 405), "TA": (403, 405), "MB": (403, 405),
        "IV": (403, 405), "OU": (403, 405), "VTA": (403, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "usage:spendlog_detail": {
        "PA": (200, 405), "AV": (200, 405), "OA": (404, 405), "TA": (404, 405), "MB": (200, 405),
        "IV": (404, 405), "OU": (404, 405), "VTA": (404, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
    "usage:spendlog_list": {
        "PA": (200, 405), "AV": (200, 405), "OA": (200, 405), "TA": (200, 405), "MB": (200, 405),
        "IV": (200, 405), "OU": (200, 405), "VTA": (200, 405), "OPS": (200, 405), "STAFF": (200, 405),
    },
}
# fmt: on


def test_every_url_pattern_is_in_the_table():
    missing = [name for name in url_names() if name not in EXPECTED]
    assert not missing, f"add these pages to EXPECTED: {missing}"
    assert not (stale := [n for n in EXPECTED if n not in url_names()]), f"these pages no longer exist: {stale}"


@pytest.mark.parametrize("name", url_names())
def test_each_person_gets_what_the_table_says_and_a_refusal_writes_nothing(cast, name):
    world = World(cast)
    observed = {}
    wrongly_written = []
    for role in ROLES:
        got = []
        for method in ("GET", "POST"):
            status, unchanged = observe(world, name, role, method)
            got.append(status)
            if status in REFUSED and not unchanged:
                wrongly_written.append((role, method, status))
        observed[role] = tuple(got)
    if os.environ.get("MATRIX_PRINT"):
        print(f"\n    {name!r}: {observed!r},")
    assert not wrongly_written, f"{name}: refused requests wrote rows: {wrongly_written}"
    assert (expected := EXPECTED.get(name)) is not None, f"{name} is not in EXPECTED"
    differences = {role: (observed[role], expected[role]) for role in ROLES if observed[role] != expected[role]}
    assert not differences, f"{name}: role -> (got, expected): {differences}"
