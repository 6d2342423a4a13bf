"""The choices of an entity filter's datalist (teams, users, keys, organizations, models, end
users), as JSON, fetched when the field is first focused (static/console/console.js).

Every list page with entity filters used to send them inline: up to 500 keys sorted by alias
over the whole keys table (55 ms of the request logs' 62 ms of SQL at 100,000 keys), 500 users,
the teams, on every view and every filter change, for fields most views never touch. The
answer is what the same page would have listed: `config.entity_filters.CHOICES[kind]` for the
signed-in principal, each scoped through the policy's querysets. The audit log's actor list is
not served here (it is not scoped by principal; the audit page keeps it inline)."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views import View

from ..entity_filters import CHOICES, LAZY_KINDS
from .base import ConsoleMixin


class EntityChoicesView(ConsoleMixin, View):
    http_method_names = ["get"]

    def get(self, request, kind: str):
        if kind not in LAZY_KINDS:
            raise Http404("No such list.")
        choices = CHOICES[kind](self.principal)
        response = JsonResponse({"choices": [[value, hint or ""] for value, hint in choices]})
        response["Cache-Control"] = "private, no-store"
        return response
