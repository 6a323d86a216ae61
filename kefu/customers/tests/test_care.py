"""R-CUS-9: birthday, holiday and new-year care tasks as due items; idempotent; completing them."""

import datetime as dt

import pytest
from django.utils import timezone

from kefu.core.errors import NotAllowed
from kefu.customers import care, pool
from kefu.customers.care import complete_care_task, generate_care_tasks
from kefu.customers.models import CareTask, Customer


@pytest.fixture
def set_rules(demo):
    """``set_rules(customers__vip_share_pct=50)`` through the settings service; the per-process settings
    cache is cleared afterwards (a write inside the test's rolled-back transaction would otherwise leave
    the centre marked as written and make later tests read settings from the database)."""
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule

    def set_(**values):
        for key, v in values.items():
            key = key.replace("__", ".")
            set_rule(actor=demo.users["admin"], key=key, value=v, version=rule_row(key).version)

    yield set_
    clear_cache()


def tasks(customer=None, kind=None):
    qs = CareTask.objects.all()
    if customer is not None:
        qs = qs.filter(customer=customer)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return sorted(qs.values_list("kind", "due_date"))


def graded(make_customer, grade, **kw):
    """A customer of ``grade`` (A–C through a clear need's expected close; D latent; E no need)."""
    today = timezone.localdate()
    close = {"A": 10, "B": 60, "C": 150}
    if grade in close:
        kw.update(need_status="target", expected_close_date=today + dt.timedelta(days=close[grade]))
    elif grade == "E":
        kw.update(need_status="dead")
    c = make_customer(**kw)
    assert c.grade == grade
    return c


# -- birthdays ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("birthday", "today", "due"), [
    (dt.date(1990, 5, 10), dt.date(2026, 5, 10), dt.date(2026, 5, 10)),  # today counts
    (dt.date(1990, 5, 17), dt.date(2026, 5, 10), dt.date(2026, 5, 17)),  # today + 7: the last day of the window
    (dt.date(1990, 5, 18), dt.date(2026, 5, 10), None),  # today + 8: not yet
    (dt.date(1990, 5, 9), dt.date(2026, 5, 10), None),  # yesterday: next year's is far away
    (dt.date(1990, 1, 2), dt.date(2026, 12, 28), dt.date(2027, 1, 2)),  # across the new year
    (dt.date(1988, 2, 29), dt.date(2027, 2, 25), dt.date(2027, 2, 28)),  # 29 Feb → 28 Feb in a non-leap year
    (dt.date(1988, 2, 29), dt.date(2028, 2, 25), dt.date(2028, 2, 29)),  # … and 29 Feb in a leap year
])
def test_birthday_window_boundaries(make_customer, birthday, today, due):
    c = graded(make_customer, "D", birthday=birthday)
    generate_care_tasks(today=today)
    assert tasks(c, "birthday") == ([("birthday", due)] if due else [])


def test_leap_birthday_on_28_february_is_not_doubled_in_a_leap_year(make_customer):
    c = make_customer(birthday=dt.date(1990, 2, 28))
    generate_care_tasks(today=dt.date(2028, 2, 25))
    assert tasks(c, "birthday") == [("birthday", dt.date(2028, 2, 28))]


def test_window_is_a_setting(make_customer, set_rules):
    set_rules(customers__care_days_ahead=0)
    today = dt.date(2026, 5, 10)
    a = make_customer(birthday=dt.date(1990, 5, 10))
    b = make_customer(birthday=dt.date(1990, 5, 11))
    generate_care_tasks(today=today)
    assert tasks(a) == [("birthday", today)]
    assert tasks(b) == []


def test_pure_birthday_helpers():
    assert care.next_birthday(dt.date(2000, 2, 29), dt.date(2026, 3, 1)) == dt.date(2027, 2, 28)
    assert care.birthday_in(dt.date(2000, 2, 29), 2024) == dt.date(2024, 2, 29)


# -- holidays -------------------------------------------------------------------------------------


def test_holiday_greeting_on_the_first_day_of_the_period_for_grades_a_to_c(make_customer):
    by_grade = {g: graded(make_customer, g) for g in "ABCDE"}
    generate_care_tasks(today=dt.date(2026, 9, 26))  # window 26 Sep – 3 Oct: inside 中秋节, 国庆节 starts
    for grade in "ABC":
        assert tasks(by_grade[grade], "holiday") == [("holiday", dt.date(2026, 10, 1))]
    assert tasks(by_grade["D"]) == [] and tasks(by_grade["E"]) == []
    title = CareTask.objects.filter(kind="holiday").values_list("title", flat=True).first()
    assert "国庆" in title  # the calendar's name in the organisation's language


def test_holiday_period_that_began_before_the_window_is_not_greeted(make_customer):
    c = graded(make_customer, "A")
    generate_care_tasks(today=dt.date(2026, 10, 2))  # inside 国庆节, its first day has passed
    assert tasks(c, "holiday") == []
    generate_care_tasks(today=dt.date(2026, 9, 18))  # 中秋节 starts 2026-09-25: today + 7
    assert tasks(c, "holiday") == [("holiday", dt.date(2026, 9, 25))]


