"""seed_demo creates API.md's demo organisation and can run again safely."""

import pytest
from django.core.management import call_command

from kefu.org.models import Department, Shop, Team, User

pytestmark = pytest.mark.django_db


def _state():
    return (
        sorted(User.objects.values_list("username", flat=True)),
        sorted(Department.objects.values_list("name", flat=True)),
        sorted(Shop.objects.values_list("code", flat=True)),
        sorted((t.name, tuple(sorted(t.shops.values_list("code", flat=True)))) for t in Team.objects.all()),
    )


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    first = _state()
    call_command("seed_demo")
    assert _state() == first
    users, departments, shops, teams = first
    assert users == sorted(["admin", "director1", "head1", "lead1", "lead2", "qa1",
                            "agent1", "agent2", "agent3", "agent4", "agent5", "agent6"])
    assert departments == sorted(["客服部", "销售部", "物流部", "维修部", "财务部"])
    assert shops == ["jd", "pdd", "tmall"]
    assert teams == [("一班", ("jd", "pdd", "tmall")), ("二班", ("jd", "pdd", "tmall"))]
    assert User.objects.get(username="agent4").team.name == "二班"
    assert User.objects.get(username="agent1").check_password("kefu-demo-2026")
