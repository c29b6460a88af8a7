"""Issue 14, findings 5 (the rate part) and 6: reads are throttled per user (a higher rate for
bureaus and staff), on the API and the web pages together; production refuses a per-process
cache; the client's address comes from TRUSTED_PROXY_COUNT proxies and never from a raw header;
failed logins are limited per address as well as per user, on the web login and the token
endpoint alike."""

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt

from pgb_admin.accounts.constants import MandateRole
from pgb_admin.api.throttling import read_scope
from pgb_admin.audit.models import AccessEvent
from pgb_admin.core.checks import check_cache_is_shared
from pgb_admin.core.client_address import ClientAddressMiddleware, resolve_client_address

from ..api.conftest import token_client
from ..factories import MandateFactory, UserFactory
from ..test_settings_and_tasks import deploy_check

V1 = "/api/v1"
TOKEN_URL = f"{V1}/auth/token/"
PASSWORD = "the-right-password-123"
REDIS = "redis://127.0.0.1:6379/14"  # a database of these tests' own; only their keys are deleted


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def _token_try(client, username="nobody", password="wrong", **meta):  # noqa: S107
    body = {"username": username, "password": password}
    return client.post(TOKEN_URL, body, content_type="application/json", **meta)


def _user(username: str):
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


# --- the client's address ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "6.6.6.6, 203.0.113.7", "10.0.0.1"),  # no proxy: the header is the client's own
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the proxy appended the right-most
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # fewer entries than proxies: the connection's
        (1, "", "10.0.0.1"),
        (1, "6.6.6.6, not-an-address", "10.0.0.1"),
        (1, " 2001:db8::7 ", "2001:db8::7"),
    ],
)
def test_the_client_is_the_entry_the_trusted_proxies_wrote(count, forwarded, expected):
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded}
    assert resolve_client_address(meta, count) == expected


