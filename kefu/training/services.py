"""Every change in training (R-TRN-1): keyword-only, transactional, audited (R-AUD). A refused request raises
before it writes (or inside the transaction the raise rolls back), so it changes nothing (R-ERR).

Rule settings (kefu.rules): ``training.pass_mark`` (80), ``training.max_attempts`` (3),
``training.grace_seconds`` (30), ``training.multiple_choice_scoring`` ("all_or_nothing").

Exams: :func:`start_attempt` draws the questions from the course's bank with a stored random seed
(:func:`draw_questions`: the same seed and bank always give the same questions), with a deadline of the
course's time limit; :func:`submit_attempt` scores the answers at once (:func:`score_answers`) unless they
arrive after the deadline and the grace, which the server refuses. An attempt left open past that is closed
as "time ran out" with no answers (:func:`expire_overdue_attempts`).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import FileField
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record, record_change
from kefu.audit.services import snapshot as _snapshot
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, FieldError, InvalidInput, NotAllowed, NotFound, RuleViolation
from kefu.notifications.services import notify
from kefu.org.models import User
from kefu.rules.selectors import get_rule
from kefu.training import access
from kefu.training.models import Assignment, Attempt, Attendance, Course, Material, Plan, Question, Session

RULE = "R-TRN-1"
TITLE_MAX = 200
TEXT_MAX = 5000
TAG_MAX = 30
TAGS_MAX = 20
CHOICE_MAX = 300
CHOICES_MIN, CHOICES_MAX = 2, 8
EXAM_QUESTIONS_MAX = 100
EXAM_MINUTES_MAX = 240
SEED_BITS = 62
COURSE_FIELDS = ["title", "description", "tags", "exam_questions", "exam_minutes", "active", "version"]
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def snapshot(obj) -> dict:
    """The audit snapshot of ``obj``; a file is recorded by its name."""
    data = _snapshot(obj, [f.name for f in obj._meta.concrete_fields if not isinstance(f, FileField)])
    for f in obj._meta.concrete_fields:
        if isinstance(f, FileField):
            data[f.attname] = getattr(obj, f.attname).name or ""
    return data


def _rule(key: str, centre_id: int | None):
    return get_rule(key, centre_id=centre_id)


# -- pure parts: drawing and scoring ---------------------------------------------------------------------

def draw_questions(bank_ids: Iterable[int], n: int, seed: int) -> list[int]:
    """``n`` question ids drawn from ``bank_ids`` (all of them when the bank is smaller), in exam order. The
    same seed and bank always give the same draw (an attempt stores its seed)."""
    ids = sorted(set(bank_ids))
    return random.Random(seed).sample(ids, min(n, len(ids)))  # noqa: S311 - an exam draw, not a secret


def true_false_options() -> list[str]:
    return [_("True"), _("False")]


def options_of(question: Question) -> list[str]:
    """The options as shown: a true/false question's two in the reader's language."""
    return true_false_options() if question.kind == Question.Kind.TRUE_FALSE else list(question.choices)


def question_credit(kind: str, correct: Iterable[int], chosen: Iterable[int], *, multiple_scoring: str) -> Decimal:
    """The credit (0 to 1) of one answer. Single choice and true/false: 1 for the right option only. Multiple
    choice, "all_or_nothing": 1 for exactly the right options; "partial": the share of right options chosen,
    0 as soon as a wrong option is chosen."""
    right, picked = set(correct), set(chosen)
    if not picked:
        return Decimal(0)
    if kind != Question.Kind.MULTIPLE or multiple_scoring != "partial":
        return Decimal(1) if picked == right else Decimal(0)
    if picked - right or not right:
        return Decimal(0)
    return Decimal(len(picked)) / Decimal(len(right))


@dataclass
class Scored:
    score: Decimal
    correct_count: int
    credits: dict[int, Decimal] = field(default_factory=dict)


def score_answers(questions: list[Question], answers: dict[int, list[int]], *, multiple_scoring: str) -> Scored:
    """The score out of 100 (two decimals) of ``answers`` (question id → chosen option indexes)."""
    credits = {q.pk: question_credit(q.kind, q.correct, answers.get(q.pk, []), multiple_scoring=multiple_scoring)
               for q in questions}
    total = sum(credits.values(), Decimal(0))
    score = (total * HUNDRED / len(questions)).quantize(CENT, ROUND_HALF_UP) if questions else Decimal(0)
    return Scored(score=score, correct_count=sum(1 for c in credits.values() if c == 1), credits=credits)


def is_pass(score: Decimal | None, pass_mark: int) -> bool:
    """R-TRN-1: a score at or above the pass mark passes (80 passes, 79.99 fails)."""
    return score is not None and score >= pass_mark


# -- input cleaning ------------------------------------------------------------------------------------

def _text(errors: Errors, name: str, value, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        errors.add(name, _("This field is required."))
    elif len(value) > limit:
        errors.add(name, _("At most %(n)s characters.") % {"n": limit})
    return value


def clean_tags(errors: Errors, tags) -> list[str]:
    """Tags from a list or a comma-separated text (Chinese commas and 、 too), without repeats."""
    if isinstance(tags, str):
        for sep in "，、;；\n":
            tags = tags.replace(sep, ",")
        tags = tags.split(",")
    out: list[str] = []
    for tag in tags or []:
        tag = str(tag).strip()
        if not tag or tag in out:
            continue
        if len(tag) > TAG_MAX:
            errors.add("tags", _("A tag has at most %(n)s characters.") % {"n": TAG_MAX})
            continue
        out.append(tag)
    if len(out) > TAGS_MAX:
        errors.add("tags", _("At most %(n)s tags.") % {"n": TAGS_MAX})
    return out


def _int(errors: Errors, name: str, value, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        errors.add(name, _("Enter a whole number."))
        return low
    if not low <= number <= high:
        errors.add(name, _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high})
    return number


def _url(errors: Errors, name: str, value, *, required: bool = False) -> str:
    value = _text(errors, name, value, required=required, limit=500)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            errors.add(name, _("Enter a web address starting with http:// or https://."))
    return value


def _actor(actor) -> User | None:
    return actor if getattr(actor, "pk", None) else None


# -- courses -------------------------------------------------------------------------------------------

def _clean_course(errors: Errors, *, title, description, tags, exam_questions, exam_minutes) -> dict:
    return {
        "title": _text(errors, "title", title, required=True, limit=TITLE_MAX),
        "description": _text(errors, "description", description),
        "tags": clean_tags(errors, tags),
        "exam_questions": _int(errors, "exam_questions", exam_questions, 1, EXAM_QUESTIONS_MAX),
        "exam_minutes": _int(errors, "exam_minutes", exam_minutes, 1, EXAM_MINUTES_MAX),
    }


@transaction.atomic
def create_course(*, actor, title: str, description: str = "", tags=(), exam_questions: int = 10,
                  exam_minutes: int = 20, centre_id: int | None = None) -> Course:
    """Trainers (leads, QA inspectors, heads, directors, administrators) write courses of their centre."""
    access.require_trainer(actor)
    errors = Errors()
    data = _clean_course(errors, title=title, description=description, tags=tags, exam_questions=exam_questions,
                         exam_minutes=exam_minutes)
    centre_id = actor.centre_id or centre_id
    if centre_id is None:
        errors.add("title", _("You do not belong to a customer service centre."))
    elif data["title"] and Course.objects.filter(centre_id=centre_id, title=data["title"]).exists():
        errors.add("title", _("A course with this title already exists."))
    errors.raise_if_any(_("The course could not be saved."))
    course = Course.objects.create(centre_id=centre_id, created_by=_actor(actor), **data)
    record(actor=actor, action=Action.CREATE, obj=course, after=snapshot(course), note=RULE)
    return course


@transaction.atomic
def update_course(*, actor, course_id: int, version: int | None, title: str, description: str = "", tags=(),
                  exam_questions: int = 10, exam_minutes: int = 20, active: bool = True) -> Course:
    course = access.course_for_trainer(actor, course_id, for_update=True)
    check_version(course, version)
    errors = Errors()
    data = _clean_course(errors, title=title, description=description, tags=tags, exam_questions=exam_questions,
                         exam_minutes=exam_minutes)
    if data["title"] and Course.objects.filter(centre_id=course.centre_id, title=data["title"]).exclude(
            pk=course.pk).exists():
        errors.add("title", _("A course with this title already exists."))
    errors.raise_if_any(_("The course could not be saved."))
    before = snapshot(course)
    for key, value in data.items():
        setattr(course, key, value)
    course.active = bool(active)
    bump_version(course)
    course.save()
    record_change(actor=actor, obj=course, before=before, note=RULE)
    return course


# -- materials -----------------------------------------------------------------------------------------

@transaction.atomic
def add_material(*, actor, course_id: int, title: str, url: str = "", upload=None) -> Material:
    """A link, or a file kept privately (the ticket attachments' checks: size limit, allowed types by name
    and content)."""
    import mimetypes

    from kefu.tickets import attachments

    course = access.course_for_trainer(actor, course_id, for_update=True)
    errors = Errors()
    title = _text(errors, "title", title, limit=TITLE_MAX)
    url = _url(errors, "url", url)
    if bool(url) == bool(upload):
        errors.add("file" if upload is None else "url", _("Give either a file or a link."))
    if upload is not None and not url:
        try:
            attachments.check_uploads([upload], centre_id=course.centre_id)
        except InvalidInput as exc:
            for e in exc.errors:
                errors.add("file", e.message)
    if not title and upload is not None:
        title = attachments.sanitize_name(upload.name)[:TITLE_MAX]
    if not title and not errors.items:
        errors.add("title", _("This field is required."))
    errors.raise_if_any(_("The material could not be saved."))
    material = Material(course=course, title=title, added_by=_actor(actor))
    if upload is not None:
        name = attachments.sanitize_name(upload.name)
        material.kind = Material.Kind.FILE
        material.file_name = name
        material.size = upload.size
        material.content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        material.file.save(f"m{attachments.extension(name)}", upload, save=False)
    else:
        material.kind = Material.Kind.LINK
        material.url = url
    try:
        material.save()
        record(actor=actor, action=Action.CREATE, obj=material, after=snapshot(material))
    except BaseException:
        if material.file:
            material.file.delete(save=False)
        raise
    return material


@transaction.atomic
def remove_material(*, actor, material_id: int) -> None:
    material = access.access_material(actor, material_id)
    access.require_trainer(actor)
    before = snapshot(material)
    stored = material.file.name if material.file else ""
    material.delete()
    record(actor=actor, action=Action.DELETE, obj=material, object_id=before["id"], before=before)
    if stored:
        storage = Material._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(stored))


# -- question bank -------------------------------------------------------------------------------------

def _indexes(errors: Errors, name: str, value) -> list[int]:
    if isinstance(value, int | str):
        value = [value]
    out: list[int] = []
    for item in value or []:
        try:
            out.append(int(item))
        except (TypeError, ValueError):
            errors.add(name, _("Options are given by their number."))
            return []
    return sorted(set(out))


@transaction.atomic
def add_question(*, actor, course_id: int, kind: str, text: str, choices=(), correct=(),
                 explanation: str = "") -> Question:
    """A question of the bank. ``correct`` holds the indexes (from 0) of the right options; a true/false
    question has the options True (0) and False (1)."""
    course = access.course_for_trainer(actor, course_id, for_update=True)
    errors = Errors()
    if kind not in Question.Kind.values:
        errors.add("kind", _("Choose single choice, multiple choice or true or false."))
    text = _text(errors, "text", text, required=True)
    explanation = _text(errors, "explanation", explanation)
    right = _indexes(errors, "correct", correct)
    if kind == Question.Kind.TRUE_FALSE:
        options: list[str] = []
        count = 2
    else:
        options = [str(c).strip() for c in (choices or []) if str(c).strip()]
        count = len(options)
        if not CHOICES_MIN <= count <= CHOICES_MAX:
            errors.add("choices", _("Give from %(low)s to %(high)s options.") % {"low": CHOICES_MIN,
                                                                                   "high": CHOICES_MAX})
        elif any(len(o) > CHOICE_MAX for o in options):
            errors.add("choices", _("An option has at most %(n)s characters.") % {"n": CHOICE_MAX})
        elif len(set(options)) != count:
            errors.add("choices", _("Two options are the same."))
    if any(i < 0 or i >= count for i in right):
        errors.add("correct", _("A right answer must be one of the options."))
    elif not right:
        errors.add("correct", _("Mark the right answer."))
    elif kind != Question.Kind.MULTIPLE and len(right) != 1:
        errors.add("correct", _("This kind of question has exactly one right answer."))
    errors.raise_if_any(_("The question could not be saved."))
    question = Question.objects.create(course=course, kind=kind, text=text, choices=options, correct=right,
                                       explanation=explanation)
    record(actor=actor, action=Action.CREATE, obj=question, after=snapshot(question), note=RULE)
    return question


@transaction.atomic
def retire_question(*, actor, question_id: int) -> Question:
    """Take a question out of the bank: new exams no longer draw it; attempts that drew it keep it."""
    question = Question.objects.select_for_update().filter(
        pk=question_id, course__in=access.visible_courses(actor).values("pk")).first()
    if question is None:
        raise NotFound(_("No such question."))
    access.require_trainer(actor)
    if question.active:
        question.active = False
        question.save(update_fields=["active"])
        record(actor=actor, action=Action.UPDATE, obj=question, before={"active": True}, after={"active": False})
    return question


# -- sessions and attendance ---------------------------------------------------------------------------

@transaction.atomic
def create_session(*, actor, course_id: int, starts_at: dt.datetime | None, ends_at: dt.datetime | None,
                   trainer=None, place: str = "", online_url: str = "", invitees: Iterable = ()) -> Session:
    """A session of a course: when, who trains, where (a place or an online link, or both) and who is
    invited (people of the caller's scope). The invited are told."""
    course = access.course_for_trainer(actor, course_id, for_update=True)
    errors = Errors()
    place = _text(errors, "place", place, limit=200)
    online_url = _url(errors, "online_url", online_url)
    if not place and not online_url:
        errors.add("place", _("Give a place or an online meeting link."))
    if starts_at is None:
        errors.add("starts_at", _("This field is required."))
    if ends_at is None:
        errors.add("ends_at", _("This field is required."))
    if starts_at and ends_at and ends_at <= starts_at:
        errors.add("ends_at", _("The end must be after the start."))
    trainer_user = actor
    if trainer not in (None, ""):
        people = User.objects.filter(centre_id=course.centre_id, is_active=True)
        trainer_user = access.person_by_id_or_name(people, trainer)
        if trainer_user is None:
            errors.add("trainer", _("No such person in your centre."))
    invited: list[User] = []
    for item in invitees or ():
        try:
            person = access.person_in_scope(actor, getattr(item, "pk", item), field="invitees")
        except InvalidInput:
            errors.add("invitees", _("%(who)s is not a person of your scope.") % {"who": item})
            continue
        if person not in invited:
            invited.append(person)
    errors.raise_if_any(_("The session could not be saved."))
    session = Session.objects.create(course=course, starts_at=starts_at, ends_at=ends_at, trainer=trainer_user,
                                     place=place, online_url=online_url, created_by=_actor(actor))
    Attendance.objects.bulk_create([Attendance(session=session, person=p) for p in invited])
    record(actor=actor, action=Action.CREATE, obj=session,
           after={**snapshot(session), "invitees": [p.username for p in invited]}, note=RULE)
    local = timezone.localtime(starts_at)
    notify(recipients=invited, kind="training_session", title=gettext_lazy("You are invited to a training session"),
           body=f"{course.title} {local:%Y-%m-%d %H:%M} {place or online_url}", url=reverse("training:mine"))
    return session


@transaction.atomic
def record_attendance(*, actor, session_id: int, person, status: str) -> Attendance:
    """Present, absent or excused, by the session's trainer (for the invited and their own scope) or a lead, head
    or director of the person, never by the person themselves (``access.may_record_attendance``). A person of
    the recorder's scope who was not invited is added."""
    session = access.access_session(actor, session_id)
    if status not in (Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.EXCUSED):
        raise InvalidInput(_("The attendance could not be recorded."),
                           errors=[FieldError("status", _("Choose present, absent or excused."))])
    people = User.objects.filter(centre_id=session.course.centre_id)
    target = access.person_by_id_or_name(people, person)
    if target is None:
        raise InvalidInput(_("The attendance could not be recorded."),
                           errors=[FieldError("person", _("No such person in your centre."))])
    if not access.may_record_attendance(actor, session, target):
        raise NotAllowed(_("Attendance is recorded by the session's trainer or the person's lead, head or "
                           "director."))
    row, _created = Attendance.objects.select_for_update().get_or_create(session=session, person=target)
    before = {"status": row.status}
    row.status = status
    row.recorded_by = _actor(actor)
    row.recorded_at = timezone.now()
    row.save()
    record(actor=actor, action=Action.UPDATE, obj=row, before=before, after={"status": status,
                                                                            "person": target.username})
    if status == Attendance.Status.PRESENT:
        _complete_without_exam(session.course, target)
    return row


def _complete_without_exam(course: Course, person: User) -> None:
    """A course without a question bank is done once its person attended a session."""
    if Question.objects.filter(course=course, active=True).exists():
        return
    Assignment.objects.filter(course=course, person=person, completed_at__isnull=True).update(
        completed_at=timezone.now())


# -- assignments and plans -----------------------------------------------------------------------------

class Assigned(list):
    """The assignments :func:`assign_course` made (a list), with ``skipped``: the people left out because they
    have already done the course (:func:`done_pairs`)."""

    def __init__(self, made: Iterable[Assignment] = (), skipped: Iterable[User] = ()):
        super().__init__(made)
        self.skipped: list[User] = list(skipped)


def done_pairs(course_ids: Iterable[int], person_ids: Iterable[int]) -> set[tuple[int, int]]:
    """R-TRN-1: the (course id, person id) pairs where the person has done the course — passed its exam, or,
    for a course without an exam (no active question), attended a session of it. Such a course is not
    assigned to them again: the assignment could never be completed (an exam once passed is not retaken)."""
    course_ids, person_ids = list(course_ids), list(person_ids)
    done = set(Attempt.objects.filter(course_id__in=course_ids, person_id__in=person_ids, passed=True)
               .values_list("course_id", "person_id"))
    with_exam = set(Question.objects.filter(course_id__in=course_ids, active=True).values_list("course_id", flat=True))
    without_exam = [c for c in course_ids if c not in with_exam]
    if without_exam:
        done |= set(Attendance.objects.filter(session__course_id__in=without_exam, person_id__in=person_ids,
                                              status=Attendance.Status.PRESENT)
                    .values_list("session__course_id", "person_id"))
    return done


def _assign(*, actor, course: Course, person: User, due: dt.date, plan: Plan | None, reason: str) -> Assignment | None:
    """Assign unless the person already has this course open or has done it (returns None then); the callers
    leave those out beforehand."""
    if Assignment.objects.filter(course=course, person=person, completed_at__isnull=True).exists():
        return None
    if done_pairs([course.pk], [person.pk]):
        return None
    assignment = Assignment.objects.create(plan=plan, course=course, person=person, due=due,
                                           reason=reason[:300], assigned_by=_actor(actor))
    record(actor=actor, action=Action.CREATE, obj=assignment, after=snapshot(assignment), note=RULE)
    return assignment


def _notify_assigned(assignments: list[Assignment]) -> None:
    for a in assignments:
        notify(recipients=[a.person], kind="training_assigned", title=gettext_lazy("A training course was assigned "
                                                                                   "to you"),
               body=f"{a.course.title} · {a.due:%Y-%m-%d}", url=reverse("training:mine"))


def _clean_due(errors: Errors, due) -> dt.date | None:
    if isinstance(due, str):
        try:
            due = dt.date.fromisoformat(due)
        except ValueError:
            due = None
    if not isinstance(due, dt.date):
        errors.add("due", _("Enter a date as YYYY-MM-DD."))
        return None
    if due < timezone.localdate():
        errors.add("due", _("The due date may not be in the past."))
    return due


@transaction.atomic
def assign_course(*, actor, course_id: int, people: Iterable, due, reason: str = "") -> Assigned:
    """Assign a course to people of the caller's scope by a due date; each is told. Someone who already has
    the course open is left as they are; someone who has already done it (R-TRN-1: passed its exam or, without
    an exam, attended) is not assigned and is named in the result's ``skipped``."""
    course = access.course_for_trainer(actor, course_id)
    errors = Errors()
    due = _clean_due(errors, due)
    reason = _text(errors, "reason", reason, limit=300)
    targets: list[User] = []
    for item in people or ():
        try:
            person = access.person_in_scope(actor, getattr(item, "pk", item), field="people")
        except InvalidInput:
            errors.add("people", _("%(who)s is not a person of your scope.") % {"who": item})
            continue
        if person not in targets:
            targets.append(person)
    if not targets and not errors.items:
        errors.add("people", _("Choose at least one person."))
    if not course.active:
        errors.add("course", _("This course is not active."))
    errors.raise_if_any(_("The course could not be assigned."))
    open_ids = set(Assignment.objects.filter(course=course, person__in=targets, completed_at__isnull=True)
                   .values_list("person_id", flat=True))
    done_ids = {person_id for _course_id, person_id in done_pairs([course.pk], [p.pk for p in targets])}
    skipped = [p for p in targets if p.pk in done_ids]
    targets = [p for p in targets if p.pk not in open_ids and p.pk not in done_ids]
    if not targets:
        return Assigned(skipped=skipped)
    plan = Plan.objects.create(centre_id=course.centre_id, title=course.title, source=Plan.Source.MANUAL,
                               note=reason, created_by=_actor(actor))
    record(actor=actor, action=Action.CREATE, obj=plan, after=snapshot(plan), note=RULE)
    made = [a for p in targets if (a := _assign(actor=actor, course=course, person=p, due=due, plan=plan,
                                                 reason=reason))]
    _notify_assigned(made)
    return Assigned(made, skipped=skipped)


@dataclass
class PlanProposal:
    """What :func:`propose_plan_from_weak_items` did: the plan (None when nothing was assigned), the
    assignments made, per agent the weak items no active course covers, and per agent the ids of the
    matching courses not assigned because the agent has already done them (:func:`done_pairs`)."""

    plan: Plan | None
    assignments: list[Assignment]
    unmatched: dict[int, list[str]]
    skipped: dict[int, list[int]] = field(default_factory=dict)


def _norm(tag: str) -> str:
    return str(tag).strip().casefold()


@transaction.atomic
def propose_plan_from_weak_items(*, actor, weak_items: dict[int, list[str]], due, title: str = "",
                                 note: str = "") -> PlanProposal:
    """R-TRN-1 / R-QA-3: a training plan from QA weak points (短板). ``weak_items`` maps an agent's id to the
    scorecard item codes they are weak in (e.g. ``{7: ["服务用语", "语气语调"]}``); each agent is assigned
    every active course of the centre whose tags name one of their items (unless they have it open already,
    or have done it: then it is reported in ``skipped``) and told. Plain data in and out, so the quality app's weekly summary can call it."""
    access.require_trainer(actor)
    errors = Errors()
    due = _clean_due(errors, due)
    title = _text(errors, "title", title, limit=TITLE_MAX) or _("Training from QA weak points")
    note = _text(errors, "note", note)
    agents: dict[int, tuple[User, list[str]]] = {}
    for agent_id, items in (weak_items or {}).items():
        try:
            person = access.person_in_scope(actor, agent_id, field=f"weak_items.{agent_id}")
        except InvalidInput as exc:
            errors.items.extend(exc.errors)
            continue
        if isinstance(items, str):
            items = [items]
        agents[person.pk] = (person, [str(i).strip() for i in items or [] if str(i).strip()])
    errors.raise_if_any(_("The training plan could not be made."))
    courses = list(access.in_centre(actor, Course.objects.filter(active=True)).order_by("id"))
    todo: list[tuple[Course, User, str]] = []
    unmatched: dict[int, list[str]] = {}
    for agent_id, (person, items) in agents.items():
        wanted = {_norm(i) for i in items}
        covered: set[str] = set()
        for course in courses:
            hits = wanted & {_norm(t) for t in course.tags}
            if hits:
                covered |= hits
                todo.append((course, person, _("Weak points: %(items)s")
                             % {"items": "、".join(i for i in items if _norm(i) in hits)}))
        missing = [i for i in items if _norm(i) not in covered]
        if missing:
            unmatched[agent_id] = missing
    open_pairs = set(Assignment.objects.filter(person_id__in=list(agents), completed_at__isnull=True)
                     .values_list("course_id", "person_id"))
    done = done_pairs({c.pk for c, _p, _r in todo}, list(agents))
    skipped: dict[int, list[int]] = {}
    for course, person, _reason in todo:
        if (course.pk, person.pk) in done:
            skipped.setdefault(person.pk, []).append(course.pk)
    todo = [t for t in todo if (t[0].pk, t[1].pk) not in open_pairs and (t[0].pk, t[1].pk) not in done]
    plan: Plan | None = None
    made: list[Assignment] = []
    if todo:
        plan = Plan.objects.create(centre_id=todo[0][0].centre_id, title=title, note=note,
                                   source=Plan.Source.QA_WEAK_ITEMS, created_by=_actor(actor))
        record(actor=actor, action=Action.CREATE, obj=plan, after=snapshot(plan), note=RULE)
        for course, person, reason in todo:
            assignment = _assign(actor=actor, course=course, person=person, due=due, plan=plan, reason=reason)
            if assignment is not None:
                made.append(assignment)
    _notify_assigned(made)
    return PlanProposal(plan=plan, assignments=made, unmatched=unmatched, skipped=skipped)


# -- exams ---------------------------------------------------------------------------------------------

def _close_expired(attempt: Attempt, now: dt.datetime) -> None:
    attempt.status = Attempt.Status.EXPIRED
    attempt.score = Decimal("0.00")
    attempt.correct_count = 0
    attempt.passed = is_pass(attempt.score, attempt.pass_mark)
    attempt.save(update_fields=["status", "score", "correct_count", "passed"])
    record(actor=None, action=Action.TRANSITION, obj=attempt, before={"status": Attempt.Status.OPEN},
           after={"status": attempt.status, "score": attempt.score, "at": now}, note=RULE)


@transaction.atomic
def expire_overdue_attempts(*, person_id: int | None = None) -> int:
    """Close as "time ran out" (no answers, score 0) the open attempts past their deadline and grace."""
    now = timezone.now()
    qs = Attempt.objects.select_for_update().filter(status=Attempt.Status.OPEN).select_related("course")
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    closed = 0
    for attempt in qs:
        grace = dt.timedelta(seconds=_rule("training.grace_seconds", attempt.course.centre_id))
        if now > attempt.deadline + grace:
            _close_expired(attempt, now)
            closed += 1
    return closed


def _refuse(detail: str, field_name: str = "course") -> RuleViolation:
    return RuleViolation(detail, errors=[FieldError(field_name, detail)], rule=RULE)


@transaction.atomic
def start_attempt(*, actor, course_id: int) -> Attempt:
    """Start (or resume, when one is still open) the caller's exam of a course. Refused (R-TRN-1) once the
    course is passed, when the attempts allowed (``training.max_attempts``) are used up, or when the course
    has no question bank."""
    course = access.access_course(actor, course_id)
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one start at a time per person
    expire_overdue_attempts(person_id=actor.pk)
    mine = Attempt.objects.filter(course=course, person_id=actor.pk)
    open_attempt = mine.filter(status=Attempt.Status.OPEN).first()
    if open_attempt is not None:
        return open_attempt
    if mine.filter(passed=True).exists():
        raise _refuse(_("You have already passed this course's exam."))
    limit = _rule("training.max_attempts", course.centre_id)
    used = mine.count()
    if used >= limit:
        raise _refuse(_("You have used all %(n)s attempts at this exam.") % {"n": limit})
    bank = list(Question.objects.filter(course=course, active=True).values_list("pk", flat=True))
    if not bank:
        raise _refuse(_("This course has no exam questions yet."))
    seed = secrets.randbits(SEED_BITS)
    now = timezone.now()
    attempt = Attempt.objects.create(
        course=course, person=actor, number=used + 1, seed=seed,
        question_ids=draw_questions(bank, course.exam_questions, seed), started_at=now,
        deadline=now + dt.timedelta(minutes=course.exam_minutes),
        pass_mark=_rule("training.pass_mark", course.centre_id))
    record(actor=actor, action=Action.CREATE, obj=attempt, after=snapshot(attempt), note=RULE)
    return attempt


def attempt_questions(attempt: Attempt) -> list[Question]:
    """The questions of an attempt in its drawn order."""
    by_id = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids)}
    return [by_id[i] for i in attempt.question_ids if i in by_id]


