"""R-TRN-1 pages: my training, the exam with its countdown and its result, course management."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.core.testing import zh
from kefu.training import services
from kefu.training.models import Attempt, Attendance, Material, Question

pytestmark = pytest.mark.django_db


def test_my_training_lists_assignments_and_starts_the_exam(demo, clients, course):
    services.assign_course(actor=demo.users["lead1"], course_id=course.pk, people=["agent1"], due=dt.date(2026, 12, 20))
    client = clients("agent")
    page = client.get("/training/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "服务用语规范" in text and "2026-12-20" in text and 'data-testid="start-exam"' in text
    started = client.post(f"/training/courses/{course.pk}/start/")
    attempt = Attempt.objects.get(person=demo.users["agent1"])
    assert started.status_code == 302 and started["Location"] == f"/training/attempts/{attempt.pk}/"
    exam = client.get(started["Location"])
    assert exam.status_code == 200
    assert 'id="exam-timer"' in exam.content.decode() and 'data-remaining="1200"' in exam.content.decode()


def test_exam_page_submits_and_shows_the_result_with_explanations(demo, clients, course):
    client = clients("agent")
    attempt = services.start_attempt(actor=demo.users["agent1"], course_id=course.pk)
    data = {f"q{q.pk}": [str(i) for i in q.correct] for q in services.attempt_questions(attempt)}
    response = client.post(f"/training/attempts/{attempt.pk}/", data)
    assert response.status_code == 302
    result = client.get(response["Location"]).content.decode()
    assert 'data-testid="exam-result"' in result and "100.00" in result and "解析0" in result


def test_exam_page_refuses_late_answers_with_the_reason(demo, clients, course, clock):
    client = clients("agent")
    attempt = services.start_attempt(actor=demo.users["agent1"], course_id=course.pk)
    clock(attempt.deadline + dt.timedelta(minutes=5))
    response = client.post(f"/training/attempts/{attempt.pk}/", {})
    # the attempt was closed as "time ran out" before the answers arrived: the page shows the result
    assert response.status_code == 422
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED


def test_someone_elses_attempt_is_not_found(demo, clients, course):
    attempt = services.start_attempt(actor=demo.users["agent1"], course_id=course.pk)
    assert clients("lead").get(f"/training/attempts/{attempt.pk}/").status_code == 404  # open: its owner's only
    assert clients("agent").get("/training/attempts/999999/").status_code == 404
    other = clients("agent")
    other.force_login(demo.users["agent2"])
    assert other.get(f"/training/attempts/{attempt.pk}/").status_code == 404
    assert other.post(f"/training/attempts/{attempt.pk}/", {}).status_code == 404


def test_course_management_page_for_trainers_only(demo, clients, course):
    assert clients("agent").get("/training/courses/").status_code == 403
    for role in ("lead", "qa", "head", "director"):
        page = clients(role).get(f"/training/courses/{course.pk}/")
        assert page.status_code == 200, role
        assert 'id="chart-scores"' in page.content.decode()
    agent_view = clients("agent").get(f"/training/courses/{course.pk}/").content.decode()
    assert 'data-testid="bank"' not in agent_view  # agents never see the answers


def test_create_course_and_question_through_the_pages(demo, clients):
    client = clients("qa")
    response = client.post("/training/courses/", {"title": "投诉处理技巧", "tags": "应变能力，服务态度",
                                                 "exam_questions": 5, "exam_minutes": 10, "active": "on"})
    assert response.status_code == 302
    from kefu.training.models import Course

    course = Course.objects.get(title="投诉处理技巧")
    assert course.tags == ["应变能力", "服务态度"]
    bad = client.post(f"/training/courses/{course.pk}/questions/", {"kind": "single", "text": "题", "choices": "甲\n乙",
                                                                    "correct": "3"})
    assert bad.status_code == 422
    assert zh("A right answer must be one of the options.") in bad.content.decode()
    assert not Question.objects.exists()
    ok = client.post(f"/training/courses/{course.pk}/questions/", {"kind": "multiple", "text": "题", "choices": "甲\n乙\n丙",
                                                                   "correct": "1,3", "explanation": "因为"})
    assert ok.status_code == 302
    assert Question.objects.get().correct == [0, 2]


def test_material_upload_kept_privately_and_downloaded_by_the_centre(demo, clients, course, settings):
    client = clients("lead")
    pdf = SimpleUploadedFile("规范.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert client.post(f"/training/courses/{course.pk}/materials/", {"title": "", "file": pdf}).status_code == 302
    material = Material.objects.get()
    assert material.kind == "file" and material.file_name == "规范.pdf"
    stored = Path(material.file.path)
    try:
        assert stored.is_relative_to(Path(settings.DATA_DIR) / "training")  # never under MEDIA_ROOT
        assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
        download = clients("agent").get(f"/training/materials/{material.pk}/")
        assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
        outsider = clients("agent")
        outsider.logout()
        assert outsider.get(f"/training/materials/{material.pk}/").status_code == 302  # to the login
    finally:
        stored.unlink(missing_ok=True)
    bad = client.post(f"/training/courses/{course.pk}/materials/",
                      {"file": SimpleUploadedFile("x.exe", b"MZ..", content_type="application/octet-stream")})
    assert bad.status_code == 422 and Material.objects.count() == 1


def test_session_and_attendance_through_the_pages(demo, clients, course):
    client = clients("lead")
    response = client.post(f"/training/courses/{course.pk}/sessions/", {
        "starts_at": "2026-12-09T14:00", "ends_at": "2026-12-09T16:00", "trainer": "qa1", "place": "培训室",
        "online_url": "", "invitees": ["agent1", "agent2"]})
    assert response.status_code == 302
    session = course.sessions.get()
    assert session.trainer == demo.users["qa1"]
    assert client.post(f"/training/sessions/{session.pk}/attendance/", {"person": "agent1",
                                                                       "status": "present"}).status_code == 302
    assert Attendance.objects.get(session=session, person=demo.users["agent1"]).status == "present"
    mine = clients("agent").get("/training/").content.decode()
    assert "培训室" in mine
