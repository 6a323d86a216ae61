"""R-CUS-1 search: the same answers on SQLite and on PostgreSQL, where the name/notes arms go through the
grams index (kefu.core.search)."""

import pytest

from kefu.customers.models import Customer
from kefu.customers.selectors import search


@pytest.fixture
def people(make_customer):
    return {
        "zhang": make_customer(name="张三丰", phones=["13800138000"], notes="喜欢在晚上联系", tags=["老客户"]),
        "li": make_customer(name="李建国", phones=["13900001111"], email="jianguo@example.com"),
        "tom": make_customer(name="Tom 王", phones=["13700002222"], tags=["建国"]),
    }


@pytest.mark.parametrize(("q", "expected"), [
    ("张三", {"zhang"}), ("三丰", {"zhang"}), ("张", {"zhang"}),  # Chinese fragments, one character too
    ("晚上", {"zhang"}),  # a word in the notes
    ("老客户", {"zhang"}),  # a tag
    ("建国", {"li", "tom"}),  # a name fragment and, for Tom, a tag
    ("zsf", {"zhang"}), ("ljg", {"li"}), ("lijian", {"li"}),  # pinyin initials and full pinyin
    ("jianguo", {"li"}),  # e-mail prefix
    ("tom", {"tom"}), ("TOM", {"tom"}),  # Latin names, any case
    ("8000", {"zhang"}), ("2222", {"tom"}),  # phone tail digits
    ("王五", set()),
])
def test_r_cus_1_search(people, q, expected):
    found = set(search(Customer.objects.all(), q).values_list("pk", flat=True))
    assert found == {people[k].pk for k in expected}
