"""The committed OpenAPI schema (pgb_admin/api/openapi.yaml) is what the code generates, and
it generates without warnings or errors. After changing the API: ``make schema``."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command

import yaml

COMMITTED = Path(settings.PROJECT_DIR) / "api" / "openapi.yaml"


def test_the_committed_schema_is_up_to_date_and_clean(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--lang", "en", "--file", str(generated)
    )
    assert generated.read_text() == COMMITTED.read_text(), "run `make schema` and commit"


def test_every_operation_documents_its_problems_and_language():
    schema = yaml.safe_load(COMMITTED.read_text())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "404" in responses, (method, path)
            assert responses["400"]["content"].keys() == {"application/problem+json"}
            if method != "get":
                assert "409" in responses, (method, path)
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            assert "Accept-Language" in names, (method, path)


def test_the_schema_and_its_documentation_are_served(client, django_user_model):
    # to logged-in users (API_DOCS_PUBLIC is off, as in production)
    client.force_login(django_user_model.objects.create_user("reader"))
    schema = client.get("/api/schema/?lang=en")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
