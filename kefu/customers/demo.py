"""Sample customers for the demo organisation (``manage.py seed_demo_customers``), so a newcomer sees
every state of the archive at once, whatever the day: the four value tiers, VIPs at risk of churning,
follow-ups due today and overdue, customers about to return to the pool and customers in it.

Each customer is written through the services with the clock moved back to the moment of each step
(created, then followed up), counted back from today; then the nightly jobs run (value tiers, churn,
pool returns and warnings, care tasks, overdue reminders), so nothing waits for "recompute".
Not part of ``seed_demo`` (API.md fixes what that creates). Safe to run again: customers are created
only when there are none; the jobs run every time (they change nothing on a second run the same day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kefu.core.demo_clock import at, local_moment
from kefu.customers import services
from kefu.customers.models import Customer, Order

SHOPS = {"tmall": "天猫旗舰店", "jd": "京东自营店", "pdd": "拼多多店"}


@dataclass(frozen=True)
class Profile:
    """What a kind of customer looks like; days are counted back from today (``close_in`` forward)."""

    need: str
    deal: str
    close_in: int | None  # expected close, days from today
    amount: int | None
    created_ago: int
    orders: tuple[tuple[int, int, tuple[str, ...]], ...]  # (days ago, amount, items)
    followups: tuple[tuple[int, str, str, str], ...]  # (days ago, method, content, outcome)
    tags: tuple[str, ...] = ()
    notes: str = ""


# Every follow-up's date decides the state today: cadence B = 7 days, C = 15, D = 30; the pool takes a
# customer after 3 cadences without follow-up (B 21 days, C 45) and warns 3 days before.
PROFILES: dict[str, Profile] = {
    # VIP whose purchases stopped: no order in the last three months (churn: frequency dropped)
    "vip_drop": Profile(
        "latent", "won", None, 30000, 540,
        ((480, 3299, ("扫地机器人X7",)), (430, 459, ("空气净化器滤芯",)), (390, 1899, ("空气净化器AP5",)),
         (350, 899, ("破壁料理机",)), (300, 2599, ("洗地机F3",)), (260, 399, ("电热水壶",)),
         (220, 1299, ("蒸烤箱",)), (180, 699, ("加湿器",)), (150, 459, ("空气净化器滤芯",)),
         (120, 3599, ("扫地机器人X9",))),
        ((120, "phone", "回访新买的扫地机器人X9，客户反馈建图很快，问了滤网多久换一次", "已告知3个月更换一次"),
         (25, "wechat", "推送年货节老客专享满减券，客户说家里电器都配齐了，暂时不买", "客户暂无需求，过完年再联系")),
        ("老客户", "复购"), "家里全套小家电都在我们店买的，逢大促必问价"),
    # VIP with a clear repurchase need whose follow-up is overdue by more than a cadence (churn)
    "vip_overdue": Profile(
        "target", "won", 50, 80000, 420,
        ((400, 5600, ("空气炸锅5L", "电热水壶")), (330, 12800, ("扫地机器人X7",))
         , (260, 8900, ("破壁料理机",)), (200, 15600, ("空气净化器AP5",)), (140, 6400, ("加湿器",)),
         (90, 9800, ("洗地机F3",)), (60, 4300, ("空气净化器滤芯",)), (30, 7200, ("蒸烤箱",)),
         (12, 3600, ("空气净化器滤芯",))),
        ((40, "visit", "上门拜访公司行政，确认明年员工福利继续采购小家电", "对方要求年前给出团购报价"),
         (16, "email", "发送年度团购报价单（空气炸锅、电热水壶各100台）", "行政说等老板审批后回复")),
        ("企业客户", "复购"), "公司行政采购，每季度下单，发票抬头为公司"),
    # VIP buying steadily, followed up on time
    "vip": Profile(
        "latent", "won", None, 20000, 460,
        ((450, 2999, ("扫地机器人X7",)), (380, 1899, ("空气净化器AP5",)), (300, 459, ("空气净化器滤芯",)),
         (240, 2599, ("洗地机F3",)), (170, 459, ("空气净化器滤芯",)), (110, 1299, ("蒸烤箱",)),
         (75, 699, ("加湿器",)), (40, 459, ("空气净化器滤芯",)), (8, 3599, ("扫地机器人X9",))),
        ((30, "wechat", "提醒滤芯到了更换周期，发了复购链接", "客户当天下单两套滤芯"),
         (4, "phone", "回访扫地机器人X9安装情况，教客户设置禁区", "客户满意，答应给好评")),
        ("老客户", "高端"), "喜欢新品，上新时优先通知"),
    # a clear need closing within about two months: grade B, last follow-up 7 days ago → due today
    "today_b": Profile(
        "target", "negotiating", 45, 60000, 60,
        ((50, 899, ("空气炸锅5L",)),),
        ((21, "phone", "客户咨询公司年会礼品，想采购空气炸锅约60台", "已登记需求，约好下周报价"),
         (7, "wechat", "发送60台空气炸锅的团购报价和开票说明", "客户在对比其他品牌，答应一周内答复")),
        ("企业客户",), "年会礼品采购，对价格比较敏感"),
    # closing within a month: grade A, daily follow-up, last one yesterday → due today
    "today_a": Profile(
        "target", "negotiating", 12, 15000, 20,
        (),
        ((8, "phone", "客户新房装修，想一次买齐扫地机器人、洗地机和净化器", "已发送套装价格"),
         (1, "wechat", "客户问套装能否分两次发货，等新房月底交付", "已确认可以分批发货，客户说这两天下单")),
        ("价格敏感",), "新房月底交付，希望分批发货"),
    # grade B, last follow-up 10 days ago → 3 days overdue
    "overdue": Profile(
        "target", "prospect", 40, 3000, 50,
        (),
        ((24, "phone", "客户咨询旧吸尘器以旧换新的补贴规则", "已发送以旧换新活动说明"),
         (10, "wechat", "客户问以旧换新能否叠加店铺券", "告知可叠加，客户说发工资后再下单")),
        ("价格敏感",), ""),
    # grade C, last follow-up 44 days ago → returns to the pool in 2 days (the owner is warned)
    "warn": Profile(
        "target", "negotiating", 100, 40000, 90,
        (),
        ((60, "visit", "拜访连锁民宿老板，对方计划明年春天给10家门店配加湿器和净化器", "已留样品手册"),
         (44, "phone", "电话确认民宿门店数量和预算，对方说要等年后开业计划定下来", "年后再联系确认预算")),
        ("企业客户",), "连锁民宿，共10家门店"),
    # grade B, no follow-up for 30 days (more than 21) → back in the pool tonight's run
    "pool": Profile(
        "target", "prospect", 15, 2500, 70,
        (),
        ((45, "wechat", "客户在拼团页面咨询两人团和三人团的价格差", "已说明拼团规则"),
         (30, "phone", "回电确认客户是否成团，客户说还在等朋友一起拼", "客户未决定")),
        ("价格敏感",), ""),
    # a steady ordinary buyer
    "ordinary": Profile(
        "latent", "won", None, 1000, 200,
        ((180, 399, ("电热水壶",)), (90, 459, ("空气净化器滤芯",)), (20, 699, ("加湿器",))),
        ((40, "wechat", "回访电热水壶使用情况", "客户反馈正常"),
         (12, "phone", "确认加湿器已签收，讲解清洗方法", "客户满意")),
        ("复购",), ""),
    # a new small buyer
    "small": Profile(
        "latent", "prospect", None, None, 30,
        ((25, 59, ("除螨仪配件",)),),
        ((5, "wechat", "客户咨询除螨仪配件是否通用", "已告知适配型号"),),
        (), ""),
    # no need any more
    "dead": Profile(
        "dead", "prospect", None, None, 120,
        ((110, 199, ("电热水壶",)),),
        ((60, "phone", "回访时客户表示已搬去外地，以后不再购买", "标记为无需求"),),
        (), "已搬去外地"),
}

# (owner, shop, name, phone, profile, birthday)
ROSTER: list[tuple[str, str, str, str, str, tuple[int, int, int]]] = [
    ("agent1", "tmall", "王秀英", "13812345601", "vip_drop", (1968, 3, 12)),
    ("agent1", "jd", "陈杰", "13912345602", "today_b", (1985, 7, 21)),
    ("agent1", "tmall", "刘芳", "13712345603", "overdue", (1990, 11, 2)),
    ("agent1", "pdd", "赵磊", "15012345604", "pool", (1995, 5, 9)),
    ("agent1", "tmall", "孙丽", "15112345605", "ordinary", (1988, 1, 30)),
    ("agent2", "jd", "周静", "13812345606", "vip_overdue", (1979, 9, 15)),
    ("agent2", "tmall", "吴敏", "13912345607", "warn", (1983, 4, 18)),
    ("agent2", "pdd", "黄伟", "15812345608", "today_a", (1992, 8, 8)),
    ("agent2", "jd", "郭娜", "15912345609", "ordinary", (1987, 6, 6)),
    ("agent2", "tmall", "林强", "18612345610", "pool", (1991, 12, 24)),
    ("agent3", "tmall", "马超", "13812345611", "vip", (1976, 2, 27)),
    ("agent3", "jd", "何娟", "13912345612", "overdue", (1993, 10, 10)),
    ("agent3", "pdd", "罗平", "18812345613", "small", (1998, 3, 3)),
    ("agent3", "jd", "高洋", "18912345614", "dead", (1970, 7, 7)),
    ("agent3", "tmall", "朱霞", "13612345615", "today_a", (1986, 5, 20)),
    ("agent4", "tmall", "徐涛", "13812345616", "vip", (1981, 11, 11)),
    ("agent4", "pdd", "胡艳", "13912345617", "today_b", (1989, 9, 9)),
    ("agent4", "jd", "杨明", "15012345618", "overdue", (1984, 4, 4)),
    ("agent4", "tmall", "李霞", "15112345619", "pool", (1996, 6, 16)),
    ("agent4", "pdd", "冯勇", "15212345620", "small", (1999, 1, 1)),
    ("agent5", "jd", "郑军", "13812345621", "vip_drop", (1972, 10, 1)),
    ("agent5", "tmall", "谢静", "13912345622", "warn", (1980, 8, 28)),
    ("agent5", "pdd", "韩梅", "15812345623", "today_b", (1994, 2, 14)),
    ("agent5", "jd", "唐磊", "15912345624", "ordinary", (1982, 12, 12)),
    ("agent5", "tmall", "曹娜", "18612345625", "small", (1997, 7, 17)),
    ("agent6", "tmall", "许明", "13812345626", "vip", (1975, 5, 5)),
    ("agent6", "jd", "邓超", "13912345627", "today_a", (1988, 3, 8)),
    ("agent6", "pdd", "彭丽", "18812345628", "overdue", (1991, 9, 19)),
    ("agent6", "tmall", "曾强", "18912345629", "ordinary", (1986, 4, 26)),
    ("agent6", "jd", "蒋芳", "13612345630", "pool", (1993, 6, 30)),
]


@dataclass
class Result:
    created: int = 0
    jobs: dict = field(default_factory=dict)


def _create_one(agent, shop, name: str, phone: str, profile: Profile, birthday: dt.date, today: dt.date) -> None:
    born = today - dt.timedelta(days=profile.created_ago)
    with at(local_moment(born, 9, 40)):
        customer = services.create_customer(
            actor=agent, shop=shop, name=name, phones=[phone], need_status=profile.need,
            deal_status=profile.deal,
            expected_close_date=today + dt.timedelta(days=profile.close_in) if profile.close_in is not None else None,
            expected_amount=Decimal(profile.amount) if profile.amount is not None else None,
            birthday=birthday, tags=list(profile.tags), notes=profile.notes)
    for days_ago, amount, items in profile.orders:
        # orders come from the shops' order imports: there is no service for a single order
        day = today - dt.timedelta(days=days_ago)
        Order.objects.create(customer=customer, shop=shop, date=day, amount=Decimal(amount), items=list(items),
                             number=f"{shop.code.upper()}{day:%Y%m%d}{customer.pk:04d}{days_ago:03d}")
    for days_ago, method, content, outcome in profile.followups:
        moment = local_moment(today - dt.timedelta(days=days_ago), 10, 30)
        with at(moment + dt.timedelta(minutes=5)):
            services.record_followup(actor=agent, customer_id=customer.pk, at=moment, method=method,
                                     content=content, outcome=outcome)


def run_nightly_jobs() -> dict:
    """What the nightly and hourly jobs would have done by now (customers/tasks.py)."""
    from kefu.customers import care, churn, pool, reminders, value

    result = {"values": value.recompute_values()}
    result["at_risk"] = churn.refresh_churn()
    result["returned"] = pool.return_neglected()
    result["warned"] = pool.warn_before_return()
    result["care"] = care.generate_care_tasks()
    result["reminders"] = reminders.send_overdue_reminders()
    return result


@transaction.atomic
def seed_demo_customers() -> int:
    """Create the demo customers (only when there are none), then run the nightly jobs."""
    from kefu.org.models import Shop, User

    made = 0
    if not Customer.objects.exists():
        today = timezone.localdate()
        shops = {s.code: s for s in Shop.objects.filter(code__in=SHOPS)}
        people = {u.username: u for u in User.objects.filter(username__in={r[0] for r in ROSTER})}
        for owner, shop_code, name, phone, profile, born in ROSTER:
            if owner not in people or shop_code not in shops:
                continue
            _create_one(people[owner], shops[shop_code], name, phone, PROFILES[profile], dt.date(*born), today)
            made += 1
    run_nightly_jobs()
    return made
