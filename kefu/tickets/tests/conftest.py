import pytest

from kefu.tickets import services


@pytest.fixture
def make_ticket(demo):
    """``make_ticket(actor="agent1", shop="tmall", **fields)`` through the service."""

    def make(actor: str = "agent1", shop: str = "tmall", **fields):
        fields.setdefault("type", "consultation")
        fields.setdefault("channel", "hotline")
        fields.setdefault("title", "咨询套餐资费")
        return services.create_ticket(actor=demo.users[actor], shop=demo.shops[shop], **fields)

    return make


@pytest.fixture
def department_user(demo):
    """A person of 物流部 (other department) who receives handed-over tasks."""
    from kefu.org.services import create_person

    return create_person(actor=None, username="wuliu1", password="x-2026-long", display_name="物流小王",
                         department=demo.departments["物流部"], roles=["agent"])


@pytest.fixture
def set_rules(demo):
    """``set_rules(tickets__assignment_mode="round_robin")`` through the settings service."""
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule

    def set_(**values):
        for key, v in values.items():
            key = key.replace("__", ".")
            set_rule(actor=demo.users["admin"], key=key, value=v, version=rule_row(key).version)
        clear_cache()

    yield set_
    clear_cache()


@pytest.fixture
def make_customer(demo):
    """``make_customer(phones=["13800138000"], tier="vip")`` in tmall, owned by agent1."""
    from kefu.customers.models import Customer
    from kefu.customers.services import create_customer

    def make(name: str = "王女士", *, phones=None, shop: str = "tmall", tier: str | None = None, actor="agent1"):
        customer = create_customer(actor=demo.users[actor], shop=demo.shops[shop], name=name,
                                   phones=list(phones or []), need_status="target")
        if tier:
            Customer.objects.filter(pk=customer.pk).update(value_tier=tier)
            customer.refresh_from_db()
        return customer

    return make


@pytest.fixture
def notified():
    """``notified("escalation")`` → the usernames that got a notification of that kind (a set)."""
    from kefu.notifications.models import Notification

    def names(kind: str, ticket=None) -> set[str]:
        qs = Notification.objects.filter(kind=kind)
        if ticket is not None:
            qs = qs.filter(url__contains=f"/{ticket.pk}/")
        return set(qs.values_list("recipient__username", flat=True))

    return names


@pytest.fixture
def clock(monkeypatch):
    """The services' clock, frozen at ``clock.at`` (2026-12-04 12:00 Asia/Shanghai unless moved)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    class Clock:
        at = dt.datetime(2026, 12, 4, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    c = Clock()
    monkeypatch.setattr(services, "_now", lambda: c.at)
    return c


@pytest.fixture
def request_(demo, clock):
    """``request_(ticket, amount, who="agent1")``: a compensation request through the service."""

    def ask(ticket, amount, who="agent1"):
        return services.request_compensation(actor=demo.users[who], ticket_id=ticket.pk, amount=amount,
                                             reason="补偿")

    return ask
