"""Faster keyword searches and ticket creation over millions of tickets (bench/README.md):

- ``tic_sla_order_idx`` (resolution_due, id): a keyword with many matches walks it in list order;
- ``kefu_grams()`` gets a high planner cost (``kefu.core.search.GRAMS_FUNCTION_SQL``);
- indexes that only repeated the leading column of another index are dropped (the foreign keys shop,
  customer, owner and the event's ticket; caller_phone's LIKE index; UPPER(number), now that a number
  is searched as typed in upper case): each one was written on every ticket created.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kefu.core.schema import drop_field_indexes
from kefu.core.search import GRAMS_FUNCTION_SQL

# indexes dropped by themselves: AlterField would also drop and re-validate the foreign keys (kefu.core.schema)
FIELDS_WITHOUT_INDEX = [("tickets.Ticket", "caller_phone"), ("tickets.Ticket", "customer"),
                        ("tickets.Ticket", "owner"), ("tickets.Ticket", "shop"), ("tickets.TicketEvent", "ticket")]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(GRAMS_FUNCTION_SQL)
    schema_editor.execute("DROP INDEX IF EXISTS tic_number_upper_idx")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS tic_number_upper_idx ON tickets_ticket (UPPER(number::text))")


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0002_search_indexes'),
        ('org', '0001_initial'),
        ('tickets', '0002_search_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='ticket',
                    name='caller_phone',
                    field=models.CharField(blank=True, max_length=20, verbose_name="caller's phone"),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='customer',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.customer', verbose_name='customer'),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='owner',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner'),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='shop',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.shop', verbose_name='shop'),
                ),
                migrations.AlterField(
                    model_name='ticketevent',
                    name='ticket',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='tickets.ticket'),
                ),
            ],
            database_operations=[migrations.RunPython(*drop_field_indexes(FIELDS_WITHOUT_INDEX), elidable=False)],
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['resolution_due', 'id'], name='tic_sla_order_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['caller_phone'], name='tic_caller_idx'),
        ),
    ]
