""""My day" at the speed of a light page (issue 13, bench/notes/floor.md): its rows are built in one pass by
``{% due_rows %}`` with the markup the per-row tags gave, and the page runs a fixed set of queries."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kefu.customers.selectors import DueItem

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 16)

# the rows as the page wrote them before {% due_rows %}: one tag per cell
PER_ROW_TAGS = """{% load pool_countdown %}{% for i in items %}
        <tr{% if i.days_overdue %} class="table-danger"{% endif %}>
          <td><a href="{{ customers_base }}{{ i.customer_id }}/">{{ i.name }}</a></td>
          <td>{% grade_badge i.grade %}</td>
          <td>{{ i.next_due|date:"Y-m-d" }}</td>
          <td>{% days_overdue i.days_overdue %}</td>
          <td>{% pool_countdown i.pool_in_days warning_days=warning_days %}</td>
        </tr>
        {% endfor %}"""


def _items(n: int) -> list[DueItem]:
    return [DueItem(customer_id=1000 + k, name=f'客户<b>{k}</b> & "Co"', grade="ABCDE"[k % 5],
                    next_due=TODAY - dt.timedelta(days=k % 9), days_overdue=k % 9, owner="agent1", value_tier="",
                    pool_in_days=None if k % 6 == 0 else (k * 7) % 40 - 3) for k in range(n)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_r_cus_6_due_rows_are_the_markup_of_the_per_row_tags(language):
    """Grades, overdue days, the pool countdown (R-CUS-10: "tonight" at 0 or below, the warning colour
    below the warning days, nothing for an exempt customer) and the names, escaped."""
    context = {"items": _items(60), "warning_days": 7, "customers_base": "/customers/"}
    with translation.override(language):
        before = engines["django"].from_string(PER_ROW_TAGS).render(context)
        after = engines["django"].from_string(
            "{% load due_rows %}{% due_rows items warning_days=warning_days base=customers_base %}").render(context)
    assert " ".join(after.split()) == " ".join(before.split())
    assert "客户&lt;b&gt;1&lt;/b&gt; &amp; &quot;Co&quot;" in after and "<b>" not in after


def test_r_cus_6_my_day_runs_the_same_queries_for_a_page_of_rows_as_for_none(demo, clients):
    """Session, person, the page of rows, the counts, the care tasks and the roles (once, for the menu and
    the account menu; the rule settings are cached after the first page) — whatever the backlog."""
    from kefu.customers.models import CareTask, Customer
    from kefu.customers.services import create_customer

    client = clients("agent")
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC), tick=False):
        client.get("/customers/my-day/")
        with CaptureQueriesContext(connection) as empty:
            assert client.get("/customers/my-day/").status_code == 200
        created = [create_customer(actor=demo.users["agent1"], shop=demo.shops["tmall"], name=f"待跟进{k}")
                   for k in range(60)]
        Customer.objects.filter(owner=demo.users["agent1"]).update(next_due=TODAY - dt.timedelta(days=1))
        for customer in created[:3]:
            CareTask.objects.create(customer=customer, owner=demo.users["agent1"], kind="birthday",
                                    title=f"生日问候{customer.pk}", due_date=TODAY)
        with CaptureQueriesContext(connection) as full:
            response = client.get("/customers/my-day/")
    html = response.content.decode()
    assert html.count('class="table-danger"') == 50
    for customer in created[:3]:  # care tasks: the title, and the customer's name linking to the customer
        assert f"生日问候{customer.pk}" in html
        assert f'<a href="/customers/{customer.pk}/">{customer.name}</a>' in html
        assert f'hx-post="/customers/care/{CareTask.objects.get(customer=customer).pk}/done/"' in html
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in full.captured_queries]
    tables = tables[1:] if tables[0] == "django_session" else tables  # sessions from the cache with Redis
    assert tables == ["org_user", "customers_customer", "customers_customer", "customers_caretask"]
    assert len(empty.captured_queries) == len(full.captured_queries)
