"""Reading announcements (R-TIC-10), always for a viewer.

* addressed to a person: of the person's centre, and either for everyone (no teams) or for the person's team;
* visible to a person: addressed to them, published by them, or — for team leads, department heads, centre
  directors and administrators — addressed to a team within their scope (R-ORG-2) or to the whole centre;
* active: not withdrawn, published, not expired.

:func:`must_confirm_before_shift` is the check the shift/attendance code calls before a person takes a
shift: ``True`` means the person still has an active announcement that requires confirmation and that
they have not confirmed — refuse the check-in (rule R-TIC-10) and send them to ``announcements:list``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.announcements.models import Announcement, AnnouncementRead
from kefu.core.errors import NotAllowed, NotFound
from kefu.org.roles import Role
from kefu.org.scope import CENTRE, scope_for

MANAGER_ROLES = (Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN)
_Teams = Announcement.teams.through


def is_manager(user) -> bool:
    """Team leads and above publish announcements and see who has not read them."""
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*MANAGER_ROLES)))


def _has_teams():
    return Exists(_Teams.objects.filter(announcement_id=OuterRef("pk")))


def _addressed_q(user) -> Q:
    if not user.centre_id:
        return Q(pk__in=[])
    for_team = Exists(_Teams.objects.filter(announcement_id=OuterRef("pk"), team_id=user.team_id))
    return Q(centre_id=user.centre_id) & (Q(~_has_teams()) | Q(for_team))


def _monitored_q(user) -> Q:
    """Announcements a manager watches: addressed to the whole centre or to a team in their scope."""
    if not is_manager(user):
        return Q(pk__in=[])
    scope = scope_for(user)
    centre = Q(centre_id=scope.centre_id) if scope.centre_id else Q()
    if scope.level == CENTRE:
        return centre
    in_scope = Exists(_Teams.objects.filter(announcement_id=OuterRef("pk"), team_id__in=scope.team_ids))
    return centre & (Q(~_has_teams()) | Q(in_scope))


def active_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(withdrawn_at__isnull=True, published_at__lte=now) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def visible_to(user, *, active_only: bool = True, now: dt.datetime | None = None) -> QuerySet[Announcement]:
    if not user.is_authenticated:
        return Announcement.objects.none()
    qs = Announcement.objects.filter(_addressed_q(user) | _monitored_q(user) | Q(created_by_id=user.pk))
    if active_only:
        qs = qs.filter(active_q(now))
    return qs


def _confirmed_at(user):
    return Subquery(AnnouncementRead.objects.filter(announcement_id=OuterRef("pk"), person_id=user.pk)
                    .values("confirmed_at")[:1])


def for_list(user, *, active_only: bool = True) -> QuerySet[Announcement]:
    """What the list shows: the caller's own confirmation (``my_confirmed_at``), whether it is addressed to
    them (``addressed``) and still awaits their confirmation (``needs_confirmation``); those first, then
    newest first."""
    return (
        visible_to(user, active_only=active_only)
        .annotate(
            my_confirmed_at=_confirmed_at(user),
            addressed=Case(When(_addressed_q(user), then=Value(True)), default=Value(False),
                           output_field=BooleanField()),
        )
        .annotate(needs_confirmation=Case(
            When(Q(addressed=True, requires_confirmation=True, my_confirmed_at__isnull=True), then=Value(True)),
            default=Value(False), output_field=BooleanField()))
        .select_related("created_by")
        .prefetch_related("teams")
        .order_by("-needs_confirmation", "-published_at", "-id")
    )


def get_for(user, announcement_id: int, *, active_only: bool = False) -> Announcement:
    """One announcement the caller may see (with the list's annotations), or NotFound."""
    announcement = for_list(user, active_only=active_only).filter(pk=announcement_id).first()
    if announcement is None:
        raise NotFound(_("No such announcement."))
    return announcement


def unconfirmed_for(user, *, now: dt.datetime | None = None) -> QuerySet[Announcement]:
    """The active announcements addressed to ``user`` that require confirmation and that they have not
    confirmed yet, oldest first."""
    if not user.is_authenticated:
        return Announcement.objects.none()
    confirmed = AnnouncementRead.objects.filter(announcement_id=OuterRef("pk"), person_id=user.pk,
                                                confirmed_at__isnull=False)
    return (Announcement.objects.filter(_addressed_q(user), active_q(now), requires_confirmation=True)
            .exclude(Exists(confirmed)).order_by("published_at", "id"))


def unconfirmed_summary(user, *, limit: int = 3) -> dict:
    """For the banner: ``{"unconfirmed": [the oldest ``limit`` unconfirmed], "unconfirmed_count": n}``.
    One query when there are at most ``limit``, else two."""
    if not getattr(user, "is_authenticated", False):
        return {"unconfirmed": [], "unconfirmed_count": 0}
    first = list(unconfirmed_for(user).only("pk", "title", "published_at")[: limit + 1])
    count = len(first) if len(first) <= limit else unconfirmed_for(user).count()
    return {"unconfirmed": first[:limit], "unconfirmed_count": count}


def must_confirm_before_shift(user, *, at: dt.datetime | None = None) -> bool:
    """R-TIC-10: ``True`` when ``user`` still has to confirm an announcement before taking a shift.

    The shift/attendance service calls this when a person checks in (``at``: the moment of the check-in,
    default now) and refuses with ``RuleViolation(..., rule="R-TIC-10")`` while it is ``True``.
    One query.
    """
    return unconfirmed_for(user, now=at).exists()


def audience(announcement: Announcement):
    """The people the announcement is addressed to (active people of its centre, or of its teams)."""
    from django.contrib.auth import get_user_model

    qs = get_user_model().objects.filter(is_active=True, centre_id=announcement.centre_id)
    team_ids = [t.pk for t in announcement.teams.all()]
    if team_ids:
        qs = qs.filter(team_id__in=team_ids)
    return qs


@dataclass
class StatusRow:
    person: object
    confirmed_at: dt.datetime | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass
class ReadStatus:
    announcement: Announcement
    rows: list[StatusRow] = field(default_factory=list)

    @property
    def confirmed(self) -> list[StatusRow]:
        return [r for r in self.rows if r.confirmed]

    @property
    def unconfirmed(self) -> list[StatusRow]:
        return [r for r in self.rows if not r.confirmed]

    @property
    def chart(self) -> dict:
        return {"confirmed": len(self.confirmed), "unconfirmed": len(self.unconfirmed)}


def read_status(user, announcement_id: int) -> ReadStatus:
    """Who of the announcement's audience within the viewer's scope (``scope_for(user).people()``) has
    confirmed it and who has not — unconfirmed first. Team leads see their team only; heads their
    department; directors and administrators the centre. Three queries."""
    if not is_manager(user):
        raise NotAllowed(_("Only team leads and above see who has read an announcement."), rule="R-TIC-10")
    announcement = (visible_to(user, active_only=False).filter(pk=announcement_id)
                    .select_related("created_by").prefetch_related("teams").first())
    if announcement is None:
        raise NotFound(_("No such announcement."))
    people = (audience(announcement).filter(pk__in=scope_for(user).people().values("pk"))
              .select_related("team").order_by("team_id", "username"))
    confirmed = dict(AnnouncementRead.objects.filter(announcement=announcement, confirmed_at__isnull=False,
                                                     person__in=people).values_list("person_id", "confirmed_at"))
    rows = [StatusRow(person=p, confirmed_at=confirmed.get(p.pk)) for p in people]
    rows.sort(key=lambda r: r.confirmed)  # stable: unconfirmed first, then by team and username
    return ReadStatus(announcement=announcement, rows=rows)
