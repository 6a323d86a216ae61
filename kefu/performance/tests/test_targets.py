"""R-KPI-1 "Targets per KPI and team": a team's own target replaces the centre's rule setting for the team's row
and its agents' rows (green at or above, amber within the margin, red under that); set through one audited
service by the API (GET/PUT /api/v1/kpi/targets?team=) and the editor page; the role matrix changes nothing on
refusal; the KPI page and the head's home show the target used; one query for a whole table."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.performance import scoring, targets
from kefu.performance.kpi import KpiRow

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 8)
URL = "/api/v1/kpi/targets"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 8, 20, tzinfo=SH), tick=False):
        yield


@pytest.fixture
def team1(demo):
    return next(t for t in demo.teams if t.name == "一班")


@pytest.fixture
def team2(demo):
    return next(t for t in demo.teams if t.name == "二班")


def put(client, team_id, body):
    return client.put(f"{URL}?team={team_id}", json.dumps(body), content_type="application/json")


def own(team):
    from kefu.performance.models import KpiTarget

    return dict(KpiTarget.objects.filter(team=team).values_list("kpi", "value"))


def audit_count():
    from kefu.audit.models import AuditEvent

    return AuditEvent.objects.filter(object_type="performance.kpitarget").count()


# -- the colours against the team's target ---------------------------------------------------------------

def test_r_kpi_1_team_target_replaces_the_centres_for_its_agents_and_team_row(demo, team1, team2):
    """sla_rate 80 %: against the centre's 90 (margin 10) amber; against 一班's own 80 green, exactly at it; 81
    amber; 91 red (more than the margin under it). 二班 keeps the centre's target."""
    head = demo.users["head1"]
    agent1 = KpiRow(key="agent1", name="张三", sla_rate=0.80)
    agent4 = KpiRow(key="agent4", name="赵六", sla_rate=0.80)
    book = scoring.targets_for(head, [agent1, agent4], level="agent")
    assert (book.target(agent1, "sla_rate"), book.status(agent1, "sla_rate")) == (90, "amber")
    for value, colour in ((80, "green"), (81, "amber"), (90, "amber"), (91, "red")):
        targets.set_team_targets(actor=head, team_id=team1.pk, targets={"sla_rate": value})
        book = scoring.targets_for(head, [agent1, agent4], level="agent")
        assert (book.target(agent1, "sla_rate"), book.status(agent1, "sla_rate")) == (value, colour)
        assert book.is_team_target(agent1, "sla_rate")
        assert (book.target(agent4, "sla_rate"), book.status(agent4, "sla_rate")) == (90, "amber")  # 二班
    # the team row (matched by its id in ``extra``, as kpi.compute gives it, or by its name)
    for row in (KpiRow(key="一班", name="一班", sla_rate=0.80, extra={"team_id": team1.pk}),
                KpiRow(key="一班", name="一班", sla_rate=0.80)):
        book = scoring.targets_for(head, [row], level="team")
        assert (book.target(row, "sla_rate"), book.status(row, "sla_rate")) == (91, "red")
    shop = KpiRow(key="tmall", name="天猫旗舰店", sla_rate=0.80)
    assert scoring.targets_for(head, [shop], level="shop").target(shop, "sla_rate") == 90  # shops: the centre's


def test_r_kpi_1_a_cleared_team_target_falls_back_to_the_centres(demo, team1):
    head = demo.users["head1"]
    targets.set_team_targets(actor=head, team_id=team1.pk, targets={"fcr_rate": 60, "csat": 80})
    assert own(team1) == {"fcr_rate": 60, "csat": 80}
    result = targets.set_team_targets(actor=head, team_id=team1.pk, targets={"fcr_rate": None, "csat": 80})
    assert own(team1) == {"csat": 80}
    lines = {line.kpi: line for line in result.lines}
    assert (lines["fcr_rate"].team_value, lines["fcr_rate"].target, lines["fcr_rate"].default) == (None, 75, 75)
    assert (lines["csat"].team_value, lines["csat"].target) == (80, 80)


