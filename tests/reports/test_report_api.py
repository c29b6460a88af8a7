"""The reports through the API and the command line: every format, the background run, the
year parameter, and 404 for every report of a funder to another funder's auditor."""

import io

from django.core.management import call_command
from django.core.management.base import CommandError

import openpyxl
import pytest
from PIL import Image

from pgb_admin.audit.models import AccessEvent
from pgb_admin.core.models import TaskRun
from reports.models import ReportFile
from reports.tasks import municipality_report_task

from ..api.conftest import token_client

V1 = "/api/v1/reports"
HOLDER_REPORTS = [
    "exhaustion",
    "exhaustion/xlsx",
    "exhaustion/csv",
    "exhaustion/png",
    "exhaustion/svg",
    "year-costs",
]
MUNICIPALITY_REPORTS = ["", "xlsx/", "csv/", "png/", "svg/"]


def test_another_funders_auditor_gets_404_for_every_report_of_this_funder(world):
    other = token_client(world.users["auditor_other"])
    for path in HOLDER_REPORTS:
        assert other.get(f"{V1}/holders/{world.mine.pk}/{path}/").status_code == 404, path
    for path in MUNICIPALITY_REPORTS:
        assert other.get(f"{V1}/municipalities/GM0518/{path}").status_code == 404, path
    runs = other.post(f"{V1}/municipalities/GM0518/runs/", {"year": 2026}, format="json")
    assert runs.status_code == 404
    assert other.get(f"{V1}/municipalities/GM0106/").status_code == 200


def test_the_files_are_what_they_say(world):
    auditor = token_client(world.users["auditor_same"])
    media = {
        "xlsx/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv/": "text/csv; charset=utf-8",
        "png/": "image/png",
        "svg/": "image/svg+xml",
    }
    for path, content_type in media.items():
        response = auditor.get(f"{V1}/municipalities/GM0518/{path}?year=2026")
        assert response["Content-Type"] == content_type
        assert "attachment" in response["Content-Disposition"]
    holder = token_client(world.users["holder"])
    xlsx = holder.get(f"{V1}/holders/{world.mine.pk}/exhaustion/xlsx/?year=2026").content
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert sum(len(sheet._charts) for sheet in workbook.worksheets) >= 1
    png = holder.get(f"{V1}/holders/{world.mine.pk}/exhaustion/png/").content
    assert Image.open(io.BytesIO(png)).format == "PNG"
    svg = holder.get(f"{V1}/holders/{world.mine.pk}/exhaustion/svg/").content
    assert svg.lstrip().startswith(b"<?xml")


def test_year_costs_in_english_and_dutch(world):
    english = token_client(world.users["holder"], "en").get(
        f"{V1}/holders/{world.mine.pk}/year-costs/?year=2026"
    )
    body = english.json()
    assert body["year"] == 2026
    assert len(body["months"]) == 12
    # the Wmo grant starts 1 January, so February is the first month the CAK could charge;
    # the holder has a Wlz grant too (a Wlz contribution): the reason instead of an amount
    assert [m["eigen_bijdrage"] for m in body["months"][:2]] == ["0.00", None]
    assert body["months"][1]["exemption"]["code"] == "wlz_contribution"
    assert body["totals"]["eigen_bijdrage"] == "0.00"
    assert "household" in body["notes"][0]
    dutch = token_client(world.users["holder"], "nl").get(
        f"{V1}/holders/{world.mine.pk}/year-costs/?year=2026"
    )
    assert "huishouden" in dutch.json()["notes"][0]


@pytest.mark.parametrize("year", ["1999", "2101", "26", "2026.0", "", "abc"])
def test_a_bad_year_is_a_field_error(world, year):
    response = token_client(world.users["auditor_same"]).get(
        f"{V1}/municipalities/GM0518/?year={year}"
    )
    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] == "year"


def test_a_background_run_makes_the_files_once(world, django_capture_on_commit_callbacks):
    auditor = token_client(world.users["auditor_same"])
    with django_capture_on_commit_callbacks(execute=True):
        response = auditor.post(f"{V1}/municipalities/gm0518/runs/", {"year": 2026}, format="json")
    assert response.status_code == 202
    run = TaskRun.objects.get(pk=response.json()["id"])
    assert (run.status, run.percent) == ("done", 100)
    files = run.result["files"]
    assert ReportFile.objects.filter(pk__in=files).count() == 3
    municipality_report_task(
        str(run.pk), world.users["auditor_same"].pk, world.the_hague.pk, 2026, "en"
    )
    assert ReportFile.objects.filter(task_run=run).count() == 3
    download = auditor.get(f"{V1}/files/{files[0]}/")
    assert download.status_code == 200
    assert token_client(world.users["staff"]).get(f"{V1}/files/{files[0]}/").status_code == 200
    for persona in ("auditor_other", "holder"):
        assert token_client(world.users[persona]).get(f"{V1}/files/{files[0]}/").status_code == 404


def test_every_report_an_auditor_opens_or_downloads_is_logged(world):
    auditor = token_client(world.users["auditor_same"])
    before = AccessEvent.objects.count()
    auditor.get(f"{V1}/municipalities/GM0518/")
    auditor.get(f"{V1}/municipalities/GM0518/xlsx/")
    auditor.get(f"{V1}/holders/{world.mine.pk}/exhaustion/")
    token_client(world.users["holder"]).get(f"{V1}/holders/{world.mine.pk}/exhaustion/")
    entries = AccessEvent.objects.order_by("pk")[before:]
    assert [(e.username, e.what) for e in entries] == [
        ("auditor_same", "report:municipality"),
        ("auditor_same", "report:municipality"),
        ("auditor_same", "report:exhaustion"),
    ]
    assert all(e.remote_addr for e in entries)


def test_the_report_command(world, tmp_path, capsys):
    call_command(
        "report", "municipality", "--funder", "gm0518", "--year", "2026", "--out", str(tmp_path)
    )
    call_command(
        "report", "exhaustion", "--holder", str(world.mine.pk), "--out", str(tmp_path),
        "--format", "json,png", "--user", "representative",
    )  # fmt: skip
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [
        "gemeenterapportage-GM0518-2026.csv",
        "gemeenterapportage-GM0518-2026.json",
        "gemeenterapportage-GM0518-2026.png",
        "gemeenterapportage-GM0518-2026.svg",
        "gemeenterapportage-GM0518-2026.xlsx",
        f"uitputting-{world.mine.pk}-2026.json",
        f"uitputting-{world.mine.pk}-2026.png",
    ]
    assert "sha256" in capsys.readouterr().out
    for arguments in (
        ["exhaustion", "--out", str(tmp_path)],
        [
            "exhaustion",
            "--holder",
            str(world.mine.pk),
            "--user",
            "auditor_other",
            "--out",
            str(tmp_path),
        ],
        ["municipality", "--funder", "GM0518", "--user", "holder", "--out", str(tmp_path)],
        ["municipality", "--funder", "GM0518", "--format", "pdf", "--out", str(tmp_path)],
    ):
        with pytest.raises(CommandError) as error:
            call_command("report", *arguments)
        assert error.value.returncode == 2
