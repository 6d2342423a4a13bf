from django.views.generic import TemplateView

from .generic import ConsoleMixin


class ComingSoonView(ConsoleMixin, TemplateView):
    """A page for a part not built yet: says so plainly."""

    template_name = "coming_soon.html"
