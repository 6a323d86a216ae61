"""Fixtures of the training tests: a frozen clock, a course with a question bank, API helper."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)  # a Monday morning


@pytest.fixture
def clock():
    """``clock(moment)`` stands the clock still at ``moment`` (and moves it on a later call)."""
    travels = []

    def move(moment: dt.datetime):
        if travels:
            travels.pop().stop()
        travel = time_machine.travel(moment, tick=False)
        travel.start()
        travels.append(travel)
        return moment

    move(NOW)
    yield move
    while travels:
        travels.pop().stop()


def add_bank(course, actor, n_single=2, n_multiple=1, n_tf=1):
    """Questions of each kind: a single choice's right option is 1, a multiple choice's 0 and 2, true/false's
    true (0)."""
    from kefu.training import services

    made = []
    for i in range(n_single):
        made.append(services.add_question(actor=actor, course_id=course.pk, kind="single", text=f"单选{i}",
                                          choices=["甲", "乙", "丙"], correct=[1], explanation=f"解析{i}"))
    for i in range(n_multiple):
        made.append(services.add_question(actor=actor, course_id=course.pk, kind="multiple", text=f"多选{i}",
                                          choices=["甲", "乙", "丙", "丁"], correct=[0, 2], explanation="多选解析"))
    for i in range(n_tf):
        made.append(services.add_question(actor=actor, course_id=course.pk, kind="true_false", text=f"判断{i}",
                                          correct=[0], explanation="判断解析"))
    return made


@pytest.fixture
def course(demo, clock):
    from kefu.training import services

    c = services.create_course(actor=demo.users["qa1"], title="服务用语规范", description="规范用语",
                               tags=["服务用语"], exam_questions=4, exam_minutes=20)
    add_bank(c, demo.users["qa1"])
    return c


def call(client, method: str, path: str, data=None):
    fn = getattr(client, method)
    if data is None:
        return fn(f"/api/v1/training{path}")
    return fn(f"/api/v1/training{path}", data=json.dumps(data, default=str), content_type="application/json")
