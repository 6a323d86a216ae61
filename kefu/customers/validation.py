"""Numbers of the customer archive, checked against their columns (R-ERR) — one path for all inputs.

The API and the pages reach these through the services (``services._validate_fields``); the customer
form calls them for its field error; the importer calls them on each row. The limits come from the
model fields, and the same limits are CHECK constraints on the tables (``Customer.Meta.constraints``;
orders, which only jobs and the demo write, have theirs too), so a value that fits here can always be
read back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field

from kefu.core.numbers import NumberProblem, clean_decimal_for, decimal_limit
from kefu.customers.models import Customer

__all__ = ["AmountIn", "NumberProblem", "clean_expected_amount", "expected_amount_max"]

_EXPECTED = Customer._meta.get_field("expected_amount")


def expected_amount_max() -> Decimal:
    """The largest expected amount the column holds (999999999999.99 for 14 digits, 2 places)."""
    return decimal_limit(_EXPECTED.max_digits, _EXPECTED.decimal_places)


def clean_expected_amount(value: Any) -> Decimal | None:
    """The expected deal amount (CNY, two places, not negative, within the column), or None when empty;
    :class:`NumberProblem` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return clean_decimal_for(_EXPECTED, value, min_value=0,
                             min_message=_("The amount cannot be negative."))


def _raw_number(value: Any) -> Any:
    """API input: leave numbers and text to the service's check; anything else (true, a list…) becomes
    text that is no number, so the answer is the same localized "Enter a number."."""
    if value is None or (isinstance(value, int | float | str | Decimal) and not isinstance(value, bool)):
        return value
    return "?"


# An API field for an amount: parsed leniently so that NaN, Infinity and too-large values reach the
# service's check (and get its field error in the user's language) instead of pydantic's English.
AmountIn = Annotated[Decimal, Field(allow_inf_nan=True), BeforeValidator(_raw_number)]
