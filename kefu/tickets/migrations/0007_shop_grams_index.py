"""A keyword search within the caller's shops from one index (issue 13; bench/notes/search.md), PostgreSQL
only: SQLite has no GIN indexes, so this migration does nothing there.

``tic_shop_grams_idx`` is a GIN index over the shop and the grams of the text (0002's ``kefu_grams``), with
the ``btree_gin`` extension (part of PostgreSQL's contrib, in Debian's server package) for the shop's
bigint. An agent's search for a common word (退款: 339,000 of 2 M tickets, ~10,000 in the agent's three
shops) then reads only the matches in those shops, instead of every match in the centre filtered by
shop afterwards.

Built with CREATE INDEX CONCURRENTLY: the tickets table (millions of rows) keeps taking new tickets while
it is built. No model state changes (RunPython), so ``makemigrations --check`` stays clean."""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

from kefu.core.pg_indexes import postgresql_index

NAME = "tic_shop_grams_idx"
DEFINITION = "ON tickets_ticket USING gin (shop_id, kefu_grams(title::text || ' ' || description))"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0006_board_and_queue_indexes"),
    ]

    operations = [
        BtreeGinExtension(),
        postgresql_index(NAME, DEFINITION),
    ]
