"""CHECK constraints keep money columns within their digits (R-ERR): SQLite does not enforce a
DecimalField's ``max_digits``, and a wider value breaks every read of its row."""

from decimal import Decimal

from django.db import migrations, models

LIMIT = Decimal("999999999999.99")


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0003_empty_unreadable_amounts"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(("expected_amount__gte", Decimal("0")), ("expected_amount__lte", LIMIT)),
                name="cus_expected_amount_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", -LIMIT), ("amount__lte", LIMIT)),
                name="order_amount_range",
            ),
        ),
    ]
