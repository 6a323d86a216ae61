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
