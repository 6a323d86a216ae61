"""Medical certificates of sick leave (R-WFM-4: "sick leave of a full day or more needs a medical certificate,
uploaded by the first day back").

- When sick leave of ``workforce.sick_certificate_days`` (1) or more is filed or approved, its
  ``certificate_due`` is the first day back: the first working day of the business calendar after the leave ends.
- The periodic job (:func:`remind_certificates`) reminds the person once on the morning of that day, and the
  day after it flags a certificate still missing and tells the person's team lead and department head, once.
- Uploading the certificate (:func:`upload_certificate`) clears the flag.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record
from kefu.bizcalendar.selectors import is_working_day
from kefu.core.concurrency import bump_version
from kefu.core.errors import FieldError, InvalidInput, NotAllowed
from kefu.notifications.services import notify
from kefu.rules.selectors import get_rule
from kefu.workforce import access
from kefu.workforce.models import LeaveKind, LeaveRequest

RULE_LEAVE = "R-WFM-4"
REMIND_FROM = dt.time(8)  # "on the morning of the due day": the job's first run from 08:00 local time
ACTIVE = (LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED)
MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024
CERTIFICATE_TYPES = {".pdf": (b"%PDF-",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
                     ".png": (b"\x89PNG\r\n\x1a\n",)}


def first_day_back(leave_end: dt.datetime) -> dt.date:
    """The first working day (business calendar: weekends, public holidays, 调休) after the leave ends."""
    day = timezone.localtime(leave_end - dt.timedelta(microseconds=1)).date() + dt.timedelta(days=1)
    for _step in range(400):
        if is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    return day


def needs_certificate(leave: LeaveRequest) -> bool:
    """Sick leave of the setting's days (``workforce.sick_certificate_days``) or more."""
    if leave.kind != LeaveKind.SICK:
        return False
    days = get_rule("workforce.sick_certificate_days", centre_id=leave.person.centre_id)
    return leave.end_at - leave.start_at >= dt.timedelta(days=days)


def set_certificate_due(leave: LeaveRequest) -> bool:
    """Give ``leave`` its due date when it needs a certificate (filed or approved); the caller saves it."""
    if leave.certificate_due is not None or leave.certificate or not needs_certificate(leave):
        return False
    leave.certificate_due = first_day_back(leave.end_at)
    return True


def _people_to_tell(leave: LeaveRequest) -> list[int]:
    from kefu.org.selectors import leads_of_team, managers_of

    person = leave.person
    ids = list(leads_of_team(person.team_id).values_list("pk", flat=True))
    ids += list(managers_of(person.department_id, "head").values_list("pk", flat=True))
    return [pk for pk in dict.fromkeys(ids) if pk != person.pk]


@transaction.atomic
def remind_certificates(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: on the due day (from 08:00) a reminder to the person, once; after the due day with no
    certificate the leave is flagged and the person's team lead and department head are told, once."""
    from kefu.workforce.services import snapshot

    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    waiting = (LeaveRequest.objects.select_related("person").filter(
        kind=LeaveKind.SICK, status__in=ACTIVE, certificate="", certificate_due__isnull=False))
    reminded = flagged = 0
    if local.time() >= REMIND_FROM:
        for leave in waiting.filter(certificate_due=today, certificate_reminded_at__isnull=True,
                                    person__is_active=True).select_for_update(of=("self",)):
            before = snapshot(leave)
            leave.certificate_reminded_at = now
            bump_version(leave)
            leave.save(update_fields=["certificate_reminded_at", "version"])
            record(actor=None, action=Action.UPDATE, obj=leave, before=before, after=snapshot(leave),
                   note="certificate reminder")
            notify(recipients=[leave.person], kind="certificate_due",
                   title=gettext_lazy("Upload your medical certificate today"),
                   body=_("Your sick leave from %(start)s needs a medical certificate by today.")
                   % {"start": f"{timezone.localtime(leave.start_at):%Y-%m-%d}"},
                   url=reverse("workforce:certificate", args=[leave.pk]))
            reminded += 1
    for leave in waiting.filter(certificate_due__lt=today, certificate_flagged_at__isnull=True
                                ).select_for_update(of=("self",)):
        before = snapshot(leave)
        leave.certificate_flagged_at = now
        bump_version(leave)
        leave.save(update_fields=["certificate_flagged_at", "version"])
        record(actor=None, action=Action.UPDATE, obj=leave, before=before, after=snapshot(leave),
               note="certificate missing")
        notify(recipients=_people_to_tell(leave), kind="certificate_missing",
               title=gettext_lazy("A medical certificate is missing"),
               body=_("%(person)s's sick leave from %(start)s: no medical certificate by %(due)s.")
               % {"person": leave.person, "start": f"{timezone.localtime(leave.start_at):%Y-%m-%d}",
                  "due": f"{leave.certificate_due:%Y-%m-%d}"},
               url=reverse("workforce:approvals"))
        flagged += 1
    return {"reminded": reminded, "flagged": flagged}


def _check_file(upload) -> None:
    name = getattr(upload, "name", "") or ""
    ext = Path(name).suffix.lower()
    if upload is None or not name:
        message = _("Choose the file of the certificate.")
    elif ext not in CERTIFICATE_TYPES:
        message = _("A certificate is a PDF, JPEG or PNG file.")
    elif upload.size > MAX_CERTIFICATE_BYTES:
        message = _("The file is larger than %(n)s MB.") % {"n": MAX_CERTIFICATE_BYTES // (1024 * 1024)}
    else:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(magic) for magic in CERTIFICATE_TYPES[ext]):
            message = _("The file's content is not a %(type)s file.") % {"type": ext[1:].upper()}
        else:
            return
    raise InvalidInput(_("The certificate cannot be saved."), errors=[FieldError("certificate", message)])


@transaction.atomic
def upload_certificate(*, actor, leave_id: int, upload) -> LeaveRequest:
    """The person (or whoever filed the leave, or a manager of the person) uploads the medical certificate;
    a missing-certificate flag is cleared."""
    from kefu.workforce.services import snapshot

    leave = access.access_leave(actor, leave_id, for_update=True)
    if actor.pk not in (leave.person_id, leave.filed_by_id) and not access.can_manage_person(actor, leave.person):
        raise NotAllowed(_("Only the person or their managers upload the certificate."))
    if leave.kind != LeaveKind.SICK or leave.status not in ACTIVE:
        raise InvalidInput(_("The certificate cannot be saved."), errors=[FieldError(
            "certificate", _("Only pending or approved sick leave takes a medical certificate."))])
    _check_file(upload)
    before = snapshot(leave)
    leave.certificate.save(Path(upload.name).name[-80:], upload, save=False)
    leave.certificate_flagged_at = None
    bump_version(leave)
    leave.save()
    record(actor=actor, action=Action.UPDATE, obj=leave, before=before, after=snapshot(leave),
           note="medical certificate uploaded")
    return leave
