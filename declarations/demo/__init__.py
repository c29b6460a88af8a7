"""The demo world of ``make run`` (manage.py loaddemo, demo_logins)."""
