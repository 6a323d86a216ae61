"""Training API (R-TRN-1), mounted at /api/v1/training: courses, my assignments, exam attempts and results.

A rule that refuses (retakes used up, course passed, time limit over) is a 422 with ``"rule": "R-TRN-1"``;
an object outside the caller's scope is a 404, an action their role may not take a 403 (API.md "Errors")."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber
from kefu.training import access, selectors, services
from kefu.training.models import Attempt

router = Router(tags=["training"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CourseOut(Schema):
    id: int
    title: str
    description: str
    tags: list[str]
    exam_questions: int
    exam_minutes: int
    bank_size: int = Field(..., description="Questions in the bank the exams draw from")
    active: bool
    version: int


class AssignmentOut(Schema):
    id: int
    course: int
    course_title: str
    due: dt.date
    reason: str
    assigned_at: dt.datetime
    completed_at: dt.datetime | None
    overdue: bool

    @staticmethod
    def resolve_course(obj) -> int:
        return obj.course_id

    @staticmethod
    def resolve_course_title(obj) -> str:
        return obj.course.title

    @staticmethod
    def resolve_overdue(obj) -> bool:
        from django.utils import timezone

        return obj.completed_at is None and obj.due < timezone.localdate()


class ExamQuestionOut(Schema):
    id: int
    kind: str
    text: str
    options: list[str]


class AttemptOut(Schema):
    id: int
    course: int
    course_title: str
    person: str
    number: int
    status: str
    started_at: dt.datetime
    deadline: dt.datetime
    submitted_at: dt.datetime | None
    score: Decimal | None
    correct_count: int | None
    question_count: int
    pass_mark: int
    passed: bool | None

    @staticmethod
    def resolve_course(obj) -> int:
        return obj.course_id

    @staticmethod
    def resolve_course_title(obj) -> str:
        return obj.course.title

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.username

    @staticmethod
    def resolve_question_count(obj) -> int:
        return len(obj.question_ids)


class OpenAttemptOut(AttemptOut):
    questions: list[ExamQuestionOut] = Field(..., description="The questions drawn, in order (no answers)")

    @staticmethod
    def resolve_questions(obj) -> list[dict]:
        return [{"id": q.pk, "kind": q.kind, "text": q.text, "options": services.options_of(q)}
                for q in services.attempt_questions(obj)]


class ExamReviewOut(Schema):
    id: int
    kind: str
    text: str
    options: list[str]
    chosen: list[int]
    correct: list[int] = Field(..., description="Empty while the answers are withheld")
    right: bool | None = Field(..., description="None while the answers are withheld")
    explanation: str = Field(..., description="Empty while the answers are withheld")


class ResultOut(AttemptOut):
    answers_shown: bool = Field(..., description="Whether the review shows the right answers and explanations: "
                                                 "once the exam is passed or no attempt is left (trainers: always)")
    review: list[ExamReviewOut] = Field(..., description="Each question with the answer given (once the attempt is "
                                                     "closed) and, when answers_shown, the right answer, whether "
                                                     "the answer was right and the explanation")

    @staticmethod
    def resolve_review(obj) -> list[dict]:
        if obj.status == Attempt.Status.OPEN:
            return []
        return [{"id": r.question.pk, "kind": r.question.kind, "text": r.question.text, "options": r.options,
                 "chosen": r.chosen, "correct": r.correct, "right": r.right, "explanation": r.explanation}
                for r in selectors.review(obj, shown=obj.answers_shown)]


class AnswersIn(Schema):
    answers: dict[str, list[int]] = Field(..., description="Question id → the indexes (from 0) of the chosen "
                                                           "options; a true/false question: 0 true, 1 false")


class CourseIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    tags: list[str] = Field([], description="Topics and skills, e.g. the QA scorecard item codes (服务用语 …)")
    exam_questions: int = Field(10, ge=1, le=100)
    exam_minutes: int = Field(20, ge=1, le=240)


class CourseAssignIn(Schema):
    people: list[str] = Field(..., description="Usernames of the caller's scope")
    due: dt.date
    reason: str = Field("", max_length=300)


class ResultFilters(Schema):
    course: Id | None = None
    person: str = Field("", max_length=150, description="A username (trainers: of their scope)")


@router.get("/courses", response={200: list[CourseOut], **ERRORS})
@paginate(PageNumber)
def list_courses(request):
    """The courses of the caller's centre (trainers see the inactive ones too)."""
    return selectors.courses(request.user)


@router.post("/courses", response={201: CourseOut, **ERRORS})
def create_course(request, payload: CourseIn):
    """A new course (team leads, QA inspectors, heads, directors, administrators; others 403)."""
    course = services.create_course(actor=request.user, title=payload.title, description=payload.description,
                                    tags=payload.tags, exam_questions=payload.exam_questions,
                                    exam_minutes=payload.exam_minutes)
    return Status(201, selectors.courses(request.user).get(pk=course.pk))


@router.post("/courses/{course_id}/assignments", response={201: list[AssignmentOut], **ERRORS})
def assign_course(request, course_id: Id, payload: CourseAssignIn):
    """Assign a course to people of the caller's scope by a due date; each is notified. Those who already have
    the course open, or have already done it (passed its exam or, for a course without an exam, attended a
    session), are not assigned and are left out of the answer."""
    made = services.assign_course(actor=request.user, course_id=course_id, people=payload.people, due=payload.due,
                                  reason=payload.reason)
    return Status(201, made)


@router.get("/assignments/mine", response={200: list[AssignmentOut], **ERRORS})
@paginate(PageNumber)
def my_assignments(request):
    """The courses assigned to the caller, open ones first, by due date."""
    return selectors.my_assignments(request.user)


@router.post("/courses/{course_id}/attempts", response={201: OpenAttemptOut, **ERRORS})
def start_attempt(request, course_id: Id):
    """Start the exam of a course (or get back the attempt still open): its questions, without answers, and
    the deadline. 422 ``R-TRN-1`` once passed or when the attempts allowed are used up."""
    return Status(201, services.start_attempt(actor=request.user, course_id=course_id))


def _result(request, attempt: Attempt) -> Attempt:
    attempt.answers_shown = selectors.answers_shown(request.user, attempt)
    return attempt


@router.post("/attempts/{attempt_id}/submit", response={200: ResultOut, **ERRORS})
def submit_attempt(request, attempt_id: Id, payload: AnswersIn):
    """Submit the answers: scored at once; the result with the right answers and explanations once passed or
    no attempt is left. Answers after the deadline and its grace are refused (422 ``R-TRN-1``)."""
    return _result(request, services.submit_attempt(actor=request.user, attempt_id=attempt_id,
                                                    answers=payload.answers))


@router.get("/attempts/{attempt_id}", response={200: ResultOut, **ERRORS})
def get_attempt(request, attempt_id: Id):
    """One attempt: the caller's own, or (trainers) one of their scope. The right answers and explanations
    show once the exam is passed or no attempt is left (R-TRN-1), to trainers always."""
    return _result(request, access.access_attempt(request.user, attempt_id))


@router.get("/results", response={200: list[AttemptOut], **ERRORS})
@paginate(PageNumber)
def list_results(request, filters: Query[ResultFilters]):
    """Exam attempts, newest first: trainers those of their scope, everyone else their own."""
    qs = selectors.results(request.user, course_id=filters.course)
    if filters.person:
        qs = qs.filter(person__username=filters.person)
    return qs

