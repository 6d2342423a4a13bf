"""What every console page starts from: a signed-in principal allowed to open the section,
and (for pages about one object) that object loaded within what they may see."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from config import audit_trail, policy, writes


def actor_for(principal, request=None) -> writes.Actor:
    """The Actor of a signed-in principal: a LiteLLM user writes as themselves, ops staff as
    a master-key call does (created_by/updated_by/changed_by = the proxy admin id), their
    username and address kept in the console's own trail (config/audit_trail.py)."""
    return audit_trail.actor_for(principal, request)


class ConsoleMixin(LoginRequiredMixin):
    """Requires a signed-in principal allowed to open `section` (403 otherwise)."""

    section: str | None = None
    title: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.principal = policy.principal(request)
        if self.principal is None and not request.user.is_authenticated:
            return self.handle_no_permission()  # signed out: the password changed elsewhere
        if self.principal is None:
            raise PermissionDenied("This account has no access to the console.")
        if self.section and not self.principal.can_open(self.section):
            raise PermissionDenied("You may not open this page.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.title)
        context["principal"] = self.principal
        context["section"] = self.section
        return context


class ObjectMixin:
    """Loads `self.object` after sign-in and section checks (ConsoleMixin runs first), and
    refuses methods the view does not serve before touching the database (405)."""

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.object = self.load()
        self.authorize()
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        return None

    def authorize(self) -> None:
        pass

    def actor(self) -> writes.Actor:
        return actor_for(self.principal, self.request)
