"""The monthly service quality analysis reminder (R-KPI-2): on ``performance.monthly_report_remind_day`` each
department head whose department has not published last month's analysis is told it is due by
``performance.monthly_report_due_day``."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kefu.org.models import User
from kefu.org.roles import Role
from kefu.performance.models import ReportSnapshot
from kefu.performance.reports import coverage, parse_period
from kefu.rules.selectors import get_rules

REMIND_DAY = "performance.monthly_report_remind_day"
DUE_DAY = "performance.monthly_report_due_day"


def remind_monthly_report(*, today: dt.date | None = None) -> int:
    """Notify the heads on the reminder day; returns how many were told (0 on any other day)."""
    from kefu.notifications.services import notify

    today = today or timezone.localdate()
    period = parse_period("monthly", None, today=today)
    told = 0
    heads = User.objects.filter(is_active=True, roles__role=Role.HEAD).distinct().order_by("pk")
    for head in heads:
        values = get_rules(REMIND_DAY, DUE_DAY, centre_id=head.centre_id)
        if today.day != values[REMIND_DAY]:
            continue
        scope = coverage(head).scope
        if ReportSnapshot.objects.filter(kind="monthly", period=period.key, scope=scope, published=True).exists():
            continue
        due = today.replace(day=values[DUE_DAY])
        notify(recipients=[head], kind="report_due",
               title=format_lazy(_("The monthly service quality analysis for {month} is due by {due}."),
                                 month=period.key, due=due.isoformat()),
               url=reverse("performance:report_monthly") + f"?month={period.key}")
        told += 1
    return told
