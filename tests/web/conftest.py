"""The web pages' test world: the API's world (tests/api/conftest.py: personas, a draft with
a warning, an exported month in a batch, a validated month) built once per module, and clients
logged in as each persona."""

from django.test import Client

import pytest

from ..api.conftest import api_world, shared_api_world  # noqa: F401


@pytest.fixture
def login(api_world):  # noqa: F811
    """``login("auditor_same")``: a browser-like client logged in as that persona (Dutch)."""

    def _login(persona: str, language: str = "nl") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(api_world.users[persona])
        return client

    return _login
