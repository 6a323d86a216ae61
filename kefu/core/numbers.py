"""Numbers that fit their column (R-ERR): the one check the API, the pages and the import share.

SQLite does not enforce a ``DecimalField``'s digits, and Django quantizes a decimal on every read, so a
stored value wider than its column (``70830737566141448`` in ``max_digits=14``) breaks every later read
of the row — detail, lists, search, export. Services therefore check every number a person or a file
supplies with :func:`clean_decimal` / :func:`clean_integer` *before* they write, and models add
:func:`decimal_range_constraint` so the database refuses whatever slips past (on SQLite too).

The functions raise :class:`NumberProblem` carrying a sentence in the user's language; the caller
names the field (``errors.add(field, problem.message)``, or a form's ``ValidationError``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _


class NumberProblem(ValueError):
    """The value is not a number, or does not fit; ``message`` says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def decimal_limit(max_digits: int, decimal_places: int) -> Decimal:
    """The largest value a ``DecimalField(max_digits, decimal_places)`` holds: (14, 2) → 999999999999.99."""
    return Decimal(10) ** (max_digits - decimal_places) - Decimal(10) ** -decimal_places


def parse_decimal(value: Any) -> Decimal:
    """A finite Decimal from an int, float, Decimal or numeric text; NaN, infinities, booleans and
    anything else are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise NumberProblem(_("Enter a number."))
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise NumberProblem(_("Enter a number.")) from None
    if not number.is_finite():
        raise NumberProblem(_("Enter a finite number (not NaN or infinity)."))
    return number


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -int(exponent))


def clean_decimal(value: Any, *, max_digits: int, decimal_places: int, min_value: Decimal | int | None = None,
                  min_message: str | None = None, max_message: str | None = None) -> Decimal:
    """``value`` as a Decimal with ``decimal_places`` places that fits ``DecimalField(max_digits,
    decimal_places)``, or :class:`NumberProblem`. ``min_value`` narrows the lower bound (e.g. 0);
    ``min_message`` / ``max_message`` replace the generic sentences."""
    number = parse_decimal(value)
    limit = decimal_limit(max_digits, decimal_places)
    lower = -limit if min_value is None else max(Decimal(min_value), -limit)
    if number > limit:
        raise NumberProblem(max_message or _("Must be at most %(le)s.") % {"le": f"{limit:f}"})
    if number < lower:
        raise NumberProblem(min_message or _("Must be at least %(ge)s.") % {"ge": f"{lower:f}"})
    if _places(number) > decimal_places:
        raise NumberProblem(_("Use at most %(places)s decimal places.") % {"places": decimal_places})
    return number.quantize(Decimal(10) ** -decimal_places)


def clean_decimal_for(field: models.DecimalField, value: Any, **kwargs: Any) -> Decimal:
    """:func:`clean_decimal` against a model field's own ``max_digits`` and ``decimal_places``."""
    return clean_decimal(value, max_digits=field.max_digits, decimal_places=field.decimal_places, **kwargs)


def integer_range(field: models.Field) -> tuple[int | None, int | None]:
    """(min, max) an integer model field accepts: its validators (the backend's column range — from 0
    for positive fields — and any explicit Min/MaxValueValidator)."""
    from django.core.validators import MaxValueValidator, MinValueValidator

    low = high = None
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value if low is None else max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = validator.limit_value if high is None else min(high, validator.limit_value)
    return low, high


def clean_integer(value: Any, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """A whole number within [min_value, max_value] from an int, an integral float/Decimal or digits."""
    if isinstance(value, bool):
        raise NumberProblem(_("Enter a whole number."))
    if isinstance(value, int):
        number = value
    else:
        decimal = parse_decimal(value)
        if decimal != decimal.to_integral_value():
            raise NumberProblem(_("Enter a whole number."))
        number = int(decimal)
    if max_value is not None and number > max_value:
        raise NumberProblem(_("Must be at most %(le)s.") % {"le": max_value})
    if min_value is not None and number < min_value:
        raise NumberProblem(_("Must be at least %(ge)s.") % {"ge": min_value})
    return number


def clean_integer_for(field: models.Field, value: Any) -> int:
    """:func:`clean_integer` within the range the model field's column holds."""
    low, high = integer_range(field)
    return clean_integer(value, min_value=low, max_value=high)


def ids_in_range(ids: Iterable[Any], field: models.Field) -> list[int]:
    """The ids among ``ids`` that a key column can hold. The others cannot exist, and a query naming one
    would overflow the database driver ("Python int too large to convert to SQLite INTEGER"), so
    callers look up only these and treat the rest as absent."""
    low, high = integer_range(field)
    return [i for i in ids if isinstance(i, int) and not isinstance(i, bool)
            and (low is None or i >= low) and (high is None or i <= high)]


def decimal_range_constraint(field_name: str, *, max_digits: int, decimal_places: int,
                             min_value: Decimal | int | None = None, name: str) -> models.CheckConstraint:
    """A CHECK that the column holds only what its ``DecimalField`` can be read back as (and at least
    ``min_value``). NULL passes, as in any CHECK; on SQLite, text such as 'NaN' compares above every
    number and so is refused too."""
    limit = decimal_limit(max_digits, decimal_places)
    lower = -limit if min_value is None else Decimal(min_value)
    return models.CheckConstraint(
        condition=models.Q(**{f"{field_name}__gte": lower, f"{field_name}__lte": limit}), name=name,
    )
