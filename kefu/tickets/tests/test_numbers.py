"""Ticket numbers (R-TIC-1): KF + the day + the day's count, per organisation; never repeated, also
when tickets are created at the same moment (the number is taken outside the ticket's transaction)."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from kefu.core.errors import InvalidInput
from kefu.tickets import services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_r_tic_1_numbers_count_per_day_and_start_again_the_next_day(demo, make_ticket, monkeypatch):
    monkeypatch.setattr(services, "_now", lambda: dt.datetime(2026, 11, 23, 23, 59, tzinfo=SHANGHAI))
    assert [make_ticket().number for _ in range(2)] == ["KF20261123-0001", "KF20261123-0002"]
    monkeypatch.setattr(services, "_now", lambda: dt.datetime(2026, 11, 24, 0, 0, tzinfo=SHANGHAI))
    assert make_ticket().number == "KF20261124-0001"


def test_r_tic_1_a_refused_creation_takes_no_number(demo, make_ticket, monkeypatch):
    monkeypatch.setattr(services, "_now", lambda: dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI))
    assert make_ticket().number == "KF20261123-0001"
    with pytest.raises(InvalidInput):
        make_ticket(title="")
    assert make_ticket().number == "KF20261123-0002"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets one writer in at a time anyway")
@pytest.mark.django_db(transaction=True)
def test_r_tic_1_tickets_created_at_the_same_moment_get_different_numbers():
    from kefu.org.demo import seed_demo
    from kefu.org.models import Shop, User

    seed_demo()
    agents = list(User.objects.filter(username__in=["agent1", "agent2", "agent3", "agent4"]))
    shop = Shop.objects.get(code="tmall")
    numbers, errors = [], []

    def create(agent):
        try:
            for _ in range(5):
                numbers.append(services.create_ticket(actor=agent, shop=shop, type="consultation",
                                                      channel="hotline", title="同时来电").number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(numbers) == 20 and len(set(numbers)) == 20
