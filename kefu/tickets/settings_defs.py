"""Ticket rule settings beyond SPEC's own numbers (SLA %, stuck hours and compensation limits are in
:mod:`kefu.rules.registry`). Time limits per type × priority are rows of :class:`SlaPolicy`, with the
shipped defaults of :data:`DEFAULT_SLA` until an administrator edits them."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from kefu.rules.registry import RuleDef, RuleType, ascending, register, register_constraint
from kefu.tickets.choices import Priority

_G = "tickets"
HOURS = _("hours")
YUAN = "¥"
MONEY_MAX = Decimal("99999999.99")

# priority → (first response, resolution) in minutes of business time; the same for every type unless
# an administrator sets a row in SlaPolicy. Complaints get the same limits but escalate sooner.
DEFAULT_SLA: dict[str, tuple[int, int]] = {
    Priority.URGENT: (30, 4 * 60),
    Priority.HIGH: (60, 8 * 60),
    Priority.NORMAL: (2 * 60, 16 * 60),
    Priority.LOW: (4 * 60, 40 * 60),
}

register(
    RuleDef(key="tickets.handover_task_hours", type=RuleType.INT, default=8, min=1, max=720, unit=HOURS,
            rule_id="R-TIC-3", group=_G, label=_("Time limit of a department task (business hours)"),
            help=_("A task handed to another department is due after this many business hours unless a due "
                   "time is given.")),
    RuleDef(key="tickets.callback_within_hours", type=RuleType.INT, default=24, min=1, max=720, unit=HOURS,
            rule_id="R-TIC-8", group=_G, label=_("Callback due within (business hours)"),
            help=_("The callback of a resolved complaint or after-sales ticket is due after this long.")),
    RuleDef(key="tickets.escalate_on_breach", type=RuleType.BOOL, default=True, rule_id="R-TIC-6", group=_G,
            label=_("Escalate automatically on a time-limit breach"),
            help=_("A ticket whose resolution limit is breached moves one escalation level up.")),
    RuleDef(key="tickets.escalate_vip_complaint", type=RuleType.BOOL, default=True, rule_id="R-TIC-6", group=_G,
            label=_("Escalate a VIP customer's complaint to the team lead at once"),
            help=_("A complaint from a customer in the VIP tier starts at the team lead level.")),
    RuleDef(key="tickets.attachment_max_mb", type=RuleType.INT, default=10, min=1, max=200,
            rule_id="R-TIC-1", group=_G, label=_("Largest attachment (MB)"),
            help=_("Attachments larger than this are refused.")),
    RuleDef(key="tickets.assignment_mode", type=RuleType.CHOICE, default="least_load",
            choices=(("manual", _("Manual: agents claim, leads assign")),
                     ("round_robin", _("Round-robin among agents on duty")),
                     ("least_load", _("Lowest open load among agents on duty"))),
            rule_id="R-TIC-3", group=_G, label=_("Automatic assignment of new tickets"),
            help=_("How a new ticket created without an owner (web form, API) is assigned.")),
    RuleDef(key="tickets.max_open_per_agent", type=RuleType.INT, default=30, min=1, max=1000,
            rule_id="R-TIC-3", group=_G, label=_("Open tickets per agent for automatic assignment (at most)"),
            help=_("Agents at this many open tickets get no more automatically.")),
)

# R-TIC-7: besides the total on one ticket (tickets.compensation_limit.*, in the registry), each role's
# authority also caps the total for one customer in one day, over all their tickets, so an amount cannot be
# split across a customer's tickets either. Defaults: the same ladder as the per-ticket authority.
register(
    RuleDef(key="tickets.compensation_customer_day_limit.agent", type=RuleType.DECIMAL, default=Decimal("50.00"),
            min=Decimal("0.00"), max=MONEY_MAX, unit=YUAN, rule_id="R-TIC-7", group=_G,
            label=_("Compensation authority per customer per day: agent (up to)"),
            help=_("An agent may grant at most this much in total to one customer in one day (all their "
                   "tickets, approved and pending together); more needs approval.")),
    RuleDef(key="tickets.compensation_customer_day_limit.lead", type=RuleType.DECIMAL, default=Decimal("200.00"),
            min=Decimal("0.00"), max=MONEY_MAX, unit=YUAN, rule_id="R-TIC-7", group=_G,
            label=_("Compensation authority per customer per day: team lead (up to)"),
            help=_("A team lead may grant or approve at most this much in total to one customer in one day.")),
    RuleDef(key="tickets.compensation_customer_day_limit.head", type=RuleType.DECIMAL, default=Decimal("1000.00"),
            min=Decimal("0.00"), max=MONEY_MAX, unit=YUAN, rule_id="R-TIC-7", group=_G,
            label=_("Compensation authority per customer per day: department head (up to)"),
            help=_("A department head may grant or approve at most this much in total to one customer in one "
                   "day; above it, the centre director decides.")),
)
register_constraint(
    ascending("tickets.compensation_customer_day_limit.agent", "tickets.compensation_customer_day_limit.lead",
              "tickets.compensation_customer_day_limit.head", strict=False),
)
