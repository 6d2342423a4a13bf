"""People pages: users, teams and their rosters, organizations, end users.

Views are thin: fetch the object within what the principal may see (404 otherwise), check
the change is theirs to make (403), validate the form, call the service, say what happened,
redirect. Mutations are POST-only.
"""

from .base import _forecast, _load_org, _load_team, _load_user, _person_choices  # noqa: F401
from .end_users import EndUserBlockView, EndUserCreateView, EndUserEditView, EndUserListView  # noqa: F401
from .orgs import (  # noqa: F401
    OrgCreateView,
    OrgDeleteView,
    OrgDetailView,
    OrgEditView,
    OrgListView,
    OrgMemberActionView,
    OrgMemberAddView,
    OrgMemberRemoveView,
    OrgMemberRoleView,
)
from .team_members import (  # noqa: F401
    TeamMemberActionView,
    TeamMemberAddView,
    TeamMemberBudgetView,
    TeamMemberRemoveView,
    TeamMemberRoleView,
)
from .teams import TeamCreateView, TeamDeleteView, TeamDetailView, TeamEditView, TeamListView  # noqa: F401
from .users import UserCreateView, UserDeleteView, UserDetailView, UserEditView, UserListView  # noqa: F401
