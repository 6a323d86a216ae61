"""Reads for delegated approvals (R-WFM-4): the pending leave a delegate decides on an away approver's behalf,
and the sick leave whose medical certificate is missing."""

from __future__ import annotations

from django.db.models import QuerySet

from kefu.org.models import User
from kefu.workforce import access
from kefu.workforce.models import LeaveRequest


def delegated_leave(user, *, delegators: list[User] | None = None) -> list[tuple[LeaveRequest, User]]:
    """Pending leave ``user`` decides on behalf of an approver who handed them their approvals for now
    (``(leave, approver)``), leaving out what the caller decides by their own role anyway. One query per
    delegating approver."""
    from kefu.workforce.selectors import approval_inbox

    delegators = access.active_delegators(user) if delegators is None else delegators
    if not delegators:
        return []
    own = set(approval_inbox(user).values_list("pk", flat=True))
    rows: list[tuple[LeaveRequest, User]] = []
    seen: set[int] = set(own)
    for approver in delegators:
        roles = [role for role, allowed in access.APPROVER_ROLES.items() if approver.role_codes & allowed]
        if not roles:
            continue
        pending = (access.leave_in_scope(approver).select_related("person", "filed_by")
                   .filter(status=LeaveRequest.Status.PENDING, approver_role__in=roles)
                   .exclude(person_id__in=[user.pk, approver.pk]).order_by("start_at", "id"))
        for leave in pending:
            if leave.pk not in seen:
                seen.add(leave.pk)
                rows.append((leave, approver))
    return rows


def missing_certificates(user) -> QuerySet[LeaveRequest]:
    """Sick leave of the caller's people flagged for a missing medical certificate (R-WFM-4)."""
    return (access.leave_in_scope(user).select_related("person")
            .filter(certificate_flagged_at__isnull=False, certificate="",
                    status__in=(LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED))
            .order_by("certificate_due", "id"))