def test_r_kpi_1_targets_of_a_table_in_one_query(demo, team1, team2, django_assert_num_queries):
    """One query for the team targets of any number of rows (the rule settings are cached)."""
    head = demo.users["head1"]
    targets.set_team_targets(actor=head, team_id=team1.pk, targets={"sla_rate": 80})
    targets.set_team_targets(actor=head, team_id=team2.pk, targets={"qa_score": 70})
    few = [KpiRow(key="agent1", name="")]
    many = [KpiRow(key=u, name="") for u in ("agent1", "agent2", "agent3", "agent4", "agent5", "agent6", "lead1")]
    scoring.targets_for(head, few, level="agent")  # warm the settings cache
    with django_assert_num_queries(1):
        book = scoring.targets_for(head, few, level="agent")
    with django_assert_num_queries(1):
        book = scoring.targets_for(head, many, level="agent")
    assert book.target("agent4", "qa_score") == 70 and book.target("agent2", "sla_rate") == 80
    teams = [KpiRow(key="一班", name="一班", extra={"team_id": team1.pk}),
             KpiRow(key="二班", name="二班", extra={"team_id": team2.pk})]
    with django_assert_num_queries(1):
        book = scoring.targets_for(head, teams, level="team")
    assert book.target("二班", "qa_score") == 70


# -- the API and the role matrix -----------------------------------------------------------------------

def test_r_kpi_1_targets_api_reads_and_replaces(demo, clients, team1):
    head = clients("head")
    got = head.get(f"{URL}?team={team1.pk}")
    assert got.status_code == 200
    body = got.json()
    assert (body["team"], body["team_name"], body["margin"]) == (team1.pk, "一班", 10)
    line = next(t for t in body["targets"] if t["kpi"] == "sla_rate")
    assert line == {"kpi": "sla_rate", "label": line["label"], "default": 90, "team_value": None, "target": 90}
    saved = put(head, team1.pk, {"targets": {"sla_rate": 0, "qa_score": 100}})  # both ends of 0–100
    assert saved.status_code == 200
    assert own(team1) == {"sla_rate": 0, "qa_score": 100}
    again = {t["kpi"]: t for t in head.get(f"{URL}?team={team1.pk}").json()["targets"]}
    assert (again["sla_rate"]["team_value"], again["sla_rate"]["target"]) == (0, 0)
    assert put(head, team1.pk, {"targets": {}}).status_code == 200  # PUT replaces: nothing of its own left
    assert own(team1) == {}
    centre = head.get(URL).json()  # without a team: the centre's
    assert centre["team"] is None and {t["team_value"] for t in centre["targets"]} == {None}


@pytest.mark.parametrize(("body", "field"), [
    ({"targets": {"sla_rate": 101}}, "targets.sla_rate"),
    ({"targets": {"sla_rate": -1}}, "targets.sla_rate"),
    ({"targets": {"galaxy": 50}}, "targets.galaxy"),
    ({"targets": {"handled": 50}}, "targets.handled"),
])
def test_r_kpi_1_bad_targets_are_field_errors_and_change_nothing(demo, clients, team1, body, field):
    head = clients("head")
    assert put(head, team1.pk, {"targets": {"fcr_rate": 70}}).status_code == 200
    events = audit_count()
    got = put(head, team1.pk, {"targets": {"fcr_rate": 50, **body["targets"]}})
    assert got.status_code == 422
    assert field in {e["field"] for e in got.json()["errors"]} and got.json()["detail"]
    assert own(team1) == {"fcr_rate": 70} and audit_count() == events


def test_r_kpi_1_put_without_a_team_is_a_field_error(demo, clients):
    got = clients("head").put(URL, json.dumps({"targets": {}}), content_type="application/json")
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == "team"


