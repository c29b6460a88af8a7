import socket

from django.db import connection

from celery import shared_task


@shared_task(name="pgb_admin.core.worker_health", acks_late=False)
def worker_health(nonce: str) -> dict[str, str]:
    """Proves that a worker takes tasks from the broker and reaches the database
    (``manage.py check_worker``). Reads nothing and changes nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"nonce": nonce, "database": connection.vendor, "worker": socket.gethostname()}
