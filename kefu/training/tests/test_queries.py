"""Lists of training take a fixed number of queries, however long they are (R-TRN-1 pages and API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.training import services
from kefu.training.tests.conftest import add_bank, call

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 12, 31)


def _grow(demo, n: int, start: int) -> None:
    """``n`` more courses, each with a bank, assigned to agent1 and agent2, an attempt by agent1 and a session."""
    qa, lead = demo.users["qa1"], demo.users["lead1"]
    for i in range(start, start + n):
        course = services.create_course(actor=qa, title=f"课程{i}", tags=["服务用语"], exam_questions=2)
        add_bank(course, qa, n_single=1, n_multiple=1, n_tf=0)
        services.assign_course(actor=lead, course_id=course.pk, people=["agent1", "agent2"], due=DUE)
        attempt = services.start_attempt(actor=demo.users["agent1"], course_id=course.pk)
        services.submit_attempt(actor=demo.users["agent1"], attempt_id=attempt.pk, answers={})
        start_at = dt.datetime(2026, 12, 9, 9 + i % 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        services.create_session(actor=lead, course_id=course.pk, starts_at=start_at,
                                ends_at=start_at + dt.timedelta(hours=1), place="培训室", invitees=["agent1"])


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


LISTS = [
    ("agent", lambda c: c.get("/training/")),
    ("qa", lambda c: c.get("/training/courses/")),
    ("agent", lambda c: call(c, "get", "/courses")),
    ("agent", lambda c: call(c, "get", "/assignments/mine")),
    ("agent", lambda c: call(c, "get", "/results")),
    ("lead", lambda c: call(c, "get", "/results")),
]


@pytest.mark.parametrize(("role", "fetch"), LISTS)
def test_list_queries_do_not_grow_with_the_rows(demo, clients, clock, role, fetch):
    client = clients(role)
    _grow(demo, 2, 0)
    fetch(client)  # warm the per-process caches (rules, scope)
    few = _count(lambda: fetch(client))
    _grow(demo, 4, 2)
    many = _count(lambda: fetch(client))
    assert many == few


def test_course_page_queries_do_not_grow_with_sessions_and_results(demo, clients, clock):
    qa, lead = demo.users["qa1"], demo.users["lead1"]
    course = services.create_course(actor=qa, title="大课", tags=["服务用语"], exam_questions=2)
    add_bank(course, qa, n_single=2, n_multiple=0, n_tf=0)
    client = clients("lead")
    start_at = dt.datetime(2026, 12, 9, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))

    def more(people):
        services.create_session(actor=lead, course_id=course.pk, starts_at=start_at,
                                ends_at=start_at + dt.timedelta(hours=1), place="培训室", invitees=people)
        for name in people:
            attempt = services.start_attempt(actor=demo.users[name], course_id=course.pk)
            services.submit_attempt(actor=demo.users[name], attempt_id=attempt.pk, answers={})

    more(["agent1"])
    client.get(f"/training/courses/{course.pk}/")
    few = _count(lambda: client.get(f"/training/courses/{course.pk}/"))
    more(["agent2", "agent3"])
    many = _count(lambda: client.get(f"/training/courses/{course.pk}/"))
    assert many == few
