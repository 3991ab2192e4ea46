from __future__ import annotations

import json

import pytest

from spbe.evaluation import services
from spbe.evaluation.models import Stage

from ..conftest import login
from .conftest import PDF, answer_all, approve_all, open_self

pytestmark = pytest.mark.django_db


def test_public_compute_endpoint(client):
    response = client.post("/api/v1/evaluation/compute", data=json.dumps({"domains": ["4.60", "3.70", "2.82", "4.57"]}),
                           content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["index"], response.json()["predicate"]) == ("4.07", "Sangat Baik")
    bad = client.post("/api/v1/evaluation/compute", data=json.dumps({"levels": [3, 3]}),
                      content_type="application/json")
    assert bad.status_code == 400 and "47 indicator levels" in bad.json()["error"]["message"]
    bad = client.post("/api/v1/evaluation/compute", data=json.dumps({"levels": [3] * 46 + [7]}),
                      content_type="application/json")
    assert bad.status_code == 400 and "outside 1..5" in bad.json()["error"]["message"]


def test_methodology_endpoints(client):
    listed = {row["code"]: row for row in client.get("/api/v1/evaluation/methodologies").json()}
    assert {code: (row["domains"], row["aspects"], row["indicators"]) for code, row in listed.items()} == {
        "permenpanrb-5-2018": (3, 7, 35), "permenpanrb-59-2020": (4, 8, 47), "evaluasi-2024": (4, 8, 47),
        "ipd-konsep-2025": (0, 9, 35), "ipd-2026": (0, 7, 20)}
    assert listed["evaluasi-2024"]["status"] == "provisional" and listed["permenpanrb-5-2018"]["years"] == [2018, 2019, 2020]
    assert client.get("/api/v1/evaluation/methodologies/none").status_code == 404


def test_api_cycle_with_scoping(evaluation, world, api_token, client):
    period, people = evaluation
    staff_a, staff_b = api_token(people["staff_a"]), api_token(people["staff_b"])
    coordinator, external = api_token(people["coordinator"]), api_token(people["external"])
    other_external = api_token(people["other_external"])
    assert client.post(f"/api/v1/evaluation/periods/{period.pk}/stages/self_assessment/open",
                       **staff_a).status_code == 403
    assert client.post(f"/api/v1/evaluation/periods/{period.pk}/stages/self_assessment/open",
                       **coordinator).status_code == 200
    # All indicators are with OPD A; OPD B sees the period but none of the answers.
    listed_b = client.get(f"/api/v1/evaluation/periods/{period.pk}/responses", **staff_b).json()
    assert listed_b == []
    listed_a = client.get(f"/api/v1/evaluation/periods/{period.pk}/responses", **staff_a).json()
    assert len(listed_a) == 47
    first = listed_a[0]["id"]
    assert client.get(f"/api/v1/evaluation/responses/{first}", **staff_b).status_code == 404
    assert client.get(f"/api/v1/evaluation/responses/{first}", **other_external).status_code == 404
    assert client.get(f"/api/v1/evaluation/periods/{period.pk}", **other_external).status_code == 404
    assert client.get(f"/api/v1/evaluation/responses/{first}", **external).status_code == 200

    answer = client.put(f"/api/v1/evaluation/responses/{first}/answer",
                        data=json.dumps({"level": 6, "explanation": "x"}), content_type="application/json", **staff_a)
    assert answer.status_code == 422
    answer = client.put(f"/api/v1/evaluation/responses/{first}/answer",
                        data=json.dumps({"level": 3, "explanation": "Kebijakan arsitektur berlaku bagi semua unit."}),
                        content_type="application/json", **staff_a)
    assert answer.status_code == 200 and answer.json()["level"] == 3
    hijack = client.put(f"/api/v1/evaluation/responses/{first}/answer",
                        data=json.dumps({"level": 1, "explanation": "x" * 30}), content_type="application/json",
                        **staff_b)
    assert hijack.status_code == 404
    upload = client.post(f"/api/v1/evaluation/responses/{first}/evidence/file",
                         data={"file": _file("arsitektur.pdf", PDF), "title": "Pergub Arsitektur"}, **staff_a)
    assert upload.status_code == 201, upload.content
    evidence_id = upload.json()["id"]
    bad_upload = client.post(f"/api/v1/evaluation/responses/{first}/evidence/file",
                             data={"file": _file("x.pdf", b"MZ not pdf")}, **staff_a)
    assert bad_upload.status_code == 400 and bad_upload.json()["error"]["details"][0]["field"] == "file"
    download = client.get(f"/api/v1/evaluation/evidence/{evidence_id}/download", **staff_a)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/api/v1/evaluation/evidence/{evidence_id}/download", **staff_b).status_code == 404
    submitted = client.post(f"/api/v1/evaluation/responses/{first}/submit", **staff_a)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    reviewed = client.post(f"/api/v1/evaluation/responses/{first}/review", data=json.dumps({"approve": True}),
                           content_type="application/json", **coordinator)
    assert reviewed.json()["scores"] == {"self_assessment": 3}
    result = client.get(f"/api/v1/evaluation/periods/{period.pk}/result", **coordinator).json()
    assert result["final"] is None  # 46 indicators still without a level


