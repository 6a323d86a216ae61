"""R-TRN-1 with R-ORG-2: who may run courses, record attendance, assign and see results; a refusal changes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.training import services
from kefu.training.models import Assignment, Attendance, Course, Question, Session

pytestmark = pytest.mark.django_db
TRAINERS = ["lead1", "qa1", "head1", "director1", "admin"]


def _counts():
    return (Course.objects.count(), Question.objects.count(), Session.objects.count(), Assignment.objects.count(),
            Attendance.objects.exclude(status="invited").count(), AuditEvent.objects.count())


@pytest.mark.parametrize(("username", "allowed"), [(u, True) for u in TRAINERS] + [("agent1", False)])
def test_r_trn_1_role_matrix_for_writing_courses(demo, clock, course, username, allowed):
    actor = demo.users[username]
    before = _counts()
    if allowed:
        services.create_course(actor=actor, title=f"{username} 的课程")
        services.add_question(actor=actor, course_id=course.pk, kind="true_false", text="对吗", correct=[0])
        assert Course.objects.count() == before[0] + 1
        return
    with pytest.raises(NotAllowed):
        services.create_course(actor=actor, title="不该有")
    with pytest.raises(NotAllowed):
        services.add_question(actor=actor, course_id=course.pk, kind="true_false", text="对吗", correct=[0])
    with pytest.raises(NotAllowed):
        services.create_session(actor=actor, course_id=course.pk, starts_at=None,
                                ends_at=None, place="x")
    with pytest.raises(NotAllowed):
        services.assign_course(actor=actor, course_id=course.pk, people=["agent1"], due=dt.date(2026, 12, 31))
    assert _counts() == before


@pytest.mark.parametrize(("username", "person", "allowed"), [
    ("lead1", "agent1", True),  # the person's lead
    ("lead2", "agent1", False),  # another team's lead
    ("head1", "agent4", True),
    ("director1", "agent4", True),
    ("qa1", "agent1", False),  # QA runs courses but does not take attendance unless they are the trainer
    ("agent2", "agent1", False),
    ("agent1", "agent1", False),  # not one's own
])
def test_r_trn_1_who_records_attendance(demo, course, username, person, allowed):
    start = dt.datetime(2026, 12, 9, 14, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    session = services.create_session(actor=demo.users["head1"], course_id=course.pk, starts_at=start,
                                      ends_at=start + dt.timedelta(hours=2), trainer="head1", place="培训室",
                                      invitees=["agent1", "agent4"])
    before = _counts()
    if allowed:
        row = services.record_attendance(actor=demo.users[username], session_id=session.pk, person=person,
                                         status="present")
        assert row.status == "present" and row.recorded_by == demo.users[username]
        return
    with pytest.raises(NotAllowed):
        services.record_attendance(actor=demo.users[username], session_id=session.pk, person=person,
                                   status="present")
    assert _counts() == before


def test_the_sessions_trainer_records_attendance_whoever_they_are(demo, course):
    start = dt.datetime(2026, 12, 9, 14, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    session = services.create_session(actor=demo.users["qa1"], course_id=course.pk, starts_at=start,
                                      ends_at=start + dt.timedelta(hours=2), place="线上",
                                      invitees=["agent1"])
    assert session.trainer == demo.users["qa1"]
    assert services.record_attendance(actor=demo.users["qa1"], session_id=session.pk, person="agent1",
                                      status="excused").status == "excused"
    with pytest.raises(InvalidInput):
        services.record_attendance(actor=demo.users["qa1"], session_id=session.pk, person="agent1", status="late")


def test_bad_session_input_names_the_fields_and_changes_nothing(demo, course):
    start = dt.datetime(2026, 12, 9, 14, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        services.create_session(actor=demo.users["lead1"], course_id=course.pk, starts_at=start, ends_at=start,
                                online_url="javascript:alert(1)", invitees=["agent4"])
    assert {e.field for e in err.value.errors} == {"ends_at", "online_url", "invitees"}
    assert _counts() == before


def test_courses_of_another_centre_are_not_found(demo, course):
    from kefu.org.models import Centre, User

    other = Centre.objects.create(name="别的中心")
    stranger = User.objects.create(username="stranger", centre=other)
    stranger.roles.create(role="head")
    with pytest.raises(NotFound):
        services.start_attempt(actor=stranger, course_id=course.pk)
    with pytest.raises(NotFound):
        services.add_question(actor=stranger, course_id=course.pk, kind="true_false", text="?", correct=[0])


@pytest.mark.parametrize("role", ["lead", "qa", "head", "director"])
def test_r_trn_1_course_pages_for_trainers(clients, course, role):
    assert clients(role).get("/training/courses/").status_code == 200


def test_agents_may_not_post_to_course_management(demo, clients, course):
    client = clients("agent")
    before = _counts()
    for path, data in [("/training/courses/", {"title": "x", "exam_questions": 1, "exam_minutes": 1}),
                       (f"/training/courses/{course.pk}/questions/", {"kind": "true_false", "text": "x",
                                                                       "correct": "1"}),
                       (f"/training/courses/{course.pk}/assign/", {"people": ["agent1"], "due": "2026-12-31"}),
                       (f"/training/courses/{course.pk}/edit/", {"title": "x", "exam_questions": 1,
                                                                 "exam_minutes": 1, "version": 1})]:
        assert client.post(path, data).status_code == 403, path
    assert _counts() == before


def test_a_course_without_an_exam_is_done_once_attended(demo, clock):
    course = services.create_course(actor=demo.users["lead1"], title="现场演练")
    [assignment] = services.assign_course(actor=demo.users["lead1"], course_id=course.pk, people=["agent1"],
                                          due=dt.date(2026, 12, 31))
    start = dt.datetime(2026, 12, 8, 14, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    session = services.create_session(actor=demo.users["lead1"], course_id=course.pk, starts_at=start,
                                      ends_at=start + dt.timedelta(hours=1), place="培训室", invitees=["agent1"])
    services.record_attendance(actor=demo.users["lead1"], session_id=session.pk, person="agent1", status="absent")
    assignment.refresh_from_db()
    assert assignment.completed_at is None
    services.record_attendance(actor=demo.users["lead1"], session_id=session.pk, person="agent1", status="present")
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
