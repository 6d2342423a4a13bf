"""Pages that ask before they act: GET shows what the button will do (generic/confirm.html),
POST does it through a service, as ActionView does."""

from __future__ import annotations

from django.views.generic.base import TemplateResponseMixin

from .base import to_declare, undeclared
from .edit import ActionView


class ConfirmView(TemplateResponseMixin, ActionView):
    """A confirm page and its button.

    Declare (besides ActionView's section, load(), authorize(), perform(), next_url()):
        confirmation()   dict with title, message, details (list of lines), submit_label
                         (required)
        cancel_url()     the Cancel link (default: the object's page)
        danger           True: the button is red
    """

    http_method_names = ["get", "post"]
    template_name = "generic/confirm.html"
    danger = False
    required_methods = ("perform", "next_url", "confirmation")

    @to_declare
    def confirmation(self) -> dict:
        raise undeclared(self, "confirmation")

    def cancel_url(self) -> str:
        return self.object.get_absolute_url()

    def get(self, request, *args, **kwargs):
        context = {
            "view": self,
            "principal": self.principal,
            "section": self.section,
            "cancel_url": self.cancel_url(),
            "danger": self.danger,
            "crumb_object": self.object,
            **self.confirmation(),
        }
        return self.render_to_response(context)


class DeleteView(ConfirmView):
    """A confirm page whose button deletes the object through a service; afterwards (and when
    the deletion is refused) the page goes to `success_url`, the list.

    Declare: section, load(), authorize(), confirmation(), perform(), success_url (required).
    """

    danger = True
    success_url = None
    required = ("success_url",)
    required_methods = ("perform", "confirmation")

    def next_url(self) -> str:
        return str(self.success_url)
