"""Key pages: list (with bulk block/unblock), detail, create, edit, block/unblock,
regenerate and delete. Views fetch and authorize, validate, call a service, redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from accounts.models import TeamTable
from budgets import selectors as budget_selectors
from budgets.forms import budget_consequences
from config import policy, writes
from config.errors import ChangeRefused
from config.views.base import actor_for
from config.views.edit import refuse_on_form
from config.views.generic import ConsoleMixin, ObjectListView

from . import selectors, services
from .filters import KeyFilterSet
from .forms import KeyCreateForm, KeyEditForm
from .models import VerificationToken
from .tables import KeyTable

# Session slot holding a just-issued raw key until its one display (then removed).


def _ttl() -> int:
    """The proxy's key/user/team cache TTL: how long until it sees a direct DB change."""
    return settings.LITELLM_CACHE_TTL_SECONDS


def _actor(principal, request=None) -> writes.Actor:
    return actor_for(principal, request)


def _visible_key(principal, token: str) -> VerificationToken:
    """The key if this principal may see it, else 404 (existence does not leak)."""
    return policy.get_visible_or_404(VerificationToken.objects.all(), principal.keys_q(), token=token)


def _managed_key(principal, token: str) -> VerificationToken:
    key = _visible_key(principal, token)
    principal.require(principal.can_manage_key(key))
    return key


def _label(key) -> str:
    return key.key_alias or key.key_name or key.token[:12]


def _issued_response(request, principal, issued: services.IssuedKey, *, regenerated: bool):
    """The page that shows a new secret, rendered straight into the POST's response: the raw
    key is never stored anywhere (not in the session table, a URL, a message or a log)."""
    # The person who just made it sees it, even when the key falls outside what they may list
    # afterwards (e.g. an org admin's key for someone else, with no team).
    key = VerificationToken.objects.get(token=issued.token)
    can_open = VerificationToken.objects.filter(principal.keys_q(), token=key.token).exists()
    response = render(
        request,
        "keys/key_issued.html",
        {
            "key": key,
            "raw_key": issued.raw,
            "regenerated": regenerated,
            "title": _label(key),
            "can_open": can_open,
            "section": "keys",
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class KeyListView(ObjectListView):
    model = VerificationToken
    table_class = KeyTable
    filterset_class = KeyFilterSet
    section = "keys"
    title = "Keys"
    template_name = "keys/key_list.html"
    lazy_pagination = True
    create_url = reverse_lazy("keys:key_create")
    create_label = "Create key"

    def get_queryset(self):
        include_ui = self.request.GET.get("ui_sessions") in ("on", "true", "1", "True")
        return selectors.key_queryset(self.principal, include_ui_sessions=include_ui)

    def get_table_kwargs(self):
        return {
            "show_last_active": selectors.has_last_active(),
            "bulk": self.principal.can_bulk_manage_keys(),
            "for_export": self.request.GET.get("export") == "csv",
            # Someone who sees only their own keys gains nothing from an Owner column of their name.
            "exclude": ["owner"] if selectors.sees_only_own_keys(self.principal) else [],
        }

    def can_create(self) -> bool:
        return self.principal.can_create_keys()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_bulk"] = self.principal.can_bulk_manage_keys()
        context["return_to"] = self.request.get_full_path()
        return context


class KeyBulkActionView(ConsoleMixin, View):
    """POST tokens + action (block/unblock) from the list's checkboxes."""

    section = "keys"
    http_method_names = ["post"]

    def post(self, request):
        action = request.POST.get("action")
        tokens = request.POST.getlist("tokens")
        back = request.POST.get("next") or reverse("keys:key_list")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("keys:key_list")
        if action not in ("block", "unblock"):
            messages.error(request, "Choose Block or Unblock.")
            return HttpResponseRedirect(back)
        if not tokens:
            messages.warning(request, "Tick at least one key first.")
            return HttpResponseRedirect(back)
        keys = list(VerificationToken.objects.filter(self.principal.keys_q(), token__in=tokens))
        self.principal.require(all(self.principal.can_manage_key(k) for k in keys))
        changed = services.keys_set_blocked(
            actor=_actor(self.principal, self.request), tokens=[k.token for k in keys], blocked=action == "block"
        )
        verb = "Blocked" if action == "block" else "Unblocked"
        messages.success(
            request,
            f"{verb} {changed} key{'s' if changed != 1 else ''}. "
            f"The proxy sees this within {_ttl()} seconds (its cache TTL).",
        )
        return HttpResponseRedirect(back)


class KeyDetailView(ConsoleMixin, TemplateView):
    section = "keys"
    template_name = "keys/key_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        key = _visible_key(self.principal, kwargs["token"])
        soft_budget = selectors.key_soft_budget(key)
        usage = selectors.key_daily_usage(key)
        forecast = budget_selectors.forecast_for(
            "key", key.token, spend=key.spend, max_budget=key.max_budget, reset_at=key.budget_reset_at
        )
        context.update(
            key=key,
            title=_label(key),
            labels=selectors.key_labels(key),
            status=selectors.key_status(key),
            over_budget=selectors.is_over_budget(key),
            pct=(100.0 * (key.spend or 0) / key.max_budget) if key.max_budget else None,
            soft_budget=soft_budget,
            usage=usage,
            usage_max=max((d.spend for d in usage), default=0.0),
            usage_total=sum(d.spend for d in usage),
            usage_requests=sum(d.requests for d in usage),
            recent=selectors.key_recent_requests(key, usage),
            recent_scan_rows=selectors.RECENT_SCAN_ROWS,
            forecast=forecast,
            can_manage=self.principal.can_manage_key(key),
            settings_updated_at=key.settings_updated_at
            if VerificationToken.has_column("settings_updated_at")
            else None,
            show_last_active=selectors.has_last_active(),
        )
        return context


class KeyCreateView(ConsoleMixin, View):
    section = "keys"
    template_name = "keys/key_form.html"

    def _form(self, data=None):
        return KeyCreateForm(data, principal=self.principal)

    def _render(self, request, form, consequences=None):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "title": "Create a key",
                "submit_label": "Create key",
                "cancel_url": reverse("keys:key_list"),
                "cache_note": True,
                "consequences": consequences,
                "section": self.section,
                "intro": "The secret is shown once, right after you create the key. Copy it then.",
            },
        )

    def get(self, request):
        self.principal.require(self.principal.can_create_keys())
        return self._render(request, self._form())

    def post(self, request):
        self.principal.require(self.principal.can_create_keys())
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        if "preview" in request.POST:
            data = form.cleaned_data
            return self._render(
                request, form, budget_consequences(0.0, data.get("max_budget"), data.get("budget_duration"))
            )
        try:
            issued = services.key_create(actor=_actor(self.principal, self.request), data=form.service_data())
        except ChangeRefused as error:
            form.add_error("key_alias", str(error))
            return self._render(request, form)
        return _issued_response(request, self.principal, issued, regenerated=False)


