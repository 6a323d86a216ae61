import datetime as dt

import pytest

from kefu.customers import services


@pytest.fixture
def make_customer(demo):
    """``make_customer(owner="agent1", shop="tmall", **fields)`` through the service, as the owner."""
    counter = {"n": 0}

    def make(owner: str = "agent1", shop: str = "tmall", actor: str | None = None, **fields):
        counter["n"] += 1
        fields.setdefault("name", f"客户{counter['n']}")
        fields.setdefault("phones", [f"139{counter['n']:08d}"])
        return services.create_customer(actor=demo.users[actor or owner], owner=demo.users[owner],
                                        shop=demo.shops[shop], **fields)

    return make


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
