"""Sample tickets for the demo organisation (``manage.py seed_demo_tickets``), so a newcomer sees the
desk, the lead board, a 物流部 task, callbacks and a dashboard with a month of history at once.

Also adds one person in each of 物流部 and 维修部 (``wuliu1``, ``weixiu1``, demo password) to receive
handed-over tasks. Tickets go through the services; only their creation times are moved into the past
afterwards (with their time limits), which no service offers because real tickets never travel in time."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from kefu.tickets import services
from kefu.tickets.models import Callback, DepartmentTask, Ticket, TicketEvent

TITLES = {
    "consultation": ["咨询宽带套餐资费", "询问会员积分规则", "咨询发票开具方式", "询问门店营业时间"],
    "query": ["查询订单物流进度", "查询退款到账时间", "查询话费账单明细"],
    "service": ["修改收货地址", "办理套餐变更", "申请开具增值税发票"],
    "suggestion": ["建议增加夜间客服", "建议优化APP退货入口"],
    "complaint": ["快递三天未送达且无人联系", "客服电话长时间无人接听", "收到商品破损要求赔偿", "退款超时未到账"],
    "after_sales": ["路由器无法开机申请维修", "耳机左声道无声申请换货", "手机屏幕闪烁申请检测"],
    "fault": ["宽带频繁掉线", "APP无法登录"],
}
ROOT_CAUSES = ["物流延误", "商品质量", "服务态度", "系统故障", "政策规则"]
EXTRA_PEOPLE = [("wuliu1", "物流小王", "物流部"), ("weixiu1", "维修小李", "维修部")]


def _ensure_department_people() -> dict[str, object]:
    from kefu.org.demo import DEMO_PASSWORD
    from kefu.org.models import Department, User
    from kefu.org.services import create_person

    people = {}
    for username, display_name, department_name in EXTRA_PEOPLE:
        person = User.objects.filter(username=username).first()
        if person is None:
            person = create_person(actor=None, username=username, password=DEMO_PASSWORD,
                                   display_name=display_name,
                                   department=Department.objects.get(name=department_name), roles=["agent"])
        people[department_name] = person
    return people


def _backdate(ticket: Ticket, delta: dt.timedelta) -> None:
    fields = {"created_at": ticket.created_at - delta, "last_action_at": ticket.last_action_at - delta}
    for name in ("first_response_due", "first_response_warn_at", "resolution_due", "resolution_warn_at",
                 "first_responded_at", "resolved_at", "closed_at"):
        value = getattr(ticket, name)
        if value is not None:
            fields[name] = value - delta
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    TicketEvent.objects.filter(ticket=ticket).update(at=ticket.created_at - delta)
    for task in DepartmentTask.objects.filter(ticket=ticket):
        DepartmentTask.objects.filter(pk=task.pk).update(due=task.due - delta)
    for callback in Callback.objects.filter(ticket=ticket):
        Callback.objects.filter(pk=callback.pk).update(due=callback.due - delta)


@transaction.atomic
def seed_demo_tickets(*, count: int = 60, seed: int = 2026) -> int:
    """Create ``count`` tickets over the last 30 days for the demo agents. Does nothing when tickets
    exist already (safe to run again)."""
    from kefu.customers.models import Customer
    from kefu.org.models import Shop
    from kefu.org.selectors import users_with_role

    people = _ensure_department_people()
    if Ticket.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not security
    agents = list(users_with_role("agent").filter(team__isnull=False).order_by("username"))
    shops = list(Shop.objects.order_by("code"))
    types = ["consultation"] * 5 + ["query"] * 4 + ["service"] * 3 + ["suggestion"] + ["complaint"] * 3 + \
        ["after_sales"] * 2 + ["fault"]
    made = 0
    for i in range(count):
        agent = agents[i % len(agents)]
        shop = rng.choice(shops)
        kind = rng.choice(types)
        customer = Customer.objects.filter(owner=agent, shop=shop).order_by("?").first()
        ticket = services.create_ticket(
            actor=agent, shop=shop, type=kind, channel=rng.choice(["hotline", "hotline", "chat", "web", "email"]),
            title=rng.choice(TITLES[kind]), description="客户来电反映：" + rng.choice(TITLES[kind]) + "，请尽快处理。",
            priority=rng.choice(["low", "normal", "normal", "normal", "high", "urgent"]),
            customer_id=customer.pk if customer else None,
            severity=rng.choice(["general", "general", "serious", "major"]) if kind == "complaint" else "")
        made += 1
        if kind == "complaint":
            Ticket.objects.filter(pk=ticket.pk).update(root_cause=rng.choice(ROOT_CAUSES))
        # finished tickets spread over the month; the open ones came in over the last two days
        stage = rng.random()
        days_ago = rng.randint(0, 29) if stage > 0.6 else rng.randint(0, 2)
        if stage > 0.25:
            services.add_message(actor=agent, ticket_id=ticket.pk, public=True,
                                 body="您好，已收到您的反馈，我们正在为您处理。")
        if kind == "complaint" and 0.25 < stage <= 0.6:
            services.hand_over(actor=agent, ticket_id=ticket.pk, department=people["物流部"].department,
                               note="请物流部核实派送情况并联系快递站点。")
        if stage > 0.6:
            ticket.refresh_from_db()
            services.transition(actor=agent, ticket_id=ticket.pk, to="resolved", version=ticket.version,
                                note="已为客户处理完毕。")
            if kind in {"complaint", "after_sales"} and stage > 0.8:
                services.record_callback(actor=agent, ticket_id=ticket.pk, satisfaction=rng.choice([3, 4, 5, 5]),
                                         solved=True, note="客户表示满意。")
        ticket.refresh_from_db()
        _backdate(ticket, dt.timedelta(days=days_ago, hours=rng.randint(0, 6)))
    from kefu.tickets.jobs import scan_sla

    scan_sla()  # the time limits of the moved tickets: warnings, breaches, automatic escalations
    return made
