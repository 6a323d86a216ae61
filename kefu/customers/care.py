"""Care tasks 客户关怀 (R-CUS-9): birthday and holiday greetings and the new-year revisit, as due items.

:func:`generate_care_tasks` (daily) creates, for customers that have an owner, the tasks due from today
to today + ``customers.care_days_ahead`` days (both included):

birthday
    on the coming occurrence of the customer's birthday (today counts); a 29 February birthday falls
    on 28 February in other years. Every grade.
holiday
    on the first day of each public-holiday period of the business calendar (:mod:`kefu.bizcalendar`:
    the official schedule with the administrators' overrides — e.g. 国庆节 2026-10-01, 春节 2026-02-15,
    the first day off). A period is a run of consecutive holiday days with the same name; unnamed rest
    days are not greeting occasions. Only for grades in :data:`HOLIDAY_GRADES`.
new_year
    on the first working day of January (business calendar). Every grade in :data:`NEW_YEAR_GRADES`.

Titles are written in the organisation's language (``LANGUAGE_CODE``). The unique constraint
(customer, kind, due date) makes the job idempotent: running it again — or daily with overlapping
windows — creates nothing twice. A task keeps the owner it was created for until done (the pool moves
open tasks along with the customer).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.bizcalendar.selectors import days_in_year, is_working_day
from kefu.core.errors import NotFound
from kefu.customers.access import access_customer
from kefu.customers.choices import GRADES, CareKind
from kefu.customers.models import CareTask, Customer
from kefu.rules.selectors import get_rule

# Holiday greetings for every customer would flood the due lists at each of the seven holidays of the year;
# they go to the customers with a clear need (A–C) only. Widen this tuple to include D/E.
HOLIDAY_GRADES = ("A", "B", "C")
# The new-year revisit is the yearly touch point, so it is for every grade (E's cadence is yearly anyway).
NEW_YEAR_GRADES = GRADES
CHUNK = 2000


def birthday_in(birthday: dt.date, year: int) -> dt.date:
    """The birthday's date in ``year`` (29 February → 28 February in a non-leap year)."""
    try:
        return birthday.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def next_birthday(birthday: dt.date, today: dt.date) -> dt.date:
    """The coming occurrence of the birthday, today included."""
    day = birthday_in(birthday, today.year)
    return day if day >= today else birthday_in(birthday, today.year + 1)


def holiday_starts(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """First days (with names) of the holiday periods that begin within [start, end]."""
    holidays: dict[dt.date, str] = {}
    for year in range(start.year - 1, end.year + 1):  # the previous year: a period running over 1 January
        for info in days_in_year(year):
            if info.kind == "holiday":
                holidays[info.date] = info.name
    out = []
    for day, name in sorted(holidays.items()):
        previous = holidays.get(day - dt.timedelta(days=1))
        if start <= day <= end and name and previous != name:
            out.append((day, name))
    return out


def first_working_day_of_january(year: int) -> dt.date:
    day = dt.date(year, 1, 1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def new_year_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = (first_working_day_of_january(y) for y in range(start.year, end.year + 1))
    return [d for d in days if start <= d <= end]


def _birthday_q(start: dt.date, end: dt.date) -> Q:
    """Customers whose birthday (month, day) falls in [start, end], 29 February included where it is
    celebrated on 28 February."""
    by_month: dict[int, set[int]] = defaultdict(set)
    day = start
    while day <= end:
        by_month[day.month].add(day.day)
        if day.month == 2 and day.day == 28 and not _is_leap(day.year):
            by_month[2].add(29)
        day += dt.timedelta(days=1)
    q = Q(pk__in=[])
    for month, days in by_month.items():
        q |= Q(birthday__month=month, birthday__day__in=sorted(days))
    return q


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def generate_care_tasks(*, today: dt.date | None = None) -> int:
    """Create the care tasks due in the coming window (daily job). Returns how many were created."""
    today = today or timezone.localdate()
    end = today + dt.timedelta(days=get_rule("customers.care_days_ahead"))
    with translation.override(settings.LANGUAGE_CODE):
        holidays = holiday_starts(today, end)
        new_years = new_year_days(today, end)
        birthday_title = _("Birthday greeting")
        holiday_titles = [(day, (_("Holiday greeting: %(holiday)s") % {"holiday": name})[:100])
                          for day, name in holidays]
        new_year_title = _("New-year revisit")

    qs = Customer.objects.filter(owner__isnull=False)
    wanted = Q(birthday__isnull=False) & _birthday_q(today, end)
    if holidays:
        wanted |= Q(grade__in=HOLIDAY_GRADES)
    if new_years:
        wanted |= Q(grade__in=NEW_YEAR_GRADES)
    qs = qs.filter(wanted)

    created = 0
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", "owner_id", "grade", "birthday")[:CHUNK])
        if not rows:
            return created
        last = rows[-1][0]
        tasks: list[CareTask] = []
        for pk, owner_id, grade, birthday in rows:
            if birthday is not None:
                day = next_birthday(birthday, today)
                if day <= end:
                    tasks.append(CareTask(customer_id=pk, owner_id=owner_id, kind=CareKind.BIRTHDAY,
                                          title=birthday_title, due_date=day))
            if grade in HOLIDAY_GRADES:
                tasks.extend(CareTask(customer_id=pk, owner_id=owner_id, kind=CareKind.HOLIDAY, title=title,
                                      due_date=day) for day, title in holiday_titles)
            if grade in NEW_YEAR_GRADES:
                tasks.extend(CareTask(customer_id=pk, owner_id=owner_id, kind=CareKind.NEW_YEAR,
                                      title=new_year_title, due_date=day) for day in new_years)
        existing = set(CareTask.objects.filter(customer_id__in=[r[0] for r in rows], due_date__gte=today,
                                               due_date__lte=end).values_list("customer_id", "kind", "due_date"))
        new = [t for t in tasks if (t.customer_id, t.kind, t.due_date) not in existing]
        CareTask.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
        created += len(new)


@transaction.atomic
def complete_care_task(*, actor, task_id: int) -> CareTask:
    """Mark a care task done: its owner, or whoever may act on the customer (the owner's lead and above).
    Completing a task that is already done changes nothing (no second audit row)."""
    task = CareTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("No such care task."))
    if task.owner_id != actor.pk:
        access_customer(actor, task.customer_id, act=True)  # 404 outside scope, 403 without the right to act
    if task.done_at is not None:
        return task
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["done_at", "done_by"])
    record(actor=actor, action=Action.UPDATE, obj=task, before={"done_at": None},
           after={"done_at": task.done_at, "customer": task.customer_id}, note="care:done")
    return task
