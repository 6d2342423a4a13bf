"""Principal's questions about virtual keys (config/policy/principal.py composes them)."""

from __future__ import annotations

from .roles import INTERNAL_USER
from .scopes import _org_team_ids


class KeyRulesMixin:
    """Who may change, create and configure keys; the rights they rest on (is_proxy_admin,
    team_admin_of, org_admin_of, ...) are Principal's."""

    def can_manage_key(self, key) -> bool:
        if self.is_read_only:
            return False
        if self.is_proxy_admin:
            return True
        if self.user_id and key.user_id == self.user_id and self.role == INTERNAL_USER:
            return True
        if key.team_id and key.team_id in self.team_admin_of:
            return True
        if self.org_admin_of and (
            key.organization_id in self.org_admin_of or key.team_id in _org_team_ids(self.org_admin_of)
        ):
            return True
        return False

    def can_create_keys(self) -> bool:
        return not self.is_read_only

    def can_bulk_manage_keys(self) -> bool:
        """The key list's checkboxes and bulk actions (each key is still checked on its own)."""
        return not self.is_read_only

    def may_see_others_keys(self) -> bool:
        """False when keys_q() is just "my keys" (no admin, org admin or team admin scope)."""
        if self.sees_everything or self.org_admin_of:
            return True
        return bool(self.team_admin_of) and not self.is_read_only

    def can_choose_key_owner(self) -> bool:
        """Make a key for someone else (internal users make keys for themselves, as in
        LiteLLM's UI)."""
        return self.is_proxy_admin or self.is_org_admin or self.is_team_admin

    def can_grant_any_model(self) -> bool:
        """A personal key may be given every proxy model (others: their own user models)."""
        return self.is_proxy_admin

    def may_give_key_routes(self, routes, existing=None) -> bool:
        """Set a key's allowed_routes to `routes` (on edit, from `existing`). LiteLLM:
        key_management_endpoints.py::_check_allowed_routes_caller_permission (only proxy admins
        list routes; others may end with the key_type presets llm_api_routes / info_routes) and,
        on update, _is_safe_preset_route_transition (a read-only key stays read-only, an
        admin-set restriction stays)."""
        from keys.access import SAFE_ROUTE_PRESETS, is_safe_preset_transition

        if self.is_read_only:
            return False
        if self.is_proxy_admin:
            return True
        if existing is not None:
            return is_safe_preset_transition(routes, existing)
        return set(routes or ()) <= SAFE_ROUTE_PRESETS

    def can_create_service_account_key(self, team) -> bool:
        """/key/service-account/generate for `team` (key_generation_check ->
        _team_key_operation_team_member_check): proxy admins; the team's admins; a plain member
        only when the team's team_member_permissions list /key/service-account/generate
        (team_member_permission_checks.py::does_team_member_have_permissions_for_endpoint).
        LiteLLM asks the caller's role in that team, so an org admin who is not on it is refused."""
        from keys.access import SERVICE_ACCOUNT_PERMISSION

        if self.is_read_only or team is None:
            return False
        if self.is_proxy_admin or team.team_id in self.team_admin_of:
            return True
        return team.team_id in self.team_ids and SERVICE_ACCOUNT_PERMISSION in (team.team_member_permissions or [])
