"""Model deployments (/models/): list, detail, create, edit, delete."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.urls import reverse, reverse_lazy

from accounts.models import TeamTable
from config.views.generic import DeleteView, NumberedSource, ObjectDetailView, ObjectListView, ServiceFormView

from .. import crypto, selectors, services
from ..forms import DeploymentFilterForm, DeploymentForm
from ..tables import DeploymentTable


def locked_message() -> str:
    return (
        f"The deployments' parameters are encrypted with the proxy's salt key. Set {crypto.salt_key_setting()} "
        "in the console's environment to see providers, endpoints, limits and costs, and to add or change "
        "deployments. Until then only names and ids are shown."
    )


def reload_note() -> str:
    """proxy_server.py (ProxyServer startup): scheduler.add_job(proxy_config.add_deployment,
    "interval", seconds=proxy_config_reload_interval_seconds), default
    PROXY_CONFIG_RELOAD_INTERVAL_SECONDS = 30 (litellm/constants.py)."""
    seconds = settings.LITELLM_MODEL_RELOAD_SECONDS
    return (
        f"The proxy reads deployments from the database every {seconds} seconds "
        "(general_settings.proxy_config_reload_interval_seconds): callers see this change within that time."
    )


class DeploymentSource(NumberedSource):
    """Every visible deployment, decrypted once, filtered in Python: provider and model are
    ciphertext in the table, so no SQL filter can read them (there are tens, not thousands)."""

    def fetch(self, number):
        rows = selectors.visible(self.principal)
        f = self.filters
        if f.get("provider"):
            rows = [d for d in rows if d.provider == f["provider"]]
        if f.get("team") == "-":
            rows = [d for d in rows if not d.team_id]
        elif f.get("team"):
            rows = [d for d in rows if d.team_id == f["team"]]
        if f.get("access_group"):
            rows = [d for d in rows if f["access_group"] in d.access_groups]
        if f.get("q"):
            text = f["q"].lower()
            rows = [
                d
                for d in rows
                if any(text in (v or "").lower() for v in (d.public_name, d.model_id, d.model, d.param("api_base")))
            ]
        rows.sort(key=lambda d: (d.public_name.lower(), d.model_id))
        return rows, False, {"total": len(rows)}


class DeploymentListView(ObjectListView):
    section = "models"
    title = "Models"
    template_name = "deployments/deployment_list.html"
    source_class = DeploymentSource
    filter_form_class = DeploymentFilterForm
    table_class = DeploymentTable

    def get_filter_form_kwargs(self):
        deployments = selectors.visible(self.principal)
        team_ids = sorted({d.team_id for d in deployments if d.team_id})
        names = dict(TeamTable.objects.filter(team_id__in=team_ids).values_list("team_id", "team_alias"))
        return {
            "providers": sorted({d.provider for d in deployments if d.provider}),
            "teams": [(t, names.get(t) or t) for t in team_ids],
            "groups": sorted({g for d in deployments for g in d.access_groups}),
        }

    def get_table_kwargs(self):
        if crypto.salt_key() and self.principal.may_see_deployment_settings():
            return {}
        hidden = ["provider", "model", "api_base", "rpm", "tpm", "input_cost_per_token", "output_cost_per_token"]
        return {"exclude": hidden if not crypto.salt_key() else ["api_base"]}

    get_export_table_kwargs = get_table_kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter={"form": self.filter_form},
            locked=None if crypto.salt_key() else locked_message(),
            create_url=reverse("deployments:model_create") if self.principal.can_create_deployments() else None,
            create_label="Add deployment",
        )
        return context


class DeploymentMixin:
    section = "models"

    def load(self):
        deployment = selectors.get_visible(self.principal, self.kwargs["model_id"])
        if deployment is None:
            raise Http404("No such deployment.")
        return deployment

    def authorize(self):
        self.principal.require(self.principal.can_manage_deployment(self.object.team_id))


class DeploymentDetailView(DeploymentMixin, ObjectDetailView):
    template_name = "deployments/deployment_detail.html"
    context_object_name = "deployment"

    def authorize(self):
        pass

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        d = self.object
        team = TeamTable.objects.filter(team_id=d.team_id).first() if d.team_id else None
        context.update(
            title=d.public_name,
            team=team,
            locked=None if crypto.salt_key() else locked_message(),
            unreadable=d.unreadable,
            show_settings=self.principal.may_see_deployment_settings(),
            can_manage=self.principal.can_manage_deployment(d.team_id) and bool(crypto.salt_key()),
            keys=selectors.keys_naming(self.principal, d),
            teams=selectors.teams_naming(self.principal, d),
            usage_url=reverse("usage:dashboard") + "?scope=model&id=" + d.public_name,
            shown_params=sorted((n, v) for n, v in d.params.items() if n != "model" and v not in (None, "", False)),
            reload_note=reload_note(),
        )
        return context


def _team_choices(principal):
    teams = TeamTable.objects.filter(principal.deployment_team_choices_q()).order_by("team_alias")
    return [(t.team_id, t.team_alias or t.team_id) for t in teams]


class DeploymentCreateView(ServiceFormView):
    section = "models"
    form_class = DeploymentForm
    title = "Add a deployment"
    submit_label = "Add deployment"
    template_name = "deployments/deployment_form.html"

    def authorize_page(self):
        self.principal.require(self.principal.can_create_deployments())
        self.intro = locked_message() if not crypto.salt_key() else reload_note()

    def form_extra(self):
        return {"team_choices": _team_choices(self.principal)}

    def perform(self, form):
        team_id = form.cleaned_data.get("team_id") or None
        if not self.principal.can_manage_deployment(team_id):
            from config.errors import ChangeRefused

            raise ChangeRefused("Only proxy admins add deployments outside a team.", "team_id")
        model_id = services.create_deployment(
            actor=self.actor(),
            model_name=form.cleaned_data["model_name"],
            params=form.params(),
            team_id=team_id,
            access_groups=form.cleaned_data["access_groups"],
        )
        messages.success(self.request, f"Added {form.cleaned_data['model_name']}. {reload_note()}")
        return model_id

    def success_url_for(self, result):
        if result is None:
            return reverse("deployments:model_list")
        return reverse("deployments:model_detail", args=[result])


class DeploymentEditView(DeploymentMixin, ServiceFormView):
    form_class = DeploymentForm
    submit_label = "Save"
    template_name = "deployments/deployment_form.html"

    def authorize(self):
        super().authorize()
        self.title = f"Edit {self.object.public_name}"
        if not crypto.salt_key():
            self.intro = locked_message()
        elif self.object.unreadable:
            self.intro = "Some values do not open with the configured salt key: saving is refused."
        else:
            self.intro = reload_note()

    def form_extra(self):
        return {"deployment": self.object}

    def perform(self, form):
        changed = services.update_deployment(
            actor=self.actor(),
            model_id=self.object.model_id,
            model_name=form.cleaned_data["model_name"],
            params=form.params(),
            cleared=form.cleared(),
            access_groups=form.cleaned_data["access_groups"],
        )
        messages.success(self.request, f"Saved. {reload_note()}" if changed else "Nothing changed.")
        return changed

    def success_url_for(self, result):
        return self.object.get_absolute_url()


class DeploymentDeleteView(DeploymentMixin, DeleteView):
    success_url = reverse_lazy("deployments:model_list")

    def confirmation(self):
        d = self.object
        keys = selectors.keys_naming(self.principal, d)
        teams = selectors.teams_naming(self.principal, d)
        details = []
        if keys or teams:
            details.append(
                f"{len(keys)} key(s) and {len(teams)} team(s) still name {', '.join(selectors.names_of(d))}; "
                "they lose this deployment (and the model, if no other deployment serves the name):"
            )
            details += [f"key {k.key_alias or k.key_name or k.token[:8]}" for k in keys]
            details += [f"team {t.team_alias or t.team_id}" for t in teams]
        details.append(reload_note())
        return {
            "title": f"Delete {d.public_name}?",
            "message": f"This deletes deployment {d.model_id} from LiteLLM_ProxyModelTable, as /model/delete does.",
            "details": details,
            "submit_label": "Delete deployment",
        }

    def perform(self):
        services.delete_deployment(actor=self.actor(), model_id=self.object.model_id)
        return f"Deleted {self.object.public_name}. {reload_note()}"
