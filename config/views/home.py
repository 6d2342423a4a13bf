from django.views.generic import TemplateView

from config.context_processors import NAVIGATION
from config.selectors import home_figures, recent_audit_entries

from .generic import ConsoleMixin

# One line per section for the overview's "where to go" list (sections as in NAVIGATION).
SECTION_HINTS = {
    "keys": "Virtual keys: create, block, rotate, set budgets and limits.",
    "teams": "Teams, their members and roles, budgets and models.",
    "users": "People with a LiteLLM login: roles, budgets, teams.",
    "organizations": "Organizations, their admins, members and budget.",
    "end_users": "Customers your apps name in requests: budgets and blocking.",
    "budgets": "Budget rows and where spend stands against them.",
    "usage": "Spend, requests and tokens per day, model, team, key and tag.",
    "logs": "Individual requests and errors of the last days.",
    "invitations": "Pending, accepted and expired invitation links.",
    "audit": "Every change, by the console or the proxy.",
    "models": "The proxy's model deployments, access groups and team models.",
    "model_requests": "Requests for access to models, and their answers.",
    "database": "What the proxy's database holds, how fast it grows, indexes and locks.",
}
# Where the line above promises what this person cannot do (read-only roles, error logs only
# for admins), it says what they can.
READ_ONLY_HINTS = {
    "keys": "Virtual keys: spend, budgets, limits and recent requests.",
    "end_users": "Customers your apps name in requests: budgets and status.",
}
NOT_ADMIN_HINTS = {"logs": "Individual requests of the last days."}


class HomeView(ConsoleMixin, TemplateView):
    template_name = "home.html"
    title = "Home"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = home_figures(self.principal)
        hints = dict(SECTION_HINTS)
        if not self.principal.may_change_anything:
            hints |= READ_ONLY_HINTS
        if not self.principal.may_see_whole_proxy:
            hints |= NOT_ADMIN_HINTS
        context["destinations"] = [
            (label, url, hints.get(section, ""))
            for section, label, url in NAVIGATION
            if self.principal.can_open(section)
        ]
        if self.principal.can_open("audit"):
            context["recent_changes"] = recent_audit_entries(limit=6)
        return context
