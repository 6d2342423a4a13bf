"""Unmanaged models over LiteLLM's tables (generated from the live catalog, then reviewed)."""

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CompositePrimaryKey,
    DateTimeField,
    FloatField,
    IntegerField,
    JSONField,
    TextField,
)

from config.litellm import table_name
from config.models_base import DeletedArchive, LiteLLMModel


class UserTable(LiteLLMModel):
    optional_columns = frozenset(
        [
            "last_breach_check_at",
            "object_permission_id",
            "password_reset_required",
            "policies",
        ]
    )
    user_id = TextField(primary_key=True)
    user_alias = TextField(null=True, blank=True)
    team_id = TextField(null=True, blank=True)
    sso_user_id = TextField(null=True, blank=True)
    organization_id = TextField(null=True, blank=True)
    password = TextField(null=True, blank=True)
    teams = ArrayField(TextField(), null=True, blank=True)
    user_role = TextField(null=True, blank=True)
    max_budget = FloatField(null=True, blank=True)
    spend = FloatField()
    user_email = TextField(null=True, blank=True)
    models = ArrayField(TextField(), null=True, blank=True)
    metadata = JSONField()
    max_parallel_requests = IntegerField(null=True, blank=True)
    tpm_limit = BigIntegerField(null=True, blank=True)
    rpm_limit = BigIntegerField(null=True, blank=True)
    budget_duration = TextField(null=True, blank=True)
    budget_reset_at = DateTimeField(null=True, blank=True)
    allowed_cache_controls = ArrayField(TextField(), null=True, blank=True)
    model_spend = JSONField()
    model_max_budget = JSONField()
    created_at = DateTimeField(null=True, blank=True)
    updated_at = DateTimeField(null=True, blank=True)
    object_permission_id = TextField(null=True, blank=True)
    policies = ArrayField(TextField(), null=True, blank=True)
    password_reset_required = BooleanField(null=True, blank=True)
    last_breach_check_at = DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.user_email or self.user_id

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:user_detail", args=[self.user_id])

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("UserTable")


class TeamTable(LiteLLMModel):
    optional_columns = frozenset(
        [
            "access_group_ids",
            "allow_team_guardrail_config",
            "budget_limits",
            "default_team_member_models",
            "object_permission_id",
            "policies",
            "router_settings",
            "soft_budget",
            "tpd_limit",
        ]
    )
    team_id = TextField(primary_key=True)
    team_alias = TextField(null=True, blank=True)
    organization_id = TextField(null=True, blank=True)
    admins = ArrayField(TextField(), null=True, blank=True)
    members = ArrayField(TextField(), null=True, blank=True)
    members_with_roles = JSONField()
    metadata = JSONField()
    max_budget = FloatField(null=True, blank=True)
    spend = FloatField()
    models = ArrayField(TextField(), null=True, blank=True)
    max_parallel_requests = IntegerField(null=True, blank=True)
    tpm_limit = BigIntegerField(null=True, blank=True)
    rpm_limit = BigIntegerField(null=True, blank=True)
    budget_duration = TextField(null=True, blank=True)
    budget_reset_at = DateTimeField(null=True, blank=True)
    blocked = BooleanField()
    created_at = DateTimeField()
    updated_at = DateTimeField()
    model_spend = JSONField()
    model_max_budget = JSONField()
    model_id = IntegerField(null=True, blank=True)
    team_member_permissions = ArrayField(TextField(), null=True, blank=True)
    object_permission_id = TextField(null=True, blank=True)
    router_settings = JSONField(null=True, blank=True)
    policies = ArrayField(TextField(), null=True, blank=True)
    allow_team_guardrail_config = BooleanField()
    soft_budget = FloatField(null=True, blank=True)
    access_group_ids = ArrayField(TextField(), null=True, blank=True)
    budget_limits = JSONField(null=True, blank=True)
    default_team_member_models = ArrayField(TextField(), null=True, blank=True)
    tpd_limit = BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.team_alias or self.team_id

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:team_detail", args=[self.team_id])

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("TeamTable")


class TeamMembership(LiteLLMModel):
    optional_columns = frozenset(["total_spend"])
    pk = CompositePrimaryKey("user_id", "team_id")
    user_id = TextField()
    team_id = TextField()
    spend = FloatField()
    budget_id = TextField(null=True, blank=True)
    total_spend = FloatField()

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("TeamMembership")


