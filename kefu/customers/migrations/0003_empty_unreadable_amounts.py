"""Expected amounts that no longer fit their column are emptied (R-ERR), before 0004 adds the CHECK.

Before the check, the API stored expected amounts wider than ``max_digits=14`` (SQLite does not enforce
the digits), and every read of such a row failed. Those values cannot be read back as amounts at all,
so they (and any negative one, which every input refuses) become empty; the rest of each customer is
untouched. A migration of its own, so that on PostgreSQL the update and the ALTER TABLE run in separate
transactions.
"""

from decimal import Decimal

from django.db import migrations, models

LIMIT = Decimal("999999999999.99")


def empty_unreadable_amounts(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    bad = models.Q(expected_amount__gt=LIMIT) | models.Q(expected_amount__lt=0)
    Customer.objects.filter(bad).update(expected_amount=None)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0002_search_indexes"),
    ]

    operations = [
        migrations.RunPython(empty_unreadable_amounts, migrations.RunPython.noop),
    ]
