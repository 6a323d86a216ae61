"""R-TRN-1 exams: drawn from the bank reproducibly, scored automatically, a server-enforced time limit, the pass
mark (80) and the retake limit (3 attempts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kefu.core.errors import InvalidInput, RuleViolation
from kefu.training import services
from kefu.training.models import Attempt, Question
from kefu.training.tests.conftest import NOW, add_bank

pytestmark = pytest.mark.django_db


def right_answers(attempt, wrong: int = 0) -> dict:
    """The right answer to every question of ``attempt`` except the first ``wrong`` (answered wrongly)."""
    out = {}
    for i, q in enumerate(services.attempt_questions(attempt)):
        if i < wrong:
            count = 2 if q.kind == Question.Kind.TRUE_FALSE else len(q.choices)
            out[str(q.pk)] = [next(j for j in range(count) if j not in q.correct)]
        else:
            out[str(q.pk)] = list(q.correct)
    return out


# -- drawing -------------------------------------------------------------------------------------------

def test_r_trn_1_draw_is_reproducible_from_the_seed():
    bank = list(range(1, 41))
    first = services.draw_questions(bank, 10, seed=12345)
    assert services.draw_questions(list(reversed(bank)), 10, seed=12345) == first  # bank order does not matter
    assert len(set(first)) == 10 and set(first) <= set(bank)
    assert services.draw_questions(bank, 10, seed=54321) != first
    assert sorted(services.draw_questions(bank[:5], 10, seed=1)) == bank[:5]  # a small bank: all of it


def test_r_trn_1_attempt_stores_its_seed_and_redraws_the_same_questions(demo, course):
    add_bank(course, demo.users["qa1"], n_single=6, n_multiple=0, n_tf=0)
    attempt = services.start_attempt(actor=demo.users["agent1"], course_id=course.pk)
    assert len(attempt.question_ids) == course.exam_questions == 4
    bank = Question.objects.filter(course=course, active=True).values_list("pk", flat=True)
    assert services.draw_questions(bank, 4, attempt.seed) == attempt.question_ids
    other = services.start_attempt(actor=demo.users["agent2"], course_id=course.pk)
    assert other.seed != attempt.seed


def test_r_trn_1_a_retired_question_is_drawn_no_more_but_stays_in_old_attempts(demo, course):
    attempt = services.start_attempt(actor=demo.users["agent1"], course_id=course.pk)
    gone = attempt.question_ids[0]
    services.retire_question(actor=demo.users["qa1"], question_id=gone)
    assert gone in [q.pk for q in services.attempt_questions(attempt)]
    fresh = services.start_attempt(actor=demo.users["agent2"], course_id=course.pk)
    assert gone not in fresh.question_ids and len(fresh.question_ids) == 3


# -- scoring -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "correct", "chosen", "credit"), [
    ("single", [1], [1], 1),
    ("single", [1], [0], 0),
    ("single", [1], [], 0),
    ("true_false", [0], [0], 1),
    ("true_false", [0], [1], 0),
    ("true_false", [1], [1], 1),
    ("multiple", [0, 2], [0, 2], 1),
    ("multiple", [0, 2], [2, 0], 1),
    ("multiple", [0, 2], [0], 0),  # all or nothing: half right is nothing
    ("multiple", [0, 2], [0, 1, 2], 0),
])
def test_r_trn_1_scoring_of_each_kind(kind, correct, chosen, credit):
    assert services.question_credit(kind, correct, chosen, multiple_scoring="all_or_nothing") == credit


@pytest.mark.parametrize(("chosen", "credit"), [([0], Decimal("0.5")), ([0, 2], 1), ([0, 1], 0), ([], 0)])
def test_r_trn_1_multiple_choice_partial_credit_setting(chosen, credit):
    assert services.question_credit("multiple", [0, 2], chosen, multiple_scoring="partial") == credit


def test_r_trn_1_submit_scores_at_once(demo, course):
    agent = demo.users["agent1"]
    attempt = services.start_attempt(actor=agent, course_id=course.pk)
    done = services.submit_attempt(actor=agent, attempt_id=attempt.pk, answers=right_answers(attempt, wrong=1))
    assert done.status == Attempt.Status.SUBMITTED
    assert done.score == Decimal("75.00") and done.correct_count == 3
    assert done.passed is False and done.pass_mark == 80


def test_r_trn_1_partial_setting_applies_on_submit(demo, course):
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key="training.multiple_choice_scoring", value="partial", version=0)
    agent = demo.users["agent1"]
    attempt = services.start_attempt(actor=agent, course_id=course.pk)
    answers = right_answers(attempt)
    multiple = next(q for q in services.attempt_questions(attempt) if q.kind == "multiple")
    answers[str(multiple.pk)] = [0]
    done = services.submit_attempt(actor=agent, attempt_id=attempt.pk, answers=answers)
    assert done.score == Decimal("87.50") and done.passed is True


def test_answers_to_questions_not_drawn_or_out_of_range_are_refused_and_change_nothing(demo, course):
    agent = demo.users["agent1"]
    attempt = services.start_attempt(actor=agent, course_id=course.pk)
    single = next(q for q in services.attempt_questions(attempt) if q.kind == "single")
    for answers, field in [({"999999": [0]}, "answers.999999"), ({str(single.pk): [7]}, f"answers.{single.pk}"),
                           ({str(single.pk): [0, 1]}, f"answers.{single.pk}")]:
        with pytest.raises(InvalidInput) as err:
            services.submit_attempt(actor=agent, attempt_id=attempt.pk, answers=answers)
        assert [e.field for e in err.value.errors] == [field]
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.OPEN and attempt.answers == {}


# -- the time limit ------------------------------------------------------------------------------------

def test_r_trn_1_an_answer_one_second_inside_the_limit_is_accepted(demo, course, clock):
    agent = demo.users["agent1"]
    attempt = services.start_attempt(actor=agent, course_id=course.pk)
    assert attempt.deadline == NOW + dt.timedelta(minutes=20)
    clock(attempt.deadline - dt.timedelta(seconds=1))
    done = services.submit_attempt(actor=agent, attempt_id=attempt.pk, answers=right_answers(attempt))
    assert done.status == Attempt.Status.SUBMITTED and done.score == 100


def test_r_trn_1_answers_within_the_grace_are_accepted(demo, course, clock):
    agent = demo.users["agent1"]
    attempt = services.start_attempt(actor=agent, course_id=course.pk)
    clock(attempt.deadline + dt.timedelta(seconds=30))  # training.grace_seconds
    assert services.submit_attempt(actor=agent, attempt_id=attempt.pk, answers={}).status == "submitted"


def test_r_trn_1_answers_after_the_limit_and_grace_are_refused(demo, course, clock):
    agent = demo.users["agent1"]
    attempt = services.start_attempt(actor=agent, course_id=course.pk)
    clock(attempt.deadline + dt.timedelta(seconds=31))
    with pytest.raises(RuleViolation) as err:
        services.submit_attempt(actor=agent, attempt_id=attempt.pk, answers=right_answers(attempt))
    assert err.value.rule == "R-TRN-1"
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.OPEN and attempt.score is None  # the refusal changed nothing
    # the overdue attempt is closed as "time ran out" with no answers: it counts as an attempt, failed
    assert services.expire_overdue_attempts(person_id=agent.pk) == 1
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED and attempt.score == 0 and attempt.passed is False


def test_starting_again_resumes_the_open_attempt(demo, course):
    agent = demo.users["agent1"]
    first = services.start_attempt(actor=agent, course_id=course.pk)
    assert services.start_attempt(actor=agent, course_id=course.pk).pk == first.pk


# -- pass mark and retakes -------------------------------------------------------------------------------

@pytest.fixture
def hundred(demo, clock):
    """A course whose exam is 100 true/false questions: each right answer is one point."""
    c = services.create_course(actor=demo.users["qa1"], title="判断题一百道", tags=["服务态度"], exam_questions=100,
                               exam_minutes=60)
    add_bank(c, demo.users["qa1"], n_single=0, n_multiple=0, n_tf=100)
    return c


@pytest.mark.parametrize(("wrong", "score", "passed"), [(20, Decimal("80.00"), True), (21, Decimal("79.00"), False)])
def test_r_trn_1_pass_mark_80_passes_and_79_fails(demo, hundred, wrong, score, passed):
    agent = demo.users["agent1"]
    attempt = services.start_attempt(actor=agent, course_id=hundred.pk)
    done = services.submit_attempt(actor=agent, attempt_id=attempt.pk, answers=right_answers(attempt, wrong=wrong))
    assert (done.score, done.passed) == (score, passed)


def test_r_trn_1_the_fourth_attempt_is_refused(demo, course):
    agent = demo.users["agent1"]
    for n in (1, 2, 3):
        attempt = services.start_attempt(actor=agent, course_id=course.pk)
        assert attempt.number == n
        services.submit_attempt(actor=agent, attempt_id=attempt.pk, answers={})
    with pytest.raises(RuleViolation) as err:
        services.start_attempt(actor=agent, course_id=course.pk)
    assert err.value.rule == "R-TRN-1" and err.value.errors[0].field == "course"
    assert Attempt.objects.filter(person=agent, course=course).count() == 3


def test_r_trn_1_a_passed_exam_is_not_taken_again_and_completes_the_assignment(demo, course):
    agent = demo.users["agent1"]
    [assignment] = services.assign_course(actor=demo.users["lead1"], course_id=course.pk, people=["agent1"],
                                          due=dt.date(2026, 12, 31))
    attempt = services.start_attempt(actor=agent, course_id=course.pk)
    services.submit_attempt(actor=agent, attempt_id=attempt.pk, answers=right_answers(attempt))
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    with pytest.raises(RuleViolation):
        services.start_attempt(actor=agent, course_id=course.pk)


def test_a_course_without_questions_has_no_exam(demo, clock):
    c = services.create_course(actor=demo.users["lead1"], title="空课程")
    with pytest.raises(RuleViolation):
        services.start_attempt(actor=demo.users["agent1"], course_id=c.pk)
    assert not Attempt.objects.exists()
