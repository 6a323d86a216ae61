"""Training pages (R-TRN-1): my training, the exam with its countdown, course management (materials, question
bank, sessions and attendance, assignments, results with a chart). Thin: parse, call a service or selector,
render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.audit.services import Action, record
from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.core.http import client_ip
from kefu.org.models import User
from kefu.rules.selectors import get_rule
from kefu.training import access, selectors, services
from kefu.training.forms import (
    AssignForm,
    AttendanceForm,
    CourseForm,
    MaterialForm,
    QuestionForm,
    SessionForm,
)
from kefu.training.models import Attempt, Attendance


def _require_trainer(user) -> None:
    if not access.is_trainer(user):
        raise PermissionDenied(_("Only team leads, QA inspectors, department heads and directors run training."))


# -- the person's own training -------------------------------------------------------------------------

@login_required
def mine(request):
    services.expire_overdue_attempts(person_id=request.user.pk)
    data = selectors.my_training(request.user)
    return render(request, "training/mine.html", {"data": data, "today": timezone.localdate()})


@login_required
@require_POST
def start(request, course_id: int):
    try:
        attempt = services.start_attempt(actor=request.user, course_id=course_id)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
        return redirect("training:mine")
    return redirect("training:exam", attempt_id=attempt.pk)


def _answers_from(request, questions) -> dict[str, list[str]]:
    return {str(q.pk): request.POST.getlist(f"q{q.pk}") for q in questions if request.POST.getlist(f"q{q.pk}")}


@login_required
def exam(request, attempt_id: int):
    """The exam: questions and a visible countdown while open (the page submits itself when it reaches 0);
    the result once closed, with the right answers and explanations once passed or no attempt is left
    (``selectors.answers_shown``). Trainers may read results of their scope."""
    services.expire_overdue_attempts(person_id=request.user.pk)
    try:
        attempt = access.access_attempt(request.user, attempt_id)
    except NotFound:
        raise Http404 from None
    own = attempt.person_id == request.user.pk
    status = 200
    error = ""
    if request.method == "POST":
        if not own:
            raise Http404
        questions = services.attempt_questions(attempt)
        try:
            services.submit_attempt(actor=request.user, attempt_id=attempt.pk,
                                    answers=_answers_from(request, questions))
        except ServiceError as exc:
            error = str(exc.detail)
            if exc.errors:
                error = "; ".join([error, *[str(e.message) for e in exc.errors if str(e.message) != error]])
            status = page_status(exc)
            attempt.refresh_from_db()
        else:
            return redirect("training:exam", attempt_id=attempt.pk)
    questions = []
    review = []
    shown = False
    if attempt.status == Attempt.Status.OPEN:
        if not own:
            raise Http404
        for q in services.attempt_questions(attempt):
            q.options = services.options_of(q)
            questions.append(q)
    else:
        shown = selectors.answers_shown(request.user, attempt)
        review = selectors.review(attempt, shown=shown)
    remaining = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    return render(request, "training/exam.html", {
        "attempt": attempt, "questions": questions, "review": review, "shown": shown, "error": error, "own": own,
        "remaining": remaining, "deadline_ms": int(attempt.deadline.timestamp() * 1000),
    }, status=status)


# -- course management ---------------------------------------------------------------------------------

@login_required
def courses(request):
    _require_trainer(request.user)
    form = CourseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                course = services.create_course(actor=request.user, title=d["title"], description=d["description"],
                                                tags=d["tags"], exam_questions=d["exam_questions"],
                                                exam_minutes=d["exam_minutes"])
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = page_status(exc)
            else:
                messages.success(request, _("The course was created."))
                return redirect("training:course", course_id=course.pk)
        else:
            status = 422
    rows = list(selectors.courses(request.user)[:200])
    return render(request, "training/courses.html", {"courses": rows, "form": form}, status=status)


def _people(user) -> list[User]:
    return list(access.people_in_scope(user).order_by("id"))


def _course_page(request, course_id: int, *, status: int = 200, **forms):
    try:
        course = selectors.course_detail(request.user, course_id)
    except NotFound:
        raise Http404 from None
    trainer = access.is_trainer(request.user)
    context = {"course": course, "trainer": trainer}
    if trainer:
        people = _people(request.user)
        trainers = list(User.objects.filter(centre_id=course.centre_id, is_active=True).order_by("id"))
        attempts = list(selectors.results(request.user, course_id=course.pk)[:500])
        pass_mark = get_rule("training.pass_mark", centre_id=course.centre_id)
        context.update({
            "course_form": forms.get("course_form") or CourseForm(initial={
                "title": course.title, "description": course.description, "tags": ", ".join(course.tags),
                "exam_questions": course.exam_questions, "exam_minutes": course.exam_minutes,
                "active": course.active, "version": course.version}),
            "material_form": forms.get("material_form") or MaterialForm(),
            "question_form": forms.get("question_form") or QuestionForm(initial={"kind": "single"}),
            "session_form": forms.get("session_form") or SessionForm(trainers=trainers, people=people,
                                                                     initial={"trainer": request.user.username}),
            "assign_form": forms.get("assign_form") or AssignForm(people=people),
            "attempts": attempts, "chart": selectors.score_chart(attempts, pass_mark), "pass_mark": pass_mark,
            "statuses": [c for c in Attendance.Status.choices if c[0] != Attendance.Status.INVITED],
        })
    return render(request, "training/course.html", context, status=status)


@login_required
def course(request, course_id: int):
    return _course_page(request, course_id)


def _course_action(request, course_id: int, *, form, form_key: str, call, success: str):
    """Run ``call(cleaned_data)`` for a valid form; show the refusal on the course page otherwise."""
    _require_trainer(request.user)
    status = 422
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from None
        except ServiceError as exc:
            apply_service_error(form, exc)
            status = page_status(exc)
        else:
            messages.success(request, success)
            return redirect(reverse("training:course", args=[course_id]) + f"#{form_key}")
    return _course_page(request, course_id, status=status, **{form_key: form})


@login_required
@require_POST
def course_edit(request, course_id: int):
    def call(d):
        services.update_course(actor=request.user, course_id=course_id, version=d["version"], title=d["title"],
                               description=d["description"], tags=d["tags"], exam_questions=d["exam_questions"],
                               exam_minutes=d["exam_minutes"], active=d["active"])

    return _course_action(request, course_id, form=CourseForm(request.POST), form_key="course_form", call=call,
                          success=_("The course was saved."))


@login_required
@require_POST
def material_add(request, course_id: int):
    def call(d):
        services.add_material(actor=request.user, course_id=course_id, title=d["title"], url=d["url"],
                              upload=d["file"])

    return _course_action(request, course_id, form=MaterialForm(request.POST, request.FILES),
                          form_key="material_form", call=call, success=_("The material was added."))


@login_required
@require_POST
def material_remove(request, material_id: int):
    _require_trainer(request.user)
    try:
        material = access.access_material(request.user, material_id)
        services.remove_material(actor=request.user, material_id=material_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The material was removed."))
    return redirect("training:course", course_id=material.course_id)


@login_required
def material(request, material_id: int):
    """A course material's file, only through this view (404 outside the centre); the download is recorded."""
    try:
        item = access.access_material(request.user, material_id)
    except NotFound:
        raise Http404 from None
    if not item.file:
        return redirect(item.url) if item.url else redirect("training:mine")
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record(actor=request.user, action=Action.VIEW, obj=item, note="download", ip=client_ip(request))
    response = FileResponse(handle, as_attachment=True, filename=item.file_name or "material",
                            content_type=item.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def question_add(request, course_id: int):
    form = QuestionForm(request.POST)

    def call(d):
        services.add_question(actor=request.user, course_id=course_id, kind=d["kind"], text=d["text"],
                              choices=form.option_list(), correct=d["correct"], explanation=d["explanation"])

    return _course_action(request, course_id, form=form, form_key="question_form", call=call,
                          success=_("The question was added to the bank."))


@login_required
@require_POST
def question_retire(request, question_id: int):
    _require_trainer(request.user)
    try:
        question = services.retire_question(actor=request.user, question_id=question_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The question was taken out of the bank."))
    return redirect(reverse("training:course", args=[question.course_id]) + "#bank")


@login_required
@require_POST
def session_add(request, course_id: int):
    _require_trainer(request.user)
    people = _people(request.user)
    trainers = list(User.objects.filter(centre_id=request.user.centre_id, is_active=True).order_by("id"))
    form = SessionForm(request.POST, trainers=trainers, people=people)

    def call(d):
        services.create_session(actor=request.user, course_id=course_id, starts_at=d["starts_at"],
                                ends_at=d["ends_at"], trainer=d["trainer"], place=d["place"],
                                online_url=d["online_url"], invitees=d["invitees"])

    return _course_action(request, course_id, form=form, form_key="session_form", call=call,
                          success=_("The session was planned and the invited were told."))


@login_required
@require_POST
def attendance(request, session_id: int):
    form = AttendanceForm(request.POST)
    try:
        session = access.access_session(request.user, session_id)
    except NotFound:
        raise Http404 from None
    if not form.is_valid():
        messages.error(request, _("Choose present, absent or excused."))
    else:
        try:
            services.record_attendance(actor=request.user, session_id=session.pk,
                                       person=form.cleaned_data["person"], status=form.cleaned_data["status"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from None
        except ServiceError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("Attendance recorded."))
    return redirect(reverse("training:course", args=[session.course_id]) + "#sessions")


@login_required
@require_POST
def assign(request, course_id: int):
    _require_trainer(request.user)
    form = AssignForm(request.POST, people=_people(request.user))

    def call(d):
        made = services.assign_course(actor=request.user, course_id=course_id, people=d["people"], due=d["due"],
                                      reason=d["reason"])
        if made.skipped:
            messages.warning(request, _("Not assigned, as they have already done this course: %(people)s")
                             % {"people": "、".join(str(p) for p in made.skipped)})

    return _course_action(request, course_id, form=form, form_key="assign_form", call=call,
                          success=_("The course was assigned and the people were told."))
