"""How KPI figures become scores and colours (R-KPI-1): the assessment score's weighted combination (used by the
level ladder of R-ORG-3) and the green/amber/red status against targets.

* **Weights** are versioned rows (``AssessmentWeights``, like scorecards): a change is a new version with the day
  it takes effect, an old version never changes, and a period's score uses the version in force on the period's
  first day. The versions are few; they are read once per process and cached until one is added
  (``weights.add_version`` invalidates). Without any version stored, the built-in defaults apply (version 0).
* **Targets** are the centre's rule settings ``performance.target.*``, overridden per team by ``KpiTarget`` rows;
  a team row and an agent row use their team's targets. :func:`targets_for` reads them for a whole table in one
  query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from kefu.rules.selectors import get_rules

if TYPE_CHECKING:
    from kefu.performance.kpi import KpiRow


# (KPI, weight field of AssessmentWeights)
ASSESSMENT_WEIGHTS = (
    ("fcr_rate", "fcr"),
    ("sla_rate", "sla"),
    ("csat", "csat"),
    ("qa_score", "qa"),
    ("violations", "discipline"),
)
WEIGHT_CODES = tuple(code for _n, code in ASSESSMENT_WEIGHTS)
WEIGHTS_CACHE = "performance-weights"


@dataclass(frozen=True)
class Weights:
    """The weights of one version (0: the built-in defaults, no version stored yet)."""

    version: int
    effective_from: dt.date | None
    fcr: int
    sla: int
    csat: int
    qa: int
    discipline: int

    def of(self, code: str) -> int:
        return int(getattr(self, code))

    def as_dict(self) -> dict:
        return {"version": self.version,
                "effective_from": self.effective_from.isoformat() if self.effective_from else None,
                **{c: self.of(c) for c in WEIGHT_CODES}}


def default_weights() -> Weights:
    from kefu.performance.settings_defs import DEFAULT_WEIGHTS

    return Weights(version=0, effective_from=None, **DEFAULT_WEIGHTS)


def _load_versions(_slot) -> dict:
    from kefu.performance.models import AssessmentWeights

    rows = AssessmentWeights.objects.order_by("version").values("version", "effective_from", *WEIGHT_CODES)
    return {"versions": [Weights(**r) for r in rows]}


def weight_versions() -> list[Weights]:
    """Every stored version, oldest first (cached per process until a version is added)."""
    from kefu.rules import cache

    return cache.overrides(0, _load_versions, namespace=WEIGHTS_CACHE)["versions"]


def forget_weights() -> None:
    """A version was added (called by the writing service, inside its transaction)."""
    from kefu.rules import cache

    cache.invalidate(0, namespace=WEIGHTS_CACHE)


def weights_on(day: dt.date | None = None) -> Weights:
    """The version in force on ``day`` (default today): the newest whose ``effective_from`` is on or before it.
    Before the first version (or with none stored), the built-in defaults."""
    day = day or timezone.localdate()
    found = None
    for w in weight_versions():
        if w.effective_from is not None and w.effective_from <= day and (found is None or w.version > found.version):
            found = w
    return found or default_weights()


def _component(name: str, value) -> float | None:
    """Each KPI on 0–100: rates × 100, CSAT 1–5 → 0–100, QA as it is, violations 100 less 25 each."""
    if value is None:
        return None
    if name in {"fcr_rate", "sla_rate"}:
        return float(value) * 100
    if name == "csat":
        return (float(value) - 1) / 4 * 100
    if name == "violations":
        return max(0.0, 100.0 - 25.0 * value)
    return float(value)


def rules(centre_id: int | None, *, on: dt.date | None = None) -> dict:
    """The centre's targets and margin (``get_rules``) and, under ``"weights"``, the weights in force on ``on``
    (a period's first day; default today) — read once for a whole table."""
    from kefu.performance.settings_defs import TARGET_MARGIN, TARGETS

    values = get_rules(*[f"performance.target.{n}" for n in TARGETS], TARGET_MARGIN, centre_id=centre_id)
    values["weights"] = weights_on(on)
    return values


def assessment(row: KpiRow, values: dict | None = None) -> float | None:
    """The weighted mean of the KPIs that have a value; None when none has one (or all weights are 0)."""
    values = values if values is not None else rules(None)
    weights: Weights = values.get("weights") or weights_on(None)
    total = weight_sum = 0.0
    for name, code in ASSESSMENT_WEIGHTS:
        value = _component(name, getattr(row, name))
        weight = float(weights.of(code))
        if value is None or weight <= 0:
            continue
        if name == "violations" and row.handled == 0 and all(
                getattr(row, n) is None for n, _c in ASSESSMENT_WEIGHTS if n != "violations"):
            continue  # a period without any work is not scored on discipline alone
        total += value * weight
        weight_sum += weight
    return round(total / weight_sum, 1) if weight_sum else None


def on_100(name: str, value) -> float | None:
    """A KPI on the scale of its target: rates in %, CSAT in % of 5 points, QA as it is."""
    if value is None:
        return None
    if name in {"fcr_rate", "sla_rate", "callback_rate", "followups_on_time_rate"}:
        return float(value) * 100
    if name == "csat":
        return float(value) / 5 * 100
    return float(value)


def status(name: str, value, values: dict | None = None, *, target: int | None = None) -> str | None:
    """"green", "amber" or "red" against the KPI's target — ``target`` when given (a team's), else the centre's
    rule setting; None without a target or value."""
    from kefu.performance.settings_defs import TARGET_MARGIN, TARGETS

    if name not in TARGETS or value is None:
        return None
    values = values if values is not None else rules(None)
    if target is None:
        target = values[f"performance.target.{name}"]
    scaled = on_100(name, value)
    if scaled >= target:
        return "green"
    return "amber" if scaled >= target - values[TARGET_MARGIN] else "red"


# -- targets per team ------------------------------------------------------------------------------------

@dataclass
class Targets:
    """The targets of one table: the centre's defaults and margin, and each row's team's own targets."""

    values: dict
    by_row: dict[str, dict[str, int]] = field(default_factory=dict)  # row key → {kpi: team target}
    team_of: dict[str, int] = field(default_factory=dict)  # row key → team id (rows whose team has targets)

    @property
    def margin(self) -> int:
        from kefu.performance.settings_defs import TARGET_MARGIN

        return self.values[TARGET_MARGIN]

    def default(self, name: str) -> int | None:
        return self.values.get(f"performance.target.{name}")

    def target(self, row, name: str) -> int | None:
        """The target used for ``row`` (a KpiRow or its key): its team's when set, else the centre's."""
        key = row if isinstance(row, str) else row.key
        own = self.by_row.get(key, {}).get(name)
        return own if own is not None else self.default(name)

    def is_team_target(self, row, name: str) -> bool:
        key = row if isinstance(row, str) else row.key
        return name in self.by_row.get(key, {})

    def status(self, row, name: str, value=None) -> str | None:
        value = getattr(row, name) if value is None and not isinstance(row, str) else value
        return status(name, value, self.values, target=self.target(row, name))


def team_target_rows(*, team_ids=None, usernames=None):
    """(row key, team id, kpi, value) of the team targets of the given teams (key: the team's name) or of the
    given people's teams (key: the username) — one query."""
    from kefu.performance.models import KpiTarget

    if usernames is not None:
        return list(KpiTarget.objects.filter(team__members__username__in=list(usernames))
                    .values_list("team__members__username", "team_id", "kpi", "value"))
    return list(KpiTarget.objects.filter(team_id__in=list(team_ids or ()))
                .values_list("team__name", "team_id", "kpi", "value"))


def targets_for(user, rows, *, level: str, on: dt.date | None = None, values: dict | None = None) -> Targets:
    """The targets of a KPI table of ``level`` for ``user``: agent rows take their team's targets, team rows
    their own team's, shop rows the centre's. One query for the team targets (none for shops), whatever the
    number of rows. A team row is matched by ``row.extra["team_id"]`` when the KPI code gives it, else by its
    name among ``user``'s teams (a name two of them share falls back to the centre's targets)."""
    from kefu.org.scope import scope_for

    values = values if values is not None else rules(getattr(user, "centre_id", None), on=on)
    book = Targets(values=values)
    rows = list(rows)
    if not rows or level == "shop":
        return book
    if level == "agent":
        found = team_target_rows(usernames=[r.key for r in rows])
    else:
        found = team_target_rows(team_ids=scope_for(user).team_ids)
        by_id = {r.extra.get("team_id"): r.key for r in rows if r.extra.get("team_id")}
        names: dict[str, set[int]] = {}
        for name, team_id, _k, _v in found:
            names.setdefault(name, set()).add(team_id)
        found = [(by_id.get(team_id, name), team_id, kpi, value) for name, team_id, kpi, value in found
                 if team_id in by_id or (not by_id and len(names[name]) == 1)]
    for key, team_id, kpi, value in found:
        book.by_row.setdefault(key, {})[kpi] = value
        book.team_of[key] = team_id
    return book
