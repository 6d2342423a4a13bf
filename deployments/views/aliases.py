"""A team's model aliases (LiteLLM_ModelTable through TeamTable.model_id)."""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse

from accounts.models import TeamTable
from config import policy
from config.views.generic import ServiceFormView

from .. import aliases
from ..forms import TeamAliasesForm


class TeamAliasesView(ServiceFormView):
    section = "teams"
    form_class = TeamAliasesForm
    cache_note = True
    submit_label = "Save aliases"

    def load(self):
        return policy.get_visible_or_404(
            TeamTable.objects.all(), self.principal.teams_q(), team_id=self.kwargs["team_id"]
        )

    def authorize(self):
        self.principal.require(self.principal.can_edit_team_aliases(self.object))
        self.title = f"Model aliases of {self.object.team_alias or self.object.team_id}"
        self.intro = "Written as LiteLLM's /team/update writes model_aliases (a LiteLLM_ModelTable row)."

    def get_initial(self):
        current = aliases.team_aliases(self.object)
        return {"aliases": "\n".join(f"{a}: {m}" for a, m in current.items())}

    def perform(self, form):
        changed = aliases.set_team_aliases(
            actor=self.actor(), team_id=self.object.team_id, aliases=form.cleaned_data["aliases"]
        )
        messages.success(self.request, "Aliases saved." if changed else "Nothing changed.")
        return changed

    def success_url_for(self, result):
        return reverse("accounts:team_detail", args=[self.object.team_id])
