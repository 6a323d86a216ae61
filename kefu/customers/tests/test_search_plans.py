"""Searches whose prepared plans stay good (issue 13), PostgreSQL only.

With server-side binding and ``prepare_threshold`` a statement run five times on a connection is
prepared, and after five more runs PostgreSQL may use one generic plan for every value. These tests
PREPARE the statements the customer search sends and EXPLAIN them with ``plan_cache_mode =
force_generic_plan``: the tag lookup and the prefix conditions (phone tail, pinyin, e-mail) must still be
answered from their indexes, never by a scan of the table."""

import itertools

import pytest
from django.db import connection

from kefu.customers import selectors
from kefu.customers.models import Customer, CustomerPhone, CustomerTag

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared plans: PostgreSQL only")]

_names = itertools.count()
TAGS = ["VIP", "老客户", "复购", "企业客户", "投诉过"]


@pytest.fixture
def archive(demo):
    """6,000 customers with a phone and five tags each (30,000 tag rows of five values), analysed: enough
    rows that a scan costs more than an index in the planner's eyes, as on the real archive."""
    shop = demo.shops["tmall"]
    customers = Customer.objects.bulk_create(
        Customer(shop=shop, name=f"客户{i}", name_pinyin=f"kehu{i}", name_initials="kh", email=f"c{i}@example.com",
                 grade="C", grade_proposed="C", next_due="2026-12-09") for i in range(6000))
    CustomerPhone.objects.bulk_create(
        CustomerPhone(customer=c, number=f"139{c.pk:08d}", reversed_number=f"139{c.pk:08d}"[::-1])
        for c in customers)
    CustomerTag.objects.bulk_create(CustomerTag(customer=c, tag=t) for c in customers for t in TAGS)
    with connection.cursor() as cur:
        for table in ("customers_customer", "customers_customerphone", "customers_customertag"):
            cur.execute(f"ANALYZE {table}")


def generic_plan(queryset) -> str:
    """EXPLAIN of ``queryset``'s statement prepared on the server and run with its generic plan."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cur:
        numbered = sql
        for n in range(1, len(params) + 1):
            numbered = numbered.replace("%s", f"${n}", 1)
        name = f"kefu_plan_test_{next(_names)}"
        cur.execute(f"PREPARE {name} AS {numbered}")
        cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        values = connection.ops.compose_sql(", ".join(["%s"] * len(params)), list(params))  # literals
        cur.execute(f"EXPLAIN EXECUTE {name}({values})")
        plan = "\n".join(row[0] for row in cur.fetchall())
        cur.execute(f"DEALLOCATE {name}")
    return plan


def test_the_is_it_a_tag_lookup_is_never_a_prepared_statement(archive):
    """Its generic plan scans every tag row looking for one (below), so it is planned for each term."""
    assert "Seq Scan on customers_customertag" in generic_plan(selectors.is_a_tag_query("建国"))
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        pytest.skip("server-side prepared statements are off (KEFU_PG_PREPARE=0)")
    for i in range(12):
        selectors.search(Customer.objects.all(), "建国" if i % 2 else "VIP").count()
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cur.fetchall()]
    assert any("kefu_grams" in sql for sql in prepared)  # the search itself is prepared …
    assert not any('"customers_customertag"."tag" =' in sql and "LIMIT 1" in sql for sql in prepared)  # … not this


@pytest.mark.parametrize(("term", "table"), [("8765", "customers_customerphone"), ("kh", "customers_customer"),
                                             ("zs", "customers_customer")])
def test_prefix_searches_read_their_indexes_even_with_a_generic_plan(archive, term, table):
    plan = generic_plan(selectors.search(Customer.objects.all(), term).values("pk"))
    assert f"Seq Scan on {table} " not in plan, plan
    assert "_like" in plan, plan


def test_prefix_search_finds_what_startswith_finds(archive):
    c = Customer.objects.order_by("pk")[1234]
    tail = c.phones.get().number[-4:]
    found = set(selectors.search(Customer.objects.all(), tail).values_list("pk", flat=True))
    expected = set(Customer.objects.filter(phones__number__endswith=tail).values_list("pk", flat=True)) | set(
        Customer.objects.filter(phones__number__startswith=tail).values_list("pk", flat=True))
    assert c.pk in found and found == expected
    assert selectors.search(Customer.objects.all(), "KH").count() == 6000  # initials, any case
    assert selectors.search(Customer.objects.all(), "kehv").count() == 0