class KeyModelsView(ConsoleMixin, View):
    """GET ?team=<id>&q=<text>: up to 50 model names this person may give a key of that team
    (no team: a personal key), for the key form's picker. A team outside what they may pick
    answers 404."""

    section = "keys"
    http_method_names = ["get"]

    def get(self, request):
        self.principal.require(self.principal.can_create_keys())
        team_id = request.GET.get("team") or None
        team = None
        if team_id:
            team = policy.get_visible_or_404(TeamTable.objects.all(), self.principal.team_choices_q(), team_id=team_id)
        scope = selectors.grantable_models(self.principal, team)
        found = scope.matches(request.GET.get("q", "")[:200])
        limit = selectors.MODEL_MATCHES_LIMIT
        response = JsonResponse({"models": found[:limit], "more": len(found) > limit, "any": scope.names is None})
        response["Cache-Control"] = "private, no-store"
        return response


class KeyIssuedView(ConsoleMixin, TemplateView):
    """A later visit to a new key's page: the secret was shown once and is gone."""

    section = "keys"
    template_name = "keys/key_issued.html"

    def get(self, request, *args, **kwargs):
        key = _visible_key(self.principal, kwargs["token"])
        return self.render_to_response(
            self.get_context_data(key=key, raw_key=None, regenerated=False, title=_label(key), can_open=True)
        )


