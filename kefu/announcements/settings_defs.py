"""Rule settings of announcements (R-TIC-10), registered at start-up."""

from django.utils.translation import gettext_lazy as _

from kefu.rules.registry import RuleDef, RuleType, register

REMINDER_HOURS = "tickets.announcement_reminder_hours"

register(
    RuleDef(key=REMINDER_HOURS, type=RuleType.INT, default=4, min=1, max=168, unit=_("hours"),
            rule_id="R-TIC-10", group="tickets",
            label=_("Remind people to confirm an announcement after (hours)"),
            help=_("People who have not confirmed an announcement this many hours after it was published are "
                   "reminded in the app, and again every this many hours until they confirm.")),
)
