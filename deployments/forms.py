"""The deployment form, its list filters, the team alias rows and the model request forms.
Field names are LiteLLM's parameter names (litellm_params / model_info)."""

from __future__ import annotations

import re

from django import forms

from config.validation import NameField

from .params import PROVIDER_CHOICES, PROVIDER_FIELDS, is_secret

SECRET_HELP = "Set. Leave blank to keep it; type a new value to replace it."
EMPTY_SECRET_HELP = "Not set."


def _names(text: str) -> list[str]:
    return [part for part in (p.strip() for p in re.split(r"[,\n]", text or "")) if part]


class DeploymentForm(forms.Form):
    model_name = NameField(label="Public model name (model_name)", help_text="What callers and keys name.")
    custom_llm_provider = forms.ChoiceField(label="Provider (custom_llm_provider)", choices=PROVIDER_CHOICES)
    model = forms.CharField(
        label="Provider's model (litellm_params.model)", max_length=255, help_text="e.g. azure/my-deployment, gpt-4o"
    )
    api_base = forms.CharField(label="api_base", required=False, max_length=2000)
    api_key = forms.CharField(label="api_key", required=False, max_length=4000, widget=forms.PasswordInput)
    rpm = forms.IntegerField(label="rpm", required=False, min_value=0)
    tpm = forms.IntegerField(label="tpm", required=False, min_value=0)
    input_cost_per_token = forms.FloatField(label="input_cost_per_token ($)", required=False, min_value=0)
    output_cost_per_token = forms.FloatField(label="output_cost_per_token ($)", required=False, min_value=0)
    team_id = forms.ChoiceField(label="Team (model_info.team_id)", required=False)
    access_groups = forms.CharField(
        label="Access groups (model_info.access_groups)", required=False, help_text="Comma-separated.", max_length=2000
    )
    # Provider-specific (shown for the provider chosen; deployments.js hides the others).
    api_version = forms.CharField(label="api_version", required=False, max_length=100)
    azure_ad_token = forms.CharField(label="azure_ad_token", required=False, widget=forms.PasswordInput)
    tenant_id = forms.CharField(label="tenant_id", required=False, max_length=255)
    client_id = forms.CharField(label="client_id", required=False, max_length=255)
    client_secret = forms.CharField(label="client_secret", required=False, widget=forms.PasswordInput)
    aws_region_name = forms.CharField(label="aws_region_name", required=False, max_length=100)
    aws_access_key_id = forms.CharField(label="aws_access_key_id", required=False, widget=forms.PasswordInput)
    aws_secret_access_key = forms.CharField(label="aws_secret_access_key", required=False, widget=forms.PasswordInput)
    aws_session_token = forms.CharField(label="aws_session_token", required=False, widget=forms.PasswordInput)
    vertex_project = forms.CharField(label="vertex_project", required=False, max_length=255)
    vertex_location = forms.CharField(label="vertex_location", required=False, max_length=100)
    vertex_credentials = forms.CharField(
        label="vertex_credentials (service account JSON)",
        required=False,
        widget=forms.PasswordInput,
        max_length=20000,
    )

    COMMON = ("model_name", "custom_llm_provider", "model", "api_base", "api_key", "rpm", "tpm")
    COSTS = ("input_cost_per_token", "output_cost_per_token")
    PLACEMENT = ("team_id", "access_groups")
    PARAMS = (
        "custom_llm_provider",
        "model",
        "api_base",
        "api_key",
        "rpm",
        "tpm",
        "input_cost_per_token",
        "output_cost_per_token",
        *sorted({n for names in PROVIDER_FIELDS.values() for n in names}),
    )

    def __init__(self, *args, team_choices=None, deployment=None, **kwargs):
        self.deployment = deployment
        initial = kwargs.setdefault("initial", {})
        if deployment is not None:
            initial.setdefault("model_name", deployment.public_name)
            for name, value in deployment.params.items():
                initial.setdefault(name, value)
            initial.setdefault("access_groups", ", ".join(deployment.access_groups))
            initial.setdefault("custom_llm_provider", deployment.provider)
        super().__init__(*args, **kwargs)
        provider = initial.get("custom_llm_provider")
        if provider and provider not in dict(PROVIDER_CHOICES):
            self.fields["custom_llm_provider"].choices = [*PROVIDER_CHOICES, (provider, provider)]
        if deployment is not None:
            del self.fields["team_id"]  # a deployment stays with its team (as /model/update keeps team_id)
        else:
            self.fields["team_id"].choices = [("", "No team: every key and team may be given it")] + list(
                team_choices or []
            )
        for name, field in self.fields.items():
            if is_secret(name):
                field.widget.attrs["autocomplete"] = "new-password"
                if deployment is not None:
                    field.help_text = SECRET_HELP if name in deployment.secrets else EMPTY_SECRET_HELP

    def provider_sections(self):
        """(legend, provider or "", bound fields) for the template's fieldsets."""
        groups = [("", "", [self[n] for n in self.COMMON])]
        groups.append(("Costs", "", [self[n] for n in self.COSTS]))
        groups.append(("Who may call it", "", [self[n] for n in self.PLACEMENT if n in self.fields]))
        legends = {"azure": "Azure", "bedrock": "AWS Bedrock", "vertex_ai": "Google Vertex AI"}
        for provider, names in PROVIDER_FIELDS.items():
            groups.append((legends[provider], provider, [self[n] for n in names]))
        return groups

    def clean_access_groups(self):
        return _names(self.cleaned_data.get("access_groups", ""))

    def clean_vertex_credentials(self):
        text = self.cleaned_data.get("vertex_credentials", "")
        if text and text.lstrip().startswith("{"):
            import json

            try:
                json.loads(text)
            except ValueError:
                raise forms.ValidationError(
                    "This is not valid JSON (paste the service account file as it is)."
                ) from None
        return text

    def params(self) -> dict:
        """The litellm_params entered (blank ones left out)."""
        data = self.cleaned_data
        out = {n: data.get(n) for n in self.PARAMS if data.get(n) not in (None, "")}
        provider = data.get("custom_llm_provider")
        model = data.get("model", "")
        if provider and "/" not in model and provider not in ("openai", "openai_compatible"):
            out["model"] = f"{provider}/{model}"  # LiteLLM's UI stores provider/model
        return out

    def cleared(self) -> tuple:
        """Non-secret params the form showed set and now leaves blank."""
        if self.deployment is None:
            return ()
        return tuple(
            n
            for n in self.PARAMS
            if not is_secret(n)
            and self.cleaned_data.get(n) in (None, "")
            and self.deployment.params.get(n) not in (None, "")
        )


class DeploymentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    provider = forms.ChoiceField(label="Provider", required=False)
    team = forms.ChoiceField(label="Team", required=False)
    access_group = forms.ChoiceField(label="Access group", required=False)

    def __init__(self, *args, providers=(), teams=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Any")] + [(p, p) for p in providers]
        self.fields["team"].choices = [("", "Any"), ("-", "No team")] + list(teams)
        self.fields["access_group"].choices = [("", "Any")] + [(g, g) for g in groups]


class TeamAliasesForm(forms.Form):
    """model_aliases as lines "alias: model" (alias -> the model a request is sent to)."""

    aliases = forms.CharField(
        label="Model aliases",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        help_text='One per line: "alias: model". A request for the alias goes to the model. Empty: no aliases.',
    )

    def clean_aliases(self):
        aliases = {}
        for number, line in enumerate((self.cleaned_data.get("aliases") or "").splitlines(), 1):
            if not line.strip():
                continue
            alias, sep, model = line.partition(":")
            alias, model = alias.strip(), model.strip()
            if not sep or not alias or not model:
                raise forms.ValidationError(f'Line {number} is not "alias: model".')
            if alias in aliases:
                raise forms.ValidationError(f"Alias {alias} is given twice.")
            aliases[alias] = model
        return aliases


class ModelRequestForm(forms.Form):
    models = forms.MultipleChoiceField(label="Models", widget=forms.CheckboxSelectMultiple)
    justification = forms.CharField(
        label="Why you need them", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["models"].choices = list(choices)


class ModelRequestAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label="Answer", choices=[("approve", "Approve"), ("disapprove", "Disapprove")], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason (shown to the requester; needed to disapprove)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ModelRequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any"), ("pending", "Pending"), ("approved", "Approved"), ("disapproved", "Disapproved")],
    )
    q = forms.CharField(label="Requester or model", required=False, max_length=200)
