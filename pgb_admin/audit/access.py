"""Reads of holder data by those who do not act for the holder (auditors, staff, read-only
family) are written to the append-only change log as ``access`` entries: who, when, from where
(the request's address and correlation id, set by the change log's middleware), what (the
object and the report or file) and in which role. Never a BSN: objects are named by their id
and display name."""

from auditlog.models import LogEntry


def log_access(*, user, obj, what: str, role: str, **detail) -> LogEntry:
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user if getattr(user, "pk", None) else None,
        additional_data={"what": what, "role": role, **detail},
    )