@pytest.mark.parametrize(("role", "team", "status"), [
    ("anonymous", "一班", 401), ("agent", "一班", 403), ("qa", "一班", 403),
    ("lead", "二班", 404),  # lead1 leads 一班: 二班 is outside their scope
    ("lead", "一班", 200), ("head", "二班", 200), ("director", "一班", 200), ("admin", "二班", 200),
])
def test_r_kpi_1_who_may_set_a_teams_targets(demo, clients, role, team, status):
    team_obj = next(t for t in demo.teams if t.name == team)
    events = audit_count()
    got = put(clients(role), team_obj.pk, {"targets": {"sla_rate": 85}})
    assert got.status_code == status
    if status == 200:
        assert own(team_obj) == {"sla_rate": 85} and audit_count() == events + 1
    else:
        assert own(team_obj) == {} and audit_count() == events  # nothing changed


def test_r_kpi_1_setting_targets_is_audited_with_before_and_after(demo, team1):
    from kefu.audit.models import AuditEvent

    head = demo.users["head1"]
    targets.set_team_targets(actor=head, team_id=team1.pk, targets={"sla_rate": 85})
    targets.set_team_targets(actor=head, team_id=team1.pk, targets={"sla_rate": 80, "csat": 70})
    targets.set_team_targets(actor=head, team_id=team1.pk, targets={"sla_rate": 80, "csat": 70})  # no change
    events = list(AuditEvent.objects.filter(object_type="performance.kpitarget").order_by("id"))
    assert len(events) == 2
    assert (events[1].before, events[1].after, events[1].object_id) == (
        {"sla_rate": 85}, {"sla_rate": 80, "csat": 70}, str(team1.pk))


# -- the pages ---------------------------------------------------------------------------------------------

def test_r_kpi_1_targets_page_saves_and_shows_errors(demo, clients, team1):
    lead = clients("lead")
    page = lead.get("/performance/kpi/targets/")  # a lead: their own team straight away
    assert page.status_code == 200 and 'data-testid="targets-form"' in page.content.decode()
    saved = lead.post("/performance/kpi/targets/", {"team": team1.pk, "sla_rate": "80", "csat": ""})
    assert saved.status_code == 302 and own(team1) == {"sla_rate": 80}
    bad = lead.post("/performance/kpi/targets/", {"team": team1.pk, "sla_rate": "120"})
    assert bad.status_code == 422 and 'data-field="sla_rate"' in bad.content.decode()
    assert own(team1) == {"sla_rate": 80}
    assert clients("agent").get("/performance/kpi/targets/").status_code == 404
    assert clients("lead").get(f"/performance/kpi/targets/?team={demo.teams[1].pk}").status_code == 404


def test_r_kpi_1_the_kpi_page_shows_the_target_used(demo, clients, team1):
    targets.set_team_targets(actor=demo.users["head1"], team_id=team1.pk, targets={"sla_rate": 80})
    html = clients("head").get("/performance/kpi/?date_from=2026-12-01&date_to=2026-12-08").content.decode()
    import re

    cells = dict(re.findall(r'<tr data-key="(\w+)">.*?data-kpi="sla_rate">.*?data-target="(\d+)"', html, re.S))
    assert cells["agent1"] == "80" and cells["agent4"] == "90"  # 一班's own, 二班 the centre's
    assert 'data-testid="kpi-weights"' in html


def test_r_kpi_1_home_names_the_team_below_its_own_target(demo, monkeypatch, team1, team2):
    """The head's home lists a team under its target with the value and the target used."""
    from kefu.home import selectors as home

    rows = [KpiRow(key="一班", name="一班", sla_rate=0.80, extra={"team_id": team1.pk}),
            KpiRow(key="二班", name="二班", sla_rate=0.95, extra={"team_id": team2.pk})]
    monkeypatch.setattr(home.kpi, "compute", lambda *a, **k: rows)
    head = demo.users["head1"]
    below = home.teams_below_target(head, DAY)
    assert [(t["team"], t["kpis"], t["targets"]) for t in below] == [("一班", ["sla_rate"], {"sla_rate": 90})]
    targets.set_team_targets(actor=head, team_id=team1.pk, targets={"sla_rate": 80})
    targets.set_team_targets(actor=head, team_id=team2.pk, targets={"sla_rate": 99})
    below = home.teams_below_target(head, DAY)
    assert [(t["team"], t["targets"], t["red"]) for t in below] == [("二班", {"sla_rate": 99}, False)]
    assert "95 < 99" in home._below_text(below[0])
