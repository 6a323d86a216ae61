"""Delegation of approvals (R-WFM-4: "an approver who is away hands approvals to a named delegate for that
time"). Keyword-only, transactional, audited.

A head or director (a lead for their swap and level approvals) names a delegate who holds the same or a higher
approving role, for a window; one approver's windows never overlap. During the window the delegate decides
what the approver could decide (``access.may_decide`` / ``access.decides_for``), and the decision records on
whose behalf. While the approver is on approved leave, notices of new requests go to the delegate too.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, FieldError, InvalidInput, NotAllowed, NotFound
from kefu.notifications.services import notify
from kefu.org.models import User
from kefu.workforce import access
from kefu.workforce.models import Delegation, LeaveRequest

MAX_DELEGATION_DAYS = 366
FIRST_YEAR, LAST_YEAR = 2000, 9998  # moments shown in local time must stay within the calendar


def _snapshot(delegation: Delegation) -> dict:
    from kefu.workforce.services import snapshot

    return snapshot(delegation)


def _fmt(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


@transaction.atomic
def create_delegation(*, actor, delegate: User | None, start_at: dt.datetime | None, end_at: dt.datetime | None,
                      reason: str = "") -> Delegation:
    """``actor`` (an approver) hands their approvals to ``delegate`` from ``start_at`` until ``end_at``."""
    rank = access.approving_rank(actor)
    if not rank:
        raise NotAllowed(_("Only team leads, department heads and directors hand over their approvals."))
    errors = Errors()
    if delegate is None:
        errors.add("delegate", _("Choose the person who decides for you."))
    elif delegate.pk == actor.pk:
        errors.add("delegate", _("Choose someone else than yourself."))
    elif not delegate.is_active or delegate.centre_id != actor.centre_id:
        errors.add("delegate", _("No such person in your centre."))
    elif access.approving_rank(delegate) < rank:
        errors.add("delegate", _("%(person)s does not hold an approving role as high as yours; choose someone "
                                 "with the same or a higher role.") % {"person": delegate})
    if start_at is None:
        errors.add("start", _("Give the moment the delegation starts."))
    if end_at is None:
        errors.add("end", _("Give the moment the delegation ends."))
    if start_at is not None and end_at is not None:
        if not (start_at.year >= FIRST_YEAR and end_at.year <= LAST_YEAR):
            errors.add("end" if start_at.year >= FIRST_YEAR else "start", _("Enter a date within the calendar."))
        elif end_at <= start_at:
            errors.add("end", _("The delegation must end after it starts."))
        elif end_at <= timezone.now():
            errors.add("end", _("The delegation must end in the future."))
        elif end_at - start_at > dt.timedelta(days=MAX_DELEGATION_DAYS):
            errors.add("end", _("One delegation covers at most %(n)s days.") % {"n": MAX_DELEGATION_DAYS})
    if len(reason or "") > 200:
        errors.add("reason", _("At most %(n)s characters.") % {"n": 200})
    errors.raise_if_any(_("The delegation cannot be saved."))
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one approver's delegations one at a time
    overlap = (Delegation.objects.filter(approver=actor, revoked=False, start_at__lt=end_at, end_at__gt=start_at)
               .select_related("delegate").first())
    if overlap is not None:
        raise InvalidInput(_("The delegation cannot be saved."), errors=[FieldError(
            "start", _("You have already handed your approvals to %(person)s from %(start)s to %(end)s.")
            % {"person": overlap.delegate, "start": _fmt(overlap.start_at), "end": _fmt(overlap.end_at)})])
    delegation = Delegation.objects.create(approver=actor, delegate=delegate, start_at=start_at, end_at=end_at,
                                           reason=(reason or "").strip(), created_by=actor,
                                           created_at=timezone.now())
    record(actor=actor, action=Action.CREATE, obj=delegation, after=_snapshot(delegation))
    from django.urls import reverse

    notify(recipients=[delegate], kind="delegation", title=gettext_lazy("Approvals were handed to you"),
           body=f"{actor}: {_fmt(start_at)} – {_fmt(end_at)}", url=reverse("workforce:approvals"))
    return delegation


@transaction.atomic
def revoke_delegation(*, actor, delegation_id: int, version: int | None = None) -> Delegation:
    """The approver takes their approvals back (ends the delegation now)."""
    delegation = (Delegation.objects.select_for_update().select_related("delegate")
                  .filter(pk=delegation_id, approver=actor).first())
    if delegation is None:
        raise NotFound(_("No such delegation."))
    if version is not None:
        check_version(delegation, version)
    if delegation.revoked or delegation.end_at <= timezone.now():
        raise InvalidInput(_("This delegation has already ended."),
                           errors=[FieldError("end", _("Already ended."))])
    before = _snapshot(delegation)
    delegation.revoked = True
    bump_version(delegation)
    delegation.save()
    record(actor=actor, action=Action.TRANSITION, obj=delegation, before=before, after=_snapshot(delegation),
           note="revoked")
    return delegation


def stand_ins(approver_ids, *, now: dt.datetime | None = None) -> list[int]:
    """The delegates of those ``approver_ids`` who are away now (their approved leave covers now) and have
    handed their approvals over for now: they are told of new requests too. Two queries at most."""
    now = now or timezone.now()
    approver_ids = list(approver_ids)
    if not approver_ids:
        return []
    away = set(LeaveRequest.objects.filter(person_id__in=approver_ids, status=LeaveRequest.Status.APPROVED,
                                           start_at__lte=now, end_at__gt=now).values_list("person_id", flat=True))
    if not away:
        return []
    return list(Delegation.objects.filter(approver_id__in=away, revoked=False, start_at__lte=now, end_at__gt=now,
                                          delegate__is_active=True)
                .order_by().values_list("delegate_id", flat=True).distinct())


def with_stand_ins(approver_ids, *, now: dt.datetime | None = None) -> list[int]:
    ids = list(dict.fromkeys(approver_ids))
    return ids + [pk for pk in stand_ins(ids, now=now) if pk not in ids]
