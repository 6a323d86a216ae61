"""Rule settings of surveys (R-SAT-1), registered at start-up."""

from django.utils.translation import gettext_lazy as _

from kefu.rules.registry import RuleDef, RuleType, register

LINK_DAYS = "quality.survey_link_days"
SAMPLE_SIZE = "quality.survey_sample_size"

register(
    RuleDef(key=LINK_DAYS, type=RuleType.INT, default=14, min=1, max=90, unit=_("days"), rule_id="R-SAT-1",
            group="quality", label=_("A survey link answers for (days)"),
            help=_("A customer's survey link expires this many days after it was sent.")),
    RuleDef(key=SAMPLE_SIZE, type=RuleType.INT, default=50, min=1, max=5000, unit=_("customers"),
            rule_id="R-SAT-1", group="quality", label=_("Customers asked per survey round"),
            help=_("How many customers a survey round samples, at most, from those whose tickets were resolved "
                   "in the survey's period.")),
)
