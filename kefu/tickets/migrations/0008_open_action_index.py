"""The director's and heads' board (issue 13, session 7; bench/notes/board.md), PostgreSQL only.

``tic_open_action_idx`` holds the open tickets in last-action order. The board of a whole centre or
department reads its "stuck" column (the oldest last action first) and its "escalated" column (the newest
first, filtered to the escalated) by walking it and stopping after 11 cards, instead of reading all of
the scope's open tickets (64,098 on the benchmark: 250 ms) and sorting them. A lead's board keeps its per-owner
indexes (0006).

Built with CREATE INDEX CONCURRENTLY (the tickets table keeps taking tickets meanwhile). No model state
changes (RunPython), so ``makemigrations --check`` stays clean; a no-op on SQLite."""

from django.db import migrations

from kefu.core.pg_indexes import postgresql_index

NAME = "tic_open_action_idx"
DEFINITION = ("ON tickets_ticket USING btree (last_action_at, id) "
              "WHERE status IN ('new', 'in_progress', 'waiting')")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0007_shop_grams_index"),
    ]

    operations = [
        postgresql_index(NAME, DEFINITION),
    ]
