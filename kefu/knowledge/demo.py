"""Demo standard replies (R-TIC-9) for the seed_demo centre. Safe to run again: a category or reply
that already exists (same name / title in the centre) is left alone.

Written through the services as the demo department head (head1), so each reply has an approved
version 1 and an audit trail; one reply also has a pending version 2 from lead1 and one new reply
from agent1 awaits approval, so the approval queue is not empty.
"""

from __future__ import annotations

from django.db import transaction

from kefu.knowledge import services
from kefu.knowledge.models import Article, Category
from kefu.org.models import User

# (category, parent or None)
CATEGORIES: list[tuple[str, str | None]] = [
    ("退款", None),
    ("物流", None),
    ("售后", None),
    ("维修保修", "售后"),
    ("投诉安抚", None),
    ("会员", None),
]

# (category, title, keywords, body)
REPLIES: list[tuple[str, str, str, str]] = [
    ("退款", "申请退款的流程", "退款,退钱,申请退款",
     "亲，您好！申请退款的流程如下：\n1. 打开“我的订单”，找到需要退款的订单；\n2. 点击“申请退款”，选择退款原因并上传凭证；"
     "\n3. 提交后我们会在1个工作日内审核，审核通过后款项原路退回。\n如有疑问随时联系我们～"),
    ("退款", "退款到账时间说明", "退款,到账,多久",
     "亲，退款审核通过后会原路退回：支付宝/微信一般1–3个工作日到账，银行卡一般3–7个工作日到账，"
     "具体以银行处理时间为准。超过7个工作日仍未到账，请把订单号发给我们，我们帮您查询。"),
    ("退款", "七天无理由退货规则", "无理由退货,7天无理由,退货",
     "亲，本店支持签收后7天无理由退货：商品需保持完好、配件齐全、不影响二次销售。退货运费由买家承担，"
     "如购买了运费险可自动理赔。定制类及已拆封的贴身用品不支持无理由退货，敬请谅解。"),
    ("物流", "查询物流进度", "物流,快递,查件,到哪了",
     "亲，您可以在“我的订单—查看物流”里实时查看包裹进度。如果物流信息超过48小时没有更新，"
     "请告诉我们订单号，我们马上联系快递公司为您催件。"),
    ("物流", "快递丢件或破损的处理", "丢件,破损,少件,快递",
     "非常抱歉给您带来不便！请您在签收后48小时内拍照（外包装、面单、商品）发给我们，"
     "我们核实后会第一时间为您补发或退款，不需要您和快递公司交涉。"),
    ("物流", "修改收货地址", "改地址,收货地址,地址错了",
     "亲，订单未发货前可以修改地址：请把订单号和新的收货地址（姓名、电话、详细地址）发给我们，"
     "我们为您修改。已发货的订单需要联系快递改派，可能产生额外费用，我们会协助您处理。"),
    ("售后", "换货流程", "换货,尺码不合适,换颜色",
     "亲，换货请在“我的订单”点击“申请售后—换货”，选择想换的规格并寄回商品。仓库收到后1–2个工作日内"
     "为您发出新商品，因质量问题换货的来回运费由我们承担。"),
    ("维修保修", "保修政策说明", "保修,维修,质保",
     "亲，本店电器类商品享受一年免费保修（人为损坏除外）。请提供订单号、故障描述和照片或视频，"
     "我们会安排维修部联系您，确认后寄修或上门检测。保修期外也可以付费维修。"),
    ("投诉安抚", "客户情绪激动时的安抚", "投诉,生气,不满意,安抚",
     "非常理解您现在的心情，给您带来这样的体验真的很抱歉！您反映的问题我已经详细记录，"
     "会由专人跟进处理，并在今天内给您回复处理方案。请您放心，我们一定负责到底。"),
    ("投诉安抚", "处理延误致歉", "延误,太慢,催促,道歉",
     "真的很抱歉让您久等了！您的问题我们一直在跟进，目前进展是：[填写进展]。"
     "预计在[填写时间]前给您最终答复，期间有任何变化我会第一时间主动联系您。"),
    ("会员", "会员等级与权益", "会员,等级,权益,VIP",
     "亲，本店会员分为普通会员、银卡、金卡和钻石卡四个等级，按近12个月累计消费自动升级。"
     "金卡及以上会员享受专属折扣、优先发货和专属客服。您可在“会员中心”查看当前等级和权益。"),
    ("会员", "积分兑换与有效期", "积分,积分兑换,过期",
     "亲，每消费1元积1分，积分可在“会员中心—积分商城”兑换优惠券或礼品。积分有效期为获得后的"
     "次年12月31日，过期自动清零，请您及时使用哦。"),
]

# A pending version 2 (from lead1's weekly case review) of one reply.
PROPOSAL = ("退款到账时间说明", "退款,到账,多久,没收到",
            "亲，退款审核通过后会原路退回：支付宝/微信一般1–3个工作日到账，银行卡一般3–7个工作日到账，"
            "信用卡以账单日为准。超过7个工作日仍未到账，请把订单号发给我们，我们帮您联系财务部查询。",
            "周案例复盘：补充信用卡到账说明")
# A new reply agent1 proposed, awaiting approval.
NEW_PROPOSAL = ("会员", "会员生日礼包领取", "生日,礼包,会员",
                "亲，会员生日当月可在“会员中心—我的权益”领取生日礼包（优惠券和积分），当月有效，过期不补发哦。")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


@transaction.atomic
def seed_demo_knowledge() -> dict[str, int]:
    head = _user("head1") or User.objects.filter(is_superuser=True, centre__isnull=False).first()
    if head is None or head.centre_id is None:
        return {"categories": 0, "articles": 0}
    centre_id = head.centre_id
    made_categories = made_articles = 0
    categories: dict[str, Category] = {}
    for name, parent in CATEGORIES:
        category = Category.objects.filter(centre_id=centre_id, name=name).first()
        if category is None:
            category = services.create_category(
                actor=head, name=name, parent_id=categories[parent].pk if parent else None,
                position=len(categories))
            made_categories += 1
        categories[name] = category

    titles = set(Article.objects.filter(centre_id=centre_id).values_list("title", flat=True))
    for category, title, keywords, body in REPLIES:
        if title in titles:
            continue
        article = services.create_article(actor=head, category_id=categories[category].pk, title=title, body=body,
                                          keywords=keywords, change_note="初版")
        services.approve(actor=head, article_id=article.pk, version_number=1)
        made_articles += 1
        if title == PROPOSAL[0] and (lead := _user("lead1")) is not None:
            article.refresh_from_db()
            services.propose_version(actor=lead, article_id=article.pk, version=article.version, title=title,
                                     keywords=PROPOSAL[1], body=PROPOSAL[2], change_note=PROPOSAL[3])

    category, title, keywords, body = NEW_PROPOSAL
    agent = _user("agent1")
    if title not in titles and agent is not None and agent.centre_id == centre_id:
        services.create_article(actor=agent, category_id=categories[category].pk, title=title, body=body,
                                keywords=keywords, change_note="客户常问")
        made_articles += 1
    return {"categories": made_categories, "articles": made_articles}
