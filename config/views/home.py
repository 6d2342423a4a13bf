from django.views.generic import TemplateView

from config.selectors import home_figures

from .generic import ConsoleMixin


class HomeView(ConsoleMixin, TemplateView):
    template_name = "home.html"
    title = "Home"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = home_figures(self.principal)
        return context
