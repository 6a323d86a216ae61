"""Prefix searches at their edges (issue 13 review): on PostgreSQL ``starts_with`` writes a prefix as the range
``[prefix, prefix with its last character + 1)``; it must find exactly what ``startswith`` finds — the last
character 9 or z (bumped to ':' and '{'), values that *are* the prefix, values just past the range, e-mails in
any case — and terms with % _ \\ or non-ASCII characters still find only what contains them. The same answers on
SQLite (where the plain ``__startswith`` runs)."""

import pytest

from kefu.core.search import starts_with
from kefu.customers.models import Customer, CustomerPhone
from kefu.customers.selectors import search

pytestmark = pytest.mark.django_db

PINYIN = ["z", "za", "zz", "z{", "zzz", "y", "{", "zh", "zhang"]
EMAILS = ["z@x.cn", "Zed@x.cn", "zz@x.cn", "[z@x.cn", "y@x.cn", "ZHANG@x.cn"]
PHONES = ["13900000009", "13900000019", "13900000029", "1390000003:", "13900000090", "9"]


@pytest.fixture
def archive(demo):
    shop = demo.shops["tmall"]
    people = {}
    for i, (pinyin, email) in enumerate(zip(PINYIN, EMAILS + [""] * len(PINYIN), strict=False)):
        people[pinyin] = Customer.objects.create(
            shop=shop, name=f"客户{i}", name_pinyin=pinyin, name_initials=pinyin[:2], email=email, grade="C",
            grade_proposed="C", next_due="2026-12-09")
    holder = people["y"]
    for number in PHONES:
        CustomerPhone.objects.create(customer=Customer.objects.create(
            shop=shop, name=f"电话{number}", name_pinyin="dianhua", name_initials="dh", grade="C", grade_proposed="C",
            next_due="2026-12-09"), number=number, reversed_number=number[::-1])
    return people, holder


def _expected(q: str) -> set[int]:
    lowered = q.lower()
    return set(Customer.objects.filter(
        pk__in=[c.pk for c in Customer.objects.all() if c.name_initials.startswith(lowered)
                or c.name_pinyin.startswith(lowered) or c.email.upper().startswith(q.upper()) or q.lower() in c.name.lower()]
    ).values_list("pk", flat=True))


@pytest.mark.parametrize("q", ["z", "Z", "zz", "zh", "zhang", "y", "yy"])
def test_latin_prefixes_find_what_startswith_finds(archive, q):
    assert set(search(Customer.objects.all(), q).values_list("pk", flat=True)) == _expected(q)


@pytest.mark.parametrize("q", ["009", "0009", "139", "999", "0090"])
def test_phone_prefixes_and_tails_find_what_startswith_finds(archive, q):
    found = set(search(Customer.objects.all(), q).values_list("pk", flat=True))
    expected = set(CustomerPhone.objects.filter(pk__in=[
        p.pk for p in CustomerPhone.objects.all() if p.number.startswith(q) or p.number.endswith(q)])
        .values_list("customer_id", flat=True))
    assert found == expected
    assert (len(found) > 0) == (q != "999")


@pytest.mark.parametrize("q", ["z%", "z_", "z\\", "%", "_", "ｚ", "ž"])
def test_wildcards_and_non_ascii_are_no_prefix_ranges(archive, q):
    assert starts_with("name_pinyin", q) is None
    found = set(search(Customer.objects.all(), q).values_list("pk", flat=True))
    assert found == set(Customer.objects.filter(pk__in=[
        c.pk for c in Customer.objects.all() if q in c.name or q in c.notes]).values_list("pk", flat=True))
