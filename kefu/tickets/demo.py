"""Sample tickets for the demo organisation (``manage.py seed_demo_tickets``): every state a desk and a
board can show — breached and warned tickets, escalations (one level, an emergency skip, automatic on a
breach and for a VIP's complaint), 督办, 催办, compensations awaiting the lead, the head and the director,
open and overdue department tasks, callbacks due and overdue, and a month of finished work.

Each case is a coherent story (title, description, customer, channel, type, replies, the department it
is handed to and why, the outcome). Its creation moment is counted back from now on the business
calendar so that a ticket meant to be breached is breached now and a warned one is at 80–100 % of its
time limit, whatever the day and hour (weekends, holidays, 03:00). Every step goes through the services
with the clock moved to its moment, so numbers carry the creation date and timelines read naturally;
then the periodic jobs run (time-limit scan, stuck-ticket reminders) and the customers' nightly jobs.

Also adds one person in each of 物流部, 维修部 and 财务部 (``wuliu1``, ``weixiu1``, ``caiwu1``, demo
password) to receive handed-over tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kefu.core.demo_clock import at, business_after, business_back
from kefu.tickets import services, sla
from kefu.tickets.choices import CompensationStatus, TaskStatus
from kefu.tickets.models import Ticket

EXTRA_PEOPLE = [("wuliu1", "物流小王", "物流部"), ("weixiu1", "维修小李", "维修部"), ("caiwu1", "财务小陈", "财务部")]
DEPARTMENT_PEOPLE = {"物流部": "wuliu1", "维修部": "weixiu1", "财务部": "caiwu1"}


@dataclass(frozen=True)
class Case:
    """One ticket's story. ``start``: ("res", f) created f × the resolution limit ago, ("first", f)
    f × the first-response limit ago, ("h", n) n business hours ago. ``steps``: (business hours after
    creation, who, action, argument) — who is ``owner``, ``lead`` (the owner's lead) or a username."""

    agent: str
    shop: str
    channel: str
    type: str
    priority: str
    title: str
    description: str
    start: tuple[str, float]
    steps: tuple[tuple[float, str, str, object], ...] = ()
    customer: str = ""
    severity: str = ""
    after_sales_kind: str = ""


# -- the open cases: one for each state of the desks and boards --------------------------------------------

CASES: list[Case] = [
    Case("agent1", "tmall", "hotline", "complaint", "high",
         "扫地机器人到货外壳开裂，要求换新并补偿",
         "客户来电：刚签收的扫地机器人X7，开箱发现机身右侧外壳开裂，快递外箱一角有明显挤压痕迹，开箱照片已在"
         "订单留言上传。客户要求换新，并对耽误使用给予补偿。",
         ("res", 1.35), customer="孙丽", severity="serious", steps=(
             (0.25, "owner", "reply", "您好，非常抱歉给您带来不好的体验。开箱照片已收到，我们先为您登记换新，同时核实"
                                      "运输环节，今天内给您答复。"),
             (0.5, "owner", "handover", ("物流部", "外箱一角压痕、机身外壳开裂，疑似运输挤压：请核实派送环节，向快递"
                                                  "公司发起破损理赔，并安排上门取回破损机、送新机。")),
             (1.0, "owner", "compensate", ("150", "外壳破损影响使用，按运输破损补偿标准申请150元补偿。")),
             (1.2, "owner", "root_cause", "物流运输破损"),
             (5.0, "head1", "supervise", None),
             (6.0, "lead", "remind", "客户已第二次来电催促，请今天给出新机的发货时间。"),
         )),
    Case("agent2", "jd", "chat", "query", "normal",
         "退货已签收，退款仍显示处理中",
         "客户在线咨询：退回的电热水壶仓库已签收三天，京东订单里退款仍显示“处理中”，询问何时到账。",
         ("res", 0.88), customer="郭娜", steps=(
             (0.2, "owner", "reply", "您好，已为您查询：退货已入库并通过质检，我们已提交财务加急处理，退款将原路退回，"
                                     "到账后会短信通知您。"),
             (0.4, "owner", "handover", ("财务部", "退货已入库且质检通过，退款三天仍显示处理中：请核实退款卡在哪一步，"
                                                  "尽快原路退款。")),
             (4.0, "caiwu1", "task_done", "已核实：退款单未推送到支付渠道，已重新提交，预计1个工作日内原路到账。"),
             (4.5, "owner", "reply", "退款已重新提交，预计1个工作日内原路退回您的支付账户，请留意短信通知。"),
         )),
    Case("agent3", "pdd", "email", "consultation", "normal",
         "企业采购询问能否开具增值税专用发票",
         "客户来信：公司计划在拼多多店采购电热水壶50台作为员工福利，询问能否开具增值税专用发票，需要提供哪些"
         "开票信息。",
         ("first", 1.6)),
    Case("agent5", "jd", "web", "consultation", "normal",
         "咨询净化器以旧换新补贴怎么领",
         "客户在网页留言：想把用了五年的旧净化器以旧换新，询问补贴怎么领取、旧机是否需要自己寄回。",
         ("first", 0.9)),
    Case("agent4", "tmall", "chat", "consultation", "normal",
         "咨询扫地机器人能否识别地毯",
         "客户在线咨询：家里客厅铺了长毛地毯，扫地机器人X9能否自动识别地毯并提高吸力，会不会缠毛。",
         ("h", 0.15)),
    Case("agent4", "tmall", "hotline", "after_sales", "high",
         "破壁料理机使用两周电机烧毁，要求退货退款并赔偿",
         "客户来电：两周前购买的破壁料理机打豆浆时电机冒烟，随后无法启动，连接的插排也被烧黑。客户要求全额退款，"
         "并赔偿烧坏的插排和误工。",
         ("res", 0.5), customer="徐涛", after_sales_kind="refund", steps=(
             (0.2, "owner", "reply", "您好，非常抱歉！请您先断电停止使用，我们为您办理退货退款，快递员会上门取件。"),
             (0.4, "owner", "handover", ("维修部", "取回的破壁料理机电机冒烟烧毁：请做故障检测，确认烧毁原因并出具检测"
                                                  "结论，用于退款和赔偿。")),
             (0.6, "owner", "escalate", ("客户要求赔偿插排及误工共600元，超出本人权限，请班长协调。", "", False)),
             (0.8, "owner", "compensate", ("600", "电机烧毁损坏客户插排，赔偿插排及误工共600元。")),
             (1.0, "lead", "escalate", ("赔偿金额600元超出班长权限，请部长审批。", "", False)),
         )),
    Case("agent5", "jd", "hotline", "complaint", "urgent",
         "电热水壶底座漏电，客户手部被电麻",
         "客户来电：使用京东自营店购买的电热水壶时，手碰到底座被电了一下，手指发麻，已到社区医院检查无大碍。"
         "客户情绪激动，表示今天没有说法就向市场监管部门投诉并联系媒体。",
         ("res", 0.6), customer="唐磊", severity="major", steps=(
             (0.1, "owner", "reply", "您好，请您立即拔掉电源停止使用，您的安全最重要。我们已按紧急事件上报，主管会在"
                                     "一小时内与您联系。"),
             (0.2, "owner", "escalate", ("涉及人身安全，客户表示将向市场监管部门投诉并联系媒体，按紧急事件直接上报"
                                         "中心主任。", "director", True)),
             (0.4, "owner", "compensate", ("2000", "漏电致客户受惊并就医：承担检查费用并给予补偿，共2000元。")),
             (0.5, "head1", "supervise", None),
             (0.6, "owner", "handover", ("维修部", "请今天上门取回漏电的电热水壶做安全检测，并排查同批次产品。")),
         )),
    Case("agent6", "tmall", "hotline", "after_sales", "normal",
         "吸尘器无法充电申请维修",
         "客户来电：购买八个月的无线吸尘器插上充电座后指示灯不亮，换了插座也充不进电，仍在保修期内，申请维修。",
         ("h", 2.0), customer="曾强", after_sales_kind="repair", steps=(
             (0.3, "owner", "reply", "您好，您的吸尘器在保修期内，维修部会与您预约上门检测，请保留好充电座。"),
             (0.5, "owner", "handover", ("维修部", "请联系客户预约上门检测，判断是充电座还是电池故障；保修期内免费维修。")),
         )),
    Case("agent1", "jd", "chat", "service", "normal",
         "包裹已发出，申请修改收货地址",
         "客户在线申请：订单已经发货，但收货地址填成了旧公司地址，希望改到同城的新地址。",
         ("h", 6.0), customer="陈杰", steps=(
             (0.1, "owner", "reply", "您好，包裹已出库，我们马上联系快递拦截改派，结果会第一时间告诉您。"),
             (0.2, "owner", "handover", ("物流部", "包裹已出库：请联系快递拦截，改派到客户的同城新地址（见工单备注）。")),
             (0.25, "owner", "note", "客户新地址：上海市徐汇区漕溪北路88号12楼前台，收件人不变。"),
             (2.0, "wuliu1", "task_done", "已联系快递站点拦截成功，下一个工作日改派到新地址。"),
             (2.3, "owner", "reply", "已为您拦截成功，包裹下一个工作日改派到新地址，请留意快递电话。"),
         )),
    Case("agent2", "tmall", "email", "service", "normal",
         "申请为民宿采购订单开具增值税专用发票",
         "客户来信：民宿采购的10台加湿器需要开具增值税专用发票，用于公司报销。",
         ("h", 5.0), customer="吴敏", steps=(
             (0.3, "owner", "reply", "您好，开具专票需要贵公司的开票名称、税号、地址电话和开户行账号，请回复邮件提供，"
                                     "收到后一个工作日内开出。"),
             (0.35, "owner", "wait", "等客户提供开票信息。"),
         )),
    Case("agent3", "tmall", "hotline", "after_sales", "normal",
         "加湿器不出雾申请换货",
         "客户来电：第五天使用的加湿器加满水后不出雾，按说明书重置也无效，申请换新。",
         ("h", 36.0), customer="马超", after_sales_kind="replacement", steps=(
             (0.2, "owner", "reply", "您好，七天内的质量问题可以直接换新，已为您登记，快递员上门取件时同时送新机。"),
             (0.3, "owner", "handover", ("物流部", "换新单：请安排快递上门取回不出雾的加湿器，并同时送达新机。")),
             (6.0, "wuliu1", "task_done", "新机已送达客户，旧机已取回仓库。"),
             (7.0, "owner", "resolve", "新机已送达，客户确认正常出雾。"),
         )),
    Case("agent5", "pdd", "chat", "complaint", "normal",
         "空气炸锅发货后三天没有物流更新",
         "客户在线投诉：拼多多店下单的空气炸锅三天前显示已发货，之后物流一直没有更新，打快递电话也没人接。",
         ("h", 8.0), customer="韩梅", severity="general", steps=(
             (0.2, "owner", "reply", "您好，非常抱歉让您久等，我们马上联系快递公司核实包裹位置。"),
             (0.3, "owner", "handover", ("物流部", "物流三天未更新：请核实包裹在哪个中转站，如已丢件请安排补发。")),
             (2.5, "wuliu1", "task_done", "经核实包裹滞留在中转站，已安排今天优先派送。"),
             (3.0, "owner", "reply", "已核实包裹滞留在中转站，快递今天优先为您派送，给您添麻烦了。"),
             (3.1, "owner", "root_cause", "物流延误"),
             (3.2, "owner", "recovery", "赠送10元无门槛店铺券致歉。"),
             (3.3, "owner", "compensate", ("10", "物流延误致歉，补偿10元。")),
             (4.0, "owner", "resolve", "包裹已签收，客户确认收到。"),
         )),
    Case("agent6", "jd", "chat", "suggestion", "low",
         "建议在详情页增加滤芯适配型号表",
         "客户在线建议：买滤芯时很难确认和自家净化器的型号是否匹配，希望商品详情页加一张适配型号对照表。",
         ("h", 30.0), steps=(
             (0.3, "owner", "reply", "感谢您的建议！我们已转给商品运营同事评估，有结果后通知您。"),
             (0.5, "owner", "note", "已转交商品运营评估，待回复。"),
             (12.0, "lead", "remind", "这条建议已经放了一天多，请跟进商品运营的回复并告知客户。"),
         )),
    Case("agent2", "pdd", "chat", "complaint", "normal",
         "收到的加湿器颜色发错",
         "客户在线投诉：下单的是白色加湿器，收到的是灰色，这是送人的礼物，来不及再等换货。",
         ("h", 3.0), customer="黄伟", severity="general", steps=(
             (0.2, "owner", "reply", "您好，非常抱歉发错了颜色。您可以选择换货，也可以保留灰色款由我们给予补偿。"),
             (0.6, "owner", "note", "客户选择保留灰色款，要求补偿80元。"),
             (0.7, "owner", "compensate", ("80", "发错颜色，客户同意保留商品，补偿80元。")),
             (0.8, "owner", "root_cause", "仓库拣货错误"),
         )),
    Case("agent6", "tmall", "hotline", "complaint", "high",
         "会员日下单的滤芯五天未发货",
         "客户来电投诉：会员日活动下单的净化器滤芯已付款五天仍未发货，客户是多年的老会员，对此很不满。",
         ("res", 0.3), customer="许明", severity="general", steps=(
             (0.2, "owner", "reply", "您好，非常抱歉！已查到是活动仓备货不足，我们今天从主仓调货，为您优先发出。"),
             (0.5, "owner", "handover", ("物流部", "会员日滤芯订单五天未发货：请从主仓调货今天发出，并回填物流单号。")),
             (0.7, "owner", "compensate", ("100", "会员日订单五天未发货，按延迟发货标准补偿100元。")),
         )),
    Case("agent5", "tmall", "web", "fault", "normal",
         "扫地机器人App无法连接Wi-Fi",
         "客户在网页提交故障申告：更换家里的路由器后，扫地机器人在App里一直显示离线，重新配网到最后一步失败。",
         ("res", 1.1), customer="谢静", steps=(
             (0.5, "owner", "reply", "您好，请确认路由器开启了2.4G频段，并在App里长按机器人回充键5秒重新配网；"
                                     "如仍失败请告诉我们。"),
             (3.0, "owner", "note", "客户反馈按步骤操作仍失败，疑似新路由器开启了双频合一。"),
             (3.2, "owner", "reply", "可能是新路由器开启了双频合一，请在路由器设置中单独开启2.4G网络后再配网。"),
         )),
]

# -- a month of finished work (dashboards): (type, priority, channel, title, description, reply, outcome,
#    handover (department, what, result) or None, compensation (amount, reason) or None, severity/kind) --------

HISTORY = [
    ("consultation", "normal", "chat", "咨询空气炸锅能否垫锡纸",
     "客户在线咨询：用空气炸锅5L烤鸡翅时能不能垫锡纸，会不会影响加热。",
     "您好，可以垫锡纸，但请不要盖住底部的出风口，也不要让锡纸碰到上方的加热管。", "已解答，客户表示明白。",
     None, None, ""),
    ("query", "normal", "hotline", "查询预售订单发货时间",
     "客户来电：预售的扫地机器人已付尾款，询问什么时候发货。",
     "您好，预售订单在付尾款后48小时内发货，发货后会短信通知您物流单号。", "已告知发货时间，客户满意。",
     None, None, ""),
    ("service", "normal", "chat", "申请补开电子发票",
     "客户在线申请：上个月购买的蒸烤箱当时没有开发票，现在需要补开个人电子发票。",
     "您好，已为您补开电子发票，发票已发送到您的邮箱，请查收。", "电子发票已开具并发送。",
     None, None, ""),
    ("consultation", "low", "web", "咨询净化器滤芯更换周期",
     "客户在网页留言：空气净化器AP5的滤芯多久换一次，App提示剩余10%还能不能继续用。",
     "您好，滤芯一般3–6个月更换一次，App提示剩余10%时建议尽快更换，以免影响净化效果。", "已解答。",
     None, None, ""),
    ("after_sales", "normal", "hotline", "电热水壶未拆封申请七天无理由退货",
     "客户来电：收到的电热水壶未拆封，买重复了，申请七天无理由退货。",
     "您好，未拆封商品支持七天无理由退货，退货申请已审核通过，请按页面上的地址寄回。",
     "退货已签收入库，退款已原路退回。", None, None, "refund"),
    ("complaint", "normal", "chat", "在线客服二十分钟无人回复",
     "客户在线投诉：晚上咨询加湿器的问题，排队二十分钟没有客服回复。",
     "您好，非常抱歉让您久等了，当时咨询量激增。您的加湿器问题我们已解答，排班问题也已反馈。",
     "已道歉并解答原问题，客户接受。", None, None, "general"),
    ("suggestion", "low", "email", "建议延长在线客服服务时间",
     "客户来信建议：晚上九点以后在线客服就下班了，希望延长服务时间。",
     "感谢您的建议，我们已反馈给客服中心评估夜间排班。", "建议已记录并反馈客服中心。", None, None, ""),
    ("fault", "normal", "hotline", "洗地机自清洁后有异味",
     "客户来电：洗地机用了一个月，自清洁之后机器有明显异味。",
     "您好，请每次使用后倒掉污水箱的水并晾干滚刷，每周用清洁液清洗一次污水箱，异味即可消除。",
     "客户按指导清洗后异味消失。", None, None, ""),
    ("after_sales", "normal", "hotline", "扫地机器人边刷不转申请维修",
     "客户来电：扫地机器人右侧边刷不转，清理缠绕的头发后仍不转，在保修期内。",
     "您好，已为您登记保修，维修部会联系您寄修，来回运费由我们承担。", "维修部更换边刷电机后寄回，客户确认正常。",
     ("维修部", "保修寄修：请检测右侧边刷电机，保修期内免费更换。", "已更换边刷电机并寄回客户。"), None, "repair"),
    ("query", "normal", "chat", "查询退款为什么少了十元",
     "客户在线询问：退回的加湿器退款比实付金额少了十元。",
     "您好，您下单时使用了10元店铺券，退货时优惠券金额按比例扣除，所以退款少了十元。",
     "已解释优惠券分摊规则，客户认可。", None, None, ""),
    ("complaint", "high", "hotline", "承诺的赠品没有随货发出",
     "客户来电投诉：下单页面写明赠送滤芯一套，收到货后没有赠品，联系在线客服两次都说会补发，一直没发。",
     "您好，非常抱歉，已查到赠品漏发，今天为您加急补发，单号稍后短信通知。", "赠品已补发并签收，补偿已发放。",
     ("物流部", "赠品漏发：请今天加急补发滤芯一套，并回填快递单号。", "已加急补发，单号已回填。"),
     ("120", "赠品漏发且两次承诺未兑现，补偿120元。"), "serious"),
    ("service", "normal", "hotline", "会员积分未到账",
     "客户来电：上周购买的蒸烤箱确认收货后，会员积分一直没到账。",
     "您好，积分在确认收货7天后发放，您的订单明天发放积分，请留意。", "已解答积分发放规则。", None, None, ""),
]
HISTORY_COUNT = 30
HISTORY_SPACING_HOURS = 5.0  # business hours between two finished tickets: 30 of them span about a month


def _ensure_department_people() -> dict[str, object]:
    from kefu.org.demo import DEMO_PASSWORD
    from kefu.org.models import Department, User
    from kefu.org.services import create_person

    people = {}
    for username, display_name, department_name in EXTRA_PEOPLE:
        person = User.objects.filter(username=username).first()
        if person is None:
            department = Department.objects.filter(name=department_name).first()
            if department is None:
                continue
            person = create_person(actor=None, username=username, password=DEMO_PASSWORD,
                                   display_name=display_name, department=department, roles=["agent"])
        people[username] = person
    return people


class _Seeder:
    def __init__(self, now: dt.datetime):
        from kefu.customers.models import Customer
        from kefu.org.models import Department, Shop, User
        from kefu.org.selectors import users_with_role

        self.now = now
        self.users = {u.username: u for u in User.objects.all()}
        self.shops = {s.code: s for s in Shop.objects.all()}
        self.departments = {d.name: d for d in Department.objects.all()}
        self.customers = {c.name: c for c in Customer.objects.filter(owner__isnull=False)}
        self.leads = {u.team_id: u for u in users_with_role("lead")}

    def _schedule(self, case_type: str, priority: str, shop):
        limits = sla.limits_for(centre_id=shop.centre_id, type=case_type, priority=priority)
        return limits, sla.schedule_for(limits.calendar, shop.centre_id)

    def created_at(self, start: tuple[str, float], limits, schedule) -> dt.datetime:
        kind, amount = start
        span = {"res": limits.resolution * amount, "first": limits.first_response * amount,
                "h": dt.timedelta(hours=amount)}[kind]
        return business_back(self.now, span, schedule)

    def who(self, name: str, owner):
        if name == "owner":
            return owner
        if name == "lead":
            return self.leads[owner.team_id]
        return self.users[name]

    def creation(self, case: Case) -> dt.datetime:
        limits, schedule = self._schedule(case.type, case.priority, self.shops[case.shop])
        return self.created_at(case.start, limits, schedule)

    def run(self, case: Case) -> Ticket:
        shop = self.shops[case.shop]
        owner = self.users[case.agent]
        customer = self.customers.get(case.customer) if case.customer else None
        if customer is not None and (customer.shop_id != shop.pk or customer.owner_id != owner.pk):
            customer = None
        _limits, schedule = self._schedule(case.type, case.priority, shop)
        created = self.creation(case)
        with at(created):
            ticket = services.create_ticket(
                actor=owner, shop=shop, type=case.type, channel=case.channel, title=case.title,
                description=case.description, priority=case.priority,
                customer_id=customer.pk if customer else None, severity=case.severity,
                after_sales_kind=case.after_sales_kind)
        for hours, who, action, arg in case.steps:
            moment = business_after(created, dt.timedelta(hours=hours), schedule)
            if moment >= self.now:  # the story is longer than the time since creation: stop at now
                break
            with at(moment):
                self.step(ticket.pk, self.who(who, owner), action, arg)
        return ticket

    def step(self, ticket_id: int, actor, action: str, arg) -> None:  # noqa: C901 - one branch per action
        ticket = Ticket.objects.get(pk=ticket_id)
        if action == "reply":
            services.add_message(actor=actor, ticket_id=ticket_id, body=arg, public=True)
        elif action == "note":
            services.add_message(actor=actor, ticket_id=ticket_id, body=arg, public=False)
        elif action == "handover":
            department, what = arg
            services.hand_over(actor=actor, ticket_id=ticket_id, department=self.departments[department], note=what)
        elif action == "task_done":
            task = ticket.tasks.filter(status=TaskStatus.OPEN).order_by("-id").first()
            services.complete_task(actor=actor, task_id=task.pk, result=arg)
        elif action == "escalate":
            reason, to_level, emergency = arg
            services.escalate(actor=actor, ticket_id=ticket_id, reason=reason, emergency=emergency,
                              to_level=to_level or None)
        elif action == "compensate":
            amount, reason = arg
            services.request_compensation(actor=actor, ticket_id=ticket_id, amount=amount, reason=reason)
        elif action == "decide":
            comp = ticket.compensations.filter(status=CompensationStatus.PENDING).order_by("-id").first()
            services.decide_compensation(actor=actor, compensation_id=comp.pk, approve=True, note=arg)
        elif action == "supervise":
            services.supervise(actor=actor, ticket_id=ticket_id, on=True)
        elif action == "remind":
            services.remind(actor=actor, ticket_id=ticket_id, note=arg)
        elif action == "root_cause":
            services.update_ticket(actor=actor, ticket_id=ticket_id, version=ticket.version, root_cause=arg)
        elif action == "recovery":
            services.add_recovery_action(actor=actor, ticket_id=ticket_id, action=arg)
        elif action == "resolve":
            services.transition(actor=actor, ticket_id=ticket_id, to="resolved", version=ticket.version, note=arg)
        elif action == "close":
            services.transition(actor=actor, ticket_id=ticket_id, to="closed", version=ticket.version, note=arg)
        elif action == "wait":
            services.transition(actor=actor, ticket_id=ticket_id, to="waiting", version=ticket.version, note=arg,
                                waiting_on="customer")
        elif action == "callback":
            satisfaction, solved, note = arg
            services.record_callback(actor=actor, ticket_id=ticket_id, satisfaction=satisfaction, solved=solved,
                                     note=note)
        else:  # pragma: no cover - a typo in the case list
            raise ValueError(action)


def _history_cases(agents: list[str], shops: list[str]) -> list[Case]:
    """Finished tickets spread over the last month, oldest first, each from one HISTORY story."""
    cases = []
    for i in range(HISTORY_COUNT):
        kind, priority, channel, title, description, reply, outcome, handover, compensation, extra = \
            HISTORY[i % len(HISTORY)]
        steps: list[tuple[float, str, str, object]] = [(0.3, "owner", "reply", reply)]
        if handover:
            department, what, result = handover
            steps += [(0.5, "owner", "handover", (department, what)),
                      (2.5, DEPARTMENT_PEOPLE[department], "task_done", result)]
        if compensation:
            steps += [(1.0, "owner", "compensate", compensation), (1.5, "lead", "decide", "同意补偿。")]
        if kind == "complaint":
            steps.append((2.8, "owner", "recovery", "致电道歉并说明改进措施。"))
        steps.append((3.0, "owner", "resolve", outcome))
        if kind in {"complaint", "after_sales"}:
            if i % 3:
                steps.append((9.0, "owner", "callback", (5 if i % 2 else 4, True, "回访：客户确认问题已解决。")))
                if i % 2:  # the others wait for the owner to close them
                    steps.append((9.2, "owner", "close", "回访完成，结案。"))
        else:
            steps.append((3.5, "owner", "close", "已结案。"))
        ago = (HISTORY_COUNT - i) * HISTORY_SPACING_HOURS + 12.0
        cases.append(Case(agents[i % len(agents)], shops[i % len(shops)], channel, kind, priority, title, description,
                          ("h", ago), tuple(steps),
                          severity=extra if kind == "complaint" else "",
                          after_sales_kind=extra if kind == "after_sales" else ""))
    return cases


def run_periodic_jobs(now: dt.datetime | None = None) -> dict:
    """What the periodic ticket jobs would have done by now, then the customers' nightly jobs (a ticket
    changes a customer's complaints and so their value and churn risk)."""
    from kefu.customers.demo import run_nightly_jobs
    from kefu.tickets.jobs import remind_stuck, scan_sla

    result = {"sla": scan_sla(now=now), "stuck": remind_stuck(now=now)}
    result["customers"] = run_nightly_jobs()
    return result


@transaction.atomic
def seed_demo_tickets() -> int:
    """Create the demo tickets (only when there are none), then run the periodic jobs. Returns how many
    tickets were created."""
    _ensure_department_people()
    made = 0
    if not Ticket.objects.exists():
        now = timezone.now()
        seeder = _Seeder(now)
        agents = sorted(u for u in seeder.users if u.startswith("agent") and seeder.users[u].team_id)
        missing = {c.agent for c in CASES} - set(agents)
        if not missing and seeder.leads:
            history = _history_cases(agents, sorted(seeder.shops))
            # in the order they came in, so that each day's numbers follow the clock
            for case in sorted([*history, *CASES], key=seeder.creation):
                seeder.run(case)
                made += 1
    run_periodic_jobs()
    return made
