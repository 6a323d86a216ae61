"""Breaks from taking tickets (暂停接单) and away time (R-WFM-5): keyword-only, transactional, audited.

A person on a published shift pauses taking tickets from the desk (``start_break``) and comes back
(``end_break``); automatic assignment leaves people on a break out. A break that keeps them away from the post
``workforce.away_minutes`` (20) or more within their shift, not covered by approved leave, is a violation
(kind AWAY, R-WFM-5 / R-ORG-4), recorded once per break: when it ends, or by the periodic job
(``record_overlong_breaks``) while it is still under way. The person and their team's leads are told.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record
from kefu.core.errors import FieldError, InvalidInput
from kefu.notifications.services import notify
from kefu.org.models import User
from kefu.rules.selectors import get_rule
from kefu.workforce.models import AwayPeriod, LeaveRequest, Shift, Violation
from kefu.workforce.selectors import duty
from kefu.workforce.services import RULE_ATTENDANCE, _fmt, record_violation, snapshot

REASON_MAX = 200


def _lock(person) -> None:
    """The person's row is locked so that two clicks cannot open two breaks at once."""
    User.objects.select_for_update().filter(pk=person.pk).first()


@transaction.atomic
def start_break(*, actor, reason: str = "") -> AwayPeriod:
    """The person pauses taking tickets (暂停接单) during their shift under way."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("The break cannot be started."), errors=[FieldError(
            "reason", _("At most %(n)s characters.") % {"n": REASON_MAX})])
    now = timezone.now()
    _lock(actor)
    end_open_breaks(now=now, person=actor)  # a break left open on an earlier shift ends with that shift
    current = duty.open_break(actor, now)
    if current is not None:
        raise InvalidInput(_("You are already on a break."), errors=[FieldError(
            "break", _("On a break since %(start)s.") % {"start": _fmt(current.start_at)})])
    shift = duty.current_shift(actor, now)
    if shift is None:
        raise InvalidInput(_("You are not on a shift now."), errors=[FieldError(
            "shift", _("A break is taken during a published shift."))])
    period = AwayPeriod.objects.create(person=actor, shift=shift, start_at=now, reason=reason)
    record(actor=actor, action=Action.CREATE, obj=period, after=snapshot(period))
    return period


@transaction.atomic
def end_break(*, actor) -> AwayPeriod:
    """The person takes tickets again; a break of the threshold or more within the shift is a violation."""
    now = timezone.now()
    _lock(actor)
    ended = end_open_breaks(now=now, person=actor)  # a break of a shift that is over ends at the shift's end
    period = AwayPeriod.objects.select_for_update().filter(person=actor, end_at__isnull=True).order_by(
        "-start_at").first()
    if period is None and ended:
        return ended[-1]
    if period is None:
        raise InvalidInput(_("You are not on a break."), errors=[FieldError("break", _("No break under way."))])
    before = snapshot(period)
    period.end_at = max(now, period.start_at)
    period.save(update_fields=["end_at"])
    record(actor=actor, action=Action.UPDATE, obj=period, before=before, after=snapshot(period))
    _away_violation(period, until=period.end_at)
    return period


def away_minutes_of(period: AwayPeriod, until: dt.datetime) -> tuple[int, Shift | None]:
    """Minutes of ``period`` (up to ``until`` when still open) within the person's published shifts, outside
    approved leave; and the shift it falls in most."""
    end = period.end_at or until
    shifts = list(Shift.objects.filter(person_id=period.person_id, status=Shift.Status.PUBLISHED,
                                       leave__isnull=True, start_at__lt=end, end_at__gt=period.start_at))
    if not shifts:
        return 0, None
    leaves = list(LeaveRequest.objects.filter(person_id=period.person_id, status=LeaveRequest.Status.APPROVED,
                                              start_at__lt=end, end_at__gt=period.start_at)
                  .values_list("start_at", "end_at"))
    seconds = duty.away_seconds(period.start_at, end, [(s.start_at, s.end_at) for s in shifts], leaves)
    main = max(shifts, key=lambda s: duty.away_seconds(period.start_at, end, [(s.start_at, s.end_at)], leaves))
    return seconds // 60, main


def _away_violation(period: AwayPeriod, *, until: dt.datetime) -> Violation | None:
    """R-WFM-5: away ``workforce.away_minutes`` (20) or more → a violation, once per break."""
    if period.violation_id is not None:
        return None
    person = User.objects.get(pk=period.person_id)
    threshold = get_rule("workforce.away_minutes", centre_id=person.centre_id)
    minutes, shift = away_minutes_of(period, until)
    if minutes < threshold:
        return None
    if period.end_at is None:
        evidence = (_("On a break (暂停接单) since %(start)s: %(n)s minutes away from the post during the shift, "
                      "without leave.") % {"start": _fmt(period.start_at), "n": minutes})
    else:
        evidence = (_("On a break (暂停接单) from %(start)s to %(end)s: %(n)s minutes away from the post during "
                      "the shift, without leave.")
                    % {"start": _fmt(period.start_at), "end": _fmt(period.end_at), "n": minutes})
    violation = record_violation(actor=None, person=person, rule=RULE_ATTENDANCE, kind=Violation.Kind.AWAY,
                                 shift=shift, evidence=evidence)
    period.violation = violation
    period.save(update_fields=["violation"])
    from kefu.org.selectors import leads_of_team

    team_id = (shift.team_id if shift is not None else None) or person.team_id
    leads = leads_of_team(team_id).exclude(pk=person.pk)
    notify(recipients=list(leads), kind="violation_recorded",
           title=gettext_lazy("A person of your team was away from the post"),
           body=f"{person}: {violation.evidence}", url=reverse("workforce:violations"))
    return violation


@transaction.atomic
def end_open_breaks(*, now: dt.datetime, person=None, at_check_out: bool = False) -> list[AwayPeriod]:
    """Breaks still open when their shift has ended end at the shift's end (a break does not carry over to the
    next shift); at check-out (``at_check_out``) the person's open breaks end now, or at their shift's end if
    earlier. Each is audited and, like a break ended from the desk, a violation when away long enough.
    Returns the breaks ended."""
    qs = AwayPeriod.objects.select_for_update(of=("self",)).filter(end_at__isnull=True, start_at__lte=now)
    if person is not None:
        qs = qs.filter(person=person)
    if not at_check_out:
        qs = qs.filter(Q(shift__isnull=True) | Q(shift__end_at__lte=now))
    ended = []
    for period in qs.order_by("start_at", "pk"):
        shift_end = (Shift.objects.filter(pk=period.shift_id).values_list("end_at", flat=True).first()
                     if period.shift_id else None)
        before = snapshot(period)
        period.end_at = max(period.start_at, min(now, shift_end) if shift_end else now)
        period.save(update_fields=["end_at"])
        record(actor=None, action=Action.UPDATE, obj=period, before=before, after=snapshot(period),
               note="break ended at check-out" if at_check_out else "break ended with its shift")
        _away_violation(period, until=period.end_at)
        ended.append(period)
    return ended


@transaction.atomic
def record_overlong_breaks(*, now: dt.datetime | None = None) -> int:
    """The periodic job of R-WFM-5: a break still under way that has kept its person away for the threshold
    or more within their shift is recorded as a violation now, not only when it ends. Once per break (a break
    with its violation is never looked at again). Returns the number of violations recorded."""
    now = now or timezone.now()
    # a break of a shift that is over ends with it (a violation then if long enough)
    recorded = sum(1 for period in end_open_breaks(now=now) if period.violation_id is not None)
    ids = list(AwayPeriod.objects.filter(end_at__isnull=True, violation__isnull=True, start_at__lt=now)
               .order_by("start_at", "pk").values_list("pk", flat=True))
    for period_id in ids:
        period = AwayPeriod.objects.select_for_update().filter(pk=period_id, violation__isnull=True).first()
        if period is None:
            continue
        if _away_violation(period, until=period.end_at or now) is not None:
            recorded += 1
    return recorded