class OrganizationTable(LiteLLMModel):
    optional_columns = frozenset(["object_permission_id"])
    organization_id = TextField(primary_key=True)
    organization_alias = TextField()
    budget_id = TextField()
    metadata = JSONField()
    models = ArrayField(TextField(), null=True, blank=True)
    spend = FloatField()
    model_spend = JSONField()
    created_at = DateTimeField()
    created_by = TextField()
    updated_at = DateTimeField()
    updated_by = TextField()
    object_permission_id = TextField(null=True, blank=True)

    def __str__(self) -> str:
        return self.organization_alias or self.organization_id

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:org_detail", args=[self.organization_id])

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("OrganizationTable")


class OrganizationMembership(LiteLLMModel):
    pk = CompositePrimaryKey("user_id", "organization_id")
    user_id = TextField()
    organization_id = TextField()
    user_role = TextField(null=True, blank=True)
    spend = FloatField(null=True, blank=True)
    budget_id = TextField(null=True, blank=True)
    created_at = DateTimeField(null=True, blank=True)
    updated_at = DateTimeField(null=True, blank=True)

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("OrganizationMembership")


class InvitationLink(LiteLLMModel):
    id = TextField(primary_key=True)
    user_id = TextField()
    is_accepted = BooleanField()
    accepted_at = DateTimeField(null=True, blank=True)
    expires_at = DateTimeField()
    created_at = DateTimeField()
    created_by = TextField()
    updated_at = DateTimeField()
    updated_by = TextField()

    def __str__(self) -> str:
        return f"Invitation {self.id}"

    # No get_absolute_url: the id in the page's URL is the LiteLLM link's secret, so a link to
    # it is only built for someone who may see it (policy.Principal.can_see_invitation_link).
    def page_url_for(self, principal) -> str | None:
        from django.urls import reverse

        if principal is None or not principal.can_see_invitation_link(self):
            return None
        return reverse("accounts:invitation_detail", args=[self.id])

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("InvitationLink")


class EndUserTable(LiteLLMModel):
    optional_columns = frozenset(["models", "object_permission_id"])
    user_id = TextField(primary_key=True)
    alias = TextField(null=True, blank=True)
    spend = FloatField()
    allowed_model_region = TextField(null=True, blank=True)
    default_model = TextField(null=True, blank=True)
    budget_id = TextField(null=True, blank=True)
    blocked = BooleanField()
    object_permission_id = TextField(null=True, blank=True)
    models = ArrayField(TextField(), null=True, blank=True)

    def __str__(self) -> str:
        return self.alias or self.user_id

    def get_absolute_url(self) -> str:
        """End users have no page of their own: the list, searched for this one."""
        from django.urls import reverse
        from django.utils.http import urlencode

        return reverse("accounts:enduser_list") + "?" + urlencode({"q": self.user_id})

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("EndUserTable")


class DeletedTeamTable(DeletedArchive):
    team_id = TextField()
    team_alias = TextField(null=True, blank=True)
    organization_id = TextField(null=True, blank=True)
    object_permission_id = TextField(null=True, blank=True)
    admins = ArrayField(TextField(), null=True, blank=True)
    members = ArrayField(TextField(), null=True, blank=True)
    members_with_roles = JSONField()
    metadata = JSONField()
    max_budget = FloatField(null=True, blank=True)
    spend = FloatField()
    models = ArrayField(TextField(), null=True, blank=True)
    max_parallel_requests = IntegerField(null=True, blank=True)
    tpm_limit = BigIntegerField(null=True, blank=True)
    rpm_limit = BigIntegerField(null=True, blank=True)
    budget_duration = TextField(null=True, blank=True)
    budget_reset_at = DateTimeField(null=True, blank=True)
    blocked = BooleanField()
    model_spend = JSONField()
    model_max_budget = JSONField()
    team_member_permissions = ArrayField(TextField(), null=True, blank=True)
    model_id = IntegerField(null=True, blank=True)
    created_at = DateTimeField(null=True, blank=True)
    updated_at = DateTimeField(null=True, blank=True)
    router_settings = JSONField(null=True, blank=True)
    policies = ArrayField(TextField(), null=True, blank=True)
    allow_team_guardrail_config = BooleanField()
    soft_budget = FloatField(null=True, blank=True)
    access_group_ids = ArrayField(TextField(), null=True, blank=True)
    tpd_limit = BigIntegerField(null=True, blank=True)

    class Meta(LiteLLMModel.Meta):
        db_table = table_name("DeletedTeamTable")
