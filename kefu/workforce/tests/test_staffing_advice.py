"""Staffing advice of the roster (issue 10): contacts per hour of the same weekday over the last weeks, public
holidays left out, handling time from the tickets, Erlang C → agents to roster; the chart on the roster page."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re

import pytest

from kefu.workforce import staffing
from kefu.workforce.selectors.staffing import advice, day_advice
from kefu.workforce.tests.conftest import MONDAY, at

DAY = dt.date(2026, 12, 17)  # a Thursday; its reference Thursdays: 12-10 (the holiday fixture), 12-03, 11-26, 11-19
_numbers = itertools.count(1)


def tickets(demo, moment: dt.datetime, n: int, *, handling: int = 360, shop: str = "tmall") -> None:
    from kefu.tickets.models import Ticket

    Ticket.objects.bulk_create([
        Ticket(number=f"T{next(_numbers):08d}", shop=demo.shops[shop], type="query", channel="hotline",
               title="问价", created_by=demo.users["agent1"], created_at=moment + dt.timedelta(seconds=i),
               last_action_at=moment, handling_seconds=handling)
        for i in range(n)])


@pytest.fixture
def volume(demo, holiday):
    """30 tickets (6 minutes each) at 10:00 on three normal Thursdays, 10 on one of them at 15:00 split over two
    shops, 300 on the holiday Thursday (left out), 500 on a Wednesday (another weekday)."""
    for day in (dt.date(2026, 12, 3), dt.date(2026, 11, 26), dt.date(2026, 11, 19)):
        tickets(demo, at(day, 10, 5), 30)
    tickets(demo, at(dt.date(2026, 12, 3), 15), 6, shop="jd")
    tickets(demo, at(dt.date(2026, 12, 3), 15, 30), 3, shop="pdd")
    tickets(demo, at(holiday, 10), 300, handling=36000)
    tickets(demo, at(dt.date(2026, 12, 16), 10), 500)


def test_R_WFM_1_staffing_from_the_same_weekday_with_holiday_weeks_left_out(demo, clock, volume, holiday):
    result = advice(centre_id=demo.centre.pk, days=[DAY])[DAY]
    assert result.holidays_left_out == (holiday,)
    assert set(result.dates_used) == {dt.date(2026, 12, 3), dt.date(2026, 11, 26), dt.date(2026, 11, 19)}
    assert result.aht_seconds == 360 and result.aht_recorded
    ten = result.hours[10]
    assert ten.contacts == 30  # the holiday's 300 are not in the mean
    # 30 contacts × 6 min = 3 Erlangs; 80 % within 20 s needs 6 on the queue; 30 % shrinkage → 9 on the roster
    assert (ten.agents, ten.required) == (6, 9)
    expected = staffing.agents_needed(30, aht_seconds=360)
    assert (ten.agents, ten.required) == (expected.agents, expected.agents_scheduled)
    assert result.hours[15].contacts == 3  # 9 tickets on one of three Thursdays
    assert result.hours[9].required == 0 and result.hours[11].required == 0


def test_staffing_of_a_team_is_its_share_of_the_shops_it_serves(demo, clock, volume):
    # both demo teams serve all three shops: each gets half of the volume
    team = advice(centre_id=demo.centre.pk, days=[DAY], team=demo.teams[0])[DAY]
    assert team.hours[10].contacts == 15
    assert team.hours[10].required == staffing.agents_needed(15, aht_seconds=360).agents_scheduled


def set_setting(demo, key: str, value) -> None:
    from kefu.rules.models import RuleValue
    from kefu.rules.services import set_rule

    row = RuleValue.objects.filter(key=key).first()
    set_rule(actor=demo.users["admin"], key=key, value=value, version=row.version if row else 0)


def test_staffing_settings_are_rules_not_literals(demo, clock, volume):
    set_setting(demo, "workforce.staffing_weeks", 1)
    only_holiday = advice(centre_id=demo.centre.pk, days=[DAY])[DAY]
    assert only_holiday.dates_used == () and only_holiday.hours[10].required == 0
    assert not only_holiday.aht_recorded and only_holiday.aht_seconds == 300  # the default handling time
    set_setting(demo, "workforce.staffing_weeks", 4)
    set_setting(demo, "workforce.shrinkage_pct", 0)
    assert advice(centre_id=demo.centre.pk, days=[DAY])[DAY].hours[10].required == 6


def test_scheduled_agents_per_hour_count_minutes_on_shift(demo, clock, make_shift, volume):
    clock(at(MONDAY, 8))
    make_shift("agent1", DAY, "early")  # 09:00–18:00
    make_shift("agent2", DAY - dt.timedelta(days=1), "night")  # Wednesday 22:00 – Thursday 06:00
    result = day_advice(team=demo.teams[0], day=DAY, centre_id=demo.centre.pk)
    assert [h.scheduled for h in result.hours[:7]] == [1, 1, 1, 1, 1, 1, 0]
    assert result.hours[10].scheduled == 1 and result.hours[10].state == "under"
    assert result.hours[20].state == "ok"  # nobody needed, nobody on shift


def test_roster_page_loads_the_staffing_chart_for_leads_only(demo, clients, clock, make_shift, volume,
                                                              django_assert_max_num_queries):
    make_shift("agent1", DAY, "early")
    client = clients("lead")
    client.get("/workforce/roster/")
    page = client.get(f"/workforce/roster/?week={DAY - dt.timedelta(days=3)}&day={DAY}").content.decode()
    assert f'/workforce/roster/staffing/?team={demo.teams[0].pk}&amp;day={DAY}' in page
    assert 'hx-trigger="load"' in page and "echarts.min.js" in page and "workforce-staffing.js" in page
    with django_assert_max_num_queries(10):
        response = client.get("/workforce/roster/staffing/", {"team": demo.teams[0].pk, "day": DAY})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="staffing"' in html
    data = json.loads(re.search(r'<script id="staffing-data" type="application/json">(.*?)</script>', html,
                                re.S).group(1))
    assert data["date"] == DAY.isoformat() and len(data["hours"]) == 24
    assert data["required"][10] == staffing.agents_needed(15, aht_seconds=360).agents_scheduled
    assert data["scheduled"][10] == 1 and data["state"][10] == "under"
    agent = clients("agent")
    agent_html = agent.get(f"/workforce/roster/?week={DAY}&day={DAY}").content.decode()
    assert "roster/staffing" not in agent_html and "staffing-slot" not in agent_html
    assert agent.get("/workforce/roster/staffing/", {"team": demo.teams[0].pk, "day": DAY}).status_code == 403
    other = client.get("/workforce/roster/staffing/", {"team": demo.teams[1].pk, "day": DAY})
    assert other.status_code == 403  # the lead of 一班 for 二班


def test_roster_marks_holidays_and_adjusted_working_days(demo, clients, clock):
    from kefu.bizcalendar import services as calendar

    calendar.set_day(actor=demo.users["admin"], date=dt.date(2026, 12, 19), kind="workday", name="调休")
    html = clients("lead").get(f"/workforce/roster/?week={dt.date(2026, 12, 14)}").content.decode()
    assert 'data-testid="adjusted-workday"' in html
