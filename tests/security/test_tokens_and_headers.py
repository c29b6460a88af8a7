"""Issue 14, findings 7, 10 and 12.

Finding 7: an API token issued with a password alone stops working (and is revoked) once the
account requires two-factor authentication, by whatever path that duty starts; a new or
disabled password revokes all the user's tokens; "log out everywhere" ends the user's other
web sessions and revokes their tokens, while the plain logout stays as it was.

Finding 10: ``Cache-Control: no-store`` on every response to a logged-in user (session or
bearer token), every API response and every download; static files and ``/health/`` keep
their own.

Finding 12: a ``Permissions-Policy`` on every response; the schema and the API docs only for
logged-in users unless ``API_DOCS_PUBLIC``.
"""

from django.contrib.auth.forms import PasswordChangeForm
from django.test import Client
from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import ApiToken, User
from pgb_admin.accounts.services import api_token_issue

from ..api.conftest import api_world, shared_api_world, token_client  # noqa: F401
from ..conftest import TODAY
from ..factories import AuditorScopeFactory, MandateFactory
from ..two_factor import authenticator, code_now, verified_login

V1 = "/api/v1"
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "Tulpen-en-molens-op-zondag"


@pytest.fixture
def world(api_world):  # noqa: F811
    """The API's world (a batch, an exported declaration, a report file), built once."""
    return api_world


