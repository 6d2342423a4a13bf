"""The ten people the table-driven tests ask about (tests/test_policy_table.py,
tests/test_access_matrix.py), by column name.

The conftest `cast` has seven LiteLLM users and an ops superuser; these tables add two more:
VTA, an internal-user *viewer* who is also a team admin (read-only wins; each test puts them
in its own team), and STAFF, ops staff without superuser (a proxy admin viewer).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from config import policy
from tests import factories
from tests.conftest import login_litellm_user

ROLES = ("PA", "AV", "OA", "TA", "MB", "IV", "OU", "VTA", "OPS", "STAFF")


class TenPeople:
    """The cast plus VTA and STAFF. `rows[role]` is a LiteLLM user's row (OPS and STAFF are
    Django logins, in `logins`); `principal(role)` and `client(role)` ask or act as anyone."""

    def __init__(self, cast):
        self.cast = cast
        self.viewer_team_admin = factories.make_user(role=policy.INTERNAL_USER_VIEWER, email="vta@example.com")
        User = get_user_model()
        self.staff = User.objects.create_user("staff", "staff@example.com", "staff-password", is_staff=True)
        self.rows = {
            "PA": cast.proxy_admin,
            "AV": cast.admin_viewer,
            "OA": cast.org_admin,
            "TA": cast.team_admin,
            "MB": cast.member,
            "IV": cast.internal_viewer,
            "OU": cast.outsider,
            "VTA": self.viewer_team_admin,
        }
        self.logins = {"OPS": cast.ops, "STAFF": self.staff}

    def principal(self, role: str) -> policy.Principal:
        if role in self.logins:
            return policy.principal_for_user(self.logins[role])
        return policy.principal_for_litellm_user(self.rows[role]["user_id"])

    def client(self, role: str) -> Client:
        client = Client()
        if role in self.logins:
            client.force_login(self.logins[role])
            return client
        return login_litellm_user(client, self.rows[role])
