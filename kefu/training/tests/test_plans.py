"""R-TRN-1 / R-QA-3 training plans: QA weak points (短板) mapped to courses by their tags and assigned, the
agents told; manual assignments."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.errors import InvalidInput, NotAllowed
from kefu.notifications.models import Notification
from kefu.training import services
from kefu.training.models import Assignment, Plan

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 12, 31)


@pytest.fixture
def catalogue(demo, clock):
    qa = demo.users["qa1"]
    return {
        "wording": services.create_course(actor=qa, title="服务用语规范", tags=["服务用语", "语气语调"]),
        "complaints": services.create_course(actor=qa, title="投诉处理技巧", tags=["应变能力", "需求归纳"]),
        "attitude": services.create_course(actor=qa, title="服务态度", tags=["服务态度"]),
    }


def test_r_trn_1_plan_from_weak_items_assigns_the_courses_with_those_tags(demo, catalogue):
    agent1, agent4 = demo.users["agent1"], demo.users["agent4"]
    result = services.propose_plan_from_weak_items(
        actor=demo.users["qa1"], due=DUE,
        weak_items={agent1.pk: ["语气语调", "应变能力"], agent4.pk: ["服务态度", "致命项"]})
    got = sorted((a.person.username, a.course.title) for a in result.assignments)
    assert got == [("agent1", "投诉处理技巧"), ("agent1", "服务用语规范"), ("agent4", "服务态度")]
    assert result.plan.source == Plan.Source.QA_WEAK_ITEMS
    assert all(a.plan_id == result.plan.pk and a.due == DUE for a in result.assignments)
    assert result.unmatched == {agent4.pk: ["致命项"]}
    reason = Assignment.objects.get(person=agent1, course=catalogue["wording"]).reason
    assert "语气语调" in reason
    assert Notification.objects.filter(recipient=agent1, kind="training_assigned").count() == 2
    assert Notification.objects.filter(recipient=agent4, kind="training_assigned").count() == 1


def test_a_course_already_open_is_not_assigned_twice(demo, catalogue):
    agent1 = demo.users["agent1"]
    services.propose_plan_from_weak_items(actor=demo.users["qa1"], due=DUE, weak_items={agent1.pk: ["服务用语"]})
    again = services.propose_plan_from_weak_items(actor=demo.users["qa1"], due=DUE,
                                                  weak_items={agent1.pk: ["语气语调"]})
    assert again.assignments == [] and again.plan is None
    assert Assignment.objects.filter(person=agent1).count() == 1


def test_inactive_courses_are_not_assigned(demo, catalogue):
    c = catalogue["attitude"]
    services.update_course(actor=demo.users["qa1"], course_id=c.pk, version=c.version, title=c.title, tags=c.tags,
                           active=False)
    result = services.propose_plan_from_weak_items(actor=demo.users["qa1"], due=DUE,
                                                   weak_items={demo.users["agent1"].pk: ["服务态度"]})
    assert result.assignments == []


def test_agents_outside_the_scope_or_unknown_are_refused_and_nothing_is_assigned(demo, catalogue):
    lead1 = demo.users["lead1"]
    with pytest.raises(InvalidInput) as err:
        services.propose_plan_from_weak_items(actor=lead1, due=DUE, weak_items={
            demo.users["agent1"].pk: ["服务用语"], demo.users["agent4"].pk: ["服务用语"], 999999: ["服务态度"]})
    assert {e.field for e in err.value.errors} == {f"weak_items.{demo.users['agent4'].pk}", "weak_items.999999"}
    assert not Assignment.objects.exists() and not Plan.objects.exists()


def test_agents_may_not_make_plans_and_due_dates_are_checked(demo, catalogue):
    with pytest.raises(NotAllowed):
        services.propose_plan_from_weak_items(actor=demo.users["agent1"], due=DUE,
                                              weak_items={demo.users["agent1"].pk: ["服务用语"]})
    with pytest.raises(InvalidInput) as err:
        services.propose_plan_from_weak_items(actor=demo.users["qa1"], due=dt.date(2026, 12, 1),
                                              weak_items={demo.users["agent1"].pk: ["服务用语"]})
    assert err.value.errors[0].field == "due"
    assert not Assignment.objects.exists()


def test_manual_assignment_tells_the_people(demo, catalogue):
    made = services.assign_course(actor=demo.users["lead1"], course_id=catalogue["wording"].pk,
                                  people=["agent1", "agent2"], due=DUE)
    assert sorted(a.person.username for a in made) == ["agent1", "agent2"]
    assert Notification.objects.filter(kind="training_assigned").count() == 2
    with pytest.raises(InvalidInput) as err:
        services.assign_course(actor=demo.users["lead1"], course_id=catalogue["wording"].pk, people=["agent4"],
                               due=DUE)
    assert err.value.errors[0].field == "people"


def test_assignment_notifications_read_in_words(demo, catalogue):
    from kefu.core.testing import zh

    services.assign_course(actor=demo.users["lead1"], course_id=catalogue["wording"].pk, people=["agent1"], due=DUE)
    note = Notification.objects.get(kind="training_assigned")
    assert note.kind_label == zh("Training assigned") == "培训任务" and note.icon == "ti-school"
    assert note.title == zh("A training course was assigned to you") and "服务用语规范" in note.body
