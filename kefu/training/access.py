"""Who may see and do what in training (R-TRN-1, R-ORG-2): the one place for it.

- everyone of the centre sees the active courses, their materials and sessions (never the question bank's
  answers), takes exams and sees their own assignments, sessions and results;
- team leads, QA inspectors, department heads, directors and administrators ("trainers") run courses: they
  write courses, materials, the question bank and sessions, and see the bank with its answers;
- they assign courses and see results of the people of their scope (a lead their team, QA and heads their
  department, directors the centre);
- attendance of a session is recorded by its trainer (for the invited and their own scope) or by a lead, head
  or director of the person; never by the person themselves.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import FieldError, InvalidInput, NotAllowed, NotFound
from kefu.core.numbers import ids_in_range
from kefu.org.models import User
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.training.models import Assignment, Attempt, Attendance, Course, Material, Session

TRAINER_ROLES = frozenset({Role.LEAD, Role.QA, Role.HEAD, Role.DIRECTOR, Role.ADMIN})
ATTENDANCE_ROLES = frozenset({Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN})


def is_trainer(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role_codes & TRAINER_ROLES))


def require_trainer(user) -> None:
    if not is_trainer(user):
        raise NotAllowed(_("Only team leads, QA inspectors, department heads and directors run training."))


def in_centre(user, queryset: QuerySet, field: str = "centre") -> QuerySet:
    """Rows of the caller's centre (a superuser without a centre sees every centre)."""
    if user.centre_id is None:
        return queryset if user.is_superuser else queryset.none()
    return queryset.filter(**{f"{field}_id": user.centre_id})


def visible_courses(user) -> QuerySet[Course]:
    """Trainers: every course of the centre; others: the active ones."""
    qs = in_centre(user, Course.objects.all())
    return qs if is_trainer(user) else qs.filter(active=True)


def access_course(user, course_id: int, *, for_update: bool = False) -> Course:
    qs = visible_courses(user)
    if for_update:
        qs = qs.select_for_update()
    course = qs.filter(pk=course_id).first()
    if course is None:
        raise NotFound(_("No such course."))
    return course


def course_for_trainer(user, course_id: int, *, for_update: bool = False) -> Course:
    """A course the caller may change: 404 outside the centre, 403 for a role that may not."""
    course = access_course(user, course_id, for_update=for_update)
    require_trainer(user)
    return course


def access_material(user, material_id: int) -> Material:
    material = (Material.objects.filter(pk=material_id, course__in=visible_courses(user).values("pk"))
                .select_related("course").first())
    if material is None:
        raise NotFound(_("No such material."))
    return material


def people_in_scope(user) -> QuerySet[User]:
    return scope_for(user).people()


def as_id(value) -> int | None:
    """``value`` as a database id when it is one: ASCII digits (not '²' or '١') within the id column's range;
    None otherwise, so the caller looks it up as a name or says it is unknown (R-ERR: never a 500)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdecimal()):
        return None
    number = int(text)
    return number if ids_in_range([number], User._meta.pk) else None


def person_by_id_or_name(people: QuerySet[User], value) -> User | None:
    """The person of ``people`` with this id (when ``value`` is one) or else this username."""
    value = str(getattr(value, "pk", value) or "").strip()
    number = as_id(value)
    return people.filter(pk=number).first() if number is not None else people.filter(username=value).first()


def person_in_scope(user, person_id_or_name, field: str = "person") -> User:
    """An active person of the caller's scope named by id or username (422 naming ``field`` otherwise)."""
    person = person_by_id_or_name(people_in_scope(user), person_id_or_name)
    if person is None:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError(field, _("No such person in your scope."))])
    return person


def may_assign(user, person: User) -> bool:
    return is_trainer(user) and scope_for(user).can_act_on_person(person)


def sessions_visible(user) -> QuerySet[Session]:
    return Session.objects.filter(course__in=visible_courses(user).values("pk"))


def access_session(user, session_id: int) -> Session:
    session = sessions_visible(user).select_related("course", "trainer").filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("No such session."))
    return session


def may_record_attendance(user, session: Session, person: User) -> bool:
    """Never one's own. The session's trainer: the people invited to it or of their own scope; a lead, head
    or director: the people of their scope."""
    if person.pk == user.pk:
        return False
    if session.trainer_id == user.pk and Attendance.objects.filter(session=session, person=person).exists():
        return True
    roles_ok = session.trainer_id == user.pk or user.is_superuser or bool(user.role_codes & ATTENDANCE_ROLES)
    return roles_ok and scope_for(user).can_act_on_person(person)


def attendance_in_scope(user) -> QuerySet[Attendance]:
    return Attendance.objects.filter(scope_for(user).people_q("person__"))


def assignments_in_scope(user) -> QuerySet[Assignment]:
    """Trainers: the assignments of the people of their scope; others: their own."""
    if is_trainer(user):
        return Assignment.objects.filter(scope_for(user).people_q("person__") | Q(person_id=user.pk))
    return Assignment.objects.filter(person_id=user.pk)


def attempts_in_scope(user) -> QuerySet[Attempt]:
    """Trainers: the attempts of the people of their scope; others: their own."""
    if is_trainer(user):
        return Attempt.objects.filter(scope_for(user).people_q("person__") | Q(person_id=user.pk))
    return Attempt.objects.filter(person_id=user.pk)


def access_attempt(user, attempt_id: int, *, own: bool = False, for_update: bool = False) -> Attempt:
    """An attempt the caller may see (``own``: only their own, e.g. to answer it); NotFound otherwise."""
    qs = Attempt.objects.filter(person_id=user.pk) if own else attempts_in_scope(user)
    if for_update:
        qs = qs.select_for_update()
    attempt = qs.select_related("course", "person").filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFound(_("No such exam attempt."))
    return attempt
