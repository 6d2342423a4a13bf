"""Pages that change something: a form whose valid submission calls a service, and a
POST-only action button. A refused change (ChangeRefused) lands next to its field or in
the page's messages, and nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.views.generic import FormView, View

from config.errors import ChangeRefused, EditConflict

from .base import ConsoleMixin, ObjectMixin


class ServiceFormView(ConsoleMixin, ObjectMixin, FormView):
    """A form whose valid submission calls a service; a ChangeRefused lands on its field."""

    template_name = "generic/form.html"
    submit_label = "Save"
    cache_note = False
    intro = ""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | self.form_extra()

    def form_extra(self) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            submit_label=self.submit_label,
            cancel_url=self.cancel_url(),
            cache_note=self.cache_note,
            intro=self.intro,
            object=self.object,
        )
        return context

    def cancel_url(self) -> str:
        return self.success_url_for(None)

    def success_url_for(self, result) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ChangeRefused as e:
            refuse_on_form(form, e)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.success_url_for(result))

    def perform(self, form):
        raise NotImplementedError


def refuse_on_form(form, error: ChangeRefused) -> None:
    """Put a refused change on the form: an edit conflict next to each field concerned (in the
    form's labels), any other refusal next to its field or at the top."""
    if isinstance(error, EditConflict) and hasattr(form, "add_conflict"):
        form.add_conflict(error)
    else:
        form.add_error(error.field if error.field in form.fields else None, error.message)


class ActionView(ConsoleMixin, ObjectMixin, View):
    """A POST-only button (remove, block, revoke...): service, message, redirect back."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            message = self.perform()
        except ChangeRefused as e:
            messages.error(request, e.message)
        else:
            if message:
                messages.success(request, message)
        return redirect(self.next_url())

    def next_url(self) -> str:
        raise NotImplementedError
