"""R-TRN-1 / R-ERR regressions from the review of the training app: a course already done is not assigned again,
ids that are no ids are field errors (not 500s), an attempt of a deactivated course still reads, a failed exam
keeps its answers while retakes remain, and a session's trainer marks only invited people or their scope."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.errors import InvalidInput, NotAllowed
from kefu.training import services
from kefu.training.models import Assignment, Attempt, Attendance
from kefu.training.tests.conftest import call
from kefu.training.tests.test_exams import right_answers

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 12, 31)
START = dt.datetime(2026, 12, 9, 14, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HUGE = "9" * 30  # beyond any id column


def _pass(demo, course, username="agent1") -> Attempt:
    user = demo.users[username]
    attempt = services.start_attempt(actor=user, course_id=course.pk)
    return services.submit_attempt(actor=user, attempt_id=attempt.pk, answers=right_answers(attempt))


def _fail(demo, course, username="agent1") -> Attempt:
    user = demo.users[username]
    attempt = services.start_attempt(actor=user, course_id=course.pk)
    return services.submit_attempt(actor=user, attempt_id=attempt.pk, answers={})


def _session(demo, course, *, trainer="head1", invitees=("agent1",)):
    return services.create_session(actor=demo.users["head1"], course_id=course.pk, starts_at=START,
                                   ends_at=START + dt.timedelta(hours=2), trainer=trainer, place="培训室",
                                   invitees=list(invitees))


# -- 1. a course already passed (or attended, without an exam) is skipped and reported ----------------------

def test_r_trn_1_assigning_a_course_already_passed_skips_the_person(demo, course):
    assert _pass(demo, course).passed
    made = services.assign_course(actor=demo.users["lead1"], course_id=course.pk, people=["agent1", "agent2"],
                                  due=DUE)
    assert [a.person.username for a in made] == ["agent2"]
    assert [p.username for p in made.skipped] == ["agent1"]
    assert not Assignment.objects.filter(person=demo.users["agent1"]).exists()


def test_r_trn_1_assigning_only_people_who_passed_assigns_nothing(demo, course):
    _pass(demo, course)
    made = services.assign_course(actor=demo.users["lead1"], course_id=course.pk, people=["agent1"], due=DUE)
    assert list(made) == [] and [p.username for p in made.skipped] == ["agent1"]
    assert not Assignment.objects.exists()


def test_r_trn_1_plan_from_weak_items_skips_courses_already_passed(demo, course):
    _pass(demo, course)
    agent1, agent2 = demo.users["agent1"], demo.users["agent2"]
    proposal = services.propose_plan_from_weak_items(actor=demo.users["qa1"], due=DUE,
                                                     weak_items={agent1.pk: ["服务用语"], agent2.pk: ["服务用语"]})
    assert [a.person for a in proposal.assignments] == [agent2]
    assert proposal.skipped == {agent1.pk: [course.pk]}
    assert proposal.unmatched == {}


def test_r_trn_1_a_course_without_exam_attended_present_is_not_assigned_again(demo, clock):
    lead1 = demo.users["lead1"]
    course = services.create_course(actor=lead1, title="现场演练")
    session = services.create_session(actor=lead1, course_id=course.pk, starts_at=START,
                                      ends_at=START + dt.timedelta(hours=1), place="培训室",
                                      invitees=["agent1", "agent2"])
    services.record_attendance(actor=lead1, session_id=session.pk, person="agent1", status="present")
    services.record_attendance(actor=lead1, session_id=session.pk, person="agent2", status="absent")
    made = services.assign_course(actor=lead1, course_id=course.pk, people=["agent1", "agent2"], due=DUE)
    assert [a.person.username for a in made] == ["agent2"]
    assert [p.username for p in made.skipped] == ["agent1"]


def test_assign_page_says_who_was_skipped(demo, clients, course):
    _pass(demo, course)
    response = clients("lead").post(f"/training/courses/{course.pk}/assign/",
                                     {"people": ["agent1", "agent2"], "due": "2026-12-31"}, follow=True)
    assert response.status_code == 200
    assert "张三" in "".join(str(m) for m in response.context["messages"])
    assert list(Assignment.objects.values_list("person__username", flat=True)) == ["agent2"]


# -- 2. digits that are no ids: a field error, never a 500 ------------------------------------------------

@pytest.mark.parametrize("value", ["²", HUGE, "١٢"])
def test_r_err_attendance_person_that_is_no_id_is_a_field_error(demo, course, value):
    session = _session(demo, course)
    with pytest.raises(InvalidInput) as err:
        services.record_attendance(actor=demo.users["head1"], session_id=session.pk, person=value, status="present")
    assert [e.field for e in err.value.errors] == ["person"]


@pytest.mark.parametrize("value", ["²", HUGE])
def test_r_err_session_trainer_that_is_no_id_is_a_field_error(demo, course, value):
    with pytest.raises(InvalidInput) as err:
        _session(demo, course, trainer=value)
    assert [e.field for e in err.value.errors] == ["trainer"]


@pytest.mark.parametrize("value", ["²", HUGE])
def test_r_err_assigning_people_that_are_no_ids_is_a_field_error(demo, clients, course, value):
    with pytest.raises(InvalidInput) as err:
        services.assign_course(actor=demo.users["lead1"], course_id=course.pk, people=[value], due=DUE)
    assert [e.field for e in err.value.errors] == ["people"]
    response = call(clients("lead"), "post", f"/courses/{course.pk}/assignments",
                    {"people": [value], "due": "2026-12-31"})
    assert response.status_code == 422
    assert not Assignment.objects.exists()


def test_r_err_weak_items_keyed_by_no_id_are_field_errors(demo, course):
    with pytest.raises(InvalidInput) as err:
        services.propose_plan_from_weak_items(actor=demo.users["qa1"], due=DUE,
                                              weak_items={"²": ["服务用语"], HUGE: ["服务用语"]})
    assert {e.field for e in err.value.errors} == {"weak_items.²", f"weak_items.{HUGE}"}


@pytest.mark.parametrize("key", ["²", HUGE])
def test_r_err_answer_to_a_question_that_is_no_id_is_a_field_error(demo, clients, course, key):
    attempt = services.start_attempt(actor=demo.users["agent1"], course_id=course.pk)
    response = call(clients("agent"), "post", f"/attempts/{attempt.pk}/submit", {"answers": {key: [0]}})
    assert response.status_code == 422
    assert f"answers.{key}" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.OPEN


# -- 3. an attempt of a course deactivated since still reads and submits ------------------------------------

def test_attempt_of_a_deactivated_course_reads_and_submits_through_the_api(demo, clients, course):
    client = clients("agent")
    attempt = Attempt.objects.get(pk=call(client, "post", f"/courses/{course.pk}/attempts").json()["id"])
    services.update_course(actor=demo.users["qa1"], course_id=course.pk, version=course.version, title=course.title,
                           tags=course.tags, exam_questions=4, exam_minutes=20, active=False)
    got = call(client, "get", f"/attempts/{attempt.pk}")
    assert got.status_code == 200 and got.json()["status"] == "open"
    done = call(client, "post", f"/attempts/{attempt.pk}/submit", {"answers": right_answers(attempt)})
    assert done.status_code == 200 and done.json()["passed"] is True
    assert call(client, "get", f"/attempts/{attempt.pk}").json()["score"] == "100.00"
    assert call(client, "get", "/attempts/999999").status_code == 404


# -- 4. a failed exam keeps its answers while retakes remain ------------------------------------------------

def _review(client, attempt):
    return call(client, "get", f"/attempts/{attempt.pk}").json()


def test_r_trn_1_failed_attempt_hides_answers_while_retakes_remain(demo, clients, course):
    client = clients("agent")
    attempt = _fail(demo, course)
    body = _review(client, attempt)
    assert body["answers_shown"] is False
    assert all(r["correct"] == [] and r["explanation"] == "" and r["right"] is None for r in body["review"])
    page = client.get(f"/training/attempts/{attempt.pk}/").content.decode()
    assert not [w for w in ("解析0", "多选解析", "判断解析", "ti ti-check text-green") if w in page]
    assert 'data-testid="answers-withheld"' in page
    # the person's trainer sees the bank's answers anyway, so the review shows them
    shown = _review(clients("qa"), attempt)
    assert shown["answers_shown"] is True and {r["explanation"] for r in shown["review"]} >= {"判断解析"}


def test_r_trn_1_answers_show_once_passed(demo, clients, course):
    client = clients("agent")
    failed = _fail(demo, course)
    _pass(demo, course)
    body = _review(client, failed)
    assert body["answers_shown"] is True
    assert all(r["correct"] for r in body["review"]) and {r["explanation"] for r in body["review"]} >= {"判断解析"}
    assert "判断解析" in client.get(f"/training/attempts/{failed.pk}/").content.decode()


def test_r_trn_1_answers_show_when_no_attempts_are_left(demo, clients, course):
    client = clients("agent")
    attempts = [_fail(demo, course) for _ in range(2)]
    assert _review(client, attempts[0])["answers_shown"] is False  # one retake left
    attempts.append(_fail(demo, course))  # the last of training.max_attempts (3)
    body = _review(client, attempts[-1])
    assert body["answers_shown"] is True and all(r["right"] is False for r in body["review"])
    assert "判断解析" in client.get(f"/training/attempts/{attempts[0].pk}/").content.decode()


# -- 5. the session's trainer marks only the invited or people of their scope, never themselves -------------

@pytest.mark.parametrize(("trainer", "person", "allowed"), [
    ("lead2", "agent1", True),  # invited
    ("lead2", "agent5", True),  # not invited, but of the trainer's team
    ("lead2", "agent2", False),  # neither invited nor of the trainer's scope
    ("lead2", "lead2", False),  # not oneself
    ("agent3", "agent1", True),  # an agent as trainer: the invited
    ("agent3", "agent2", False),
    ("agent3", "agent3", False),
])
def test_r_trn_1_sessions_trainer_records_attendance_of_the_invited_or_their_scope(demo, course, trainer, person,
                                                                                   allowed):
    session = _session(demo, course, trainer=trainer)
    if allowed:
        row = services.record_attendance(actor=demo.users[trainer], session_id=session.pk, person=person,
                                         status="present")
        assert row.status == "present"
        return
    with pytest.raises(NotAllowed):
        services.record_attendance(actor=demo.users[trainer], session_id=session.pk, person=person, status="present")
    assert not Attendance.objects.filter(session=session, status="present").exists()


def test_a_trainer_marking_themselves_present_does_not_complete_a_course_without_exam(demo, clock):
    lead1 = demo.users["lead1"]
    course = services.create_course(actor=lead1, title="现场演练")
    [assignment] = services.assign_course(actor=demo.users["head1"], course_id=course.pk, people=["lead1"], due=DUE)
    session = services.create_session(actor=lead1, course_id=course.pk, starts_at=START,
                                      ends_at=START + dt.timedelta(hours=1), place="培训室")
    with pytest.raises(NotAllowed):
        services.record_attendance(actor=lead1, session_id=session.pk, person="lead1", status="present")
    assignment.refresh_from_db()
    assert assignment.completed_at is None
