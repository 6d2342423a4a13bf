"""The key form's access fields: tags, allowed routes, key type, service account and
auto-rotation (keys/access.py has LiteLLM's rules). Each is added only where the live schema
has its column (key_type; auto_rotate/rotation_interval/key_rotation_at) and where the signed-in
person may use it (config/policy/principal.py: may_give_key_routes, can_create_service_account_key)."""

from __future__ import annotations

from django import forms

from accounts.models import TeamTable

from . import access
from .models import VerificationToken

# Tags are premium-only in LiteLLM's API (_common_key_generation_helper); the console writes them
# as it writes per-model budgets, saying so (litellm-compat.md pitfall 14).
TAGS_HELP = (
    "Comma-separated labels for spend tracking and tag routing, stored as metadata.tags "
    "(as LiteLLM's /key/generate stores tags). LiteLLM's own API accepts tags only with an "
    "enterprise licence."
)
ROUTES_HELP = (
    "Empty: every route the owner's role allows. Otherwise only these, comma-separated: paths "
    "(/chat/completions, a prefix such as /v1/files, a wildcard such as /anthropic/*) or LiteLLM "
    "route groups (llm_api_routes, info_routes, management_routes, ...)."
)
# common_utils/key_rotation_manager.py::KeyRotationManager (scheduled by proxy_server.py only
# when LITELLM_KEY_ROTATION_ENABLED=true) regenerates keys whose key_rotation_at has passed.
INTERVAL_HELP = (
    "A number and a unit (s, m, h, d, w, mo), e.g. 30d or 90d. The first rotation is due that long "
    "from when you save; the proxy's rotation job regenerates the key then, if the proxy runs with "
    "LITELLM_KEY_ROTATION_ENABLED=true."
)


def has_rotation() -> bool:
    return VerificationToken.has_column("auto_rotate")


def has_key_type() -> bool:
    return VerificationToken.has_column("key_type")


