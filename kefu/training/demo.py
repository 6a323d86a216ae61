"""Demo training for the seed_demo centre (R-TRN-1): two courses — 服务用语规范 and 投诉处理技巧 — with a question
bank of 8 questions each, a session of the second on the next working day, and the first assigned to agent1
(due in two weeks). Written through the services with the clock moved two days back (kefu.core.demo_clock);
safe to run again: only what is missing is added."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kefu.bizcalendar.selectors import is_working_day
from kefu.core import demo_clock
from kefu.org.models import Centre, User
from kefu.training import services
from kefu.training.models import Assignment, Course, Question, Session

# kind, question, options (true/false: none), right option indexes, explanation
WORDING = [
    ("single", "接听电话时，规范的开头语是？", ["喂，什么事？", "您好，很高兴为您服务，请问有什么可以帮您？", "说吧", "找谁？"], [1],
     "开头语要先问候、自报服务意愿，再询问需求。"),
    ("single", "客户情绪激动时，最合适的回应是？", ["请您冷静一点", "这不是我的问题", "非常理解您的心情，我马上帮您查看", "您先别说了"], [2],
     "先共情、再行动：表达理解并说明马上处理。"),
    ("multiple", "以下哪些属于服务禁语？", ["不知道", "这不归我管", "请稍等，我帮您确认", "你自己看说明书"], [0, 1, 3],
     "推诿、否定和命令式的说法都属于服务禁语。"),
    ("true_false", "通话结束时，应等客户先挂机。", [], [0], "客户先挂机，避免客户还有话没说完。"),
    ("true_false", "为提高效率，可以在客户说话时打断并直接给出方案。", [], [1], "打断客户会让人觉得不被尊重，应先听完再回应。"),
    ("single", "需要客户等待时，应该怎么说？", ["等着", "请您稍等，我需要大约一分钟为您查询", "别挂", "马上马上"], [1],
     "说明等待原因和大约时长，让客户心里有数。"),
    ("multiple", "语气语调方面的良好做法有？", ["语速适中", "音量忽高忽低", "语气亲切", "吐字清晰"], [0, 2, 3],
     "语速适中、语气亲切、吐字清晰；音量应平稳。"),
    ("true_false", "“您”比“你”更适合用于称呼客户。", [], [0], "规范用语使用敬称“您”。"),
]
COMPLAINTS = [
    ("single", "处理投诉的第一步通常是？", ["立即给出赔偿", "耐心倾听并记录客户诉求", "解释公司规定", "转给其他部门"], [1],
     "先倾听并完整记录诉求，才能归纳真正的需求。"),
    ("multiple", "归纳客户需求时，应确认哪些内容？", ["问题发生的时间", "客户期望的解决方式", "客户的星座", "涉及的订单或产品"], [0, 1, 3],
     "时间、期望和涉及的订单或产品是处理投诉必需的信息。"),
    ("true_false", "超出自己权限的补偿，可以先口头答应客户再去申请。", [], [1], "不能越权承诺，应按权限上报审批后再答复。"),
    ("single", "客户要求的方案无法满足时，应该？", ["直接拒绝", "提供可行的替代方案并说明原因", "挂断电话", "让客户明天再打"], [1],
     "说明原因并给出替代方案，体现应变能力。"),
    ("true_false", "重大投诉应按升级流程及时上报。", [], [0], "重大投诉按升级流程上报，避免延误。"),
    ("multiple", "回访投诉客户时，需要做的是？", ["确认问题是否解决", "询问满意度", "推销新产品", "记录回访结果"], [0, 1, 3],
     "回访关注解决情况和满意度，并如实记录。"),
    ("single", "面对客户的无理要求，正确的态度是？", ["与客户争辩", "保持礼貌，坚持原则并耐心解释", "答应所有要求", "不予理睬"], [1],
     "保持服务态度，同时守住原则。"),
    ("true_false", "投诉处理完毕后无需记录，以免占用时间。", [], [1], "没有记录就等于没有发生：每次处理都要记录。"),
]
COURSES = [
    ("服务用语规范", "规范的开头语、等待用语、结束语和服务禁语，语气语调的要求。", ["服务用语", "语气语调"], WORDING),
    ("投诉处理技巧", "倾听与记录、需求归纳、替代方案、升级与回访。", ["应变能力", "需求归纳", "服务态度"], COMPLAINTS),
]


def _next_working_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@transaction.atomic
def seed_demo_training() -> dict[str, int]:
    made = {"courses": 0, "questions": 0, "sessions": 0, "assignments": 0}
    centre = Centre.objects.order_by("pk").first()
    people = {u.username: u for u in User.objects.filter(username__in=["qa1", "lead1", "agent1", "agent2", "agent3"])}
    if centre is None or len(people) < 5:
        return made
    now = timezone.now()
    today = timezone.localdate(now)
    with demo_clock.at(now - dt.timedelta(days=2)):
        courses = []
        for title, description, tags, bank in COURSES:
            course = Course.objects.filter(centre=centre, title=title).first()
            if course is None:
                course = services.create_course(actor=people["qa1"], title=title, description=description,
                                                tags=tags, exam_questions=5, exam_minutes=10)
                made["courses"] += 1
            if not Question.objects.filter(course=course).exists():
                for kind, text, options, correct, explanation in bank:
                    services.add_question(actor=people["qa1"], course_id=course.pk, kind=kind, text=text,
                                          choices=options, correct=correct, explanation=explanation)
                    made["questions"] += 1
            courses.append(course)
        wording, complaints = courses
        if not Session.objects.filter(course=complaints).exists():
            day = _next_working_day(today)
            services.create_session(actor=people["qa1"], course_id=complaints.pk,
                                    starts_at=demo_clock.local_moment(day, 14),
                                    ends_at=demo_clock.local_moment(day, 16), trainer=people["qa1"],
                                    place="三楼培训室", invitees=["agent1", "agent2", "agent3"])
            made["sessions"] += 1
        if not Assignment.objects.filter(course=wording, person=people["agent1"]).exists():
            made["assignments"] += len(services.assign_course(
                actor=people["lead1"], course_id=wording.pk, people=["agent1"], due=today + dt.timedelta(days=14),
                reason="QA 短板：服务用语、语气语调"))
    return made
