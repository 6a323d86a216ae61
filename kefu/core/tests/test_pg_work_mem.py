"""PostgreSQL connections run with enough work_mem that a common word's search bitmap stays exact (settings.py:
at the default 4 MB an agent's search for 退款 over 2 M tickets took 5 s, rechecking every lossy page)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_sessions_have_the_configured_work_mem():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == "32MB"
