"""Invite people from a shell, one or many (CSV), writing what LiteLLM's /invitation/new writes.

    manage.py invite alice@example.com --role internal_user --team research --org "Acme Corp"
    manage.py invite --csv people.csv [--dry-run] [--as lead@example.com]

CSV columns: email, role, team, organization, max_budget (team and organization by alias or
id). Each row is its own transaction: a bad row is reported and never stops the run or leaves
half a person behind. A person with a pending invitation is reported, not invited twice.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import UserTable
from config import policy, writes
from config.errors import ChangeRefused

from ._people import Progress, console_link, litellm_link, resolve_acting_user, resolve_org, resolve_team, table

COLUMNS = ("email", "role", "team", "organization", "max_budget")


@dataclass
class Row:
    line: int
    email: str
    role: str
    team: str
    organization: str
    max_budget: str


@dataclass
class Outcome:
    email: str
    result: str  # invited / already pending / would invite / error
    detail: str
    link: str = ""
    invitation_id: str = ""


class Command(BaseCommand):
    help = "Invite people to LiteLLM (one by email, or many from a CSV file) and print their links."

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", help="The person to invite (or use --csv).")
        parser.add_argument("--role", default=policy.INTERNAL_USER, help="LiteLLM role (default internal_user).")
        parser.add_argument("--team", help="Team alias or id to add them to.")
        parser.add_argument("--org", help="Organization alias or id to add them to.")
        parser.add_argument("--max-budget", help="Personal budget in USD.")
        parser.add_argument("--csv", dest="csv_path", help="CSV file with columns: " + ", ".join(COLUMNS))
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; write nothing.")
        parser.add_argument("--as", dest="as_email", help="Invite as this LiteLLM user (default: the proxy admin).")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, **opts):
        if bool(opts["email"]) == bool(opts["csv_path"]):
            raise CommandError("Give one email address, or --csv FILE (not both).")
        inviter_id, principal = resolve_acting_user(opts["as_email"])
        if principal is None or not principal.can_invite():
            raise CommandError(
                f"--as {opts['as_email']}: this person may not invite anyone (role {getattr(principal, 'role', '?')})."
            )
        rows = self._rows(opts)
        dry = opts["dry_run"]
        if inviter_id is None and not dry:
            inviter_id = services.ensure_proxy_admin_user(actor=writes.Actor(changed_by="manage.py invite"))
        # The inviter writes as themselves (a LiteLLM user id); without one, as a master-key call.
        actor = writes.Actor(changed_by=inviter_id or "manage.py invite", writer_id=inviter_id or "")
        progress = None if opts["no_progress"] or len(rows) < 2 else Progress(len(rows), self.stderr._out)
        outcomes = []
        for row in rows:
            outcome = self._one(row, principal=principal, actor=actor, inviter_id=inviter_id, dry=dry)
            outcomes.append(outcome)
            # Each link as soon as its row is committed: a run stopped halfway (or a later
            # row's crash) must not leave people invited whose link nobody saw.
            self._print_link(outcome)
            if progress:
                progress.step(row.email)
        if progress:
            progress.close()
        self._report(outcomes, dry)
        if any(o.result == "error" for o in outcomes) and len(rows) == 1:
            raise CommandError(outcomes[0].detail)

    def _rows(self, opts) -> list[Row]:
        if opts["email"]:
            return [
                Row(0, opts["email"], opts["role"], opts["team"] or "", opts["org"] or "", opts["max_budget"] or "")
            ]
        try:
            with open(opts["csv_path"], newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in ("email",) if c not in (reader.fieldnames or [])]
                if missing:
                    raise CommandError(f"{opts['csv_path']}: needs a header row with the columns {', '.join(COLUMNS)}.")
                return [
                    Row(
                        n,
                        (r.get("email") or "").strip(),
                        (r.get("role") or "").strip() or policy.INTERNAL_USER,
                        (r.get("team") or "").strip(),
                        (r.get("organization") or "").strip(),
                        (r.get("max_budget") or "").strip(),
                    )
                    for n, r in enumerate(reader, start=2)
                ]
        except OSError as e:
            raise CommandError(f"Cannot read {opts['csv_path']}: {e.strerror}.") from None

    def _one(self, row: Row, *, principal, actor, inviter_id, dry) -> Outcome:
        where = f"line {row.line}: " if row.line else ""
        try:
            if not row.email or "@" not in row.email:
                raise CommandError("not a valid email address")
            if row.role not in dict(policy.USER_ROLES):
                raise CommandError(f"unknown role {row.role!r} (use one of {', '.join(dict(policy.USER_ROLES))})")
            if not principal.can_assign_role(row.role):
                raise CommandError(f"you may not give the role {row.role}")
            team = resolve_team(row.team)
            org = resolve_org(row.organization)
            if team is not None and not principal.can_invite_to_team(team):
                raise CommandError(f"you may not add people to team {row.team!r}")
            if org is not None and not principal.can_invite_to_org(org):
                raise CommandError(f"you may not add people to organization {row.organization!r}")
            if not principal.can_place_outside_orgs() and team is None and org is None:
                raise CommandError("choose a team or organization you manage")
            try:
                budget = float(row.max_budget) if row.max_budget else None
            except ValueError:
                raise CommandError(f"max_budget {row.max_budget!r} is not a number") from None
            if budget is not None and budget < 0:
                raise CommandError("max_budget must be zero or more")
            existing = UserTable.objects.filter(user_email__iexact=row.email).first()
            if existing is not None and not principal.can_manage_credentials(existing):
                raise CommandError("you cannot invite this address (a proxy admin can send them a link)")
            if dry:
                return self._dry(row)
            result = services.invite_person(
                actor=actor,
                inviter_id=inviter_id,
                email=row.email,
                role=row.role,
                team_id=team.team_id if team else None,
                organization_id=org.organization_id if org else None,
                max_budget=budget,
            )
        except (CommandError, ChangeRefused) as e:
            return Outcome(row.email or "(blank)", "error", where + str(e))
        except Exception as e:  # a database error on one row must not stop the run
            return Outcome(row.email, "error", f"{where}{type(e).__name__}: {e}")
        detail = "new person" if result.created_user else "existing person"
        if result.status == "already pending":
            detail = f"pending until {result.invitation.expires_at:%Y-%m-%d}"
        return Outcome(row.email, result.status, detail, console_link(result.invitation), result.invitation.id)

    def _dry(self, row: Row) -> Outcome:
        users = list(UserTable.objects.filter(user_email__iexact=row.email)[:2])
        if len(users) > 1:
            return Outcome(row.email, "error", "several users share this email")
        if users:
            pending = services.pending_invitation_for(users[0].user_id)
            if pending is not None:
                return Outcome(
                    row.email,
                    "already pending",
                    f"pending until {pending.expires_at:%Y-%m-%d}",
                    console_link(pending),
                    pending.id,
                )
            return Outcome(row.email, "would invite", "existing person")
        return Outcome(row.email, "would invite", "new person")

    def _print_link(self, o: Outcome) -> None:
        if not o.link:
            return
        self.stdout.write(f"{o.email}: {o.link}")
        other = litellm_link(o.invitation_id)
        if other:
            self.stdout.write(f"{' ' * len(o.email)}  LiteLLM UI: {other}")
        self.stdout.flush()

    def _report(self, outcomes: list[Outcome], dry: bool) -> None:
        self.stdout.write("")
        self.stdout.write(table([[o.email, o.result, o.detail] for o in outcomes], ["email", "result", "detail"]))
        counts = {}
        for o in outcomes:
            counts[o.result] = counts.get(o.result, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        prefix = "Dry run, nothing written: " if dry else ""
        style = self.style.WARNING if counts.get("error") else self.style.SUCCESS
        self.stdout.write(style(prefix + summary))
