"""Delegation of approvals and medical certificates through the API (R-WFM-4). The same services as the
delegation page and the leave page: an approver hands their approvals to a delegate for a window and takes them
back; the person (or a manager) uploads the certificate of a sick leave."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber, Version
from kefu.core.errors import FieldError, InvalidInput
from kefu.org.models import User
from kefu.workforce import access
from kefu.workforce.api import LeaveOut
from kefu.workforce.models import Delegation
from kefu.workforce.services import certificates
from kefu.workforce.services import delegation as services

router = Router(tags=["workforce"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class DelegationOut(Schema):
    id: int
    approver: str
    approver_name: str
    delegate: str
    delegate_name: str
    start_at: dt.datetime
    end_at: dt.datetime
    reason: str
    revoked: bool
    active: bool = Field(..., description="In force now: not revoked, started and not yet ended")
    version: int

    @staticmethod
    def resolve_approver(obj) -> str:
        return obj.approver.username

    @staticmethod
    def resolve_approver_name(obj) -> str:
        return str(obj.approver)

    @staticmethod
    def resolve_delegate(obj) -> str:
        return obj.delegate.username

    @staticmethod
    def resolve_delegate_name(obj) -> str:
        return str(obj.delegate)

    @staticmethod
    def resolve_active(obj) -> bool:
        now = timezone.now()
        return not obj.revoked and obj.start_at <= now < obj.end_at


def _mine(user):
    return (Delegation.objects.filter(Q(approver=user) | Q(delegate=user))
            .select_related("approver", "delegate").order_by("-start_at", "-id"))


@router.get("/delegations", response={200: list[DelegationOut], **ERRORS})
@paginate(PageNumber)
def list_delegations(request):
    """The caller's delegations: those they made (as approver) and those handed to them, newest first."""
    return _mine(request.user)


class DelegationIn(Schema):
    delegate: str = Field(..., max_length=150, description="The delegate's username (same or higher approving role)")
    start_at: dt.datetime
    end_at: dt.datetime
    reason: str = Field("", max_length=200)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@router.post("/delegations", response={201: DelegationOut, **ERRORS})
def create_delegation(request, payload: DelegationIn):
    """A lead, head or director hands their approvals to a delegate for a window (windows never overlap)."""
    delegate = User.objects.filter(username=payload.delegate, is_active=True,
                                   centre_id=request.user.centre_id).first()
    if delegate is None and payload.delegate:
        raise InvalidInput(_("The delegation cannot be saved."),
                           errors=[FieldError("delegate", _("No such person in your centre."))])
    delegation = services.create_delegation(actor=request.user, delegate=delegate,
                                            start_at=_aware(payload.start_at), end_at=_aware(payload.end_at),
                                            reason=payload.reason)
    return Status(201, _mine(request.user).get(pk=delegation.pk))


class RevokeIn(Schema):
    version: Version | None = None


@router.post("/delegations/{int:delegation_id}/revoke", response={200: DelegationOut, **ERRORS})
def revoke_delegation(request, delegation_id: Id, payload: RevokeIn | None = None):
    """The approver takes their approvals back now (409 on a stale ``version``)."""
    delegation = services.revoke_delegation(actor=request.user, delegation_id=delegation_id,
                                            version=payload.version if payload else None)
    return _mine(request.user).get(pk=delegation.pk)


@router.post("/leave-requests/{int:leave_id}/certificate", response={200: LeaveOut, **ERRORS})
def upload_certificate(request, leave_id: Id, certificate: File[UploadedFile]):
    """The medical certificate of a sick leave (PDF, JPEG or PNG, checked by content): the person, whoever
    filed the leave, or a manager of the person uploads it; a missing-certificate flag is cleared."""
    leave = certificates.upload_certificate(actor=request.user, leave_id=leave_id, upload=certificate)
    return access.access_leave(request.user, leave.pk)
