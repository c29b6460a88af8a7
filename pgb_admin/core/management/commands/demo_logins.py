from django.core.management.base import BaseCommand

from pgb_admin.core.demo import DEMO_PASSWORD, LOGINS, demo_world_present


class Command(BaseCommand):
    help = "Print the demo logins (make run shows them before serving)."

    def handle(self, *args, **options):
        if not demo_world_present():
            self.stdout.write("No demo world loaded (manage.py loaddemo).")
            return
        width = max(len(login.username) for login in LOGINS)
        self.stdout.write(f"Demo logins, all with password {DEMO_PASSWORD}:")
        for login in LOGINS:
            self.stdout.write(f"  {login.username:<{width}}  {login.description}")
        self.stdout.write("Open http://127.0.0.1:8000/ (back office: /admin/ as beheer).")
