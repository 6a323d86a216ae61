"""Indexes of the month's sample (issue 11, measured on 2 M tickets: bench/notes/quality.md):

- the flagged automatic-check results by ticket (partial: only flagged rows), for the sample's "flagged" risk;
- on PostgreSQL, the reopenings among the tickets' events (partial: transitions back to in progress, a small
  index), for the sample's "reopened" risk — without it every draw read all 8 M events. Built CONCURRENTLY so
  that tickets keep being answered meanwhile (hence a non-atomic migration)."""

from django.db import migrations, models

from kefu.core.pg_indexes import postgresql_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("quality", "0005_check_rule_version"),
        ("tickets", "0005_open_ticket_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticketcheck",
            index=models.Index(condition=models.Q(("flagged", True)), fields=["ticket"], name="qa_check_flagged_ticket"),
        ),
        postgresql_index("qa_reopen_event", "ON tickets_ticketevent (ticket_id) "
                         "WHERE kind = 'transition' AND (data -> 'to') = '\"in_progress\"'::jsonb"),
    ]
