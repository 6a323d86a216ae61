"""Copying a week's pattern on the roster (issue 10): the team's shifts become drafts of another week through
create_shift (R-WFM-3 rest kept), people on approved leave skipped with the reason, then the existing publish."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.errors import NotAllowed
from kefu.workforce import services
from kefu.workforce.models import Shift
from kefu.workforce.services import planning
from kefu.workforce.tests.conftest import MONDAY, at

NEXT = MONDAY + dt.timedelta(days=7)


@pytest.fixture
def pattern(demo, clock, make_shift):
    for i in range(5):
        for username in ("agent1", "agent2"):
            make_shift(username, MONDAY + dt.timedelta(days=i), "early")
    # agent1 on approved leave next Wednesday; agent2 on a night shift the Sunday before next week
    leave = services.request_leave(actor=demo.users["agent1"], person=demo.users["agent1"], kind="personal",
                                   start_at=at(NEXT + dt.timedelta(days=2), 0),
                                   end_at=at(NEXT + dt.timedelta(days=3), 0), reason="体检")
    services.approve_leave(actor=demo.users["head1"], leave_id=leave.pk)
    make_shift("agent2", NEXT - dt.timedelta(days=1), "night")  # until Monday 06:00: Monday 09:00 is too soon


def test_R_WFM_3_copy_week_skips_leave_and_keeps_the_rest_rule(demo, clock, pattern):
    result = planning.copy_week(actor=demo.users["lead1"], team=demo.teams[0], from_week=MONDAY, to_week=NEXT)
    assert len(result.created) == 9  # 11 shifts: 10 early and the Sunday night
    skipped = {(s.person.username, s.date): s.reason for s in result.skipped}
    assert set(skipped) == {("agent1", NEXT + dt.timedelta(days=2)), ("agent2", NEXT)}
    assert "leave" in skipped[("agent1", NEXT + dt.timedelta(days=2))].lower() or \
        "假" in skipped[("agent1", NEXT + dt.timedelta(days=2))]
    assert "8" in skipped[("agent2", NEXT)]  # the rest rule's reason names its hours
    drafts = Shift.objects.filter(team=demo.teams[0], date__gte=NEXT, status=Shift.Status.DRAFT)
    assert drafts.count() == 9
    assert services.publish_shifts(actor=demo.users["lead1"], team=demo.teams[0], date_from=NEXT,
                                   date_to=NEXT + dt.timedelta(days=6)) == 9
    assert not Shift.objects.filter(status=Shift.Status.DRAFT).exists()


def test_copy_week_on_the_roster_page_reports_what_was_skipped_then_publishes(demo, clients, clock, pattern):
    client = clients("lead")
    response = client.post("/workforce/roster/copy/", {"team": demo.teams[0].pk, "from_week": MONDAY,
                                                       "to_week": NEXT}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and html.count("data-testid=\"shift\"") >= 8
    assert "张三" in html and str(NEXT + dt.timedelta(days=2)) in html  # the skipped one, by name and day
    assert 'data-testid="publish-week"' in html
    published = client.post("/workforce/roster/publish/", {"team": demo.teams[0].pk, "week": NEXT})
    assert published.status_code == 302
    assert Shift.objects.filter(date__gte=NEXT, status=Shift.Status.PUBLISHED).count() == 9
    assert not Shift.objects.filter(status=Shift.Status.DRAFT).exists()


def test_copy_week_role_matrix_changes_nothing(demo, clients, clock, pattern):
    before = Shift.objects.count()
    with pytest.raises(NotAllowed):
        planning.copy_week(actor=demo.users["agent1"], team=demo.teams[0], from_week=MONDAY, to_week=NEXT)
    with pytest.raises(NotAllowed):
        planning.copy_week(actor=demo.users["lead1"], team=demo.teams[1], from_week=MONDAY, to_week=NEXT)
    data = {"team": demo.teams[0].pk, "from_week": MONDAY, "to_week": NEXT}
    assert clients("agent").post("/workforce/roster/copy/", data).status_code == 403
    assert clients("lead").post("/workforce/roster/copy/", {**data, "team": demo.teams[1].pk}).status_code == 403
    assert clients("agent").post("/workforce/roster/publish/", {"team": demo.teams[0].pk,
                                                                "week": MONDAY}).status_code == 403
    assert Shift.objects.count() == before


def test_copy_week_through_the_api(demo, clients, clock, pattern):
    from kefu.workforce.tests.conftest import call

    response = call(clients("lead"), "post", "/shifts/copy-week", {"team": "一班", "from_week": MONDAY,
                                                                  "to_week": NEXT})
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["created"]) == 9
    assert {(s["person"], s["date"]) for s in body["skipped"]} == {("agent1", str(NEXT + dt.timedelta(days=2))),
                                                                   ("agent2", str(NEXT))}
    assert call(clients("lead"), "post", "/shifts/copy-week", {"team": "一班", "from_week": MONDAY,
                                                               "to_week": "9999-12-31"}).status_code == 422
    assert call(clients("agent"), "post", "/shifts/copy-week", {"team": "一班", "from_week": MONDAY,
                                                                "to_week": NEXT}).status_code == 403
