"""KPI targets per team (R-KPI-1 "Targets per KPI and team"): the team's own target for a KPI, or else the
centre's rule setting ``performance.target.<kpi>``. ``team_targets`` reads them for the editor page and the API;
``set_team_targets`` (keyword-only, transactional, audited) replaces a team's targets. Colours are
``kefu.performance.scoring``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.core.errors import Errors, NotAllowed, NotFound
from kefu.performance import access
from kefu.performance.models import KpiTarget
from kefu.performance.models_targets import TARGET_MAX
from kefu.performance.settings_defs import TARGET_MARGIN, TARGETS
from kefu.rules.selectors import get_rules

RULE = "R-KPI-1"


@dataclass
class TargetLine:
    kpi: str
    label: str
    default: int  # the centre's rule setting
    team_value: int | None  # the team's own target, None: the default applies
    target: int  # the one in force for the team

    def as_dict(self) -> dict:
        return {"kpi": self.kpi, "label": self.label, "default": self.default, "team_value": self.team_value,
                "target": self.target}


@dataclass
class TeamTargets:
    team_id: int | None
    team_name: str | None
    margin: int
    lines: list[TargetLine]
    can_edit: bool


def _team(user, team_id: int | None, *, for_update: bool = False):
    """The team ``team_id`` if in ``user``'s scope; anything else looks missing."""
    from kefu.org.models import Team

    if not access.can_review(user):
        raise NotAllowed(_("Only team leads and managers see KPI targets."))
    if team_id is None:
        return None
    if not access.team_in_scope(user, team_id):
        raise NotFound(_("No such team in your scope."))
    qs = Team.objects.select_for_update() if for_update else Team.objects
    team = qs.filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("No such team in your scope."))
    return team


def team_targets(user, team_id: int | None = None) -> TeamTargets:
    """The targets of one team of ``user``'s scope (without a team: the centre's), each KPI with the centre's
    default, the team's own value and the one in force. Two queries at most (the team and its targets; the
    settings are cached)."""
    team = _team(user, team_id)
    values = get_rules(*[f"performance.target.{k}" for k in TARGETS], TARGET_MARGIN, centre_id=user.centre_id)
    own = dict(KpiTarget.objects.filter(team=team).values_list("kpi", "value")) if team else {}
    lines = [TargetLine(kpi=k, label=str(label), default=values[f"performance.target.{k}"], team_value=own.get(k),
                        target=own.get(k, values[f"performance.target.{k}"])) for k, (_d, label) in TARGETS.items()]
    return TeamTargets(team_id=team.pk if team else None, team_name=team.name if team else None,
                       margin=values[TARGET_MARGIN], lines=lines,
                       can_edit=bool(team) and access.can_set_targets(user))


def _clean(errors: Errors, targets) -> dict[str, int]:
    if not isinstance(targets, Mapping):
        errors.add("targets", _("Give the targets as KPI → value."))
        return {}
    out = {}
    for kpi, raw in targets.items():
        name = f"targets.{kpi}"
        if kpi not in TARGETS:
            errors.add(name, _("Unknown KPI; choose one of %(names)s.") % {"names": ", ".join(TARGETS)})
            continue
        if raw is None or raw == "":
            continue  # no own target: the centre's applies
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            errors.add(name, _("Enter a whole number from 0 to %(max)d.") % {"max": TARGET_MAX})
            continue
        try:
            value = int(str(raw).strip())
        except ValueError:
            errors.add(name, _("Enter a whole number from 0 to %(max)d.") % {"max": TARGET_MAX})
            continue
        if not 0 <= value <= TARGET_MAX:
            errors.add(name, _("Enter a whole number from 0 to %(max)d.") % {"max": TARGET_MAX})
            continue
        out[kpi] = value
    return out


@transaction.atomic
def set_team_targets(*, actor, team_id: int, targets: Mapping[str, int | None]) -> TeamTargets:
    """Replace the team's own targets with ``targets`` (KPI → value 0–100); a KPI left out or empty uses the
    centre's target again. Leads for their team, heads for their department's, directors and admins for the
    centre's; anything refused changes nothing."""
    if not access.can_set_targets(actor):
        raise NotAllowed(_("Only team leads and managers set KPI targets."))
    team = _team(actor, team_id, for_update=True)
    if team is None:
        raise NotFound(_("No such team in your scope."))
    errors = Errors()
    wanted = _clean(errors, targets)
    errors.raise_if_any(_("The targets were not saved."))
    before = dict(KpiTarget.objects.filter(team=team).values_list("kpi", "value"))
    if before != wanted:
        now = timezone.now()
        KpiTarget.objects.filter(team=team).exclude(kpi__in=list(wanted)).delete()
        for kpi, value in wanted.items():
            if before.get(kpi) != value:
                KpiTarget.objects.update_or_create(team=team, kpi=kpi,
                                                   defaults={"value": value, "updated_by": actor, "updated_at": now})
        record(actor=actor, action=Action.UPDATE, object_type="performance.kpitarget", object_id=team.pk,
               object_repr=_("KPI targets of %(team)s") % {"team": team.name}, before=before, after=wanted,
               note=RULE)
    return team_targets(actor, team.pk)
