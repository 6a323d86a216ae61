"""Who may do what with surveys (R-SAT-1, R-ORG-2): one policy for services, pages and the API."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.surveys.models import Survey

MANAGING_ROLES = (Role.QA, Role.HEAD, Role.DIRECTOR, Role.ADMIN)
READING_ROLES = (Role.LEAD, *MANAGING_ROLES)


def can_manage(user) -> bool:
    """Build surveys and send them out: QA inspectors, heads, directors."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*MANAGING_ROLES)))


def can_read(user) -> bool:
    """See surveys and their results: team leads (their team's figures) and the managing roles."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*READING_ROLES)))


def surveys_in_scope(user):
    if not can_read(user):
        return Survey.objects.none()
    if user.is_superuser or not user.centre_id:
        return Survey.objects.all()
    return Survey.objects.filter(centre_id=user.centre_id)


def team_ids_in_scope(user) -> frozenset[int] | None:
    """The teams whose figures ``user`` sees; None = every team of the survey (managing roles)."""
    if user.is_superuser or user.has_role(*MANAGING_ROLES):
        return None
    return frozenset(scope_for(user).team_ids)


def access_survey(user, survey_id: int, *, manage: bool = False, for_update: bool = False) -> Survey:
    """The survey as ``user`` may see (or, with ``manage``, change) it; anything else looks missing."""
    if manage and not can_manage(user):
        raise NotFound(_("No such survey."))
    qs = surveys_in_scope(user)
    if for_update:
        qs = qs.select_for_update()
    survey = qs.filter(pk=survey_id).first()
    if survey is None:
        raise NotFound(_("No such survey."))
    return survey
