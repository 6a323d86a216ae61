"""Demo announcements (R-TIC-10) for the seed_demo centre, published by the department head (head1).
Safe to run again: an announcement whose title already exists in the centre is left alone."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kefu.announcements import services
from kefu.announcements.models import Announcement, Kind
from kefu.org.models import Team, User

AUTHOR = "head1"

# (title, kind, team name or None for everyone, days until it expires or None, text)
ANNOUNCEMENTS: list[tuple[str, str, str | None, int | None, str]] = [
    ("店铺大促活动口径及注意事项", Kind.PROMOTION, None, 30,
     "各位同事：\n本月大促期间（以活动页公布的时间为准），三家店铺全场满300减40，可与店铺优惠券叠加使用；"
     "预售商品须在活动页公布的尾款时间内支付。\n咨询量预计为平日的3倍，请提前熟悉活动规则，"
     "统一按知识库的标准答复口径答复客户，不得私自承诺额外优惠。"),
    ("退款审核时限调整通知", Kind.BUSINESS_CHANGE, None, None,
     "自下周一起，退款申请的审核时限由2个工作日缩短为1个工作日。超过时限未处理的退款单将自动升级到班长。"
     "请各位在接班前确认本通知，并在答复客户时使用新的时限。"),
    ("一班夜班交接流程更新", Kind.OTHER, "一班", 14,
     "一班同事请注意：夜班交接时须在值班日志中写明未结工单、设备状态和需重点关注的客户，"
     "接班人签到后交班人方可签退。"),
]


@transaction.atomic
def seed_demo_announcements() -> dict[str, int]:
    author = User.objects.filter(username=AUTHOR).first()
    if author is None or not author.centre_id:
        raise LookupError("Run seed_demo first: the demo department head head1 is missing.")
    created = 0
    for title, kind, team_name, days, body in ANNOUNCEMENTS:
        if Announcement.objects.filter(centre_id=author.centre_id, title=title).exists():
            continue
        teams = list(Team.objects.filter(department__centre_id=author.centre_id, name=team_name)
                     .values_list("pk", flat=True)) if team_name else []
        services.publish(actor=author, title=title, body=body, kind=kind, teams=teams,
                         expires_at=timezone.now() + dt.timedelta(days=days) if days else None, email=False)
        created += 1
    return {"created": created, "announcements": len(ANNOUNCEMENTS)}
