"""The assessment score's weights, versioned like scorecards (R-KPI-1, used by R-ORG-3): ``versions`` lists them,
``add_version`` (keyword-only, transactional, audited) adds one. A version is never changed; a new one takes
effect on its ``effective_from`` (today or later, never before the newest version's), so every period already
begun keeps the version in force on its first day (``kefu.performance.scoring.weights_on``) and the scores of
the ladder's past months do not move."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record, snapshot
from kefu.core.errors import Errors, FieldError, NotAllowed, StaleVersion
from kefu.performance import access, scoring
from kefu.performance.models import AssessmentWeights
from kefu.performance.models_targets import WEIGHT_MAX

RULE = "R-KPI-1"
NOTE_MAX = 300


def versions():
    """Every version, newest first, with who made it (one query)."""
    return AssessmentWeights.objects.select_related("created_by").order_by("-version")


def in_force(day: dt.date | None = None) -> scoring.Weights:
    return scoring.weights_on(day)


def _clean_weight(errors: Errors, name: str, raw) -> int:
    if isinstance(raw, bool) or raw is None or not isinstance(raw, int | str):
        errors.add(name, _("Enter a whole number from 0 to %(max)d.") % {"max": WEIGHT_MAX})
        return 0
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors.add(name, _("Enter a whole number from 0 to %(max)d.") % {"max": WEIGHT_MAX})
        return 0
    if not 0 <= value <= WEIGHT_MAX:
        errors.add(name, _("Enter a whole number from 0 to %(max)d.") % {"max": WEIGHT_MAX})
    return value


@transaction.atomic
def add_version(*, actor, fcr, sla, csat, qa, discipline, effective_from: dt.date | None = None,
                change_note: str = "", based_on: int | None = None) -> AssessmentWeights:
    """A new version of the weights, in force from ``effective_from`` (default today). ``based_on`` is the
    newest version the editor saw: a version added meanwhile → 409, nothing saved."""
    if not access.can_edit_weights(actor):
        raise NotAllowed(_("Only department heads, directors and administrators change the assessment weights."))
    today = timezone.localdate()
    errors = Errors()
    values = {code: _clean_weight(errors, code, raw) for code, raw in
              (("fcr", fcr), ("sla", sla), ("csat", csat), ("qa", qa), ("discipline", discipline))}
    if not errors.items and not any(values.values()):
        errors.add("fcr", _("At least one weight must be more than 0."))
    latest = AssessmentWeights.objects.select_for_update().order_by("-version").first()
    if effective_from is None:
        effective_from = today
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        errors.add("effective_from", _("Enter a date as YYYY-MM-DD."))
    elif effective_from < today:
        errors.add("effective_from", _("A new version takes effect today or later: periods already scored keep "
                                       "their version."))
    elif latest is not None and effective_from < latest.effective_from:
        errors.add("effective_from", _("Version %(v)d takes effect on %(day)s; a newer version cannot take effect "
                                       "before it.") % {"v": latest.version, "day": latest.effective_from.isoformat()})
    note = str(change_note or "").strip()
    if len(note) > NOTE_MAX:
        errors.add("change_note", _("At most %(n)d characters.") % {"n": NOTE_MAX})
    errors.raise_if_any(_("The weights were not saved."))
    number = (latest.version if latest else 0) + 1
    if based_on is not None and based_on != number - 1:
        raise StaleVersion(_("Someone added version %(v)d of the weights meanwhile; reload and try again.")
                           % {"v": number - 1}, errors=[FieldError("based_on", _("Not the newest version."))])
    try:
        with transaction.atomic():
            weights = AssessmentWeights.objects.create(version=number, effective_from=effective_from,
                                                       change_note=note, created_by=actor, created_at=timezone.now(),
                                                       **values)
    except IntegrityError:  # two editors at the same moment (no version to lock yet)
        raise StaleVersion(_("Someone added a version of the weights meanwhile; reload and try again.")) from None
    record(actor=actor, action=Action.CREATE, obj=weights, after=snapshot(weights), note=note or RULE)
    scoring.forget_weights()
    return weights