class KeyEditView(ConsoleMixin, View):
    section = "keys"
    template_name = "keys/key_form.html"

    def _render(self, request, key, form, consequences=None):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "key": key,
                "title": f"Edit {_label(key)}",
                "submit_label": "Save changes",
                "cancel_url": key.get_absolute_url(),
                "cache_note": True,
                "consequences": consequences,
                "section": self.section,
            },
        )

    def _form(self, key, data=None):
        return KeyEditForm(data, principal=self.principal, key=key, soft_budget=selectors.key_soft_budget(key))

    def get(self, request, token):
        key = _managed_key(self.principal, token)
        return self._render(request, key, self._form(key))

    def post(self, request, token):
        key = _managed_key(self.principal, token)
        form = self._form(key, request.POST)
        if not form.is_valid():
            return self._render(request, key, form)
        changes = form.changes()
        if "preview" in request.POST:
            duration = form.cleaned_data.get("budget_duration")
            reset_at = key.budget_reset_at if duration == key.budget_duration else None
            consequences = budget_consequences(
                key.spend,
                form.cleaned_data.get("max_budget"),
                duration,
                reset_at=reset_at,
                soft_budget=form.cleaned_data.get("soft_budget"),
            )
            if not changes:
                consequences.insert(0, "Nothing has changed yet.")
            return self._render(request, key, form, consequences)
        if not changes:
            messages.info(request, "Nothing changed.")
            return redirect("keys:key_detail", token=key.token)
        try:
            services.key_update(
                actor=_actor(self.principal, self.request),
                token=key.token,
                changes=changes,
                expected=form.expected_for(changes),
            )
        except ChangeRefused as error:
            refuse_on_form(form, error)
            return self._render(request, key, form)
        messages.success(request, f"Saved. The proxy sees the change within {_ttl()} seconds (its cache TTL).")
        return redirect("keys:key_detail", token=key.token)


class KeyBlockView(ConsoleMixin, View):
    section = "keys"
    http_method_names = ["post"]
    blocked = True

    def post(self, request, token):
        key = _managed_key(self.principal, token)
        services.keys_set_blocked(actor=_actor(self.principal, self.request), tokens=[key.token], blocked=self.blocked)
        verb = "blocked" if self.blocked else "unblocked"
        messages.success(
            request, f"{_label(key)} is {verb}. The proxy sees this within {_ttl()} seconds (its cache TTL)."
        )
        return redirect("keys:key_detail", token=key.token)


class KeyUnblockView(KeyBlockView):
    blocked = False


class _ConfirmView(ConsoleMixin, View):
    section = "keys"

    def confirm(self, request, key):
        raise NotImplementedError

    def get(self, request, token):
        key = _managed_key(self.principal, token)
        context = {**self.confirm(request, key), "section": self.section, "crumb_object": key}
        return render(request, "generic/confirm.html", context)


class KeyRegenerateView(_ConfirmView):
    def confirm(self, request, key):
        return {
            "title": f"Regenerate {_label(key)}",
            "message": "A new secret replaces the current one. The old secret stops working; "
            "anything using it needs the new one.",
            "details": [
                "Spend, budget, limits and settings stay with the key.",
                "The new secret is shown once, on the next page.",
            ],
            "submit_label": "Regenerate secret",
            "cancel_url": key.get_absolute_url(),
            "danger": True,
        }

    def post(self, request, token):
        key = _managed_key(self.principal, token)
        try:
            issued = services.key_regenerate(actor=_actor(self.principal, self.request), token=key.token)
        except ChangeRefused as error:
            messages.error(request, str(error))
            return redirect("keys:key_list")
        return _issued_response(request, self.principal, issued, regenerated=True)


class KeyDeleteView(_ConfirmView):
    def confirm(self, request, key):
        return {
            "title": f"Delete {_label(key)}",
            "message": "The key stops working and is removed. LiteLLM's Deleted Keys list keeps a copy "
            "where this proxy version has one.",
            "details": [
                f"Spend so far: ${key.spend or 0:,.2f}.",
            ],
            "submit_label": "Delete key",
            "cancel_url": key.get_absolute_url(),
            "danger": True,
        }

    def post(self, request, token):
        key = _managed_key(self.principal, token)
        services.keys_delete(actor=_actor(self.principal, self.request), tokens=[key.token])
        messages.success(request, f"Deleted {_label(key)}. The proxy stops accepting it within {_ttl()} seconds.")
        return redirect("keys:key_list")