def test_api_external_scores_and_gap(evaluation, api_token, client):
    period, people = evaluation
    open_self(period, people["coordinator"])
    answer_all(period, people["staff_a"], level_for=lambda n: 3)
    approve_all(period, people["coordinator"])
    services.close_stage(period, Stage.SELF_ASSESSMENT, by=people["coordinator"])
    services.open_stage(period, Stage.DOCUMENT, by=people["coordinator"])
    external = api_token(people["external"])
    response_id = period.responses.get(indicator=43).pk
    scored = client.put(f"/api/v1/evaluation/responses/{response_id}/scores/document",
                        data=json.dumps({"level": 4, "comment": "Integrasi portal data"}),
                        content_type="application/json", **external)
    assert scored.status_code == 200 and scored.json()["scores"]["document"] == 4
    self_score = client.put(f"/api/v1/evaluation/responses/{response_id}/scores/self_assessment",
                            data=json.dumps({"level": 5}), content_type="application/json", **external)
    assert self_score.status_code == 400
    staff_score = client.put(f"/api/v1/evaluation/responses/{response_id}/scores/document",
                             data=json.dumps({"level": 5}), content_type="application/json",
                             **api_token(people["staff_a"]))
    assert staff_score.status_code == 403
    result = client.get(f"/api/v1/evaluation/periods/{period.pk}/result", **external).json()
    assert result["stages"]["self_assessment"]["index"] == "3.00"
    assert result["stages"]["document"]["index_raw"] == "3.03"
    one_year = client.get(f"/api/v1/evaluation/periods/{period.pk}/gap?target=4.2",
                          **api_token(people["coordinator"])).json()
    assert not one_year["reachable"]  # one level per indicator in a year does not get there
    gap = client.get(f"/api/v1/evaluation/periods/{period.pk}/gap?target=4.2&cycles=2",
                     **api_token(people["coordinator"])).json()
    assert gap["reachable"] and gap["cycles_used"] == 2 and gap["by_agency"][0]["indicators"]


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_console_pages(evaluation, world):
    period, people = evaluation
    coordinator = login(people["coordinator"])
    assert period.title in coordinator.get("/console/evaluation/").content.decode()
    page = coordinator.get(f"/console/evaluation/{period.pk}/")
    assert page.status_code == 200 and "Tingkat Kematangan Kebijakan Internal Arsitektur" in page.content.decode()
    assert page.content.decode().count("belum dinilai") == 3  # no stage has started: no index shown
    opened = coordinator.post(f"/console/evaluation/{period.pk}/stages/self_assessment/open/")
    assert opened.status_code == 302
    staff = login(people["staff_a"])
    response = period.responses.get(indicator=1)
    detail = staff.get(f"/console/evaluation/responses/{response.pk}/")
    assert detail.status_code == 200 and "Rintisan" in detail.content.decode()
    bad = staff.post(f"/console/evaluation/responses/{response.pk}/",
                     {"action": "submit", "level": "3", "explanation": "Penjelasan lengkap tentang kebijakan."},
                     HTTP_ACCEPT_LANGUAGE="id")
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "bukti dukung" in html and "Penjelasan lengkap tentang kebijakan." in html
    assert login(people["staff_b"]).get(f"/console/evaluation/responses/{response.pk}/").status_code == 404
    for url in (f"/console/evaluation/{period.pk}/gap/?target=Memuaskan", "/console/evaluation/trend/",
                "/console/evaluation/calculator/?domains=4.60,3.70,2.82,4.57"):
        assert coordinator.get(url).status_code == 200, url
    calc = coordinator.get("/console/evaluation/calculator/?domains=4.60,3.70,2.82,4.57").content.decode()
    assert "4,07" in calc and "Sangat Baik" in calc
    xlsx = coordinator.get(f"/console/evaluation/{period.pk}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = coordinator.get(f"/console/evaluation/{period.pk}/export.pdf")
    assert pdf.content.startswith(b"%PDF")


def test_coordinator_names_external_assessors(evaluation, api_token, client):
    period, people = evaluation
    headers = api_token(people["coordinator"])
    other = people["other_external"]
    assert client.get(f"/api/v1/evaluation/periods/{period.pk}", **api_token(other)).status_code == 404
    denied = client.post(f"/api/v1/evaluation/periods/{period.pk}/assessors",
                         data=json.dumps({"username": other.username}), content_type="application/json",
                         **api_token(people["staff_a"]))
    assert denied.status_code == 403
    not_assessor = client.post(f"/api/v1/evaluation/periods/{period.pk}/assessors",
                               data=json.dumps({"username": people["staff_b"].username}),
                               content_type="application/json", **headers)
    assert not_assessor.status_code == 400
    added = client.post(f"/api/v1/evaluation/periods/{period.pk}/assessors",
                        data=json.dumps({"username": other.username}), content_type="application/json", **headers)
    assert added.status_code == 204
    assert client.get(f"/api/v1/evaluation/periods/{period.pk}", **api_token(other)).status_code == 200
    page = login(people["coordinator"]).post(f"/console/evaluation/{period.pk}/assessors/",
                                             {"username": "nobody-here"}, follow=True)
    assert "Tidak ada pengguna aktif" in page.content.decode()
