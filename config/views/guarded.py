"""A form page whose permission depends on what the submission names (a role, a team, an
organization, an existing person): authorize() checks the page before the form is built,
authorize_form(form) checks the valid submission, through the policy, before perform() writes.
So perform() only writes."""

from __future__ import annotations

from config.errors import ChangeRefused

from .edit import ServiceFormView


class GuardedFormView(ServiceFormView):
    def authorize_form(self, form) -> None:
        """Raise PermissionDenied (403) or ChangeRefused (an error next to the field)."""

    def form_valid(self, form):
        try:
            self.authorize_form(form)
        except ChangeRefused as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        return super().form_valid(form)
