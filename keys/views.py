"""Key pages: list (with bulk block/unblock), detail, create, edit, block/unblock,
regenerate and delete, each a declaration on the generic views (config/views/): load the
key within what the principal may see, ask the policy, call a service, say what happened."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.models import TeamTable
from budgets import selectors as budget_selectors
from budgets.forms import budget_consequences
from config import policy
from config.errors import ChangeRefused
from config.views.generic import (
    ActionView,
    ConfirmView,
    ConsoleMixin,
    DeleteView,
    ObjectDetailView,
    ObjectListView,
    ServiceFormView,
)

from . import access, form_access, selectors, services
from .filters import KeyFilterSet
from .forms import KeyCreateForm, KeyEditForm
from .models import VerificationToken
from .tables import KeyTable


def _ttl() -> int:
    """The proxy's key/user/team cache TTL: how long until it sees a direct DB change."""
    return settings.LITELLM_CACHE_TTL_SECONDS


def _visible_key(principal, token: str) -> VerificationToken:
    """The key if this principal may see it, else 404 (existence does not leak)."""
    return policy.get_visible_or_404(VerificationToken.objects.all(), principal.keys_q(), token=token)


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


class KeyObjectMixin:
    """Pages about one key: loaded within what the principal may see (404 otherwise)."""

    section = "keys"
    context_object_name = "key"

    def load(self):
        return _visible_key(self.principal, self.kwargs["token"])


class ManagedKeyMixin(KeyObjectMixin):
    """...that change it: only for those who may manage it (403)."""

    def authorize(self):
        self.principal.require(self.principal.can_manage_key(self.object))


class KeyBulkActionView(ActionView):
    """POST tokens + action (block/unblock) from the list's checkboxes."""

    section = "keys"

    def next_url(self):
        back = self.request.POST.get("next") or ""
        # Only a path on this site: redirect() would read any other text ("0") as a view name.
        if not back.startswith("/") or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={self.request.get_host()}
        ):
            back = reverse("keys:key_list")
        return back

    def perform(self):
        action = self.request.POST.get("action")
        tokens = self.request.POST.getlist("tokens")
        if action not in ("block", "unblock"):
            messages.error(self.request, "Choose Block or Unblock.")
            return None
        if not tokens:
            messages.warning(self.request, "Tick at least one key first.")
            return None
        keys = list(VerificationToken.objects.filter(self.principal.keys_q(), token__in=tokens))
        self.principal.require(all(self.principal.can_manage_key(k) for k in keys))
        changed = services.keys_set_blocked(
            actor=self.actor(), tokens=[k.token for k in keys], blocked=action == "block"
        )
        verb = "Blocked" if action == "block" else "Unblocked"
        return (
            f"{verb} {changed} key{'s' if changed != 1 else ''}. "
            f"The proxy sees this within {_ttl()} seconds (its cache TTL)."
        )


def _spike_days(token: str, usage) -> set[str]:
    """The UTC days of this key's spend-spike alerts (alerts/spikes.py) among the days shown."""
    from alerts.spikes import spikes_between

    if not usage:
        return set()
    days = [d.day for d in usage]
    return {a.period for a in spikes_between("key", token, min(days), max(days))}


class KeyDetailView(KeyObjectMixin, ObjectDetailView):
    template_name = "keys/key_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        key = self.object
        soft_budget = selectors.key_soft_budget(key)
        usage = selectors.key_daily_usage(key)
        forecast = budget_selectors.forecast_for(
            "key",
            key.token,
            spend=key.spend,
            max_budget=key.max_budget,
            reset_at=key.budget_reset_at,
            duration=key.budget_duration or "",
            reset_kind="key_own",
        )
        context.update(
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
            spike_days=_spike_days(key.token, usage),
            recent=selectors.key_recent_requests(key, usage),
            recent_scan_rows=selectors.RECENT_SCAN_ROWS,
            forecast=forecast,
            can_manage=self.principal.can_manage_key(key),
            settings_updated_at=key.settings_updated_at
            if VerificationToken.has_column("settings_updated_at")
            else None,
            show_last_active=selectors.has_last_active(),
            tags=access.key_tags(key.metadata),
            service_account_id=access.service_account_id(key.metadata),
            key_type_label=access.key_type_label(key.key_type) if form_access.has_key_type() else None,
            has_rotation=form_access.has_rotation(),
        )
        return context


