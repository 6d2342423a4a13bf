"""Pages that change something through a service: a form (create or edit), a POST-only
action button, and (config/views/confirm.py) a confirm page and a delete page. A refused
change (ChangeRefused) lands next to its field or in the page's messages, and nothing is
written. Authorization goes through the principal's methods only, in authorize_page() /
authorize() (and GuardedFormView.authorize_form()), never in perform()."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.generic import FormView, View

from config.errors import ChangeRefused, EditConflict

from .base import ConsoleMixin, Declared, ObjectMixin, to_declare, undeclared


class ServiceFormView(ConsoleMixin, ObjectMixin, Declared, FormView):
    """A form whose valid submission calls a service; a ChangeRefused lands on its field.

    Declare:
        form_class           the form (required)
        section, title       the navigation section; the heading (authorize() may set it)
        perform(form)        call the service with the cleaned data (required); return what
                             success_url_for() needs, or an HttpResponse to answer with it
                             (a page showing a new secret)
        load()               the object edited (None on a create page, the default)
        authorize()          principal checks (403); authorize_page() before load()
        form_extra()         extra form kwargs (principal, instance...)
        success_url_for(r)   where a saved form goes (default: the object's page)
        preview(form)        lines for "If you save" when the Preview button is pressed
                             (None, the default: the form has no preview)
        template_name        default generic/form.html; submit_label, intro, cache_note
        context_object_name  the object's name in the template besides `object`
    """

    template_name = "generic/form.html"
    submit_label = "Save"
    cache_note = False
    intro = ""
    context_object_name: str | None = None
    required = ("form_class",)
    required_methods = ("perform",)

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
        if self.context_object_name:
            context[self.context_object_name] = self.object
        return context

    def cancel_url(self) -> str:
        return self.success_url_for(None)

    def success_url_for(self, result) -> str:
        if self.object is None or not hasattr(self.object, "get_absolute_url"):
            raise ImproperlyConfigured(f"{type(self).__name__} must define success_url_for() (it edits no object).")
        return self.object.get_absolute_url()

    def preview(self, form) -> list[str] | None:
        return None

    def form_valid(self, form):
        if "preview" in self.request.POST:
            lines = self.preview(form)
            if lines is not None:
                return self.render_to_response(self.get_context_data(form=form, consequences=lines))
        try:
            result = self.perform(form)
        except ChangeRefused as e:
            refuse_on_form(form, e)
            return self.form_invalid(form)
        if isinstance(result, HttpResponseBase):
            return result
        return HttpResponseRedirect(self.success_url_for(result))

    @to_declare
    def perform(self, form):
        raise undeclared(self, "perform")


def refuse_on_form(form, error: ChangeRefused) -> None:
    """Put a refused change on the form: an edit conflict next to each field concerned (in the
    form's labels), any other refusal next to its field or at the top."""
    if isinstance(error, EditConflict) and hasattr(form, "add_conflict"):
        form.add_conflict(error)
    else:
        form.add_error(error.field if error.field in form.fields else None, error.message)


class ActionView(ConsoleMixin, ObjectMixin, Declared, View):
    """A POST-only button (remove, block, revoke...): service, message, redirect back.

    Declare:
        section              the navigation section
        load(), authorize()  the object acted on and the principal check (ObjectMixin)
        perform()            call the service (required); return the success message (or
                             None for none), or an HttpResponse to answer with it
        next_url()           where to go afterwards (required)
        refused_url()        where a refused change goes (default: next_url())
    """

    http_method_names = ["post"]
    required_methods = ("perform", "next_url")

    def post(self, request, *args, **kwargs):
        try:
            result = self.perform()
        except ChangeRefused as e:
            messages.error(request, e.message)
            return redirect(self.refused_url())
        if isinstance(result, HttpResponseBase):
            return result
        if result:
            messages.success(request, result)
        return redirect(self.next_url())

    @to_declare
    def perform(self):
        raise undeclared(self, "perform")

    @to_declare
    def next_url(self) -> str:
        raise undeclared(self, "next_url")

    def refused_url(self) -> str:
        return self.next_url()
