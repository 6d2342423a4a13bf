"""What every console page starts from: a signed-in principal allowed to open the section,
(for pages about one object) that object loaded within what they may see, and the check that
a page declared everything its generic base needs."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.template.response import TemplateResponse

from config import audit_trail, policy, writes
from config.stack import on_fresh_chunk


def actor_for(principal, request=None) -> writes.Actor:
    """The Actor of a signed-in principal: a LiteLLM user writes as themselves, ops staff as
    a master-key call does (created_by/updated_by/changed_by = the proxy admin id), their
    username and address kept in the console's own trail (config/audit_trail.py)."""
    return audit_trail.actor_for(principal, request)


def to_declare(method):
    """Marks a generic base's method as one each page must define (Declared checks it)."""
    method.left_to_declare = True
    return method


class Declared:
    """The declaration check of the generic views. A base names what a page built on it must
    give: `required` (attributes that may not stay None or empty) and `required_methods`
    (methods the base marks @to_declare). `as_view()` (run when the URLconf is imported: at
    start-up, in `manage.py check` and in every test run) raises ImproperlyConfigured naming
    each missing piece, so a misdeclared page never serves a request."""

    required: tuple[str, ...] = ()
    required_methods: tuple[str, ...] = ()

    @classmethod
    def as_view(cls, **initkwargs):
        cls.check_declaration(initkwargs)
        return super().as_view(**initkwargs)

    @classmethod
    def declared(cls, name: str, initkwargs: dict | None = None):
        return (initkwargs or {}).get(name, getattr(cls, name, None))

    @classmethod
    def declaration_problems(cls, initkwargs: dict) -> list[str]:
        problems = [f"set {name}" for name in cls.required if _empty(cls.declared(name, initkwargs))]
        for name in cls.required_methods:
            if getattr(getattr(cls, name, None), "left_to_declare", False):
                problems.append(f"define {name}()")
        return problems

    @classmethod
    def check_declaration(cls, initkwargs: dict | None = None) -> None:
        problems = cls.declaration_problems(initkwargs or {})
        if problems:
            bases = [b.__name__ for b in cls.__mro__[1:] if b.__module__.startswith("config.views")]
            base = bases[0] if bases else "its base"
            raise ImproperlyConfigured(f"{cls.__name__} must {' and '.join(problems)} (see the docstring of {base}).")


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and value == "")  # never evaluates a lazy URL


class ConsoleTemplateResponse(TemplateResponse):
    """Renders its template at the start of a fresh frame-stack chunk (config/stack.py: on
    CPython 3.11 a page rendered across a chunk boundary costs up to twice its time)."""

    def render(self):
        return on_fresh_chunk(super().render)


class ConsoleMixin(LoginRequiredMixin):
    """Requires a signed-in principal allowed to open `section` (403 otherwise)."""

    section: str | None = None
    title: str = ""
    response_class = ConsoleTemplateResponse

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
    """After sign-in and section checks (ConsoleMixin runs first): refuses a method the view
    does not serve before touching the database (405), runs `authorize_page()` (a check that
    needs no object), loads `self.object` with `load()` (404 outside what the principal may
    see) and runs `authorize()` (403 when this person may not do this to it)."""

    def dispatch(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.authorize_page()
        self.object = self.load()
        self.authorize()
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        return None

    def authorize_page(self) -> None:
        """Raise PermissionDenied before anything is loaded (a rule about the person only)."""

    def authorize(self) -> None:
        """Raise PermissionDenied when the principal may not do this to `self.object`."""

    def actor(self) -> writes.Actor:
        return actor_for(self.principal, self.request)


def undeclared(view, name: str) -> ImproperlyConfigured:
    """The error a @to_declare method raises when reached without as_view()'s check (a test
    that builds a view class by hand): the same loud refusal, at first use."""
    return ImproperlyConfigured(f"{type(view).__name__} must define {name}() (see its generic base's docstring).")
