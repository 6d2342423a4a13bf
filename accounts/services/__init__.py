"""Writes to users, teams, organizations, memberships, invitations and end users, in
LiteLLM's terms (litellm/proxy/management_endpoints/*.py, management_helpers/*.py).

Every function is keyword-only, validates before writing, runs in one transaction on the
LiteLLM database and leaves its audit row. Rows are written the way the proxy writes them
(uuid4 ids, naive UTC stamps, real JSONB arrays), and only the columns that change.

Team rosters live in three places that must move together (litellm-compat.md §3):
`TeamTable.members_with_roles`, `UserTable.teams` and the `TeamMembership` row. Every roster
change takes the proxy's advisory lock on the team id, re-reads the roster under it, and locks
the touched user rows in the proxy's order, so a concurrent change (ours or the proxy's) is
never lost.
"""

from . import team_settings  # noqa: F401
from .base import (  # noqa: F401
    ADMIN_ROLES,
    INVITATION_LIFETIME,
    ORG_ROLES,
    TEAM_ROLES,
    USER_LIMIT_FIELDS,
    _budget_reset_at,
    _check_non_negative,
    _clean_email,
    _cursor,
    _insert_user,
    _json,
    _lock_email,
    _lock_users,
    _new_budget,
    _org_role,
    _qn,
    _users_with_email,
    _validate_duration,
    delete_keys,
    new_user_row,
    user_snapshot,
)
from .end_users import END_USER_BUDGET_FIELDS, END_USER_FIELDS, end_user_create, end_user_update  # noqa: F401
from .invitations import (  # noqa: F401
    InvitationUnusable,
    InviteResult,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_from_token,
    invitation_reissue,
    invitation_revoke,
    invitation_status,
    invitation_token,
    invite_person,
    pending_invitation_for,
    revoke_pending_links,
)
from .org_delete import org_delete, org_delete_consequences, refuse_ptu_share_holders  # noqa: F401
from .orgs import (  # noqa: F401
    ORG_BUDGET_FIELDS,
    _audit_org_members,
    _org_members,
    org_create,
    org_member_add,
    org_member_remove,
    org_member_set_role,
    org_update,
)
from .roster_base import (  # noqa: F401
    _append_team_id,
    _members_audit,
    _read_roster,
    _remove_team_id,
    _roster_entry,
    _write_roster,
)
from .rosters import MemberAdded, team_member_add, team_member_remove, team_member_set_role  # noqa: F401
from .teams import (  # noqa: F401
    TEAM_SETTING_FIELDS,
    _delete_team_models,
    _detach_team_from_access_groups,
    creator_of,
    should_auto_add_team_creator,
    team_create,
    team_delete,
    team_update,
)
from .user_passwords import user_change_own_password, user_set_password, user_upgrade_password_hash  # noqa: F401
from .users import ensure_proxy_admin_user, user_create, user_delete, user_update  # noqa: F401