class KeyAccessFieldsMixin:
    """For KeyFormBase: call `add_access_fields(create=...)` in __init__ after the fields exist."""

    def add_access_fields(self, *, create: bool) -> None:
        principal, key = self.principal, self.key
        self.fields["tags"] = forms.CharField(
            label="Tags",
            required=False,
            help_text=TAGS_HELP,
            widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "e.g. prod, billing"}),
        )
        existing_routes = list(getattr(key, "allowed_routes", None) or [])
        # Only proxy admins list routes themselves (_check_allowed_routes_caller_permission).
        if principal.may_give_key_routes(["/chat/completions"], None if create else existing_routes):
            self.fields["allowed_routes"] = forms.CharField(
                label="Allowed routes",
                required=False,
                help_text=ROUTES_HELP,
                widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "every route"}),
            )
        if create and has_key_type():
            choices = [
                (name, access.KEY_TYPE_LABELS[name])
                for name, preset in access.KEY_TYPES.items()
                if principal.may_give_key_routes(preset or [])
            ]
            self.fields["key_type"] = forms.ChoiceField(
                label="Key type",
                choices=choices,
                initial="default",
                required=False,
                help_text="Sets which routes the key may call (LiteLLM's key_type writes allowed_routes).",
            )
        if create and self._may_make_service_accounts():
            self.fields["service_account"] = forms.BooleanField(
                label="Service account key (belongs to the team, no owner)",
                required=False,
                help_text="Survives its creator leaving, and the team's limits apply to it instead of a "
                "member's (LiteLLM's /key/service-account/generate).",
            )
        if has_rotation():
            self.fields["auto_rotate"] = forms.BooleanField(label="Rotate automatically", required=False)
            self.fields["rotation_interval"] = forms.CharField(
                label="Rotate every",
                required=False,
                help_text=INTERVAL_HELP,
                widget=forms.TextInput(attrs={"placeholder": "e.g. 30d"}),
            )
        if key is not None:
            self.initial.setdefault("tags", ", ".join(access.key_tags(key.metadata)))
            self.initial.setdefault("allowed_routes", ", ".join(existing_routes))
            self.initial.setdefault("auto_rotate", bool(key.auto_rotate))
            self.initial.setdefault("rotation_interval", key.rotation_interval or "")

    def _may_make_service_accounts(self) -> bool:
        """Some team the form offers allows it (stops at the first)."""
        principal = self.principal
        teams = TeamTable.objects.filter(principal.team_choices_q()).only("team_id", "team_member_permissions")
        return any(principal.can_create_service_account_key(team) for team in teams.iterator())

    # --- cleaning ----------------------------------------------------------------------------

    def clean_tags(self) -> list[str]:
        tags = access.split_list(self.cleaned_data.get("tags"))
        problem = access.tags_problem(tags)
        if problem:
            raise forms.ValidationError(problem)
        return tags

    def clean_allowed_routes(self) -> list[str]:
        routes = access.split_list(self.cleaned_data.get("allowed_routes"))
        problem = access.routes_problem(routes)
        if problem:
            raise forms.ValidationError(problem)
        return routes

    def clean_rotation_interval(self) -> str | None:
        value = (self.cleaned_data.get("rotation_interval") or "").strip()
        if not value:
            return None
        problem = access.rotation_interval_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_access(self, cleaned: dict) -> None:
        """The checks across fields (call from clean())."""
        if "metadata" in cleaned and "tags" in (cleaned.get("metadata") or {}):
            self.add_error("metadata", 'Put tags in the Tags field, not in a metadata entry named "tags".')
        if "auto_rotate" in self.fields and "rotation_interval" in cleaned:
            if cleaned.get("auto_rotate") and not cleaned.get("rotation_interval"):
                self.add_error("rotation_interval", "Say how often to rotate the key (e.g. 30d).")
            elif cleaned.get("rotation_interval") and not cleaned.get("auto_rotate"):
                self.add_error(
                    "rotation_interval", "Tick \u201cRotate automatically\u201d, or leave the interval empty."
                )
        if self.key is None:
            self._clean_new_key_access(cleaned)
        elif "allowed_routes" in cleaned:
            before = list(self.key.allowed_routes or [])
            if not self.principal.may_give_key_routes(cleaned["allowed_routes"], before):
                self.add_error("allowed_routes", "Only proxy admins may change this key's allowed routes.")

    def _clean_new_key_access(self, cleaned: dict) -> None:
        key_type = cleaned.get("key_type") or "default"
        routes = cleaned.get("allowed_routes") or []
        if key_type != "default" and routes:
            self.add_error(
                "allowed_routes",
                "This key type sets the routes itself (LiteLLM replaces them): leave routes empty, or pick Default.",
            )
        elif not self.principal.may_give_key_routes(access.routes_for_key_type(key_type, routes)):
            self.add_error("key_type", "Only proxy admins may give a key these routes.")
        if cleaned.get("service_account"):
            team_id = cleaned.get("team_id")
            team = TeamTable.objects.filter(team_id=team_id).first() if team_id else None
            if team is None:
                self.add_error("team_id", "A service-account key belongs to a team: pick one.")
            elif not self.principal.can_create_service_account_key(team):
                self.add_error(
                    "service_account",
                    "Only the team's admins (or members the team allows to) may make its service-account keys.",
                )
            if cleaned.get("owner"):
                self.add_error("owner", "A service-account key has no owner: leave Owner empty.")

    def access_data(self) -> dict:
        """The access fields for keys.services.key_create."""
        cleaned = self.cleaned_data
        return {
            "tags": cleaned.get("tags") or [],
            "allowed_routes": cleaned.get("allowed_routes") or [],
            "key_type": cleaned.get("key_type") or "default",
            "service_account": bool(cleaned.get("service_account")),
            "auto_rotate": bool(cleaned.get("auto_rotate")),
            "rotation_interval": cleaned.get("rotation_interval"),
        }

    def access_changes(self, shown: dict) -> dict:
        """What the edit form changed among the access fields, relative to what it showed
        (`shown` holds allowed_routes, auto_rotate, rotation_interval as stored)."""
        cleaned, changes = self.cleaned_data, {}
        if "allowed_routes" in self.fields and cleaned["allowed_routes"] != list(shown.get("allowed_routes") or []):
            changes["allowed_routes"] = cleaned["allowed_routes"]
        if "auto_rotate" in self.fields:
            on, interval = bool(cleaned.get("auto_rotate")), cleaned.get("rotation_interval")
            was_on, was_interval = bool(shown.get("auto_rotate")), shown.get("rotation_interval")
            if on and (not was_on or interval != was_interval):
                changes.update(auto_rotate=True, rotation_interval=interval)
            elif was_on and not on:
                changes["auto_rotate"] = False  # /key/update auto_rotate=false writes just that
        return changes
