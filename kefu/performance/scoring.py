"""How KPI figures become scores and colours: the assessment score's weighted combination (R-KPI-1, used by
the level ladder of R-ORG-3) and the green/amber/red status against targets. Weights and targets are rule
settings (``kefu.performance.settings_defs``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kefu.rules.selectors import get_rules

if TYPE_CHECKING:
    from kefu.performance.kpi import KpiRow


ASSESSMENT_WEIGHTS = (
    ("fcr_rate", "performance.assessment_weight.fcr"),
    ("sla_rate", "performance.assessment_weight.sla"),
    ("csat", "performance.assessment_weight.csat"),
    ("qa_score", "performance.assessment_weight.qa"),
    ("violations", "performance.assessment_weight.discipline"),
)


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


def rules(centre_id: int | None) -> dict:
    """The weights, targets and margin in force, read once (``get_rules``) for a whole table."""
    from kefu.performance.settings_defs import TARGET_MARGIN, TARGETS

    keys = [k for _n, k in ASSESSMENT_WEIGHTS] + [f"performance.target.{n}" for n in TARGETS] + [TARGET_MARGIN]
    return get_rules(*keys, centre_id=centre_id)


def assessment(row: KpiRow, values: dict | None = None) -> float | None:
    """The weighted mean of the KPIs that have a value; None when none has one (or all weights are 0)."""
    values = values if values is not None else rules(None)
    total = weight_sum = 0.0
    for name, key in ASSESSMENT_WEIGHTS:
        value = _component(name, getattr(row, name))
        weight = float(values[key])
        if value is None or weight <= 0:
            continue
        if name == "violations" and row.handled == 0 and all(
                getattr(row, n) is None for n, _k in ASSESSMENT_WEIGHTS if n != "violations"):
            continue  # a period without any work is not scored on discipline alone
        total += value * weight
        weight_sum += weight
    return round(total / weight_sum, 1) if weight_sum else None


def _on_100(name: str, value) -> float | None:
    if value is None:
        return None
    if name in {"fcr_rate", "sla_rate", "callback_rate", "followups_on_time_rate"}:
        return float(value) * 100
    if name == "csat":
        return float(value) / 5 * 100
    return float(value)


def status(name: str, value, values: dict | None = None) -> str | None:
    """"green", "amber" or "red" against the KPI's target (rule settings); None without a target or value."""
    from kefu.performance.settings_defs import TARGET_MARGIN, TARGETS

    if name not in TARGETS or value is None:
        return None
    values = values if values is not None else rules(None)
    target = values[f"performance.target.{name}"]
    scaled = _on_100(name, value)
    if scaled >= target:
        return "green"
    return "amber" if scaled >= target - values[TARGET_MARGIN] else "red"
