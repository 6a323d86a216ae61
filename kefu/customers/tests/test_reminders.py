"""Overdue follow-up reminders: owner first, lead after the delay, idempotent, one digest per recipient."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.customers import services
from kefu.customers.models import Customer, Reminder
from kefu.customers.reminders import mark_read, send_overdue_reminders, unread_reminders


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


def overdue(make_customer, days, today, **kw):
    c = make_customer(**kw)
    Customer.objects.filter(pk=c.pk).update(next_due=today - dt.timedelta(days=days))
    return Customer.objects.get(pk=c.pk)


def reminders_of(customer):
    return sorted(Reminder.objects.filter(customer=customer).values_list("level", "recipient__username"))


@pytest.mark.parametrize(("days", "expected"), [
    (-1, []),
    (0, []),  # due today is not overdue
    (1, [("owner", "agent1")]),  # first overdue day: the owner
    (2, [("lead", "lead1"), ("owner", "agent1")]),  # overdue by the delay (2 days): the lead too
    (30, [("lead", "lead1"), ("owner", "agent1")]),
])
def test_owner_then_lead_at_the_boundary(make_customer, today, days, expected):
    c = overdue(make_customer, days, today)
    send_overdue_reminders(today=today)
    assert reminders_of(c) == expected
    assert all(r.due_date == c.next_due for r in Reminder.objects.filter(customer=c))


def test_lead_delay_is_a_setting(make_customer, today, set_rules):
    set_rules(customers__lead_reminder_after_days=5)
    four, five = overdue(make_customer, 4, today), overdue(make_customer, 5, today)
    send_overdue_reminders(today=today)
    assert reminders_of(four) == [("owner", "agent1")]
    assert reminders_of(five) == [("lead", "lead1"), ("owner", "agent1")]


def test_idempotent_however_often_the_job_runs(make_customer, today):
    c = overdue(make_customer, 1, today)
    assert send_overdue_reminders(today=today) == {"owner": 1, "lead": 0, "recipients": 1}
    assert send_overdue_reminders(today=today) == {"owner": 0, "lead": 0, "recipients": 0}
    # The next day the lead is due; the owner is not reminded again for the same due date.
    assert send_overdue_reminders(today=today + dt.timedelta(days=1)) == {"owner": 0, "lead": 1, "recipients": 1}
    assert send_overdue_reminders(today=today + dt.timedelta(days=9)) == {"owner": 0, "lead": 0, "recipients": 0}
    assert Reminder.objects.filter(customer=c).count() == 2


def test_a_follow_up_moves_the_due_date_and_a_later_overdue_is_reminded_again(demo, make_customer, today):
    c = overdue(make_customer, 3, today)
    send_overdue_reminders(today=today)
    _f, c = services.record_followup(actor=demo.users["agent1"], customer_id=c.pk, at=timezone.now(),
                                     method="phone", content="回访")
    assert send_overdue_reminders(today=today)["owner"] == 0  # not overdue any more
    later = c.next_due + dt.timedelta(days=1)
    assert send_overdue_reminders(today=later)["owner"] == 1
    assert Reminder.objects.filter(customer=c, level="owner").count() == 2


def test_customers_in_the_pool_are_not_reminded(make_customer, today):
    c = overdue(make_customer, 5, today)
    Customer.objects.filter(pk=c.pk).update(owner=None)
    send_overdue_reminders(today=today)
    assert not Reminder.objects.exists()


def test_a_lead_owning_a_customer_is_not_reminded_twice(make_customer, today):
    c = overdue(make_customer, 5, today, owner="lead1")
    send_overdue_reminders(today=today)
    assert reminders_of(c) == [("owner", "lead1")]


def test_the_lead_of_the_owners_team(make_customer, today):
    c = overdue(make_customer, 5, today, owner="agent4")  # team 二班
    send_overdue_reminders(today=today)
    assert reminders_of(c) == [("lead", "lead2"), ("owner", "agent4")]


def test_one_digest_per_recipient_after_commit(demo, make_customer, today, django_capture_on_commit_callbacks):
    from django.utils import translation

    a = overdue(make_customer, 1, today, name="甲")
    b = overdue(make_customer, 3, today, name="乙")
    overdue(make_customer, 4, today, name="丙", owner="agent2")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        result = send_overdue_reminders(today=today)
    assert result == {"owner": 3, "lead": 2, "recipients": 3}
    by_to = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_to) == ["agent1@example.com", "agent2@example.com", "lead1@example.com"]
    agent1 = by_to["agent1@example.com"]
    assert f"#{a.pk}" in agent1.body and f"#{b.pk}" in agent1.body
    lead = by_to["lead1@example.com"]
    assert "乙" in lead.body and "丙" in lead.body and "甲" not in lead.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_overdue_reminders(today=today)
    assert mail.outbox == []


def test_digest_in_the_recipients_language(demo, make_customer, today, django_capture_on_commit_callbacks):
    from kefu.org.models import User

    User.objects.filter(username="agent1").update(language="en")
    overdue(make_customer, 1, today)
    overdue(make_customer, 1, today)
    with django_capture_on_commit_callbacks(execute=True):
        send_overdue_reminders(today=today)
    assert mail.outbox[0].subject == "2 overdue follow-ups"
    assert "1 day(s) overdue" in mail.outbox[0].body


def test_unread_and_mark_read(demo, make_customer, today):
    a, b = overdue(make_customer, 1, today), overdue(make_customer, 1, today)
    send_overdue_reminders(today=today)
    agent1 = demo.users["agent1"]
    inbox = list(unread_reminders(agent1))
    assert [r.customer_id for r in inbox] == [a.pk, b.pk]
    assert mark_read(actor=demo.users["agent2"], reminder_ids=[r.pk for r in inbox]) == 0  # not theirs
    assert mark_read(actor=agent1, reminder_ids=[inbox[0].pk]) == 1
    assert [r.customer_id for r in unread_reminders(agent1)] == [b.pk]
    assert mark_read(actor=agent1, reminder_ids=[inbox[0].pk]) == 0


def test_queries_do_not_grow_with_customers(demo, today):
    from kefu.rules.selectors import get_rule

    get_rule("customers.lead_reminder_after_days")
    shop = demo.shops["tmall"]
    owners = [demo.users[u] for u in ("agent1", "agent2", "agent4")]

    def population(n):
        Customer.objects.all().delete()
        Customer.objects.bulk_create([
            Customer(shop=shop, owner=owners[i % 3], name=f"c{i}", grade="B", grade_proposed="B",
                     next_due=today - dt.timedelta(days=1 + i % 4))
            for i in range(n)])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            send_overdue_reminders(today=today)
        return len(ctx.captured_queries)

    population(10)
    small = count()
    population(100)
    large = count()
    # Inserts go in batches (SQLite allows ~160 reminders per INSERT): growth by batches, never per customer.
    assert large <= small + 2, (small, large)
    assert Reminder.objects.filter(level="owner").count() == 100


def test_r_cus_6_reminders_ring_the_bell_once(demo, make_customer, today, django_capture_on_commit_callbacks):
    from kefu.notifications.models import Notification

    overdue(make_customer, 1, today)
    with django_capture_on_commit_callbacks(execute=True):
        send_overdue_reminders(today=today)
        send_overdue_reminders(today=today)
    bell = Notification.objects.filter(recipient=demo.users["agent1"], kind="followup_overdue")
    assert bell.count() == 1
    assert bell.get().url == "/customers/my-day/"