def test_holiday_starts_from_the_calendar(db):
    starts = care.holiday_starts(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [d for d, _n in starts] == [
        dt.date(2026, 1, 1), dt.date(2026, 2, 15), dt.date(2026, 4, 4), dt.date(2026, 5, 1), dt.date(2026, 6, 19),
        dt.date(2026, 9, 25), dt.date(2026, 10, 1)]


def test_administrator_holidays_count(demo, make_customer):
    from kefu.bizcalendar.models import CalendarDay
    from kefu.bizcalendar.selectors import invalidate_cache

    CalendarDay.objects.create(date=dt.date(2026, 11, 25), kind="holiday", name="店庆")
    CalendarDay.objects.create(date=dt.date(2026, 11, 26), kind="holiday", name="店庆")
    invalidate_cache()
    c = graded(make_customer, "B")
    generate_care_tasks(today=dt.date(2026, 11, 23))
    assert tasks(c, "holiday") == [("holiday", dt.date(2026, 11, 25))]


# -- new year ------------------------------------------------------------------------------------


def test_new_year_revisit_on_the_first_working_day_of_january(make_customer):
    # 2026: 1–3 January are the New Year holiday; Sunday 4 January is an adjusted working day.
    assert care.first_working_day_of_january(2026) == dt.date(2026, 1, 4)
    by_grade = {g: graded(make_customer, g) for g in "ABCDE"}
    generate_care_tasks(today=dt.date(2025, 12, 28))  # window to 4 January
    for grade in "ABCDE":
        assert tasks(by_grade[grade], "new_year") == [("new_year", dt.date(2026, 1, 4))]
    # 元旦 itself is a holiday greeting for A–C.
    assert tasks(by_grade["A"], "holiday") == [("holiday", dt.date(2026, 1, 1))]


def test_new_year_outside_the_window(make_customer):
    c = make_customer()
    generate_care_tasks(today=dt.date(2025, 12, 27))  # window to 3 January: the revisit is on the 4th
    assert tasks(c, "new_year") == []


# -- idempotence, ownership, scale -----------------------------------------------------------------


def test_idempotent_and_only_for_owned_customers(make_customer):
    owned = graded(make_customer, "A", birthday=dt.date(1990, 10, 2))
    pooled = graded(make_customer, "A", birthday=dt.date(1990, 10, 2))
    Customer.objects.filter(pk=pooled.pk).update(owner=None)
    today = dt.date(2026, 9, 28)
    assert generate_care_tasks(today=today) == 2  # holiday 10-01 + birthday 10-02
    assert generate_care_tasks(today=today) == 0
    assert generate_care_tasks(today=today + dt.timedelta(days=1)) == 0  # overlapping window
    assert tasks(owned) == [("birthday", dt.date(2026, 10, 2)), ("holiday", dt.date(2026, 10, 1))]
    assert tasks(pooled) == []
    assert set(CareTask.objects.values_list("owner__username", flat=True)) == {"agent1"}


def test_open_tasks_follow_the_customer_through_the_pool(demo, make_customer):
    c = make_customer(birthday=dt.date(1990, 10, 2))
    generate_care_tasks(today=dt.date(2026, 9, 28))
    pool.reassign(actor=demo.users["lead1"], customer_ids=[c.pk], to_owner=demo.users["agent2"], reason="调岗")
    assert set(CareTask.objects.values_list("owner__username", flat=True)) == {"agent2"}
    pool.release(actor=demo.users["agent2"], customer_id=c.pk, reason="无意向")
    assert set(CareTask.objects.values_list("owner", flat=True)) == {None}


def test_queries_do_not_grow_with_customers(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kefu.rules.selectors import get_rule

    get_rule("customers.care_days_ahead")
    shop, owner = demo.shops["tmall"], demo.users["agent1"]
    today = dt.date(2026, 9, 28)
    care.holiday_starts(today, today)  # warm the calendar cache

    def count(n):
        Customer.objects.all().delete()
        Customer.objects.bulk_create([
            Customer(shop=shop, owner=owner, name=f"c{i}", grade="ABCD"[i % 4], grade_proposed="A", next_due=today,
                     birthday=dt.date(1990, 9, 28) + dt.timedelta(days=i % 10))
            for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            generate_care_tasks(today=today)
        return len(ctx.captured_queries)

    small, large = count(10), count(100)
    assert large <= small + 2, (small, large)  # inserts are batched by the database's parameter limit


# -- completing ---------------------------------------------------------------------------------------


@pytest.fixture
def task(make_customer):
    make_customer(birthday=dt.date(1990, 10, 2))
    generate_care_tasks(today=dt.date(2026, 9, 28))
    return CareTask.objects.get()


def test_owner_completes_and_it_is_audited(demo, task):
    from kefu.audit.models import AuditEvent

    done = complete_care_task(actor=demo.users["agent1"], task_id=task.pk)
    assert done.done_at is not None and done.done_by == demo.users["agent1"]
    events = AuditEvent.objects.filter(object_type="customers.caretask", object_id=str(task.pk))
    assert events.count() == 1 and events.get().note == "care:done"
    complete_care_task(actor=demo.users["agent1"], task_id=task.pk)  # again: nothing changes
    assert events.count() == 1


def test_the_owners_lead_may_complete(demo, task):
    assert complete_care_task(actor=demo.users["lead1"], task_id=task.pk).done_by == demo.users["lead1"]


@pytest.mark.parametrize("who", ["agent2", "agent4", "lead2", "qa1"])
def test_others_may_not(demo, task, who):
    with pytest.raises(NotAllowed):
        complete_care_task(actor=demo.users[who], task_id=task.pk)
    task.refresh_from_db()
    assert task.done_at is None


def test_unknown_task(demo):
    from kefu.core.errors import NotFound

    with pytest.raises(NotFound):
        complete_care_task(actor=demo.users["agent1"], task_id=999999)