def _clean_answers(questions: list[Question], answers) -> dict[int, list[int]]:
    errors = Errors()
    by_id = {q.pk: q for q in questions}
    out: dict[int, list[int]] = {}
    for key, value in (answers or {}).items():
        name = f"answers.{key}"
        qid = access.as_id(key)
        question = by_id.get(qid) if qid is not None else None
        if question is None:
            errors.add(name, _("This question is not part of the exam."))
            continue
        picked = _indexes(errors, name, value if value is not None else [])
        count = len(options_of(question))
        if any(i < 0 or i >= count for i in picked):
            errors.add(name, _("Choose among the question's options."))
        elif question.kind != Question.Kind.MULTIPLE and len(picked) > 1:
            errors.add(name, _("Choose one option."))
        else:
            out[question.pk] = picked
    errors.raise_if_any(_("The answers could not be accepted."))
    return out


@transaction.atomic
def submit_attempt(*, actor, attempt_id: int, answers) -> Attempt:
    """Score the caller's open attempt at once. Answers after the deadline and the grace
    (``training.grace_seconds``) are refused (R-TRN-1); an unanswered question scores nothing."""
    attempt = access.access_attempt(actor, attempt_id, own=True, for_update=True)
    if attempt.status != Attempt.Status.OPEN:
        raise _refuse(_("This exam attempt is already closed."), "answers")
    now = timezone.now()
    grace = dt.timedelta(seconds=_rule("training.grace_seconds", attempt.course.centre_id))
    if now > attempt.deadline + grace:
        raise _refuse(_("The time limit of this exam is over: the answers were not accepted."), "answers")
    questions = attempt_questions(attempt)
    picked = _clean_answers(questions, answers)
    scoring = _rule("training.multiple_choice_scoring", attempt.course.centre_id)
    scored = score_answers(questions, picked, multiple_scoring=scoring)
    attempt.answers = {str(k): v for k, v in picked.items()}
    attempt.status = Attempt.Status.SUBMITTED
    attempt.submitted_at = now
    attempt.score = scored.score
    attempt.correct_count = scored.correct_count
    attempt.passed = is_pass(scored.score, attempt.pass_mark)
    attempt.save()
    record(actor=actor, action=Action.TRANSITION, obj=attempt, before={"status": Attempt.Status.OPEN},
           after={"status": attempt.status, "score": attempt.score, "passed": attempt.passed,
                  "answers": attempt.answers}, note=RULE)
    if attempt.passed:
        Assignment.objects.filter(course=attempt.course, person_id=attempt.person_id,
                                  completed_at__isnull=True).update(completed_at=now)
    return attempt
