import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pgb_admin.settings.base")

app = Celery("pgb_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
