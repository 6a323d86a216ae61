"""The scope counts kept 15 s per person (counts.scope_counts) are not behind the person's own change: after a
lead approves a compensation, or a director supervises a ticket, their next desk or home page counts afresh
(other people's changes may still take up to the 15 s to show)."""

import pytest

from kefu.tickets import counts, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def counts_cached(settings):
    from django.core.cache import cache

    settings.KEFU_SCOPE_COUNTS_SECONDS = counts.SCOPE_COUNTS_SECONDS
    cache.clear()
    yield
    cache.clear()


def test_a_leads_approval_leaves_their_approvals_tile_at_once(demo, make_ticket, counts_cached):
    lead = demo.users["lead1"]
    ticket = make_ticket(type="complaint")
    comp = services.request_compensation(actor=demo.users["agent1"], ticket_id=ticket.pk, amount="80", reason="补偿")
    assert counts.scope_counts(lead)["approvals"] == 1
    services.decide_compensation(actor=lead, compensation_id=comp.pk, approve=True)
    assert counts.scope_counts(lead)["approvals"] == 0 == counts.count_scope(lead)["approvals"]


def test_a_directors_supervision_shows_in_their_supervised_tile_at_once(demo, make_ticket, counts_cached):
    director = demo.users["director1"]
    ticket = make_ticket()
    assert counts.scope_counts(director)["supervised"] == 0
    services.supervise(actor=director, ticket_id=ticket.pk, on=True)
    assert counts.scope_counts(director)["supervised"] == 1


def test_a_leads_own_new_ticket_is_counted_at_once(demo, make_ticket, counts_cached):
    lead = demo.users["lead1"]
    before = counts.scope_counts(lead)["open"]
    make_ticket(actor="lead1")
    assert counts.scope_counts(lead)["open"] == before + 1


def test_someone_elses_change_may_wait_for_the_seconds(demo, make_ticket, counts_cached):
    director = demo.users["director1"]
    assert counts.scope_counts(director)["open"] == 0
    make_ticket()  # agent1's
    assert counts.scope_counts(director)["open"] == 0  # the kept numbers, up to 15 s old
