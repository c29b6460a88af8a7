"""Gunicorn settings for pgb-admin, ``gunicorn pgb_admin.wsgi -c python:pgb_admin.gunicorn_conf``,
on a machine of 2 cores that also runs PostgreSQL (the benchmark's and a small deployment's
shape); see bench/README.md, section "API under load".

Sync workers: a request's time is CPU (Django, DRF, serialising) plus PostgreSQL round trips
of a few milliseconds, so 2 workers per core keep the cores busy while one waits for the
database; more only add memory and context switches. Override any of these on the command
line (``--workers``) or with ``GUNICORN_CMD_ARGS``."""

import multiprocessing

bind = "127.0.0.1:8000"
workers = 2 * multiprocessing.cpu_count()
worker_class = "sync"
# keep-alive lets a client (or the proxy in front) reuse its connection between requests
keepalive = 5
# a report's first build on national data takes seconds; nothing the API answers takes 60
timeout = 60
graceful_timeout = 30
# workers are recycled now and then so a leak cannot grow without bound; jitter keeps them
# from restarting together
max_requests = 5000
max_requests_jitter = 500
# the app is imported once in the master and forked: less memory and faster worker starts
preload_app = True
accesslog = None
errorlog = "-"
loglevel = "warning"