def test_the_middleware_leaves_one_address_for_everything_after_it(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    seen = {}

    def view(request):
        seen.update(addr=request.META["REMOTE_ADDR"], header=request.headers.get("X-Forwarded-For"))

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    ClientAddressMiddleware(view)(request)
    assert seen == {"addr": "203.0.113.7", "header": None}


def test_a_new_forwarded_for_per_request_no_longer_bypasses_the_token_rate(client, db, settings):
    """Finding 6: DRF took X-Forwarded-For as the client (NUM_PROXIES None), so a new header
    per request was a new client."""
    _rates(settings, token="2/minute")
    statuses = [
        _token_try(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(3)
    ]
    assert statuses == [400, 400, 429]


def test_behind_one_proxy_the_right_most_entry_is_the_client(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _rates(settings, token="2/minute")

    def via_proxy(client_addr: str, spoofed: str) -> dict:
        return {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"{spoofed}, {client_addr}"}

    statuses = [
        _token_try(client, **via_proxy("203.0.113.7", f"198.51.100.{n}")).status_code
        for n in range(3)
    ]
    assert statuses == [400, 400, 429]  # what the client wrote left of it changes nothing
    assert _token_try(client, **via_proxy("203.0.113.8", "x")).status_code == 400  # another
    # django-axes, the access log and the change log take the same address
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.7",
        "203.0.113.8",
    }
    family, path = token_client(world.users["family"]), f"{V1}/budget-holders/{world.mine.pk}/"
    assert family.get(path, **via_proxy("203.0.113.9", "6.6.6.6")).status_code == 200
    read = AccessEvent.objects.filter(user_pk=world.users["family"].pk).latest("pk")
    assert read.remote_addr == "203.0.113.9"
    holder = token_client(world.users["holder"])
    changed = holder.patch(
        path, {"first_name": "Anna"}, format="json", **via_proxy("203.0.113.10", "6.6.6.6")
    )
    assert changed.status_code == 200
    assert LogEntry.objects.get_for_object(world.mine).latest("pk").remote_addr == "203.0.113.10"


# --- logins per address and per user ---------------------------------------------------------


def test_one_password_against_many_user_names_locks_the_address_on_the_web(client, db, settings):
    """Finding 6: one password against 8 user names locked nothing out (password spraying)."""
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert 8 <= limit <= 50
    _user("sprayed")
    statuses = [
        client.post(reverse("login"), {"username": f"user-{n}", "password": "Summer2026!"})
        for n in range(limit)
    ]
    assert [response.status_code for response in statuses[:-1]] == [200] * (limit - 1)
    assert statuses[-1].status_code == 429
    right = {"username": "sprayed", "password": PASSWORD}
    locked = client.post(reverse("login"), right)
    assert locked.status_code == 429  # the right password of another user, from that address
    assert "Te veel pogingen" in locked.content.decode()
    assert client.post(reverse("login"), right, REMOTE_ADDR="192.0.2.44").status_code == 302


def test_one_password_against_many_user_names_locks_the_address_for_tokens(client, db, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    _user("sprayed")
    statuses = [_token_try(client, f"user-{n}", "Summer2026!").status_code for n in range(8)]
    assert statuses == [400] * 7 + [429]
    locked = _token_try(client, "sprayed", PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert locked.json()["detail"].startswith("Inloggen is te vaak mislukt.")
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    elsewhere = _token_try(client, "sprayed", PASSWORD, REMOTE_ADDR="192.0.2.44")
    assert elsewhere.status_code == 201


def test_the_address_limit_counts_only_recent_failures(client, db, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for n in range(2):
        _token_try(client, f"user-{n}")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert [_token_try(client, f"user-{n}").status_code for n in range(2, 5)] == [400, 400, 429]


def test_a_users_own_failures_still_lock_that_user(client, db, settings):
    _user("tries")
    limit = settings.AXES_FAILURE_LIMIT
    web = [
        client.post(reverse("login"), {"username": "tries", "password": "wrong"}).status_code
        for _ in range(limit)
    ]
    assert web == [200] * (limit - 1) + [429]
    # the token endpoint answers the same lockout with 429 (it was a 400 "not right" before)
    assert _token_try(client, "tries", PASSWORD).status_code == 429
    AccessAttempt.objects.all().delete()
    tokens = [_token_try(client, "tries").status_code for _ in range(limit)]
    assert tokens == [400] * (limit - 1) + [429]
    assert _token_try(client, "tries", PASSWORD).status_code == 429


# --- reads per user ------------------------------------------------------------------------


def test_api_reads_are_throttled_per_user_with_more_for_bureaus(world, settings):
    """Finding 5: there was no throttle on reads."""
    _rates(settings, read="3/minute", read_bureau="5/minute")
    path = f"{V1}/budget-holders/{world.mine.pk}/"
    for persona, allowed in (("holder", 3), ("bureau", 5), ("staff", 5)):
        reader = token_client(world.users[persona])
        statuses = [reader.get(path).status_code for _ in range(allowed + 1)]
        assert statuses == [200] * allowed + [429], persona
        limited = reader.get(path)
        assert int(limited["Retry-After"]) > 0
        assert limited.json()["code"] == "throttled"
    # each user has their own count, and writes are not reads
    representative = token_client(world.users["representative"])
    assert representative.get(path).status_code == 200
    holder = token_client(world.users["holder"])
    assert holder.patch(path, {"first_name": "A"}, format="json").status_code == 200


def test_the_bureau_rate_needs_a_bureau_mandate_valid_today(world):
    users = world.users
    ended = UserFactory(username="ended-bureau")
    MandateFactory(
        user=ended,
        holder=world.mine,
        role=MandateRole.BUREAU,
        valid_from=timezone.localdate() - timedelta(days=60),
        valid_to=timezone.localdate() - timedelta(days=1),
    )
    scopes = {name: read_scope(user) for name, user in users.items()}
    assert scopes["bureau"] == scopes["staff"] == "read_bureau"
    assert {scopes[name] for name in ("holder", "representative", "family", "auditor_same")} == {
        "read"
    }
    assert read_scope(ended) == "read"


def test_pages_and_api_share_the_users_read_rate(client, world, settings):
    _rates(settings, read="3/minute")
    client.force_login(world.users["holder"])
    rules = reverse("declarations:rules")
    assert client.get(rules).status_code == 200
    assert client.get(f"{V1}/me/").status_code == 200
    assert client.get(rules).status_code == 200
    limited = client.get(rules, HTTP_ACCEPT_LANGUAGE="nl")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "Te veel verzoeken" in limited.content.decode()
    assert "sneller dan de app toestaat" in limited.content.decode()
    assert client.get(f"{V1}/me/").status_code == 429
    assert client.get(reverse("health")).status_code == 200  # never throttled


def test_anonymous_page_reads_count_per_address(client, db, settings):
    _rates(settings, read="2/minute")
    login = reverse("login")
    statuses = [client.get(login).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    english = client.get(login, HTTP_ACCEPT_LANGUAGE="en")
    assert "You opened pages faster than the app allows" in english.content.decode()
    assert client.get(login, REMOTE_ADDR="192.0.2.44").status_code == 200
    assert [client.get(reverse("health")).status_code for _ in range(3)] == [200] * 3


# --- a shared cache --------------------------------------------------------------------------


def test_production_refuses_a_per_process_cache(settings):
    """Finding 6: under gunicorn the token rate counted per process (locmem cache)."""
    settings.DEBUG = False
    for backend in ("locmem.LocMemCache", "dummy.DummyCache", "filebased.FileBasedCache"):
        settings.CACHES = {"default": {"BACKEND": f"django.core.cache.backends.{backend}"}}
        assert [error.id for error in check_cache_is_shared(None)] == ["pgb_admin.E008"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS}
    }
    assert check_cache_is_shared(None) == []
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert check_cache_is_shared(None) == []


def test_the_deploy_check_fails_without_cache_url(tmp_path):
    result = deploy_check(tmp_path, without=("CACHE_URL",))
    assert result.returncode != 0
    assert "pgb_admin.E008" in result.stderr


# Another web process: production settings with CACHE_URL, asking the token throttle at the
# moment the test process lives in (the tests travel to a fixed day).
OTHER_PROCESS = """
import json, os, sys
import time_machine
time_machine.travel(float(os.environ["PGB_TEST_NOW"]), tick=True).start()
import django
django.setup()
from django.conf import settings
from django.test import RequestFactory
from rest_framework.request import Request
from pgb_admin.api.throttling import TokenRateThrottle
answers = []
for _ in range(3):
    request = Request(RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR=sys.argv[1]))
    answers.append(TokenRateThrottle().allow_request(request, None))
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"], "answers": answers}))
"""


@pytest.fixture
def redis_server():
    """Redis on 127.0.0.1:6379: the test skips without it, or fails when
    ``PGB_REDIS_TEST=required`` (CI), so CI never passes by skipping."""
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("PGB_REDIS_TEST") == "required":
            pytest.fail(f"Redis is required here but cannot be reached: {error}")
        pytest.skip(f"no Redis at {REDIS}: {error}")


def test_the_token_rate_holds_in_total_across_processes_with_redis(
    client, db, settings, redis_server
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS}
    }
    _rates(settings, token="4/minute")
    address = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"  # keys of this run only
    try:
        assert [_token_try(client, REMOTE_ADDR=address).status_code for _ in range(2)] == [400] * 2
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pgb_admin.settings.base",
            "DJANGO_READ_DOT_ENV_FILE": "false",
            "CACHE_URL": REDIS,
            "API_TOKEN_RATE": "4/minute",
            "PGB_TEST_NOW": str(time.time()),
        }
        other = subprocess.run(  # noqa: S603
            [sys.executable, "-c", OTHER_PROCESS, address],
            cwd=django_settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        answer = json.loads(other.stdout.strip().splitlines()[-1])
        # django-environ maps redis:// to Django's own Redis backend (no django-redis needed)
        assert answer["backend"] == "django.core.cache.backends.redis.RedisCache"
        assert answer["answers"] == [True, True, False]  # 2 here + 2 there = the 4 allowed
        assert _token_try(client, REMOTE_ADDR=address).status_code == 429
    finally:
        cache.delete(f"throttle_token_{address}")
