"""R-CUS-1 search plans that stay good when prepared (issue 13, bench/notes/customers.md session 7),
PostgreSQL only: a search's page is sorted from the search indexes, never found by walking the list
order's index (cus_list_order_idx) — the generic plan of a prepared phone-tail search did that after the
index came — and the director's search does not intersect the term's index with the shop index."""

import pytest
from django.db import connection

from kefu.customers import selectors
from kefu.customers.tests.test_search_plans import archive, generic_plan  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared plans: PostgreSQL only")]


@pytest.mark.parametrize("term", ["8765", "客户12", "kh", "kehu1"])
@pytest.mark.parametrize("username", ["director1", "agent1"])
def test_r_cus_1_a_search_page_is_sorted_from_the_search_indexes_even_with_a_generic_plan(
        archive, demo, term, username):  # noqa: F811 - the fixture
    user = demo.users[username]
    page = selectors.CustomerList(user, selectors.CustomerFilters(q=term), walk=False).queryset()[:51]
    plan = generic_plan(page)
    assert "cus_list_order_idx" not in plan, plan
    if username == "director1":
        assert "customers_customer_shop_id" not in plan, plan
