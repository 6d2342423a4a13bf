"""List invitations, or revoke one.

manage.py invitations [--status pending|accepted|expired]
manage.py invitations revoke <invitation id>
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts import filters, services
from accounts.models import InvitationLink, UserTable
from config import writes

from ._people import console_link, table


class Command(BaseCommand):
    help = "List LiteLLM invitations (optionally by status) or revoke one."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="list", choices=["list", "revoke"])
        parser.add_argument("invitation_id", nargs="?")
        parser.add_argument("--status", choices=[s for s, _ in filters.INVITATION_STATUSES])
        parser.add_argument("--links", action="store_true", help="Also print each pending invitation's link.")

    def handle(self, *args, action, invitation_id, status, links, **opts):
        if action == "revoke":
            if not invitation_id:
                raise CommandError("Say which invitation: manage.py invitations revoke <invitation id>")
            invitation = InvitationLink.objects.filter(id=invitation_id).first()
            if invitation is None:
                raise CommandError(f"No invitation with the id {invitation_id!r}.")
            services.invitation_revoke(
                actor=writes.Actor(changed_by="manage.py invitations"), invitation_id=invitation_id
            )
            self.stdout.write(self.style.SUCCESS(f"Revoked invitation {invitation_id}: its link no longer works."))
            return
        if invitation_id:
            raise CommandError("Listing takes no id; did you mean 'invitations revoke <id>'?")
        qs = InvitationLink.objects.order_by("-created_at")
        if status:
            qs = qs.filter(filters.invitation_status_q(status))
        invitations = list(qs[:1000])
        emails = dict(
            UserTable.objects.filter(
                user_id__in={i.user_id for i in invitations} | {i.created_by for i in invitations}
            ).values_list("user_id", "user_email")
        )
        rows = [
            [
                i.id,
                emails.get(i.user_id) or i.user_id,
                services.invitation_status(i),
                emails.get(i.created_by) or i.created_by,
                f"{i.created_at:%Y-%m-%d %H:%M}",
                f"{i.expires_at:%Y-%m-%d}",
            ]
            + ([console_link(i) if services.invitation_status(i) == "pending" else ""] if links else [])
            for i in invitations
        ]
        if not rows:
            self.stdout.write("No invitations" + (f" with status {status}." if status else "."))
            return
        headers = ["id", "invitee", "status", "invited by", "sent (UTC)", "expires"] + (["link"] if links else [])
        self.stdout.write(table(rows, headers))
