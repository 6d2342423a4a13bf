"""/alerts/: every alert sent or suppressed, role-scoped (policy.alerts_q), filters and CSV; the
"send a test alert" buttons (proxy admins)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from config.views.generic import ActionView, ObjectListView

from .channels import CHANNEL_LABELS, attempt, configured_channels
from .filters import AlertFilterSet
from .messages import compose
from .models import Alert, Delivery
from .tables import AlertTable


class AlertListView(ObjectListView):
    model = Alert
    table_class = AlertTable
    filterset_class = AlertFilterSet
    section = "alerts"
    title = "Alerts"
    template_name = "alerts/alert_list.html"
    empty_text = "No alert yet: budgets past a threshold and spend spikes appear here."
    lazy_pagination = True

    def scope(self, queryset):
        return queryset.filter(self.principal.alerts_q()).prefetch_related("deliveries").order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        configured = configured_channels()
        context["channels"] = [(c, label, c in configured) for c, label in CHANNEL_LABELS]
        context["can_test"] = self.principal.can_send_test_alerts()
        return context


class TestAlertView(ActionView):
    section = "alerts"

    def authorize(self):
        self.principal.require(self.principal.can_send_test_alerts())

    def perform(self):
        channel = self.kwargs["channel"]
        if channel not in configured_channels():
            raise Http404
        alert = Alert(
            kind="test",
            object_id="test",
            name="test",
            rule="test",
            threshold=0,
            period=str(uuid.uuid4()),
            spend=0,
            status="pending",
        )
        alert.subject, alert.message = compose(alert)
        # the test email goes to the person pressing the button and the configured extra addresses
        own = self.request.user.email or ""
        if not own and self.principal.user_id:
            from accounts.models import UserTable

            own = UserTable.objects.filter(user_id=self.principal.user_id).values_list("user_email", flat=True).first()
        alert.recipients = [e for e in dict.fromkeys([own, *settings.ALERT_EXTRA_EMAILS]) if e]
        alert.save()
        delivery = Delivery.objects.create(alert=alert, channel=channel)
        delivery.alert = alert
        if attempt(delivery):
            return f"Test alert sent through {dict(CHANNEL_LABELS)[channel]}."
        from django.contrib import messages

        messages.error(self.request, f"The test alert through {dict(CHANNEL_LABELS)[channel]} failed: {delivery.error}")
        return None

    def next_url(self):
        return reverse("alerts:alert_list")
