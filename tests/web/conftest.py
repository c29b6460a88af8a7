"""The web pages' test world: the API's world (tests/api/conftest.py: personas, a draft with
a warning, an exported month in a batch, a validated month) built once per module, and clients
logged in as each persona (with a session verified by an authenticator app for the personas
that need two-factor authentication: bureau, auditors, staff)."""

from django.test import Client

import pytest

from ..api.conftest import api_world, shared_api_world  # noqa: F401
from ..two_factor import verified_login


@pytest.fixture
def login(api_world):  # noqa: F811
    """``login("auditor_same")``: a browser-like client logged in as that persona (Dutch)."""

    def _login(persona: str, language: str = "nl") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        return verified_login(client, api_world.users[persona])

    return _login
