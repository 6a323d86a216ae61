"""Reads of training (R-TRN-1): course lists, the person's own training, results per course and its chart.
Each list is a fixed number of queries whatever its length."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kefu.rules.selectors import get_rule
from kefu.training import access
from kefu.training.models import Assignment, Attempt, Attendance, Course, Material, Question, Session
from kefu.training.services import attempt_questions, options_of

SCORE_BANDS = ((0, 60), (60, 70), (70, 80), (80, 90), (90, 101))


def courses(user) -> QuerySet[Course]:
    """The courses the caller sees, each with ``bank_size`` (active questions)."""
    return (access.visible_courses(user)
            .annotate(bank_size=Count("questions", filter=Q(questions__active=True), distinct=True))
            .order_by("-active", "id"))


def course_detail(user, course_id: int) -> Course:
    course = access.access_course(user, course_id)
    course.material_list = list(Material.objects.filter(course=course).order_by("id"))
    course.session_list = list(
        Session.objects.filter(course=course).select_related("trainer").order_by("-starts_at")
        .prefetch_related(Prefetch("attendance", queryset=Attendance.objects.select_related("person")
                                   .order_by("person_id"))))
    course.bank = list(Question.objects.filter(course=course).order_by("-active", "id"))
    for q in course.bank:
        q.options = options_of(q)
    return course


@dataclass
class MyCourse:
    assignment: Assignment
    attempts: list[Attempt]
    max_attempts: int
    open_attempt: Attempt | None = None

    @property
    def best(self) -> Decimal | None:
        scores = [a.score for a in self.attempts if a.score is not None]
        return max(scores) if scores else None

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def attempts_left(self) -> int:
        return max(0, self.max_attempts - len(self.attempts))

    @property
    def may_start(self) -> bool:
        return self.open_attempt is not None or (not self.passed and self.attempts_left > 0)

    @property
    def overdue(self) -> bool:
        return self.assignment.completed_at is None and self.assignment.due < timezone.localdate()


@dataclass
class MyTraining:
    courses: list[MyCourse] = field(default_factory=list)
    sessions: list[Attendance] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)


def my_assignments(user) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(person_id=user.pk, course__active=True)
            .select_related("course", "assigned_by").order_by("completed_at", "due", "id"))


def my_training(user) -> MyTraining:
    """The person's assigned courses (with their attempts), sessions they are invited to, and results."""
    attempts = list(Attempt.objects.filter(person_id=user.pk).select_related("course").order_by("-started_at", "-id"))
    by_course: dict[int, list[Attempt]] = {}
    for a in attempts:
        by_course.setdefault(a.course_id, []).append(a)
    limit = get_rule("training.max_attempts", centre_id=user.centre_id)
    rows = []
    for assignment in my_assignments(user)[:200]:
        mine = by_course.get(assignment.course_id, [])
        rows.append(MyCourse(assignment=assignment, attempts=mine, max_attempts=limit,
                             open_attempt=next((a for a in mine if a.status == Attempt.Status.OPEN), None)))
    sessions = list(Attendance.objects.filter(person_id=user.pk).select_related("session__course", "session__trainer")
                    .order_by("-session__starts_at")[:50])
    return MyTraining(courses=rows, sessions=sessions, attempts=attempts[:100])


def results(user, course_id: int | None = None, person_id: int | None = None) -> QuerySet[Attempt]:
    """Attempts the caller may see (trainers: their scope; others: their own), newest first."""
    qs = access.attempts_in_scope(user).filter(course__in=access.visible_courses(user).values("pk"))
    if course_id is not None:
        qs = qs.filter(course_id=course_id)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs.select_related("course", "person").order_by("-started_at", "-id")


def score_chart(attempts: list[Attempt], pass_mark: int) -> dict:
    """Scores of the closed attempts in bands of 10 (below 60 as one), and the pass and fail counts."""
    closed = [a for a in attempts if a.score is not None]
    labels = [f"{lo}–{min(hi, 100) if hi > 100 else hi - 1}" for lo, hi in SCORE_BANDS]
    values = [sum(1 for a in closed if lo <= a.score < hi) for lo, hi in SCORE_BANDS]
    return {
        "labels": labels, "values": values, "pass_mark": pass_mark,
        "passed": sum(1 for a in closed if a.passed), "failed": sum(1 for a in closed if not a.passed),
        "people": sorted({a.person.username for a in closed}),
    }


@dataclass
class ReviewedQuestion:
    """One question of a result: ``correct``, ``explanation`` and ``right`` are empty (None) while the
    answers are withheld (:func:`answers_shown`)."""

    number: int
    question: Question
    options: list[str]
    chosen: list[int]
    right: bool | None
    correct: list[int] = field(default_factory=list)
    explanation: str = ""


def answers_shown(user, attempt: Attempt) -> bool:
    """R-TRN-1: a closed attempt shows the right answers and explanations to trainers (who see the bank
    anyway), and to the person once they have passed the course's exam or have no attempt left
    (``training.max_attempts``, none of them open) — not while a retake on the same bank remains."""
    if attempt.status == Attempt.Status.OPEN:
        return False
    if access.is_trainer(user):
        return True
    theirs = Attempt.objects.filter(course_id=attempt.course_id, person_id=attempt.person_id)
    if theirs.filter(passed=True).exists():
        return True
    if theirs.filter(status=Attempt.Status.OPEN).exists():
        return False
    return theirs.count() >= get_rule("training.max_attempts", centre_id=attempt.course.centre_id)


def review(attempt: Attempt, *, shown: bool) -> list[ReviewedQuestion]:
    """An attempt's questions in order with the options chosen; with ``shown`` (:func:`answers_shown`) also
    the right options, the explanation and whether each answer was right (for the result)."""
    out = []
    for n, q in enumerate(attempt_questions(attempt), start=1):
        chosen = list(attempt.answers.get(str(q.pk), []))
        row = ReviewedQuestion(number=n, question=q, options=options_of(q), chosen=chosen, right=None)
        if shown:
            row.right = set(chosen) == set(q.correct)
            row.correct = list(q.correct)
            row.explanation = q.explanation
        out.append(row)
    return out
