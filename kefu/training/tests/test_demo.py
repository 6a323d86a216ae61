"""The demo training seed (R-TRN-1) is complete and safe to run again."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kefu.training.models import Assignment, Attendance, Course, Question, Session

pytestmark = pytest.mark.django_db


def test_seed_demo_training_is_idempotent(demo, clock, clients):
    call_command("seed_demo_training")
    call_command("seed_demo_training")
    assert sorted(Course.objects.values_list("title", flat=True)) == ["投诉处理技巧", "服务用语规范"]
    assert Question.objects.count() == 16
    assert Session.objects.count() == 1 and Attendance.objects.count() == 3
    [assignment] = Assignment.objects.all()
    assert assignment.person.username == "agent1" and assignment.course.title == "服务用语规范"
    page = clients("agent").get("/training/").content.decode()
    assert "服务用语规范" in page and "三楼培训室" in page
    assert clients("qa").get(f"/training/courses/{assignment.course_id}/").status_code == 200
