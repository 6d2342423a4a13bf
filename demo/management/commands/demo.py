"""`python3 manage.py demo`: the console at http://127.0.0.1:8000.

Without DATABASE_URL, manage.py has already started an embedded PostgreSQL (.demo/) holding
LiteLLM's newest schema; on the first run this command fills it with a demo deployment
(demo.deployment) and later runs reuse it. With DATABASE_URL set, it serves that database and
writes no LiteLLM rows: only the console's own schema (migrate) and, if no ops login exists
yet, one ops superuser.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from config import litellm
from demo import deployment as demodata

OPS_USERNAME = "ops"
EMBEDDED_OPS_PASSWORD = "ops-demo-password"


class Command(BaseCommand):
    help = "Start the console on the embedded demo database (or on DATABASE_URL, with no demo data)."
    requires_system_checks = []  # runserver runs them, the LiteLLM schema check included

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="Address and port to serve on.")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the database, then exit.")
        parser.add_argument(
            "--insecure-public",
            action="store_true",
            help="Allow an address other than loopback (the demo's key and passwords are public).",
        )

    def handle(self, *args, addrport, no_serve, insecure_public, verbosity, **options):
        embedded = os.environ.get("CONSOLE_EMBEDDED_DEMO") == "1"
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        # Checked before anything is migrated or written, so a wrong address costs nothing.
        if not insecure_public and not is_loopback(host):
            raise CommandError(
                f"Refusing to serve the demo on {host}: it runs with a development secret key and fixed, published "
                "passwords, so anyone who can reach it can sign in as an admin. Use 127.0.0.1 (the default), or "
                "add --insecure-public if you really mean to expose it."
            )
        dev_key = settings.SECRET_KEY == "insecure-dev-key-change-me"
        if embedded or dev_key:
            self.stdout.write(
                self.style.WARNING(
                    "Warning: this demo runs with "
                    + ("a development secret key" if dev_key else "your SECRET_KEY")
                    + (" and fixed passwords printed below" if embedded else "")
                    + ". It is for a local look only: never expose it or put real data in it."
                )
            )
        call_command("migrate", database="default", interactive=False, verbosity=max(0, verbosity - 1))
        if embedded and not demodata.is_built():
            self.stdout.write("Writing the demo deployment (first run) ...")
            started = time.monotonic()
            summary = demodata.build_deployment()
            litellm.reset_catalog()
            counts = summary["counts"]
            self.stdout.write(
                f"  {counts['users']} users, {counts['teams']} teams, {counts['keys']} keys, "
                f"{counts['daily_rows']} daily rows per spend table, {counts['spend_logs']} spend logs "
                f"in {time.monotonic() - started:.1f}s"
            )
        if embedded:
            from demo.deployment.alerts import build_demo_alerts

            alert_counts = build_demo_alerts()
            if alert_counts:
                self.stdout.write(
                    "  alerts: " + ", ".join(f"{n} {status}" for status, n in sorted(alert_counts.items()))
                )
        ops_line = self.ensure_ops_login(embedded)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"LiteLLM console: http://{host}/"))
        self.stdout.write(f"  Ops login:        {ops_line}")
        if embedded:
            self.stdout.write(f"  LiteLLM sign-ins (password {demodata.DEMO_PASSWORD} for each):")
            width = max(len(email) for email, *_ in demodata.DEMO_ACCOUNTS)
            for account in demodata.DEMO_ACCOUNTS:
                self.stdout.write(f"    {account[0]:{width}}  {what_it_shows(account)}")
            self.stdout.write(
                "  Database:         embedded PostgreSQL in .demo/ (kept between runs; delete .demo/ to start over)"
            )
            salt = settings.LITELLM_SALT_KEY or demodata.DEMO_SALT_KEY
            self.stdout.write(f"  Salt key:         LITELLM_SALT_KEY={salt} (encrypts the demo's model deployments)")
        else:
            self.stdout.write("  Database:         DATABASE_URL (no demo data written)")
            if not settings.DEBUG and (settings.SESSION_COOKIE_SECURE or settings.SECURE_SSL_REDIRECT):
                self.stdout.write(
                    self.style.WARNING(
                        "  DEBUG is off, so the console insists on HTTPS (redirects, secure cookies): serve it "
                        "behind TLS, or set DEBUG=true for a local look over plain http."
                    )
                )
        if settings.ALERT_EMAIL_ENABLED and settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(f"  Alert emails:     written as files to {settings.EMAIL_FILE_PATH}/ (not sent)")
        elif settings.ALERT_EMAIL_ENABLED:
            self.stdout.write(
                f"  Alert emails:     sent through {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]} (EMAIL_URL)"
            )
        else:
            self.stdout.write("  Alert emails:     off (set EMAIL_URL)")
        if not no_serve:
            self.stdout.write(
                "  Worker:           `manage.py worker` beside the server (alerts every few minutes, /jobs/)"
            )
        self.stdout.write("")
        if no_serve:
            return
        worker = start_worker()
        try:
            call_command("runserver", host, use_reloader=False, insecure_serving=True)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    def ensure_ops_login(self, embedded: bool) -> str:
        User = get_user_model()
        if embedded:
            # The demo prints a fixed login, so make it true on every run.
            user = User.objects.filter(username=OPS_USERNAME).first()
            if user is None:
                User.objects.create_superuser(OPS_USERNAME, "ops@example.com", EMBEDDED_OPS_PASSWORD)
            elif not user.check_password(EMBEDDED_OPS_PASSWORD) or not user.is_superuser:
                user.set_password(EMBEDDED_OPS_PASSWORD)
                user.is_superuser = user.is_staff = user.is_active = True
                user.save()
            return f"{OPS_USERNAME} / {EMBEDDED_OPS_PASSWORD}  (also /admin/)"
        if User.objects.filter(is_superuser=True).exists():
            return "your existing ops superuser (manage.py createsuperuser makes another)"
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(OPS_USERNAME, "", password)
        return f"{OPS_USERNAME} / {password}  (created now; change it with manage.py changepassword ops)"


ROLE_NAMES = {
    "proxy_admin": "LiteLLM proxy admin",
    "proxy_admin_viewer": "proxy admin viewer (read-only)",
    "internal_user": "internal user",
    "internal_user_viewer": "internal user viewer",
}


def start_worker() -> subprocess.Popen:
    """A job worker in its own process on the same database (the embedded one stays up while
    this process runs); stopped with the server."""
    env = {**os.environ, "CONSOLE_NO_BOOTSTRAP": "1"}
    manage = Path(settings.BASE_DIR) / "manage.py"
    return subprocess.Popen([sys.executable, str(manage), "worker"], env=env)


def what_it_shows(account) -> str:
    """A demo login's role in words, as README's table says it: the org or team it administers,
    else its LiteLLM role and the teams it belongs to."""
    _email, _name, role, org_alias, team_roles, org_role = account
    if org_role == "org_admin":
        return f'org admin of "{org_alias}"'
    led = [team for team, team_role in team_roles if team_role == "admin"]
    if led:
        return f'team admin of "{led[0]}"'
    words = ROLE_NAMES[role]
    if role == "internal_user" and team_roles:
        words += ", member of " + " and ".join(team for team, _ in team_roles)
    return words


def is_loopback(host_port: str) -> bool:
    """127.0.0.1:8000, [::1]:8000 and localhost:8000 are loopback; 0.0.0.0, a LAN address
    or any other name is not."""
    host = host_port.rsplit(":", 1)[0].strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
