"""Sample customers for the demo organisation (``manage.py seed_demo_customers``), so a newcomer sees
lists, due items and charts at once. Not part of ``seed_demo`` (API.md fixes what that creates)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kefu.customers import services
from kefu.customers.models import Customer, GradeChange, Order

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平"]
TAGS = ["老客户", "价格敏感", "企业客户", "复购", "投诉过", "高端"]
ITEMS = ["宽带套餐", "路由器", "手机", "耳机", "充电器", "会员年卡"]


@transaction.atomic
def seed_demo_customers(*, per_agent: int = 12, seed: int = 2026) -> int:
    """Create ``per_agent`` customers for each demo agent, with follow-ups in the past and orders.
    Does nothing when customers already exist (safe to run again)."""
    from kefu.org.selectors import shops_in_scope, users_with_role

    if Customer.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not security
    today = timezone.localdate()
    agents = list(users_with_role("agent"))
    made = 0
    for agent in agents:
        shops = list(shops_in_scope(agent))
        for _ in range(per_agent):
            need = rng.choice(["target", "target", "latent", "dead"])
            close = today + dt.timedelta(days=rng.randint(5, 240)) if need == "target" else None
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            customer = services.create_customer(
                actor=agent, shop=rng.choice(shops), name=name,
                phones=[f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"],
                need_status=need, deal_status=rng.choice(["won", "negotiating", "prospect"]),
                expected_close_date=close,
                expected_amount=Decimal(rng.choice([5000, 20000, 80000, 150000, 300000])),
                birthday=dt.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28)),
                tags=rng.sample(TAGS, rng.randint(0, 2)), notes=rng.choice(["", "希望周末联系", "对价格比较敏感"]),
            )
            back = rng.randint(1, 40)
            at = timezone.now() - dt.timedelta(days=back, hours=rng.randint(0, 8))
            Customer.objects.filter(pk=customer.pk).update(
                created_at=at - dt.timedelta(days=60), countdown_from=timezone.localdate(at) - dt.timedelta(days=1))
            GradeChange.objects.filter(customer=customer).update(at=at - dt.timedelta(days=60))
            services.record_followup(actor=agent, customer_id=customer.pk, at=at,
                                     method=rng.choice(["phone", "wechat", "visit"]),
                                     content=rng.choice(["介绍新套餐", "确认需求", "回访使用情况", "催付款"]))
            for _order in range(rng.randint(0, 4)):
                Order.objects.create(customer=customer, shop=customer.shop, date=today - dt.timedelta(days=rng.randint(1, 400)),
                                     amount=Decimal(rng.randint(50, 5000)), items=rng.sample(ITEMS, rng.randint(1, 2)))
            made += 1
    return made
