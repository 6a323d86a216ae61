"""``{{ amount|money }}``: amounts with the yuan sign and thousands separators (¥100,000.00)."""

from decimal import Decimal

from django.template import Context, Template


def _render(value) -> str:
    return Template("{% load kefu %}{{ v|money }}").render(Context({"v": value}))


def test_money_has_thousands_separators_and_two_decimals():
    assert _render(Decimal("100000")) == "¥100,000.00"
    assert _render("20000.5") == "¥20,000.50"
    assert _render(Decimal("50.00")) == "¥50.00"
    assert _render(None) == ""
    assert Template("{% load kefu %}{{ v|thousands }}").render(Context({"v": Decimal("1234567.5")})) == "1,234,567.50"
