"""R-CUS-1 the API's customer list/search rows (issue 13, bench/notes/customers.md session 8).

A list row is read with only the columns it shows, and its phones, tags, owner and shop in one statement for
the whole page: every row still says exactly what the customer's own page (``GET /customers/{id}``) says —
phones masked unless the role may see them, in their order, tags in the order they were entered — and a
page costs the same few queries whatever it holds, the "is the term a tag?" question asked once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(make_customer):
    made = [
        make_customer(name="张三", grade="A", grade_reason="测试", phones=["13800131234", "13900135678"],
                      tags=["老客户", "VIP客户", "晚上"], email="zs@example.com", expected_amount="120000.50",
                      notes="喜欢晚上联系"),
        make_customer(name="张三丰", grade="C", grade_reason="测试", phones=["13700139999"], tags=["晚上"]),
        make_customer(name="张顺", owner="agent2", phones=[]),
        make_customer(name="李四", shop="jd", phones=["13600131111", "13500132222", "13400133333"]),
    ]
    return made


def items(client, query: str) -> list[dict]:
    response = client.get(f"/api/v1/customers?{query}")
    assert response.status_code == 200, response.content
    return response.json()["items"]


@pytest.mark.parametrize("role", ["agent", "head", "director"])
@pytest.mark.parametrize("query", ["", "q=zs", "q=张", "q=晚上", "q=1234", "q=134"])
def test_r_cus_1_a_list_row_says_what_the_customers_page_says(archive, clients, role, query):
    client = clients(role)
    rows = items(client, query)
    assert rows, query
    for row in rows:
        detail = client.get(f"/api/v1/customers/{row['id']}")
        assert detail.status_code == 200
        assert row == detail.json()


def test_r_cus_1_list_rows_keep_phones_in_order_masked_for_agents_and_tags_as_entered(archive, clients):
    agent_rows = {r["name"]: r for r in items(clients("agent"), "q=zs")}
    assert agent_rows["张三"]["phones"] == ["138****1234", "139****5678"]
    assert agent_rows["张三"]["tags"] == ["老客户", "VIP客户", "晚上"]
    assert agent_rows["张三丰"]["tags"] == ["晚上"]
    director_rows = {r["name"]: r for r in items(clients("director"), "")}
    assert director_rows["李四"]["phones"] == ["13600131111", "13500132222", "13400133333"]
    assert director_rows["张顺"]["phones"] == [] and director_rows["张顺"]["tags"] == []


def test_r_cus_1_the_next_page_rows_carry_their_phones_and_tags(archive, clients):
    client = clients("director")
    first = client.get("/api/v1/customers?q=zs&page_size=1").json()
    assert first["next"]
    second = client.get(f"/api/v1/customers?q=zs&page_size=1&after={first['next']}").json()
    for row in first["items"] + second["items"]:
        assert row == client.get(f"/api/v1/customers/{row['id']}").json()
    assert first["items"][0]["id"] != second["items"][0]["id"]


@pytest.mark.parametrize("role", ["agent", "director"])
def test_r_cus_1_a_search_page_asks_a_few_queries_and_whether_the_term_is_a_tag_once(archive, clients,
                                                                                      make_customer, role):
    client = clients(role)
    items(client, "q=晚上")  # warm the per-process caches (rules, scope)

    def page(q: str) -> list[dict]:
        with CaptureQueriesContext(connection) as ctx:
            rows = items(client, f"q={q}")
        return rows, ctx.captured_queries

    rows, few = page("张三丰")
    for i in range(12):
        make_customer(name=f"张三{i}", phones=[f"1370000{i:04d}", f"1360000{i:04d}"], tags=["x", "晚上"])
    more, many = page("张三")
    assert len(rows) == 1 and len(more) == 14
    assert len(few) == len(many)
    customer_queries = [q["sql"] for q in many if "customers_" in q["sql"]]
    # the capped count, the page, and the page's phones and tags together; on PostgreSQL (grams index) also
    # the question whether the term is a tag, asked once for the count and the page
    asks_tag = connection.vendor == "postgresql"
    assert len(customer_queries) == 3 + asks_tag, customer_queries
    assert sum('"customers_customertag"."tag" =' in sql for sql in customer_queries) == asks_tag
    assert sum("UNION ALL" in sql for sql in customer_queries) == 1
    page_sql = next(sql for sql in customer_queries if "ORDER BY" in sql and "UNION" not in sql)
    assert "JOIN" not in page_sql  # owner and shop are not joined to every match before the sort
