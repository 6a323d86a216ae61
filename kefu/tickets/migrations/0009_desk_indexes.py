"""Indexes for the agents' and leads' desks on the heavy backlog (issue 13, session 8), PostgreSQL only
(kefu.core.pg_indexes: built CONCURRENTLY, no model state). Each line says what reads it."""

from django.db import migrations

from kefu.core.pg_indexes import postgresql_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0008_open_action_index"),
    ]

    operations = [
        # the lead board's "breaching" column per owner (board_selectors.lead_board, its LATERAL form)
        postgresql_index("tic_owner_breach_idx", "ON tickets_ticket USING btree (owner_id, resolution_due, id) "
                         "WHERE status IN ('new', 'in_progress', 'waiting') AND sla_state IN ('warning', 'breached')"),
        # the API's open list of an agent (owner=me&open_only): its count and page ids from the index alone
        postgresql_index("tic_owner_open_cover_idx", "ON tickets_ticket (owner_id, resolution_due, id) INCLUDE (shop_id) "
                         "WHERE status IN ('new', 'in_progress', 'waiting')"),
        # the desk's tiles of an agent (counts.desk_counts: open, breached, warning) counted from the index alone
        postgresql_index("tic_owner_sla_idx", "ON tickets_ticket (owner_id, sla_state) "
                         "WHERE status IN ('new', 'in_progress', 'waiting')"),
    ]
