"""The models picker's choices on the team, user and organization forms: the deployments'
public names and access groups this person may see (team models only of the teams they see),
matching ?q=. Any other name may still be typed (config.yaml models live in no table), so the
answer says "any"."""

from __future__ import annotations

from django.http import JsonResponse
from django.views import View

from config.views.generic import ConsoleMixin

from .. import selectors

LIMIT = 50


class ModelChoicesView(ConsoleMixin, View):
    section = "models"
    http_method_names = ["get"]

    def get(self, request):
        self.principal.require(self.principal.may_change_anything)
        text = request.GET.get("q", "")[:200].strip().lower()
        names, groups = selectors.public_names_and_groups(self.principal)
        found = [n for n in [*names, *groups] if text in n.lower()]
        response = JsonResponse({"models": found[:LIMIT], "more": len(found) > LIMIT, "any": True})
        response["Cache-Control"] = "private, no-store"
        return response
