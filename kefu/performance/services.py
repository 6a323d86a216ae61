"""Every change of the 3E daily log (R-KPI-3): keyword-only, transactional, audited; pages and the API
call these. A person files their own log once per day; they may edit it the same day."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record, snapshot
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, FieldError, NotAllowed, NotFound, RuleViolation
from kefu.performance import access
from kefu.performance.models import DailyLog
from kefu.performance.settings_defs import DAILY_LOG_BACKFILL_DAYS
from kefu.rules.selectors import get_rule

RULE_LOG = "R-KPI-3"
LOG_FIELDS = ("products", "discussed", "solved", "open", "help_needed", "plan")
FIELD_MAX = 2000


def _clean(errors: Errors, values: dict) -> dict[str, str]:
    out = {}
    for name in LOG_FIELDS:
        text = str(values.get(name) or "").strip()
        if "\x00" in text:
            errors.add(name, _("The text contains a character that cannot be stored."))
        elif len(text) > FIELD_MAX:
            errors.add(name, _("At most %(n)d characters.") % {"n": FIELD_MAX})
        out[name] = text
    if not errors.items and not any(out[n] for n in ("products", "discussed", "solved", "open")):
        errors.add("products", _("Write at least what was asked about, discussed, solved or left open today."))
    return out


def _check_date(errors: Errors, day, today: dt.date) -> None:
    if not isinstance(day, dt.date):
        errors.add("date", _("Enter the day of the log."))
        return
    if day > today:
        errors.add("date", _("A daily log is written on the day or after it, not before."))
    elif (today - day).days > get_rule(DAILY_LOG_BACKFILL_DAYS):
        errors.add("date", _("Too late: a daily log may be filed at most %(n)d day(s) after the day.")
                   % {"n": get_rule(DAILY_LOG_BACKFILL_DAYS)})


@transaction.atomic
def file_daily_log(*, actor, date: dt.date, products: str = "", discussed: str = "", solved: str = "",
                   open: str = "", help_needed: str = "", plan: str = "") -> DailyLog:  # noqa: A002
    """The actor's own log of ``date``; a second one for the same day → 422 naming R-KPI-3."""
    if not access.can_file(actor):
        raise NotAllowed(_("Only agents and team leads write a 3E daily log."))
    errors = Errors()
    _check_date(errors, date, timezone.localdate())
    values = _clean(errors, {"products": products, "discussed": discussed, "solved": solved, "open": open,
                             "help_needed": help_needed, "plan": plan})
    errors.raise_if_any(_("The daily log has invalid fields."))
    duplicate = RuleViolation(_("You have already filed your daily log for this day; edit it instead."),
                              rule=RULE_LOG, errors=[FieldError("date", _("Already filed for this day."))])
    if DailyLog.objects.filter(person=actor, date=date).exists():
        raise duplicate
    now = timezone.now()
    try:
        with transaction.atomic():
            log = DailyLog.objects.create(person=actor, date=date, created_at=now, updated_at=now, **values)
    except IntegrityError:  # filed twice at the same moment (two tabs)
        raise duplicate from None
    record(actor=actor, action=Action.CREATE, obj=log, after=snapshot(log))
    return log


def access_log(user, log_id: int, *, for_update: bool = False) -> DailyLog:
    """A log its author or a manager of the author may see; anything else looks missing."""
    qs = DailyLog.objects.select_related("person")
    if for_update:
        qs = qs.select_for_update()
    log = qs.filter(pk=log_id).first()
    if log is None or not (log.person_id == user.pk or access.can_handle_help(user, log.person)):
        raise NotFound(_("No such daily log."))
    return log


@transaction.atomic
def update_daily_log(*, actor, log_id: int, version: int | None, **values) -> DailyLog:
    """The author edits their log while it may still be filed (the same day or the backfill days)."""
    log = access_log(actor, log_id, for_update=True)
    if log.person_id != actor.pk:
        raise NotAllowed(_("Only the author edits a daily log."))
    check_version(log, version)
    errors = Errors()
    _check_date(errors, log.date, timezone.localdate())
    cleaned = _clean(errors, {n: values.get(n, getattr(log, n)) for n in LOG_FIELDS})
    errors.raise_if_any(_("The daily log has invalid fields."))
    before = snapshot(log)
    for name, value in cleaned.items():
        setattr(log, name, value)
    log.updated_at = timezone.now()
    bump_version(log)
    log.save()
    record(actor=actor, action=Action.UPDATE, obj=log, before=before, after=snapshot(log))
    return log


@transaction.atomic
def handle_help(*, actor, log_id: int, version: int | None, reply: str = "") -> DailyLog:
    """The lead answers a help request of a log of their team and marks it handled; the author is told."""
    log = access_log(actor, log_id, for_update=True)
    if not access.can_handle_help(actor, log.person):
        raise NotFound(_("No such daily log."))
    check_version(log, version)
    reply = str(reply or "").strip()
    errors = Errors()
    if not log.help_needed:
        errors.add("reply", _("This log asks for no help."))
    if len(reply) > 500:
        errors.add("reply", _("At most %(n)d characters.") % {"n": 500})
    errors.raise_if_any(_("The request has invalid fields."))
    before = snapshot(log)
    log.help_handled_by, log.help_handled_at, log.help_reply = actor, timezone.now(), reply
    bump_version(log)
    log.save(update_fields=["help_handled_by", "help_handled_at", "help_reply", "version"])
    record(actor=actor, action=Action.UPDATE, obj=log, before=before, after=snapshot(log))
    from kefu.notifications.services import notify

    notify(recipients=[log.person], kind="daily_log_help",
           title=_("%(name)s answered your request for help") % {"name": str(actor)},
           body=reply)
    return log
