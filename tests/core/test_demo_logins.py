"""`make run` prints the address it serves (issue 15): demo_logins takes the HOST and PORT that
`make run` passes to runserver, and says when the app would refuse that host."""

import subprocess
from io import StringIO

from django.conf import settings
from django.core.management import CommandError, call_command

import pytest

from declarations.demo.plan import LOGINS

from ..factories import UserFactory

DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]


def _demo_logins(*args) -> str:
    out = StringIO()
    call_command("demo_logins", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        (None, None, "http://127.0.0.1:8000/"),
        ("127.0.0.1", "8080", "http://127.0.0.1:8080/"),
        ("localhost", "8001", "http://localhost:8001/"),
        ("0.0.0.0", "8080", "http://localhost:8080/"),  # noqa: S104 (every address)
        ("::", "9000", "http://localhost:9000/"),
        ("::1", "8000", "http://[::1]:8000/"),
        ("[::1]", "8000", "http://[::1]:8000/"),
    ],
)
def test_the_address_to_open_is_the_one_served(db, settings, host, port, url):
    settings.ALLOWED_HOSTS = DEFAULT_ALLOWED_HOSTS
    UserFactory(username=LOGINS[0].username)  # the demo world is there
    args = [] if host is None else ["--host", host, "--port", port]
    out = _demo_logins(*args)
    assert f"Open {url} (back office" in out
    assert "DJANGO_ALLOWED_HOSTS" not in out


def test_a_host_the_app_refuses_is_named_with_the_setting_that_allows_it(db, settings):
    settings.ALLOWED_HOSTS = DEFAULT_ALLOWED_HOSTS
    UserFactory(username=LOGINS[0].username)
    out = _demo_logins("--host", "192.0.2.7", "--port", "8080")
    assert "Open http://192.0.2.7:8080/" in out
    assert "run with DJANGO_ALLOWED_HOSTS=192.0.2.7" in out


@pytest.mark.parametrize("port", ["0", "65536"])
def test_a_port_out_of_range_is_refused(db, port):
    with pytest.raises(CommandError, match="is not a port"):
        _demo_logins("--port", port)


def test_make_run_passes_host_and_port_to_the_address_it_prints_and_to_the_server():
    plan = subprocess.run(
        ["make", "--dry-run", "run", "HOST=0.0.0.0", "PORT=8080"],  # noqa: S607
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "manage.py demo_logins --host 0.0.0.0 --port 8080" in plan
    assert "manage.py runserver 0.0.0.0:8080" in plan
