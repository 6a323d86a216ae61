"""The customer list's order as an index, PostgreSQL only (issue 13, bench/notes/customers.md session 7).

``(next_due, grade, id)`` is the order of the customer list and search (R-CUS-6). A search term that
matches thousands of the caller's customers (the director's pinyin initials "wy": 22,000) is answered by
walking this index in order and checking each customer against the term until a page is full, instead
of fetching and sorting every match. Built with CREATE INDEX CONCURRENTLY: the customer table keeps
taking writes meanwhile. No model state changes (RunPython), so ``makemigrations --check`` stays clean;
SQLite's small databases do not need it.
"""

from django.db import migrations

from kefu.core.pg_indexes import postgresql_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0004_amount_range_checks"),
    ]

    operations = [
        postgresql_index("cus_list_order_idx", "ON customers_customer (next_due, grade, id)"),
    ]
