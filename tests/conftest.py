"""Shared fixtures: the console's own tables migrated once, and a cast of principals."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections

from config import litellm, policy
from tests import factories


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """Use the embedded database as built by tests/settings.py; migrate only the console's
    own schema (LiteLLM's tables come from LiteLLM's migrations)."""
    with django_db_blocker.unblock():
        call_command("migrate", database="default", verbosity=0, interactive=False)
        call_command("createcachetable", database="default", verbosity=0)
        litellm.reset_catalog()


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: the home page and the usage dashboard cache
    closed days' sums (usage/selectors/cache.py), and tests write rows on closed days, which
    a real proxy does not do after the fact."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def litellm_audit_rows_are_valid(request):
    """Every LiteLLM_AuditLog row a test leaves must pass a port of LiteLLM's own rules
    (tests/audit_rules.py): LiteLLM_AuditLogs' table_name/action enums, AuditLogResponse's object
    values, the key hooks' payload shapes. Set up after the database fixtures the test uses, so
    it reads the rows before their rollback or truncation."""
    names = request.fixturenames
    uses_db = any(n in names for n in ("db", "transactional_db", "django_db_setup")) or request.node.get_closest_marker(
        "django_db"
    )
    if not uses_db:
        yield
        return
    for name in ("clean_litellm", "transactional_db", "db"):
        if name in names:
            request.getfixturevalue(name)
            break
    else:
        request.getfixturevalue("db")
    yield
    from config.models import AuditLog
    from tests.audit_rules import problems

    bad = {row.id: problems(row) for row in AuditLog.objects.using("litellm").all() if problems(row)}
    assert not bad, f"audit rows LiteLLM's model would refuse: {bad}"


def litellm_tables() -> list[str]:
    return sorted(litellm.read_catalog().columns)


@pytest.fixture
def clean_litellm(django_db_blocker):
    """For transactional tests: empty every LiteLLM table afterwards (Django's flush leaves
    unmanaged tables alone)."""
    yield
    with django_db_blocker.unblock():
        tables = ", ".join(f'"{t}"' for t in litellm_tables())
        with connections["litellm"].cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")


def login_litellm_user(client, user_row: dict):
    User = get_user_model()
    django_user, _ = User.objects.get_or_create(username=policy.LITELLM_USERNAME_PREFIX + user_row["user_id"])
    client.force_login(django_user, backend="accounts.auth.LiteLLMUserBackend")
    return client


@pytest.fixture
def cast(db, django_db_blocker):
    """A fixed cast: proxy admin, admin viewer, org admin, team admin, internal user,
    internal viewer, outsider (another org and team), and an ops superuser. Their team and
    org are `cast.team` and `cast.org`; the outsider's are `cast.other_team`/`other_org`."""

    class Cast:
        pass

    c = Cast()
    c.proxy_admin = factories.make_user(role=policy.PROXY_ADMIN, email="admin@example.com")
    c.admin_viewer = factories.make_user(role=policy.PROXY_ADMIN_VIEWER, email="viewer@example.com")
    c.org_admin = factories.make_user(role=policy.INTERNAL_USER, email="orgadmin@example.com")
    c.team_admin = factories.make_user(role=policy.INTERNAL_USER, email="teamadmin@example.com")
    c.member = factories.make_user(role=policy.INTERNAL_USER, email="member@example.com")
    c.internal_viewer = factories.make_user(role=policy.INTERNAL_USER_VIEWER, email="iviewer@example.com")
    c.outsider = factories.make_user(role=policy.INTERNAL_USER, email="outsider@example.com")
    c.org = factories.make_org(alias="Acme", max_budget=1000.0)
    c.other_org = factories.make_org(alias="Globex")
    for u, role in (
        (c.org_admin, policy.ORG_ADMIN),
        (c.team_admin, policy.INTERNAL_USER),
        (c.member, policy.INTERNAL_USER),
    ):
        factories.make_org_membership(c.org["organization_id"], u["user_id"], role)
    factories.make_org_membership(c.other_org["organization_id"], c.outsider["user_id"], policy.INTERNAL_USER)
    c.team = factories.make_team(
        alias="Research",
        organization_id=c.org["organization_id"],
        members=[(c.team_admin, "admin"), (c.member, "user"), (c.internal_viewer, "user")],
    )
    c.other_team = factories.make_team(
        alias="Other", organization_id=c.other_org["organization_id"], members=[(c.outsider, "admin")]
    )
    User = get_user_model()
    c.ops = User.objects.create_superuser("ops", "ops@example.com", "ops-password")
    return c


@pytest.fixture
def client_for(client):
    """client_for(user_row) -> a test client signed in as that LiteLLM user."""
    from django.test import Client

    def make(user_row):
        return login_litellm_user(Client(), user_row)

    return make
