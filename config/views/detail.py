"""The generic page about one object."""

from __future__ import annotations

from django.views.generic import TemplateView

from .base import ConsoleMixin, Declared, ObjectMixin, to_declare, undeclared


class ObjectDetailView(ConsoleMixin, ObjectMixin, Declared, TemplateView):
    """One object's page. A POST (or any method but GET/HEAD) is a 405 before anything loads.

    Declare:
        section              the navigation section
        template_name        the page (required)
        load()               the object within what the principal may see: 404 otherwise,
                             through the policy's scopes (required)
        authorize_page()     a check that needs no object, before load() (403)
        authorize()          a check on the loaded object (403)
        context_object_name  the object's name in the template besides `object`
        get_context_data()   what else the page shows (read through selectors)
    """

    required = ("template_name",)
    required_methods = ("load",)
    context_object_name: str | None = None

    @to_declare
    def load(self):
        raise undeclared(self, "load")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        if self.context_object_name:
            context[self.context_object_name] = self.object
        return context
