from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http.request import validate_host

from django_otp.plugins.otp_static.models import StaticToken

from declarations.demo.plan import (
    DEMO_PASSWORD,
    LOGINS,
    demo_backup_codes_renew,
    demo_two_factor_users,
    demo_world_present,
)
from pgb_admin.accounts.two_factor import format_code


def browser_host(host: str) -> str:
    """The host to open in a browser for a server listening on ``host``: one listening on
    every address is reached on this machine at localhost; IPv6 goes in brackets."""
    host = host.strip("[]").lower()
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (a name, not a bind)
        return "localhost"
    return f"[{host}]" if ":" in host else host


class Command(BaseCommand):
    help = (
        "Print the demo logins (make run shows them before serving), with the backup codes "
        "still unused of those that need two-factor authentication."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--renew-backup-codes",
            action="store_true",
            help="give the demo logins their published backup codes back (only with DEBUG on)",
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="the address the server listens on (make run: HOST)"
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="the port the server listens on (make run: PORT)"
        )

    def handle(self, *args, renew_backup_codes: bool, host: str, port: int, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a port (1 to 65535).")
        if not demo_world_present():
            self.stdout.write("No demo world loaded (manage.py loaddemo).")
            return
        if renew_backup_codes:
            if not settings.DEBUG:
                raise CommandError("DEBUG is off: the demo backup codes are published.")
            demo_backup_codes_renew()
        width = max(len(login.username) for login in LOGINS)
        self.stdout.write(f"Demo logins, all with password {DEMO_PASSWORD}:")
        for login in LOGINS:
            self.stdout.write(f"  {login.username:<{width}}  {login.description}")
        self._backup_codes(width)
        self._open(host, port)

    def _open(self, host: str, port: int) -> None:
        name = browser_host(host)
        self.stdout.write(f"Open http://{name}:{port}/ (back office: /admin/ as beheer).")
        if not validate_host(name, settings.ALLOWED_HOSTS):
            self.stdout.write(
                f"{name} is not in DJANGO_ALLOWED_HOSTS, so the app refuses requests for it "
                f"(400): run with DJANGO_ALLOWED_HOSTS={name}."
            )

    def _backup_codes(self, width: int) -> None:
        users = demo_two_factor_users()
        if not users:
            return
        self.stdout.write(
            "Two-factor authentication (staff, auditors, bureau): after the password give one "
            "of these demo backup codes; each works once (demo_logins --renew-backup-codes "
            "gives them back), or set up an authenticator app after logging in."
        )
        for user in users:
            tokens = StaticToken.objects.filter(device__user=user, device__confirmed=True)
            codes = " ".join(
                format_code(token)
                for token in tokens.order_by("token").values_list("token", flat=True)
            )
            self.stdout.write(f"  {user.username:<{width}}  {codes or '(none left)'}")
