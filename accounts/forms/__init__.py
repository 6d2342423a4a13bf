"""Forms for the people pages. They validate input and say what is wrong next to the field;
services do the writing. Choice lists are scoped to what the signed-in person may use.

fields.py: shared fields and layout; users.py: users and end users; teams.py: teams and their
members; orgs.py: organizations and their members; invitations.py: invitations and passwords.
Callers import from `accounts.forms` (this module re-exports every form)."""

from .end_users import EndUserCreateForm
from .fields import (
    BUDGET_SECTIONS,
    MODELS_HELP,
    LimitsMixin,
    ModelsField,
    SectionedForm,
    changed_values,
)
from .invitations import AcceptInvitationForm, ChangePasswordForm, InviteForm
from .orgs import ORG_BUDGET_FIELDS, OrgForm, OrgMemberAddForm, OrgMemberRoleForm
from .teams import MEMBER_BUDGET_FIELDS, TEAM_BUDGET_FIELDS, MemberAddForm, MemberBudgetForm, MemberRoleForm, TeamForm
from .users import REGIONS, USER_BUDGET_FIELDS, EndUserForm, UserCreateForm, UserEditForm, UserFormBase

__all__ = [
    "BUDGET_SECTIONS",
    "MEMBER_BUDGET_FIELDS",
    "MODELS_HELP",
    "ORG_BUDGET_FIELDS",
    "REGIONS",
    "TEAM_BUDGET_FIELDS",
    "USER_BUDGET_FIELDS",
    "AcceptInvitationForm",
    "ChangePasswordForm",
    "EndUserCreateForm",
    "EndUserForm",
    "InviteForm",
    "LimitsMixin",
    "MemberAddForm",
    "MemberBudgetForm",
    "MemberRoleForm",
    "ModelsField",
    "OrgForm",
    "OrgMemberAddForm",
    "OrgMemberRoleForm",
    "SectionedForm",
    "TeamForm",
    "UserCreateForm",
    "UserEditForm",
    "UserFormBase",
    "changed_values",
]
