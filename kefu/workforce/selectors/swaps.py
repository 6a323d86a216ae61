"""Reads of shift swaps (R-WFM-3): the swaps a caller sees, the ones waiting for their approval, pay-backs
owed, and the shifts the swap form offers."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from kefu.workforce import access
from kefu.workforce.models import Shift, ShiftSwap

RELATED = ("requester", "counterpart", "shift__person", "with_shift__person", "shift__shift_type",
           "with_shift__shift_type",
           "requester_lead_approved_by", "counterpart_lead_approved_by", "decided_by")


def colleague_shifts(user) -> QuerySet[Shift]:
    """The shifts a person may ask for: those of the people of their department (their centre without one)."""
    if user.department_id:
        return Shift.objects.filter(person__department_id=user.department_id)
    return Shift.objects.filter(person__centre_id=user.centre_id)


def swaps(user) -> QuerySet[ShiftSwap]:
    """Own swaps (either side), the team's for a lead, the department's for a head, all for a director."""
    return access.swaps_in_scope(user).select_related(*RELATED).order_by("-created_at", "-id")


def my_swaps(user) -> QuerySet[ShiftSwap]:
    return swaps(user).filter(Q(requester=user) | Q(counterpart=user))


def swap_inbox(user) -> QuerySet[ShiftSwap]:
    """Pending swaps with a side the caller approves that nobody approved yet; never their own."""
    q = access.swap_inbox_q(user)
    if q is None:
        return ShiftSwap.objects.none()
    return (swaps(user).filter(q, status=ShiftSwap.Status.PENDING).exclude(requester=user).exclude(counterpart=user)
            .order_by("shift__start_at", "id"))


def owed_paybacks(user, *, mine: bool = True) -> QuerySet[ShiftSwap]:
    """Approved swaps not paid back yet (还班); a pay-back itself owes nothing. ``mine``: the caller's own."""
    qs = swaps(user).filter(status=ShiftSwap.Status.APPROVED, paid_back=False, payback_for__isnull=True)
    if mine:
        qs = qs.filter(Q(requester=user) | Q(counterpart=user))
    return qs.order_by("decided_at", "id")


def payback_choices(user) -> QuerySet[ShiftSwap]:
    """The swaps the caller may ask a pay-back for: approved ones they did for someone, not paid back."""
    return owed_paybacks(user).filter(counterpart=user)


def my_upcoming_shifts(user) -> QuerySet[Shift]:
    """The caller's published shifts still to come and not freed by leave: those they may offer."""
    return (Shift.objects.filter(person=user, status=Shift.Status.PUBLISHED, leave__isnull=True,
                                 start_at__gt=timezone.now())
            .select_related("shift_type", "team").order_by("start_at", "id"))


def colleague_upcoming_shifts(user, *, limit: int = 300) -> list[Shift]:
    """Colleagues' shifts the caller may ask for: published, to come, not freed by leave, of a work type the
    caller works too."""
    mine = my_upcoming_shifts(user)
    work_types = {s.shift_type.work_type if s.shift_type_id else "" for s in mine}
    qs = (colleague_shifts(user).filter(status=Shift.Status.PUBLISHED, leave__isnull=True,
                                        start_at__gt=timezone.now(), person__is_active=True)
          .exclude(person=user).select_related("person", "shift_type", "team").order_by("start_at", "id"))
    return [s for s in qs[:limit] if (s.shift_type.work_type if s.shift_type_id else "") in work_types]