class KeyCreateView(ServiceFormView):
    section = "keys"
    title = "Create a key"
    template_name = "keys/key_form.html"
    form_class = KeyCreateForm
    submit_label = "Create key"
    cache_note = True
    intro = "The secret is shown once, right after you create the key. Copy it then."

    def authorize(self):
        self.principal.require(self.principal.can_create_keys())

    def form_extra(self):
        return {"principal": self.principal}

    def preview(self, form):
        data = form.cleaned_data
        return budget_consequences(0.0, data.get("max_budget"), data.get("budget_duration"))

    def perform(self, form):
        try:
            issued = services.key_create(actor=self.actor(), data=form.service_data())
        except ChangeRefused as error:  # a refusal without a field is about the alias (taken meanwhile)
            raise ChangeRefused(error.message, error.field or "key_alias") from error
        return _issued_response(self.request, self.principal, issued, regenerated=False)

    def success_url_for(self, result):
        return reverse("keys:key_list")


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


class KeyIssuedView(KeyObjectMixin, ObjectDetailView):
    """A later visit to a new key's page: the secret was shown once and is gone."""

    template_name = "keys/key_issued.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "raw_key": None,
            "regenerated": False,
            "title": _label(self.object),
            "can_open": True,
        }


class KeyEditView(ManagedKeyMixin, ServiceFormView):
    template_name = "keys/key_form.html"
    submit_label = "Save changes"
    cache_note = True

    form_class = KeyEditForm

    def form_extra(self):
        key = self.object
        return {"principal": self.principal, "key": key, "soft_budget": selectors.key_soft_budget(key)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": f"Edit {_label(self.object)}"}

    def preview(self, form):
        key, data = self.object, form.cleaned_data
        duration = data.get("budget_duration")
        reset_at = key.budget_reset_at if duration == key.budget_duration else None
        consequences = budget_consequences(
            key.spend, data.get("max_budget"), duration, reset_at=reset_at, soft_budget=data.get("soft_budget")
        )
        if not form.changes():
            consequences.insert(0, "Nothing has changed yet.")
        return consequences

    def perform(self, form):
        changes = form.changes()
        if not changes:
            messages.info(self.request, "Nothing changed.")
            return None
        services.key_update(
            actor=self.actor(), token=self.object.token, changes=changes, expected=form.expected_for(changes)
        )
        messages.success(self.request, f"Saved. The proxy sees the change within {_ttl()} seconds (its cache TTL).")
        return None


class KeyBlockView(ManagedKeyMixin, ActionView):
    blocked = True

    def perform(self):
        key = self.object
        services.keys_set_blocked(actor=self.actor(), tokens=[key.token], blocked=self.blocked)
        verb = "blocked" if self.blocked else "unblocked"
        return f"{_label(key)} is {verb}. The proxy sees this within {_ttl()} seconds (its cache TTL)."

    def next_url(self):
        return self.object.get_absolute_url()


class KeyUnblockView(KeyBlockView):
    blocked = False


class KeyRegenerateView(ManagedKeyMixin, ConfirmView):
    danger = True

    def confirmation(self):
        return {
            "title": f"Regenerate {_label(self.object)}",
            "message": "A new secret replaces the current one. The old secret stops working; "
            "anything using it needs the new one.",
            "details": [
                "Spend, budget, limits and settings stay with the key.",
                "The new secret is shown once, on the next page.",
            ],
            "submit_label": "Regenerate secret",
        }

    def perform(self):
        issued = services.key_regenerate(actor=self.actor(), token=self.object.token)
        return _issued_response(self.request, self.principal, issued, regenerated=True)

    def next_url(self):
        return self.object.get_absolute_url()

    def refused_url(self):
        return reverse("keys:key_list")


class KeyDeleteView(ManagedKeyMixin, DeleteView):
    success_url = reverse_lazy("keys:key_list")

    def confirmation(self):
        key = self.object
        return {
            "title": f"Delete {_label(key)}",
            "message": "The key stops working and is removed. LiteLLM's Deleted Keys list keeps a copy "
            "where this proxy version has one.",
            "details": [f"Spend so far: ${key.spend or 0:,.2f}."],
            "submit_label": "Delete key",
        }

    def perform(self):
        key = self.object
        services.keys_delete(actor=self.actor(), tokens=[key.token])
        return f"Deleted {_label(key)}. The proxy stops accepting it within {_ttl()} seconds."
