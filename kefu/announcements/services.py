"""Changing announcements (R-TIC-10): publish, confirm reading, withdraw, and the reminder job.

Keyword-only, transactional, recorded in the audit trail (R-AUD). A refused call raises before it writes
anything, so it changes nothing (R-ERR).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.announcements import selectors
from kefu.announcements.models import Announcement, AnnouncementRead, Kind
from kefu.announcements.settings_defs import REMINDER_HOURS
from kefu.audit.services import Action, record, snapshot
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, NotAllowed, NotFound
from kefu.notifications.services import mark_read_about, notify
from kefu.org.scope import SELF, TEAM, scope_for
from kefu.rules.selectors import get_rule

logger = logging.getLogger(__name__)

NOTIFICATION_KIND = "announcement"
TITLE_MAX = Announcement._meta.get_field("title").max_length
BODY_MAX = 20_000
PREVIEW = 200


def detail_url(announcement_id: int) -> str:
    try:
        return reverse("announcements:detail", args=[announcement_id])
    except NoReverseMatch:  # pages not mounted (e.g. an API-only deployment)
        return ""


def _team_ids(teams) -> list[int]:
    out: list[int] = []
    for t in teams or ():
        pk = t if isinstance(t, int) else getattr(t, "pk", None)
        if pk is None:
            try:
                pk = int(t)
            except (TypeError, ValueError):
                continue
        if pk not in out:
            out.append(int(pk))
    return out


def _centre_id(actor, team_ids: list[int]) -> int | None:
    if actor.centre_id:
        return actor.centre_id
    from kefu.org.models import Centre, Team

    if team_ids:
        centre = Team.objects.filter(pk=team_ids[0]).values_list("department__centre_id", flat=True).first()
        if centre:
            return centre
    return Centre.objects.order_by("pk").values_list("pk", flat=True).first()


def _preview(body: str) -> str:
    body = " ".join(body.split())
    return body if len(body) <= PREVIEW else body[: PREVIEW - 1] + "…"


@transaction.atomic
def publish(*, actor, title: str, body: str, kind: str, teams=(), expires_at: dt.datetime | None = None,
            requires_confirmation: bool = True, email: bool = True) -> Announcement:
    """Publish an announcement now and notify its audience (in the app and by e-mail).

    Team leads publish to their own team only (no teams given: their team); department heads to teams of
    their department or, with no teams, to everyone in the centre; centre directors and administrators to
    any team of the centre or everyone. Agents and QA inspectors may not publish.
    """
    if not selectors.is_manager(actor):
        raise NotAllowed(_("Only team leads, department heads, centre directors and administrators may "
                           "publish announcements."), rule="R-TIC-10")
    scope = scope_for(actor)
    team_ids = _team_ids(teams)
    errors = Errors()
    title = (title or "").strip()
    body = (body or "").strip()
    now = timezone.now()
    if not title:
        errors.add("title", _("A title is required."))
    elif len(title) > TITLE_MAX:
        errors.add("title", _("At most %(n)s characters.") % {"n": TITLE_MAX})
    if not body:
        errors.add("body", _("The text is required."))
    elif len(body) > BODY_MAX:
        errors.add("body", _("At most %(n)s characters.") % {"n": BODY_MAX})
    if kind not in Kind.values:
        errors.add("kind", _("Choose one of: %(expected)s.") % {"expected": ", ".join(Kind.values)})
    if expires_at is not None and expires_at <= now:
        errors.add("expires_at", _("The end must be in the future."))
    if scope.level == TEAM and not team_ids:
        team_ids = sorted(scope.team_ids)
        if not team_ids:
            errors.add("teams", _("You lead no team, so you have nobody to address."))
    outside = set(team_ids) - scope.team_ids
    if outside:
        from kefu.org.models import Team

        if Team.objects.filter(pk__in=outside).count() < len(outside):
            errors.add("teams", _("Choose existing teams."))
    errors.raise_if_any(_("The announcement could not be published."))
    if outside:
        raise NotAllowed(_("You may address only teams within your scope."), rule="R-TIC-10")

    announcement = Announcement.objects.create(
        centre_id=_centre_id(actor, team_ids), title=title, body=body, kind=kind, published_at=now,
        expires_at=expires_at, created_by=actor, requires_confirmation=bool(requires_confirmation))
    if team_ids:
        announcement.teams.set(team_ids)
    AnnouncementRead.objects.create(announcement=announcement, person=actor, confirmed_at=now)
    record(actor=actor, action=Action.CREATE, obj=announcement,
           after={**snapshot(announcement), "teams": team_ids}, note="R-TIC-10")
    recipients = list(selectors.audience(announcement).exclude(pk=actor.pk).only("pk", "email", "language",
                                                                                  "is_active"))
    notify(recipients=recipients, kind=NOTIFICATION_KIND, title=title, body=_preview(body),
           url=detail_url(announcement.pk), email=email)
    return announcement


@transaction.atomic
def confirm_read(*, actor, announcement_id: int) -> AnnouncementRead:
    """The actor confirms having read an active announcement they can see. Idempotent: a second call
    returns the first confirmation unchanged and records nothing."""
    announcement = selectors.visible_to(actor).filter(pk=announcement_id).first()
    if announcement is None:
        raise NotFound(_("No such announcement."))
    read, _created = AnnouncementRead.objects.select_for_update(of=("self",)).get_or_create(
        announcement=announcement, person=actor)
    if read.confirmed_at is not None:
        return read
    read.confirmed_at = timezone.now()
    read.save(update_fields=["confirmed_at"])
    record(actor=actor, action=Action.UPDATE, obj=announcement, object_repr=announcement.title,
           before={"confirmed_at": None}, after={"confirmed_at": read.confirmed_at, "person": actor.pk},
           note=_("Confirmed reading the announcement"))
    mark_read_about(actor=actor, kind=NOTIFICATION_KIND, url=detail_url(announcement.pk))
    return read


@transaction.atomic
def withdraw(*, actor, announcement_id: int, version: int | None) -> Announcement:
    """Withdraw an announcement: it leaves everyone's list and stops blocking shifts. Its publisher, or a
    manager whose scope covers its whole audience, may withdraw it; ``version`` must be the one read."""
    visible = selectors.visible_to(actor, active_only=False).filter(pk=announcement_id)
    announcement = Announcement.objects.select_for_update(of=("self",)).filter(pk__in=visible.values("pk")).first()
    if announcement is None:
        raise NotFound(_("No such announcement."))
    if not can_withdraw(actor, announcement):
        raise NotAllowed(_("Only its publisher or a manager over its whole audience may withdraw it."),
                         rule="R-TIC-10")
    check_version(announcement, version)
    if announcement.withdrawn_at is not None:
        return announcement
    before = snapshot(announcement, ["withdrawn_at", "withdrawn_by", "version"])
    announcement.withdrawn_at = timezone.now()
    announcement.withdrawn_by = actor
    bump_version(announcement)
    announcement.save(update_fields=["withdrawn_at", "withdrawn_by", "version"])
    record(actor=actor, action=Action.UPDATE, obj=announcement, before=before,
           after=snapshot(announcement, ["withdrawn_at", "withdrawn_by", "version"]), note="withdrawn")
    return announcement


def can_withdraw(actor, announcement: Announcement) -> bool:
    if not selectors.is_manager(actor):
        return False
    if announcement.created_by_id == actor.pk:
        return True
    scope = scope_for(actor)
    team_ids = {t.pk for t in announcement.teams.all()}
    if not team_ids:  # everyone in the centre: a head, director or administrator
        return scope.level not in (TEAM, SELF)
    return team_ids <= scope.team_ids


# -- reminders (hourly job) ----------------------------------------------------------------------

REMINDER_TITLE = gettext_lazy("Please confirm you have read: %(title)s")


def send_confirmation_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind everyone who has not confirmed an active announcement that requires confirmation and was
    published at least N hours ago (``tickets.announcement_reminder_hours`` of its centre); again every N
    hours until they confirm.

    Idempotent: a person is reminded at most once per announcement per N hours however often the job runs
    (``AnnouncementRead.reminded_at``; rows locked while they are claimed). Returns
    ``{"announcements": n, "reminders": n}``.
    """
    now = now or timezone.now()
    hours_by_centre: dict[int, int] = {}
    candidates = (Announcement.objects.filter(selectors.active_q(now), requires_confirmation=True)
                  .prefetch_related("teams").order_by("pk"))
    reminded = 0
    announcements = 0
    for announcement in candidates:
        hours = hours_by_centre.get(announcement.centre_id)
        if hours is None:
            hours = hours_by_centre[announcement.centre_id] = get_rule(REMINDER_HOURS,
                                                                       centre_id=announcement.centre_id)
        cutoff = now - dt.timedelta(hours=hours)
        if announcement.published_at > cutoff:
            continue
        n = _remind(announcement, now=now, cutoff=cutoff)
        if n:
            announcements += 1
            reminded += n
    return {"announcements": announcements, "reminders": reminded}


