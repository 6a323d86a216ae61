"""R-WFM-2 handover (交接班) and the duty log (值班日志, R-WFM-1): the outgoing person writes the handover, may
not sign it off before an incoming person has checked in, an incoming person acknowledges and sees the
outgoing person's unfinished tickets; the duty log is written by the people on duty and the team's managers."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.notifications.models import Notification
from kefu.workforce import services
from kefu.workforce.models import DutyLogEntry, Handover
from kefu.workforce.services import handover as handover_services
from kefu.workforce.tests.conftest import MONDAY, at, call

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + dt.timedelta(days=1)


def _client(demo, username):
    from django.test import Client

    client = Client()
    client.force_login(demo.users[username])
    return client


def _ticket(demo, owner="agent1", *, status=None, title="退款未到账"):
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Ticket

    ticket = tickets.create_ticket(actor=demo.users[owner], shop=demo.shops["tmall"], type="consultation",
                                   channel="hotline", title=title)
    if status:
        Ticket.objects.filter(pk=ticket.pk).update(status=status)
    return ticket


@pytest.fixture
def day_and_late(demo, make_shift):
    """agent1 on the early shift (09:00-18:00), agent2 and agent3 on the late one (18:00-02:00), 一班."""
    out = make_shift("agent1", MONDAY)
    incoming = [make_shift("agent2", MONDAY, "late"), make_shift("agent3", MONDAY, "late")]
    return out, incoming


def _write(demo, clock, *, tickets=(), when=None):
    clock(when or at(MONDAY, 17, 30))
    response = call(_client(demo, "agent1"), "post", "/handovers", {
        "equipment": "2号耳机有杂音", "difficult_cases": "王女士退款，明早回电", "staffing": "",
        "ticket_ids": [t.pk for t in tickets]})
    assert response.status_code == 201, response.content
    return response.json()


# -- writing ------------------------------------------------------------------------------------------------

def test_R_WFM_2_the_outgoing_person_writes_the_handover_of_their_shift(demo, clock, day_and_late):
    out, incoming = day_and_late
    ticket = _ticket(demo)
    body = _write(demo, clock, tickets=[ticket])
    assert body["outgoing_shift_id"] == out.pk and body["incoming_shift_id"] in {s.pk for s in incoming}
    assert {p["person"] for p in body["incoming"]} == {"agent2", "agent3"}
    assert [t["number"] for t in body["tickets"]] == [ticket.number]
    assert body["status"] == "draft" and body["version"] == 1
    again = call(_client(demo, "agent1"), "post", "/handovers", {"equipment": "再写一次"})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "shift_id"
    from kefu.audit.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="workforce.handover", object_id=str(body["id"])).count() == 1


def test_R_WFM_2_tickets_outside_the_authors_scope_are_refused(demo, clock, day_and_late):
    from kefu.tickets.models import Ticket

    clock(at(MONDAY, 17, 30))
    response = call(_client(demo, "agent1"), "post", "/handovers",
                    {"difficult_cases": "x", "ticket_ids": [987654]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ticket_ids"
    empty = call(_client(demo, "agent1"), "post", "/handovers", {})
    assert empty.status_code == 422
    assert not Handover.objects.exists() and Ticket.objects.count() == 0


def test_R_WFM_2_the_incoming_shift_is_the_next_one_of_the_team(demo, make_shift, clock):
    out = make_shift("agent1", MONDAY)  # 09:00-18:00
    make_shift("agent4", MONDAY, "late")  # 二班: not the incoming team
    overlapping = make_shift("agent2", MONDAY, "late")
    assert handover_services.incoming_shifts(out) == [overlapping]
    night = make_shift("agent3", TUESDAY, "night")  # the next one of the late shift (18:00-02:00)
    assert handover_services.incoming_shifts(overlapping) == [night]
    assert handover_services.incoming_shifts(night) == []


def test_R_WFM_2_the_handover_is_edited_with_its_version_until_signed_off(demo, clock, day_and_late):
    body = _write(demo, clock)
    client = _client(demo, "agent1")
    stale = call(client, "put", f"/handovers/{body['id']}", {"version": 7, "equipment": "好了"})
    assert stale.status_code == 409
    ok = call(client, "put", f"/handovers/{body['id']}", {"version": 1, "equipment": "耳机已换"})
    assert ok.status_code == 200 and ok.json()["equipment"] == "耳机已换" and ok.json()["version"] == 2
    other = call(_client(demo, "agent2"), "put", f"/handovers/{body['id']}", {"version": 2, "equipment": "x"})
    assert other.status_code == 403


# -- sign-off and acknowledgement --------------------------------------------------------------------------

def test_R_WFM_2_sign_off_is_refused_until_an_incoming_person_has_checked_in(demo, clock, day_and_late):
    body = _write(demo, clock)
    client = _client(demo, "agent1")
    clock(at(MONDAY, 17, 50))
    refused = call(client, "post", f"/handovers/{body['id']}/sign-off", {"version": 1})
    assert refused.status_code == 422, refused.content
    error = refused.json()
    assert error["rule"] == "R-WFM-2" and error["errors"][0]["field"] == "incoming"
    assert "李四" in error["errors"][0]["message"]
    assert Handover.objects.get().status == "draft" and not Notification.objects.filter(
        kind="handover_signed_off").exists()

    clock(at(MONDAY, 17, 55))
    services.check_in(actor=demo.users["agent2"])
    ok = call(client, "post", f"/handovers/{body['id']}/sign-off", {"version": 1})
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "signed_off" and ok.json()["signed_off_at"]
    told = set(Notification.objects.filter(kind="handover_signed_off").values_list("recipient__username", flat=True))
    assert told == {"agent2", "agent3"}
    twice = call(client, "post", f"/handovers/{body['id']}/sign-off", {"version": 2})
    assert twice.status_code == 422


def test_R_WFM_2_only_the_author_signs_off(demo, clock, day_and_late):
    body = _write(demo, clock)
    clock(at(MONDAY, 17, 55))
    services.check_in(actor=demo.users["agent2"])
    assert call(_client(demo, "agent2"), "post", f"/handovers/{body['id']}/sign-off",
                {"version": 1}).status_code == 403
    assert call(_client(demo, "lead1"), "post", f"/handovers/{body['id']}/sign-off",
                {"version": 1}).status_code == 403
    assert Handover.objects.get().status == "draft"


def test_R_WFM_2_only_an_incoming_person_acknowledges(demo, clock, day_and_late, make_shift):
    body = _write(demo, clock)
    early = call(_client(demo, "agent2"), "post", f"/handovers/{body['id']}/acknowledge", {"version": 1})
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "status"  # not signed off yet
    clock(at(MONDAY, 17, 55))
    services.check_in(actor=demo.users["agent2"])
    assert call(_client(demo, "agent1"), "post", f"/handovers/{body['id']}/sign-off",
                {"version": 1}).status_code == 200
    for outsider in ("agent1", "lead1"):
        response = call(_client(demo, outsider), "post", f"/handovers/{body['id']}/acknowledge", {"version": 2})
        assert response.status_code == 403, outsider
    assert call(_client(demo, "agent4"), "post", f"/handovers/{body['id']}/acknowledge",
                {"version": 2}).status_code == 404  # 二班 does not see 一班's handovers
    ok = call(_client(demo, "agent3"), "post", f"/handovers/{body['id']}/acknowledge", {"version": 2})
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "acknowledged" and ok.json()["acknowledged_by"] == "agent3"
    assert Notification.objects.filter(kind="handover_acknowledged", recipient=demo.users["agent1"]).exists()


def test_R_WFM_2_the_incoming_person_sees_the_outgoing_persons_unfinished_tickets(demo, clock, day_and_late):
    open_one = _ticket(demo, title="发票未开")
    waiting = _ticket(demo, status="waiting", title="等客户回复")
    _ticket(demo, status="resolved", title="已解决")
    _ticket(demo, owner="agent2", title="别人的")
    body = _write(demo, clock)
    seen = call(_client(demo, "agent2"), "get", f"/handovers/{body['id']}").json()
    assert {t["number"] for t in seen["open_tickets"]} == {open_one.number, waiting.number}
    assert call(_client(demo, "lead2"), "get", f"/handovers/{body['id']}").status_code == 404
    page = _client(demo, "agent2").get(f"/workforce/handover/?date={MONDAY}&tab=handover")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="open-tickets"' in html
    assert open_one.number in html and waiting.number in html and "已解决" not in html


# -- the duty log -------------------------------------------------------------------------------------------

def test_R_WFM_1_the_duty_log_is_written_by_people_on_duty_and_managers(demo, clients, clock, make_shift):
    make_shift("agent1", MONDAY)
    clock(at(MONDAY, 10))
    first = call(clients("agent"), "post", "/duty-log", {"text": "10点系统卡顿，已报修"})
    assert first.status_code == 201, first.content
    assert first.json()["team"] == "一班" and first.json()["shift_id"] is not None
    lead = call(clients("lead"), "post", "/duty-log", {"text": "班长巡查"})
    assert lead.status_code == 201 and lead.json()["shift_id"] is None
    off_duty = call(_client(demo, "agent2"), "post", "/duty-log", {"text": "我不在班"})
    assert off_duty.status_code == 422 and off_duty.json()["errors"][0]["field"] == "team"
    other_team = call(_client(demo, "agent4"), "post", "/duty-log", {"team": "一班", "text": "x"})
    assert other_team.status_code == 422 and other_team.json()["errors"][0]["field"] == "team"
    blank = call(clients("agent"), "post", "/duty-log", {"text": "   "})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "text"
    clock(at(MONDAY, 18, 30))
    late = call(clients("agent"), "post", "/duty-log", {"text": "下班后"})
    assert late.status_code == 422
    listed = call(clients("agent"), "get", f"/duty-log?date={MONDAY}").json()["items"]
    assert [e["text"] for e in listed] == ["班长巡查", "10点系统卡顿，已报修"]  # newest first
    assert call(clients("agent"), "get", f"/duty-log?team=二班&date={MONDAY}").status_code == 422
    assert DutyLogEntry.objects.count() == 2


def test_R_WFM_1_a_night_shifts_entry_after_midnight_belongs_to_the_shifts_day(demo, clients, clock, make_shift):
    make_shift("agent1", MONDAY, "night")  # 22:00-06:00
    clock(at(TUESDAY, 1, 30))
    assert call(clients("agent"), "post", "/duty-log", {"text": "凌晨来电高峰"}).status_code == 201
    assert [e["text"] for e in call(clients("agent"), "get", f"/duty-log?date={MONDAY}").json()["items"]] == [
        "凌晨来电高峰"]
    assert call(clients("agent"), "get", f"/duty-log?date={TUESDAY}").json()["items"] == []


# -- the page ---------------------------------------------------------------------------------------------

def test_R_WFM_2_handover_page_writes_signs_off_and_acknowledges(demo, clock, day_and_late):
    ticket = _ticket(demo)
    clock(at(MONDAY, 17, 30))
    agent1 = _client(demo, "agent1")
    form = agent1.get(f"/workforce/handover/?date={MONDAY}&tab=handover")
    assert 'data-testid="handover-form"' in form.content.decode()
    bad = agent1.post("/workforce/handover/save/", {"equipment": "", "other_tickets": "KF00000000-9999"})
    assert bad.status_code == 422 and "KF00000000-9999" in bad.content.decode()
    saved = agent1.post("/workforce/handover/save/", {"equipment": "正常", "tickets": [ticket.pk]})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    handover = Handover.objects.get()
    assert list(handover.tickets.all()) == [ticket]
    refused = agent1.post(f"/workforce/handover/{handover.pk}/sign-off/", {"version": handover.version}, follow=True)
    assert Handover.objects.get().status == "draft"
    assert "R-WFM" not in refused.content.decode()
    clock(at(MONDAY, 17, 55))
    services.check_in(actor=demo.users["agent2"])
    agent1.post(f"/workforce/handover/{handover.pk}/sign-off/", {"version": handover.version})
    assert Handover.objects.get().status == "signed_off"
    page = _client(demo, "agent2").get(f"/workforce/handover/?date={MONDAY}&tab=handover")
    assert 'data-testid="acknowledge"' in page.content.decode()
    _client(demo, "agent2").post(f"/workforce/handover/{handover.pk}/acknowledge/", {"version": 2})
    assert Handover.objects.get().status == "acknowledged"
    assert _client(demo, "agent4").post(f"/workforce/handover/{handover.pk}/acknowledge/",
                                        {"version": 3}).status_code == 404


def test_R_WFM_2_duty_log_and_handover_pages_query_counts(demo, clock, make_shift, django_assert_max_num_queries):
    for name in ("agent1", "agent2", "agent3"):
        make_shift(name, MONDAY)
    for name in ("agent1", "agent2", "agent3"):
        make_shift(name, TUESDAY)
    clock(at(MONDAY, 12))
    for name in ("agent1", "agent2", "agent3"):
        handover_services.write_duty_log(actor=demo.users[name], text=f"{name} 值班记录")
        _ticket(demo, owner=name)
    for name in ("agent1", "agent2", "agent3"):
        handover_services.write_handover(actor=demo.users[name], equipment="正常")
    client = _client(demo, "lead1")
    client.get(f"/workforce/handover/?date={MONDAY}&tab=handover")  # warm the caches
    with django_assert_max_num_queries(16):
        handovers = client.get(f"/workforce/handover/?date={MONDAY}&tab=handover")
    assert handovers.content.decode().count('data-testid="handover"') == 3
    with django_assert_max_num_queries(16):
        log = client.get(f"/workforce/handover/?date={MONDAY}&tab=log")
    assert log.content.decode().count('data-testid="duty-entry"') == 3
    assert "R-WFM" not in log.content.decode()


def test_R_WFM_1_dates_at_the_ends_of_the_calendar_are_no_500(demo, clients):
    for path in ("/duty-log?date=9999-12-31", "/duty-log?date=0001-01-01", "/handovers?date=9999-12-31",
                 "/roll-call?date=9999-12-31"):
        assert call(clients("lead"), "get", path).status_code == 200, path
    assert clients("lead").get("/workforce/handover/?date=9999-12-31").status_code == 200
    assert clients("lead").get("/workforce/rollcall/?date=9999-12-31").status_code == 200
