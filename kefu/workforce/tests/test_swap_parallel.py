"""R-WFM-3 under concurrency (real connections, committed data): two approvals at the same moment cannot both
make a swap happen when together they give someone 连班; three swaps asked at the same moment cannot pass the
monthly limit of 2."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.errors import RuleViolation
from kefu.org.tests.parallel import in_parallel, shared_database  # noqa: F401 - fixture
from kefu.workforce import services
from kefu.workforce.models import ShiftSwap
from kefu.workforce.tests.conftest import MONDAY

DAY = MONDAY + dt.timedelta(days=8)  # Tuesday of next week


def _users():
    from kefu.org.models import User

    return {u.username: u for u in User.objects.all()}


def _shift(users, username: str, date: dt.date, start: str, end: str):
    return services.create_shift(actor=users["head1"], person=users[username], date=date, kind="day",
                                 start=dt.time.fromisoformat(start), end=dt.time.fromisoformat(end))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shared_database")
def test_R_WFM_3_two_racing_approvals_cannot_together_give_lianban(clock):
    from kefu.org.demo import seed_demo
    from kefu.workforce.services import swaps

    seed_demo()
    users = _users()
    w = _shift(users, "agent1", DAY, "04:00", "08:00")
    x = _shift(users, "agent1", DAY, "21:00", "23:00")
    one = swaps.request_swap(actor=users["agent1"], shift_id=x.pk,
                             with_shift_id=_shift(users, "agent2", DAY, "16:00", "20:00").pk, reason="有事")
    two = swaps.request_swap(actor=users["agent1"], shift_id=w.pk,
                             with_shift_id=_shift(users, "agent3", DAY, "09:00", "13:00").pk, reason="有事")
    queue = iter([("lead1", one), ("head1", two)])

    def send():
        from kefu.org.models import User

        username, swap = next(queue)
        return swaps.approve_swap(actor=User.objects.get(username=username), swap_id=swap.pk, version=swap.version)

    results = in_parallel(send, 2)
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(refusals) == 1 and isinstance(refusals[0], RuleViolation), results
    assert refusals[0].rule == "R-WFM-3"
    assert sorted(ShiftSwap.objects.values_list("status", flat=True)) == ["approved", "pending"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shared_database")
def test_R_WFM_3_three_swaps_asked_at_once_stay_within_the_monthly_limit(clock):
    from kefu.org.demo import seed_demo
    from kefu.workforce.services import swaps

    seed_demo()
    users = _users()
    pairs = iter([(_shift(users, "agent1", DAY + dt.timedelta(days=n), "09:00", "18:00").pk,
                   _shift(users, "agent2", DAY + dt.timedelta(days=n), "13:00", "22:00").pk) for n in (0, 2, 4)])

    def send():
        from kefu.org.models import User

        shift_id, with_shift_id = next(pairs)
        return swaps.request_swap(actor=User.objects.get(username="agent1"), shift_id=shift_id,
                                  with_shift_id=with_shift_id, reason="同时申请")

    results = in_parallel(send, 3)
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(refusals) == 1 and isinstance(refusals[0], RuleViolation), results
    assert ShiftSwap.objects.filter(status="pending").count() == 2
