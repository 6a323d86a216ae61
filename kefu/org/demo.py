"""The demo organisation of API.md "Demo data". Safe to run again: it only adds what is missing."""

from __future__ import annotations

from django.db import transaction

from kefu.org import services
from kefu.org.models import Department, User
from kefu.org.roles import Role

DEMO_PASSWORD = "kefu-demo-2026"  # noqa: S105 - published demo password (API.md)
CENTRE_NAME = "客服中心"
SERVICE_DEPARTMENT = "客服部"
OTHER_DEPARTMENTS = ["销售部", "物流部", "维修部", "财务部"]
SHOPS = [("tmall", "天猫旗舰店"), ("jd", "京东自营店"), ("pdd", "拼多多店")]
TEAMS = ["一班", "二班"]

# username, display name, roles, team index (None = department level)
PEOPLE: list[tuple[str, str, list[str], int | None]] = [
    ("admin", "系统管理员", [Role.ADMIN], None),
    ("director1", "周主任", [Role.DIRECTOR], None),
    ("head1", "韩部长", [Role.HEAD], None),
    ("lead1", "李班长", [Role.LEAD], 0),
    ("lead2", "刘班长", [Role.LEAD], 1),
    ("qa1", "钱质检", [Role.QA], None),
    ("agent1", "张三", [Role.AGENT], 0),
    ("agent2", "李四", [Role.AGENT], 0),
    ("agent3", "王五", [Role.AGENT], 0),
    ("agent4", "赵六", [Role.AGENT], 1),
    ("agent5", "孙七", [Role.AGENT], 1),
    ("agent6", "周八", [Role.AGENT], 1),
]


@transaction.atomic
def seed_demo() -> dict[str, int]:
    created_people = 0
    centre = services.ensure_centre(actor=None, name=CENTRE_NAME)
    service_dept = services.ensure_department(actor=None, centre=centre, name=SERVICE_DEPARTMENT,
                                              kind=Department.Kind.SERVICE)
    for name in OTHER_DEPARTMENTS:
        services.ensure_department(actor=None, centre=centre, name=name, kind=Department.Kind.OTHER)
    shops = [services.ensure_shop(actor=None, centre=centre, code=code, name=name) for code, name in SHOPS]
    teams = [services.ensure_team(actor=None, department=service_dept, name=name, shops=shops) for name in TEAMS]
    for username, display_name, roles, team_index in PEOPLE:
        person = User.objects.filter(username=username).first()
        if person is None:
            services.create_person(
                actor=None, username=username, password=DEMO_PASSWORD, display_name=display_name,
                centre=centre, department=service_dept,
                team=teams[team_index] if team_index is not None else None, roles=roles,
                email=f"{username}@example.com",
            )
            created_people += 1
        else:
            services.set_roles(actor=None, person=person, roles=set(person.role_codes) | set(roles))
    return {"people_created": created_people, "people": len(PEOPLE)}
