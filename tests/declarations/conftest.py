"""Fixtures of the declarations tests."""

import pytest


@pytest.fixture
def archive(settings, tmp_path):
    """The documents storage in a directory of this test; returns the files in it."""
    root = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }

    def files() -> list:
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return files
