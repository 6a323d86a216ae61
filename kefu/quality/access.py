"""Who may do what in quality inspection (SPEC §5, R-ORG-2): the one place for it.

- QA inspectors and department heads review tickets (agents, leads and directors do not: API.md
  "QA inspectors and heads");
- QA inspectors and heads edit scorecards and run calibration sessions;
- the reviewed agent alone appeals a review; department heads decide appeals;
- reviews are read within the data scope: an agent their own, a lead their team's, QA and heads their
  department's, directors and administrators the centre's.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed, NotFound
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.quality.models import Appeal, Review

REVIEWER_ROLES = (Role.QA, Role.HEAD)
EDITOR_ROLES = (Role.QA, Role.HEAD)
DECIDER_ROLES = (Role.HEAD,)
TEAM_VIEW_ROLES = (Role.LEAD, Role.QA, Role.HEAD, Role.DIRECTOR, Role.ADMIN)


def _has(user, roles) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.has_role(*roles)))


def may_review(user) -> bool:
    return _has(user, REVIEWER_ROLES)


def may_edit_scorecards(user) -> bool:
    return _has(user, EDITOR_ROLES)


def may_decide_appeals(user) -> bool:
    return _has(user, DECIDER_ROLES)


def may_see_team(user) -> bool:
    return _has(user, TEAM_VIEW_ROLES)


def is_agent(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.AGENT))


def require_reviewer(user) -> None:
    if not may_review(user):
        raise NotAllowed(_("Only QA inspectors and department heads review tickets."))


def require_editor(user) -> None:
    if not may_edit_scorecards(user):
        raise NotAllowed(_("Only QA inspectors and department heads edit scorecards."))


def require_decider(user) -> None:
    if not may_decide_appeals(user):
        raise NotAllowed(_("Only a department head decides appeals."))


def agents_in_scope(user) -> QuerySet:
    """The agents whose quality the caller sees: themselves for an agent, the team for a lead, the
    department for QA and heads, the centre for directors and administrators."""
    return scope_for(user).people().filter(roles__role=Role.AGENT).distinct()


def reviews_in_scope(user) -> QuerySet[Review]:
    scope = scope_for(user)
    qs = Review.objects.all()
    if user.centre_id:
        qs = qs.filter(centre_id=user.centre_id)
    elif not user.is_superuser:
        return qs.none()
    return qs.filter(scope.people_q("agent__"))


def access_review(user, review_id: int, *, for_update: bool = False) -> Review:
    qs = reviews_in_scope(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    review = qs.filter(pk=review_id).first()
    if review is None:
        raise NotFound(_("No such review."))
    return review


def appeals_in_scope(user) -> QuerySet[Appeal]:
    return Appeal.objects.filter(review__in=reviews_in_scope(user).values("pk"))


def access_appeal(user, appeal_id: int, *, for_update: bool = False) -> Appeal:
    qs = appeals_in_scope(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    appeal = qs.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(_("No such appeal."))
    return appeal


def deciders_for(review: Review) -> list:
    """The department heads who decide an appeal of ``review``: heads of the agent's department (all the
    centre's heads when the agent has none)."""
    from kefu.org.models import User

    heads = User.objects.filter(is_active=True, roles__role=Role.HEAD, centre_id=review.centre_id)
    department_id = review.agent.department_id or (review.agent.team.department_id if review.agent.team_id else None)
    if department_id:
        in_department = heads.filter(department_id=department_id)
        if in_department.exists():
            heads = in_department
    return list(heads.distinct())


def teams_in_scope(user) -> QuerySet:
    return scope_for(user).teams().order_by("name")


# -- weekly QA summaries (R-QA-3) ---------------------------------------------------------------------

CENTRE_WIDE_ROLES = (Role.DIRECTOR, Role.ADMIN)


def department_of(user) -> int | None:
    if user.department_id:
        return user.department_id
    team = getattr(user, "team", None) if user.team_id else None
    return team.department_id if team is not None else None


def summaries_in_scope(user) -> QuerySet:
    """QA inspectors and heads see their department's summaries, drafts included; agents and leads see the
    published summaries of their department; directors and administrators the centre's published ones."""
    from kefu.quality.models import WeeklySummary

    qs = WeeklySummary.objects.all()
    if user.centre_id:
        qs = qs.filter(centre_id=user.centre_id)
    elif not user.is_superuser:
        return qs.none()
    if not may_edit_scorecards(user):
        qs = qs.filter(status=WeeklySummary.Status.PUBLISHED)
    if not (user.is_superuser or user.has_role(*CENTRE_WIDE_ROLES)):
        department_id = department_of(user)
        if department_id is None and not may_edit_scorecards(user):
            return qs.none()
        if department_id is not None:
            qs = qs.filter(department_id=department_id)
    return qs


def access_summary(user, summary_id: int, *, for_update: bool = False):
    qs = summaries_in_scope(user)
    if for_update:
        qs = qs.select_for_update()
    summary = qs.filter(pk=summary_id).first()
    if summary is None:
        raise NotFound(_("No such summary."))
    return summary


def require_summary_editor(user) -> None:
    if not may_edit_scorecards(user):
        raise NotAllowed(_("Only QA inspectors and department heads edit and publish the weekly QA summary."))


# -- calibration ---------------------------------------------------------------------------------------

def calibrations_in_scope(user) -> QuerySet:
    """QA inspectors and heads see their centre's calibration sessions; nobody else sees any."""
    from kefu.quality.models import CalibrationSession

    if not may_review(user) or not user.centre_id:
        return CalibrationSession.objects.none()
    return CalibrationSession.objects.filter(centre_id=user.centre_id)


def access_calibration(user, session_id: int, *, for_update: bool = False):
    if not may_review(user):
        raise NotAllowed(_("Only QA inspectors and department heads take part in calibration."))
    qs = calibrations_in_scope(user)
    if for_update:
        qs = qs.select_for_update()
    session = qs.filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("No such calibration session."))
    return session


def may_see_spread(user, session, *, submitted: bool) -> bool:
    """Blind scoring: the spread is shown to the reference scorer, the session's creator and department
    heads, and to an inspector only once they scored every ticket of the session."""
    return user.pk in (session.reference_id, session.created_by_id) or may_decide_appeals(user) or submitted