@transaction.atomic
def _remind(announcement: Announcement, *, now: dt.datetime, cutoff: dt.datetime) -> int:
    audience = selectors.audience(announcement)
    have_row = AnnouncementRead.objects.filter(announcement=announcement, person_id=OuterRef("pk"))
    AnnouncementRead.objects.bulk_create(
        [AnnouncementRead(announcement=announcement, person_id=pk)
         for pk in audience.exclude(Exists(have_row)).values_list("pk", flat=True)],
        ignore_conflicts=True)
    due = list(
        AnnouncementRead.objects.select_for_update(of=("self",))
        .filter(announcement=announcement, confirmed_at__isnull=True, person__in=audience)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff))
        .values_list("pk", "person_id"))
    if not due:
        return 0
    AnnouncementRead.objects.filter(pk__in=[pk for pk, _p in due]).update(reminded_at=now,
                                                                          reminders=F("reminders") + 1)
    notify(recipients=[person_id for _pk, person_id in due], kind=NOTIFICATION_KIND,
           title=_reminder_title(announcement.title), body=_preview(announcement.body),
           url=detail_url(announcement.pk))
    record(actor=None, action=Action.UPDATE, obj=announcement, after={"reminded": len(due)},
           note="R-TIC-10 reminder")
    return len(due)


def _reminder_title(title: str):
    """The reminder's title, translated when :func:`notify` renders it for each recipient's language."""
    return lazy(lambda: REMINDER_TITLE % {"title": title}, str)()
