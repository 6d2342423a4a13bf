"""Model access requests: ask (internal users), the queue (proxy admins, org admins for their
orgs' users), answer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from accounts.models import UserTable
from config import policy
from config.views.generic import NumberedSource, ObjectListView, ServiceFormView
from keys.models import VerificationToken

from .. import requests, selectors
from ..forms import ModelRequestAnswerForm, ModelRequestFilterForm, ModelRequestForm
from ..models import ModelRequestAnswer, UserNotifications
from ..tables import ModelRequestTable


class RequestRow:
    def __init__(self, row, note, email):
        self.row, self.note, self.email = row, note, email
        self.request_id, self.user_id, self.status = row.request_id, row.user_id, row.status
        self.models, self.justification = row.models or [], row.justification
        self.reason = note.reason if note else ""
        self.requested_at = note.requested_at if note else None
        self.answered_by = note.answered_by if note else ""


class ModelRequestSource(NumberedSource):
    PER_PAGE = 50

    def fetch(self, number):
        qs = UserNotifications.objects.filter(self.principal.model_requests_q())
        f = self.filters
        if f.get("status"):
            qs = qs.filter(status=f["status"])
        if f.get("q"):
            text = f["q"]
            users = UserTable.objects.filter(Q(user_email__icontains=text) | Q(user_id=text)).values("user_id")
            qs = qs.filter(Q(user_id__in=users) | Q(models__contains=[text]))
        qs = list(qs)
        notes = ModelRequestAnswer.objects.filter(request_id__in=[r.request_id for r in qs])
        order = {n.request_id: n for n in notes}
        rows = sorted(
            qs,
            key=lambda r: (
                r.status != requests.PENDING,
                -(order[r.request_id].requested_at.timestamp() if r.request_id in order else 0),
            ),
        )
        start = (number - 1) * self.PER_PAGE
        page = rows[start : start + self.PER_PAGE]
        emails = dict(
            UserTable.objects.filter(user_id__in=[r.user_id for r in page]).values_list("user_id", "user_email")
        )
        counts = {
            s: sum(1 for r in rows if r.status == s)
            for s in (requests.PENDING, requests.APPROVED, requests.DISAPPROVED)
        }
        out = [RequestRow(r, order.get(r.request_id), emails.get(r.user_id)) for r in page]
        return out, len(rows) > start + self.PER_PAGE, {"counts": counts}


class ModelRequestListView(ObjectListView):
    section = "model_requests"
    title = "Model requests"
    template_name = "deployments/request_list.html"
    source_class = ModelRequestSource
    filter_form_class = ModelRequestFilterForm
    table_class = ModelRequestTable

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter={"form": self.filter_form},
            reviewer=self.principal.may_review_model_requests(),
            can_request=self.principal.can_request_models(),
        )
        return context

    def get_table_kwargs(self):
        return {"principal": self.principal}

    get_export_table_kwargs = get_table_kwargs


class ModelRequestCreateView(ServiceFormView):
    section = "model_requests"
    form_class = ModelRequestForm
    title = "Ask for models"
    submit_label = "Send request"

    def authorize_page(self):
        self.principal.require(self.principal.can_request_models())
        self.key = None
        token = self.request.GET.get("key") or self.request.POST.get("key")
        if token:
            self.key = VerificationToken.objects.filter(
                self.principal.keys_q(), token=token, user_id=self.principal.user_id
            ).first()
            if self.key is None:
                raise Http404("No such key of yours.")
            self.intro = f"The models go to your key {self.key.key_alias or self.key.key_name} once approved."
        else:
            self.intro = (
                "The models are added to your own model list once a proxy admin (or your org's admin) approves."
            )

    def form_extra(self):
        names, groups = selectors.public_names_and_groups(None)
        choices = [(n, n) for n in names] + [(g, f"{g} (access group)") for g in groups]
        return {"choices": choices}

    def perform(self, form):
        requests.request_models(
            actor=self.actor(),
            user_id=self.principal.user_id,
            models=form.cleaned_data["models"],
            justification=form.cleaned_data["justification"],
            key_token=self.key.token if self.key else "",
        )
        messages.success(self.request, "Request sent. You will see its answer on this page.")

    def success_url_for(self, result):
        return reverse("deployments:request_list")


class ModelRequestAnswerView(ServiceFormView):
    section = "model_requests"
    form_class = ModelRequestAnswerForm
    submit_label = "Send answer"
    template_name = "deployments/request_answer.html"

    def load(self):
        row = policy.get_visible_or_404(
            UserNotifications.objects.all(),
            self.principal.model_requests_q(),
            request_id=self.kwargs["notification_id"],
        )
        return RequestRow(
            row,
            ModelRequestAnswer.objects.filter(request_id=row.request_id).first(),
            UserTable.objects.filter(user_id=row.user_id).values_list("user_email", flat=True).first(),
        )

    def authorize(self):
        self.principal.require(self.principal.can_answer_model_request(self.object.row))
        self.title = f"Request from {self.object.email or self.object.user_id}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        key = self.object.note.key_token if self.object.note else ""
        context["request_row"] = self.object
        context["key"] = VerificationToken.objects.filter(token=key).first() if key else None
        return context

    def perform(self, form):
        status = requests.answer(
            actor=self.actor(),
            request_id=self.object.request_id,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
        if status == requests.APPROVED:
            ttl = settings.LITELLM_CACHE_TTL_SECONDS
            messages.success(self.request, f"Request approved. The proxy sees the new models within {ttl} seconds.")
        else:
            messages.success(self.request, "Request disapproved. The requester reads the reason on Model requests.")

    def success_url_for(self, result):
        return reverse("deployments:request_list")
