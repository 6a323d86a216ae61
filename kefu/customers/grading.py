"""The pure rules of grading and cadence (R-CUS-2 … R-CUS-4, R-CUS-10): no database access.

All numbers come from rule settings through :func:`load_rules`; the functions take them as data so
they are easy to test at every boundary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from kefu.customers.choices import GRADES, Grade, Importance, NeedStatus, Urgency

DAYS_PER_MONTH = 30  # "within 1 month" = within 30 days; 3 months = 90 days; 6 months = 180 days


@dataclass(frozen=True)
class CustomerRules:
    cadence_days: dict[str, int]
    grade_months: dict[str, int]  # A, B, C
    urgency_days: tuple[int, int, int]  # urgent, soon, not_urgent upper limits
    importance_threshold: Decimal
    pool_cadences: int
    pool_days: dict[str, int]  # per grade; 0 = pool_cadences × cadence
    pool_exempt_won: bool
    pool_warning_days: int

    def cadence(self, grade: str) -> int:
        return self.cadence_days[grade]

    def pool_after_days(self, grade: str) -> int:
        """Days without follow-up after which a customer of ``grade`` returns to the pool (R-CUS-10)."""
        return self.pool_days.get(grade) or self.pool_cadences * self.cadence(grade)


def load_rules(centre_id: int | None = None) -> CustomerRules:
    from kefu.rules.selectors import get_rule

    def rule(key: str):
        return get_rule(key, centre_id=centre_id)

    return CustomerRules(
        cadence_days={g: rule(f"customers.cadence_days.{g}") for g in GRADES},
        grade_months={g: rule(f"customers.grade_months.{g}") for g in "ABC"},
        urgency_days=(rule("customers.urgency_days.urgent"), rule("customers.urgency_days.soon"),
                      rule("customers.urgency_days.not_urgent")),
        importance_threshold=rule("customers.importance_threshold"),
        pool_cadences=rule("customers.pool_reclaim_cadences"),
        pool_days={g: rule(f"customers.pool_days.{g}") for g in GRADES},
        pool_exempt_won=rule("customers.pool_exempt_won"),
        pool_warning_days=rule("customers.pool_warning_days"),
    )


def propose_grade(rules: CustomerRules, *, need_status: str, expected_close_date: dt.date | None,
                  today: dt.date) -> str:
    """R-CUS-3: A/B/C by how soon a clear need is expected to close; D for a latent need, a clear need
    closing later than the C limit, or a clear need with no expected date; E for no need."""
    if need_status == NeedStatus.DEAD:
        return Grade.E
    if need_status != NeedStatus.TARGET or expected_close_date is None:
        return Grade.D
    days = (expected_close_date - today).days
    for grade in ("A", "B", "C"):
        if days <= rules.grade_months[grade] * DAYS_PER_MONTH:
            return grade
    return Grade.D


def next_due(rules: CustomerRules, *, last_contact: dt.date, grade: str) -> dt.date:
    """R-CUS-4: next_due = date of the last follow-up + cadence of the grade in force after it."""
    return last_contact + dt.timedelta(days=rules.cadence(grade))


def urgency(rules: CustomerRules, *, next_due_date: dt.date, today: dt.date) -> str:
    """R-CUS-2 urgency by when the next action is due: ≤ 7 days urgent (overdue included),
    8–30 fairly urgent, 31–90 not urgent, > 90 can wait."""
    days = (next_due_date - today).days
    urgent, soon, not_urgent = rules.urgency_days
    if days <= urgent:
        return Urgency.URGENT
    if days <= soon:
        return Urgency.SOON
    if days <= not_urgent:
        return Urgency.NOT_URGENT
    return Urgency.LATER


def urgency_bounds(rules: CustomerRules, level: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The next_due range (inclusive) of an urgency level, for filtering in SQL."""
    urgent, soon, not_urgent = rules.urgency_days
    day = dt.timedelta(days=1)
    limits = {
        Urgency.URGENT: (None, today + urgent * day),
        Urgency.SOON: (today + (urgent + 1) * day, today + soon * day),
        Urgency.NOT_URGENT: (today + (soon + 1) * day, today + not_urgent * day),
        Urgency.LATER: (today + (not_urgent + 1) * day, None),
    }
    return limits[level]


def importance(rules: CustomerRules, expected_amount: Decimal | None) -> str:
    """R-CUS-2: important when the expected deal amount is at least the threshold (default ¥100,000)."""
    if expected_amount is not None and expected_amount >= rules.importance_threshold:
        return Importance.IMPORTANT
    return Importance.ORDINARY


def days_overdue(next_due_date: dt.date, on: dt.date) -> int:
    return max(0, (on - next_due_date).days)


def pool_return_date(rules: CustomerRules, *, last_contact: dt.date, grade: str) -> dt.date:
    """The first day on which a customer with no follow-up since ``last_contact`` is back in the pool:
    "longer than" the limit, so the day after limit days have passed."""
    return last_contact + dt.timedelta(days=rules.pool_after_days(grade) + 1)
