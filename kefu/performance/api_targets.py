"""KPI targets per team and the assessment weights' versions (R-KPI-1):

* ``GET /kpi/targets?team=`` — each KPI's centre default, the team's own target and the one in force (without
  ``team``: the centre's); ``PUT /kpi/targets?team=`` ``{"targets": {"fcr_rate": 80, …}}`` replaces the team's
  own targets (a KPI left out or null: the centre's target again).
* ``GET /kpi/weights?date=`` — the version in force on the day (default today) and every version;
  ``POST /kpi/weights`` adds a version (heads, directors, admins)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from kefu.core.api import ErrorOut
from kefu.core.errors import FieldError, InvalidInput
from kefu.performance import targets, weights
from kefu.performance.models_targets import WEIGHT_MAX

router = Router(tags=["kpi"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
TEAM = Field(None, ge=1, le=2**31 - 1)


class TargetsQuery(Schema):
    team: int | None = TEAM


class TargetLineOut(Schema):
    kpi: str
    label: str
    default: int = Field(..., description="The centre's target (rule setting performance.target.<kpi>).")
    team_value: int | None = Field(..., description="The team's own target; null: the centre's applies.")
    target: int = Field(..., description="The target in force for the team.")


class TargetsOut(Schema):
    team: int | None
    team_name: str | None
    margin: int = Field(..., description="Amber down to this many points under the target (rule setting).")
    targets: list[TargetLineOut]


class TargetsIn(Schema):
    targets: dict[str, int | None] = Field(..., description="KPI → target 0–100; left out or null: the centre's.")


def _targets_out(t: targets.TeamTargets) -> dict:
    return {"team": t.team_id, "team_name": t.team_name, "margin": t.margin,
            "targets": [line.as_dict() for line in t.lines]}


@router.get("/kpi/targets", response={200: TargetsOut, **ERRORS})
def get_targets(request, q: Query[TargetsQuery]):
    return _targets_out(targets.team_targets(request.user, q.team))


@router.put("/kpi/targets", response={200: TargetsOut, **ERRORS})
def put_targets(request, q: Query[TargetsQuery], payload: TargetsIn):
    """Leads for their team, heads for their department's teams, directors and admins for the centre's."""
    if q.team is None:
        raise InvalidInput(_("The request has invalid fields."), errors=[FieldError("team", _("Choose a team."))])
    return _targets_out(targets.set_team_targets(actor=request.user, team_id=q.team, targets=payload.targets))


class WeightsQuery(Schema):
    date: dt.date | None = Field(None, description="The day whose version in force is wanted; default today.")


class WeightsOut(Schema):
    version: int = Field(..., description="0: the built-in defaults (no version stored).")
    effective_from: dt.date | None
    fcr: int
    sla: int
    csat: int
    qa: int
    discipline: int
    change_note: str = ""
    created_by: str | None = None


class WeightsListOut(Schema):
    in_force: WeightsOut
    versions: list[WeightsOut]


class WeightsIn(Schema):
    fcr: int = Field(..., ge=0, le=WEIGHT_MAX)
    sla: int = Field(..., ge=0, le=WEIGHT_MAX)
    csat: int = Field(..., ge=0, le=WEIGHT_MAX)
    qa: int = Field(..., ge=0, le=WEIGHT_MAX)
    discipline: int = Field(..., ge=0, le=WEIGHT_MAX)
    effective_from: dt.date | None = Field(None, description="Today or later; default today.")
    change_note: str = Field("", max_length=300)
    based_on: int | None = Field(None, ge=0, le=2**31 - 1, description="The newest version you read.")


def _version_out(w) -> dict:
    return {"version": w.version, "effective_from": w.effective_from,
            **{c: getattr(w, c) for c in ("fcr", "sla", "csat", "qa", "discipline")},
            "change_note": getattr(w, "change_note", ""),
            "created_by": str(w.created_by) if getattr(w, "created_by_id", None) else None}


@router.get("/kpi/weights", response={200: WeightsListOut, **ERRORS})
def get_weights(request, q: Query[WeightsQuery]):
    """Anyone signed in may read how the assessment score is weighted."""
    if q.date is not None and not 2000 <= q.date.year <= 9998:
        raise InvalidInput(_("The request has invalid fields."), errors=[
            FieldError("date", _("Choose a day between the years %(a)d and %(b)d.") % {"a": 2000, "b": 9998})])
    return {"in_force": _version_out(weights.in_force(q.date)),
            "versions": [_version_out(w) for w in weights.versions()]}


@router.post("/kpi/weights", response={201: WeightsOut, **ERRORS})
def post_weights(request, payload: WeightsIn):
    return Status(201, _version_out(weights.add_version(actor=request.user, **payload.dict())))
