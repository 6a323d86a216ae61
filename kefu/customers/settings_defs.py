"""Rule settings of the customer archive beyond SPEC's own numbers (registered at start-up).

SPEC's numbers (cadences, urgency bands, grade months, VIP share, churn, pool multiplier) are declared
in :mod:`kefu.rules.registry`; these are the knobs the issue adds around them.
"""

from django.utils.translation import gettext_lazy as _

from kefu.rules.registry import RuleDef, RuleType, register

DAYS = _("days")
_G = "customers"

VALUE_WEIGHTS = {
    "tenure": (10, _("Value weight: tenure")),
    "spend": (35, _("Value weight: total spend")),
    "purchases": (15, _("Value weight: number of purchases")),
    "frequency": (15, _("Value weight: purchases per month")),
    "items": (5, _("Value weight: distinct items")),
    "referrals": (10, _("Value weight: referrals made")),
    "campaigns": (5, _("Value weight: campaign participation")),
    "complaints": (-5, _("Value weight: complaints and feedback")),
}

POOL_DAYS_LABELS = {
    "A": _("Return to the pool after, grade A (days; 0 = by cadence)"),
    "B": _("Return to the pool after, grade B (days; 0 = by cadence)"),
    "C": _("Return to the pool after, grade C (days; 0 = by cadence)"),
    "D": _("Return to the pool after, grade D (days; 0 = by cadence)"),
    "E": _("Return to the pool after, grade E (days; 0 = by cadence)"),
}

register(
    *(
        RuleDef(key=f"customers.pool_days.{grade}", type=RuleType.INT, default=0, min=0, max=3650, unit=DAYS,
                rule_id="R-CUS-10", group=_G, label=POOL_DAYS_LABELS[grade],
                help=_("Days without follow-up after which a customer of this grade returns to the pool; 0 uses "
                       "the multiplier of the cadence."))
        for grade in "ABCDE"
    ),
    RuleDef(key="customers.pool_exempt_won", type=RuleType.BOOL, default=True, rule_id="R-CUS-10", group=_G,
            label=_("Customers with a won deal never return to the pool"),
            help=_("When on, customers whose deal status is won stay with their owner.")),
    RuleDef(key="customers.pool_warning_days", type=RuleType.INT, default=3, min=0, max=365, unit=DAYS,
            rule_id="R-CUS-10", group=_G, label=_("Warn the owner before return to the pool (days)"),
            help=_("The owner is reminded this many days before the customer returns to the pool; lists show the "
                   "countdown in red below this.")),
    RuleDef(key="customers.max_owned_per_agent", type=RuleType.INT, default=2000, min=1, max=1_000_000,
            rule_id="R-CUS-10", group=_G, label=_("Customers an agent may own (at most)"),
            help=_("Claims and reassignments beyond this are refused.")),
    RuleDef(key="customers.max_claims_per_day", type=RuleType.INT, default=20, min=0, max=10_000,
            rule_id="R-CUS-10", group=_G, label=_("Claims from the pool per agent per day (at most)"),
            help=_("How many customers one agent may claim from the pool in a day.")),
    RuleDef(key="customers.reclaim_cooldown_days", type=RuleType.INT, default=30, min=0, max=3650, unit=DAYS,
            rule_id="R-CUS-10", group=_G, label=_("Previous owner may claim again after (days)"),
            help=_("After a customer returns to the pool, its previous owner cannot claim it for this long.")),
    RuleDef(key="customers.lead_reminder_after_days", type=RuleType.INT, default=2, min=0, max=365, unit=DAYS,
            rule_id="R-CUS-6", group=_G, label=_("Remind the team lead when a follow-up is overdue by (days)"),
            help=_("The owner is reminded on the first overdue day; the team lead after this many days.")),
    RuleDef(key="customers.care_days_ahead", type=RuleType.INT, default=7, min=0, max=60, unit=DAYS,
            rule_id="R-CUS-9", group=_G, label=_("Create care tasks this many days ahead"),
            help=_("Birthday, holiday and new-year care items appear on the due list this early.")),
    RuleDef(key="customers.tier_share.major", type=RuleType.INT, default=30, min=0, max=100, unit="%",
            rule_id="R-CUS-7", group=_G, label=_("Major tier: next share by value score (percent)"),
            help=_("After the VIPs, this share of customers by value score is major.")),
    RuleDef(key="customers.tier_share.normal", type=RuleType.INT, default=30, min=0, max=100, unit="%",
            rule_id="R-CUS-7", group=_G, label=_("Normal tier: next share by value score (percent)"),
            help=_("After the major tier, this share is normal; the rest are general.")),
    RuleDef(key="customers.churn_recent_months", type=RuleType.INT, default=3, min=1, max=36,
            unit=_("months"), rule_id="R-CUS-8", group=_G,
            label=_("Churn risk: recent window for purchase frequency (months)"),
            help=_("Purchase frequency over this recent window is compared with the customer's own average.")),
    *(
        RuleDef(key=f"customers.value_weight.{name}", type=RuleType.INT, default=default, min=-100, max=100,
                rule_id="R-CUS-7", group=_G, label=label,
                help=_("Weight of this factor in the value score; each factor is scaled to 0–1 first."))
        for name, (default, label) in VALUE_WEIGHTS.items()
    ),
)
