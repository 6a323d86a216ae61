"""R-CUS-1 customer search at the archive's size (issue 13, bench/notes/customers.md session 7).

The API's count stops at ``KEFU_SEARCH_COUNT_CAP`` and says so (``X-Count-Capped``); a very common term in a
wide scope is answered by walking the list's order instead of sorting every match, and the director's
search is asked by id: every way finds the same customers in the same order (next_due, grade, id)."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from kefu.customers import paging, selectors

pytestmark = pytest.mark.django_db

# pinyin initials "zs" for the first six (曾帅 reads "cs"); grades differ so that the order mixes them
ZS = [("张三", "A"), ("张三丰", "C"), ("张顺", "E"), ("赵爽", "B"), ("周深", "C"), ("朱颂", "A"), ("曾帅", "D")]


@pytest.fixture
def archive(make_customer):
    made = [make_customer(name=name, grade=grade, grade_reason="测试", phones=[f"1390000{i:04d}"],
                          notes="喜欢晚上联系" if i % 2 else "")
            for i, (name, grade) in enumerate(ZS)]
    made.append(make_customer(name="李四", shop="jd", phones=["13800001234"], tags=["晚上"]))
    return made


def api(client, q: str = "", **params):
    query = "&".join(f"{k}={v}" for k, v in {"q": q, **params}.items() if v)
    return client.get(f"/api/v1/customers?{query}")


def expected(user, q: str) -> list[int]:
    """The customers of the caller's scope that the plain search finds, in the list's order."""
    from kefu.customers.access import customers_in_scope

    return list(selectors.search(customers_in_scope(user), q).order_by(*paging.DUE_ORDER)
                .values_list("pk", flat=True))


@override_settings(KEFU_SEARCH_COUNT_CAP=3)
def test_r_cus_1_search_count_stops_at_the_cap_and_says_so(archive, clients):
    director = clients("director")
    capped = api(director, "zs")
    assert capped.status_code == 200, capped.content
    assert capped.json()["count"] == 3 and capped["X-Count-Capped"] == "true"
    assert len(capped.json()["items"]) == 6  # the page still holds every match it has room for
    exact = api(director, "zsf")
    assert exact.json()["count"] == 1 and "X-Count-Capped" not in exact
    listed = api(director)  # no term: the list's count is exact
    assert listed.json()["count"] == 8 and "X-Count-Capped" not in listed


@pytest.mark.parametrize("q", ["zs", "张", "晚上", "1390000", "0003", "ZS", "lisi"])
@pytest.mark.parametrize("role", ["director", "agent"])
def test_r_cus_1_walking_the_order_and_sorting_the_matches_give_the_same_pages(archive, demo, q, role):
    user = demo.users["director1" if role == "director" else "agent1"]
    filters = selectors.CustomerFilters(q=q)
    want = expected(user, q)
    sorted_ = [c.pk for c in selectors.CustomerList(user, filters, walk=False)[:50]]
    walked = [c.pk for c in selectors.CustomerList(user, filters, walk=True)[:50]]
    assert sorted_ == walked == want
    # keyset paging (pages of 2) walks the same rows in the same order
    for walk in (False, True):
        rows, cursor_rows = [], selectors.CustomerList(user, filters, walk=walk)
        page = list(cursor_rows[:2])
        while page:
            rows.extend(c.pk for c in page)
            page = list(cursor_rows.after(paging.decode_cursor(paging.cursor_of(page[-1])))[:2])
        assert rows == want


def test_r_cus_1_the_directors_search_by_id_finds_what_the_scope_filter_finds(archive, demo):
    director = demo.users["director1"]
    assert selectors.searches_by_id(director) and not selectors.searches_by_id(demo.users["agent1"])
    for q in ("zs", "张三", "晚上", "0003", "13800001234"):
        found = list(selectors.list_customers(director, selectors.CustomerFilters(q=q)).values_list("pk", flat=True))
        assert found == expected(director, q)


def test_r_cus_1_a_search_page_costs_the_same_queries_whatever_it_matches(archive, clients, make_customer):
    director = clients("director")
    api(director, "zs")  # warm the per-process caches (rules, scope)
    with CaptureQueriesContext(connection) as few:
        assert api(director, "zsf").json()["count"] == 1
    with CaptureQueriesContext(connection) as many:
        assert api(director, "zs").json()["count"] == 6
    assert len(few) == len(many)
    assert not any("OFFSET" in q["sql"] for q in many.captured_queries)
