"""Rule settings of performance (R-KPI-1 … R-KPI-3), registered at start-up."""

from django.utils.translation import gettext_lazy as _

from kefu.rules.registry import RuleDef, RuleType, register

DAILY_LOG_BACKFILL_DAYS = "performance.daily_log_backfill_days"

register(
    RuleDef(key=DAILY_LOG_BACKFILL_DAYS, type=RuleType.INT, default=1, min=0, max=31, unit=_("days"),
            rule_id="R-KPI-3", group="performance", label=_("A 3E daily log may be filed late by (days)"),
            help=_("0: only for today. 1: today's or yesterday's log (for a night shift that ends after "
                   "midnight, or a log forgotten at the end of the day).")),
)

# The assessment score (R-KPI-1 "a scorecard that combines them into one assessment score", used by R-ORG-3):
# a weighted mean of the KPIs that have a value, each on 0–100. The weights are versioned rows
# (``AssessmentWeights``, edited at /performance/kpi/weights/) since migration 0003, which took version 1 from the
# rule settings ``performance.assessment_weight.*`` (retired: no longer declared). These are the built-in
# defaults, in force while no version is stored.
DEFAULT_WEIGHTS = {"fcr": 20, "sla": 20, "csat": 20, "qa": 30, "discipline": 10}

# Targets (green at or above the target, amber within the margin below it, red under that).
TARGETS = {
    "fcr_rate": (75, _("Target: first-contact resolution (%)")),
    "sla_rate": (90, _("Target: resolved within the time limit (%)")),
    "callback_rate": (95, _("Target: callbacks made (%)")),
    "csat": (90, _("Target: satisfaction after callback (% of 5 points)")),
    "qa_score": (85, _("Target: QA score")),
    "followups_on_time_rate": (90, _("Target: follow-ups on time (%)")),
}
for code, (default, label) in TARGETS.items():
    register(RuleDef(key=f"performance.target.{code}", type=RuleType.INT, default=default, min=0, max=100,
                     rule_id="R-KPI-1", group="performance", label=label,
                     help=_("Shown green at or above the target, amber up to the margin below it, red under that.")))
TARGET_MARGIN = "performance.target_margin"
register(RuleDef(key=TARGET_MARGIN, type=RuleType.INT, default=10, min=0, max=50, unit=_("points"),
                 rule_id="R-KPI-1", group="performance", label=_("Amber margin below a target (points)"),
                 help=_("A KPI this many points or less under its target is amber; further under is red.")))
