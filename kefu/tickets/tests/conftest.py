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