def _issue(user, **extra) -> str:
    response = APIClient().post(
        f"{V1}/auth/token/", {"username": user.username, "password": PASSWORD, **extra}
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


def _me(key: str):
    return APIClient().get(f"{V1}/me/", HTTP_AUTHORIZATION=f"Bearer {key}")


# finding 7: tokens outlive the rules ---------------------------------------------------------


def _bureau_mandate(world, user):
    MandateFactory(user=user, holder=world.theirs, role=MandateRole.BUREAU, valid_from=TODAY)


def _auditor_scope(world, user):
    AuditorScopeFactory(user=user, funder=world.assen, valid_from=TODAY)


def _staff_in_bulk(world, user):
    User.objects.filter(pk=user.pk).update(is_staff=True)


@pytest.mark.parametrize("duty", [_bureau_mandate, _auditor_scope, _staff_in_bulk])
def test_a_token_issued_before_two_factor_was_required_is_refused_and_revoked(world, duty):
    holder = world.users["holder"]
    key = _issue(holder)  # a holder needs no code
    assert _me(key).status_code == 200

    duty(world, holder)
    refused = _me(key)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_needs_two_factor"
    assert "otp_code" in refused.json()["detail"]
    assert not ApiToken.objects.filter(user=holder).exists()
    # and a new one needs a code
    device = authenticator(holder)
    assert _me(_issue(holder, otp_code=code_now(device))).status_code == 200


def test_a_token_issued_with_a_code_keeps_working(world):
    bureau = world.users["bureau"]
    key = _issue(bureau, otp_code=code_now(authenticator(bureau)))
    assert ApiToken.objects.get(user=bureau).issued_with_two_factor
    assert _me(key).status_code == 200
    assert _me(key).status_code == 200


def test_a_token_without_a_code_stays_valid_while_no_code_is_required(world):
    holder = world.users["family"]
    key = _issue(holder, otp_code="")
    MandateFactory(user=holder, holder=world.theirs, role=MandateRole.REPRESENTATIVE)
    assert not ApiToken.objects.get(user=holder).issued_with_two_factor
    assert _me(key).status_code == 200


def _set_password(user):
    user.set_password(NEW_PASSWORD)
    user.save()


def _password_form(user):
    form = PasswordChangeForm(
        user,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert form.is_valid(), form.errors
    form.save()


def _back_office(user):
    staff = User.objects.create_user("backoffice", password=PASSWORD, is_staff=True)
    staff.is_superuser = True
    staff.save()
    client = verified_login(Client(), staff)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:2000]


def _disabled(user):
    user.set_unusable_password()
    user.save()


@pytest.mark.parametrize("change", [_set_password, _password_form, _back_office, _disabled])
def test_a_new_password_revokes_every_token(world, change):
    holder = world.users["holder"]
    keys = [_issue(holder), _issue(holder)]
    other = _issue(world.users["representative"])
    change(User.objects.get(pk=holder.pk))
    assert [_me(key).status_code for key in keys] == [401, 401]
    assert not ApiToken.objects.filter(user=holder).exists()
    assert _me(other).status_code == 200


def test_saving_a_user_or_upgrading_the_hash_keeps_the_tokens(world, settings):
    holder = User.objects.get(pk=world.users["holder"].pk)
    key = _issue(holder)
    holder.first_name = "Anna"
    holder.save()
    # a login under a new first hasher rehashes the same password: no change of password
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert holder.check_password(PASSWORD)
    holder.refresh_from_db()
    assert holder.password.startswith("scrypt$")
    assert _me(key).status_code == 200


def _logged_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_the_plain_logout_ends_this_session_only(world):
    holder = world.users["holder"]
    here, elsewhere = verified_login(Client(), holder), verified_login(Client(), holder)
    key = _issue(holder)
    assert here.post(reverse("logout")).status_code == 302
    assert not _logged_in(here)
    assert _logged_in(elsewhere)
    assert _me(key).status_code == 200


@pytest.mark.parametrize("persona", ["holder", "bureau"])
def test_log_out_everywhere_ends_every_session_and_revokes_the_tokens(world, persona):
    user = world.users[persona]
    here, elsewhere = verified_login(Client(), user), verified_login(Client(), user)
    key = api_token_issue(user=user, with_two_factor=True)[1]
    other_user = verified_login(Client(), world.users["representative"])

    response = here.post(reverse("logout_everywhere"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not _logged_in(here)
    assert not _logged_in(elsewhere)
    assert _me(key).status_code == 401
    assert _logged_in(other_user)
    # a new login works again
    assert _logged_in(verified_login(Client(), user))
    login_page = here.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You are logged out on every device" in login_page


def test_a_session_logged_in_after_log_out_everywhere_is_kept(world):
    holder = world.users["holder"]
    client = verified_login(Client(), holder)
    client.post(reverse("logout_everywhere"))
    again = Client()
    response = again.post(reverse("login"), {"username": holder.username, "password": PASSWORD})
    assert response.status_code == 302
    assert _logged_in(again)
    assert _logged_in(again)


def test_log_out_everywhere_is_a_post_with_csrf_for_a_verified_session(world):
    holder, bureau = world.users["holder"], world.users["bureau"]
    url = reverse("logout_everywhere")
    client = verified_login(Client(enforce_csrf_checks=True), holder)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    assert _logged_in(client)
    anonymous = Client().post(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    # a password alone (the code still to come) does not end the other sessions
    key = api_token_issue(user=bureau, with_two_factor=True)[1]
    authenticator(bureau)
    pending = Client()
    pending.force_login(bureau)
    assert pending.post(url)["Location"].startswith(reverse("two_factor:verify"))
    assert _me(key).status_code == 200


@pytest.mark.parametrize(
    ("language", "text"), [("nl", "Overal uitloggen"), ("en", "Log out everywhere")]
)
def test_the_account_page_offers_to_log_out_everywhere(world, language, text):
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE=language), world.users["holder"])
    page = client.get(reverse("two_factor:account")).content.decode()
    assert f'action="{reverse("logout_everywhere")}"' in page
    assert text in page
    # the header keeps one plain logout (a phone has little room for more)
    header = client.get(reverse("home")).content.decode().split("</header>")[0]
    assert f'action="{reverse("logout")}"' in header
    assert reverse("logout_everywhere") not in header


# finding 10: Cache-Control: no-store -----------------------------------------------------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_api_answers_and_downloads_are_not_stored(world):
    holder = verified_login(Client(), world.users["representative"])
    dashboard = holder.get(reverse("budgets:dashboard", args=[world.mine.pk]))
    assert dashboard.status_code == 200
    assert world.mine.bsn in dashboard.content.decode()
    batch = holder.get(reverse("declarations:download", args=[world.batch.pk, "csv"]))
    assert batch.status_code == 200
    evidence = holder.get(reverse("reports:evidence_pack", args=[world.exported.pk]))
    assert evidence.status_code == 200
    api = token_client(world.users["representative"])
    me = api.get(f"{V1}/me/")
    api_batch = api.get(f"{V1}/batches/{world.batch.pk}/csv/")
    assert (me.status_code, api_batch.status_code) == (200, 200)
    auditor = token_client(world.users["auditor_same"])
    report_file = auditor.get(f"{V1}/reports/files/{world.report_file.pk}/")
    assert report_file.status_code == 200
    # the API through the browser's session
    session_api = holder.get(f"{V1}/budget-holders/{world.mine.pk}/")
    assert session_api.status_code == 200
    for response in (dashboard, batch, evidence, me, api_batch, report_file, session_api):
        assert _no_store(response), (response.request["PATH_INFO"], response.headers)
        assert "private" in response["Cache-Control"]


def test_api_errors_and_anonymous_api_answers_are_not_stored(world):
    assert _no_store(APIClient().get(f"{V1}/me/"))
    assert _no_store(APIClient().get(f"{V1}/me/", HTTP_AUTHORIZATION="Bearer pgb_unknown"))


def test_static_files_and_health_keep_their_own_caching(world, client):
    health = client.get(reverse("health"))
    assert health.status_code == 200
    assert not _no_store(health)
    static = client.get("/static/pgb_admin/site.css")
    assert static.status_code == 200
    assert not _no_store(static)


def test_a_view_that_sets_its_own_cache_control_keeps_it(world):
    client = verified_login(Client(), world.users["auditor_same"])
    response = client.get(reverse("reports:download", args=[world.the_hague.code, "csv"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


# finding 12: Permissions-Policy; the API docs behind login -------------------------------------


def test_every_response_has_a_permissions_policy(world, client):
    logged_in = verified_login(Client(), world.users["holder"])
    for response in (
        client.get(reverse("login")),
        client.get(reverse("health")),
        client.get("/static/pgb_admin/site.css"),
        logged_in.get(reverse("home")),
        token_client(world.users["holder"]).get(f"{V1}/me/"),
        client.get(f"{V1}/me/"),
    ):
        policy = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy


def test_the_schema_and_docs_need_a_login_in_production(world, client, settings):
    schema, docs = client.get("/api/schema/"), client.get("/api/docs/")
    assert schema.status_code == 401
    assert b"openapi" not in schema.content
    assert docs.status_code == 302  # a browser is sent to log in
    assert docs["Location"] == f"{reverse('login')}?next=/api/docs/"
    assert client.get("/api/docs/", HTTP_AUTHORIZATION="Bearer pgb_unknown").status_code == 401

    logged_in = verified_login(Client(), world.users["holder"])
    assert logged_in.get("/api/schema/").status_code == 200
    assert b"swagger-ui" in logged_in.get("/api/docs/").content
    assert token_client(world.users["holder"]).get("/api/schema/").status_code == 200


def test_the_schema_and_docs_can_be_public(world, client, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
