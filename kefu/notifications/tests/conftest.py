import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def count_queries():
    """``count_queries(callable)`` → (number of queries, result)."""

    def run(fn):
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        return len(ctx.captured_queries), result

    return run
