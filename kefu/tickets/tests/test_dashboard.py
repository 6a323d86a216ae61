"""The ticket dashboard's aggregates on a small known data set: volume per day by type and channel
(R-TIC-1), time-limit compliance (R-TIC-4), complaint root causes (R-TIC-7), callbacks (R-TIC-8),
unfinished tickets by status; scope (agents: their own numbers), shop and date filters."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.core.testing import zh
from kefu.tickets import dashboard as dash
from kefu.tickets.models import Callback, Ticket

pytestmark = pytest.mark.django_db


def _at(days_ago: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _day(days_ago: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def _set(ticket, **fields):
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def data_set(demo, make_ticket):
    """a: consultation/hotline 2 days ago, answered and resolved in time; b: complaint/chat 2 days ago,
    answered and resolved late, root cause 物流延误; c: complaint/e-mail yesterday, unanswered past its
    first-response limit; d: consultation/hotline today, still within its limits; e: query/chat today in
    jd by agent4; f: 40 days old, closed (outside the default 30 days)."""
    a = _set(make_ticket(type="consultation", channel="hotline"), created_at=_at(2), first_response_due=_at(2, 12),
             first_responded_at=_at(2, 11), resolution_due=_at(1, 18), resolved_at=_at(1, 10), status="resolved")
    b = _set(make_ticket(type="complaint", channel="chat"), created_at=_at(2), first_response_due=_at(2, 12),
             first_responded_at=_at(2, 14), resolution_due=_at(1, 12), resolved_at=_at(1, 15), status="resolved",
             root_cause="物流延误")
    c = _set(make_ticket(type="complaint", channel="email"), created_at=_at(1), first_response_due=_at(1, 12),
             first_responded_at=None, sla_state="breached", resolution_due=timezone.now() + dt.timedelta(days=1))
    d = make_ticket(type="consultation", channel="hotline")
    e = make_ticket(actor="agent4", shop="jd", type="query", channel="chat")
    f = _set(make_ticket(), created_at=_at(40), first_responded_at=_at(40, 11), resolved_at=_at(39),
             closed_at=_at(39), status="closed")
    now = timezone.now()
    Callback.objects.create(ticket=b, due=_at(1, 20), created_at=_at(1, 15), done_at=_at(1, 16), satisfaction=4,
                            solved=True)
    Callback.objects.create(ticket=b, due=_at(1, 20), created_at=_at(1, 15), done_at=_at(1, 17), satisfaction=2,
                            solved=False)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "now": now}


def _data(user, **kw):
    return dash.dashboard_data(user, dash.DashboardFilters(**kw) if kw else dash.DashboardFilters.default())


def _series(rows, days):
    return {s["code"]: {d: n for d, n in zip(days, s["data"], strict=True) if n} for s in rows}


def test_r_tic_1_volume_per_day_by_type_and_channel(demo, data_set):
    data = _data(demo.users["head1"])
    assert len(data["days"]) == 30 and data["days"][-1] == _day(0)
    assert _series(data["types"], data["days"]) == {
        "consultation": {_day(2): 1, _day(0): 1}, "complaint": {_day(2): 1, _day(1): 1}, "query": {_day(0): 1}}
    assert _series(data["channels"], data["days"]) == {
        "hotline": {_day(2): 1, _day(0): 1}, "chat": {_day(2): 1, _day(0): 1}, "email": {_day(1): 1}}
    assert data["headline"]["created"] == 5 and data["headline"]["complaints"] == 2


def test_r_tic_4_time_limit_compliance_per_day(demo, data_set):
    data = _data(demo.users["head1"])
    sla, days = data["sla"], data["days"]

    def on(series):
        return {d: n for d, n in zip(days, sla[series], strict=True) if n}

    assert on("first_met") == {_day(2): 1}
    assert on("first_breached") == {_day(2): 1, _day(1): 1}  # answered late; still unanswered past the limit
    assert on("resolution_met") == {_day(1): 1}
    assert on("resolution_breached") == {_day(1): 1}
    assert data["headline"]["first_pct"] == 33.3
    assert data["headline"]["resolution_pct"] == 50.0


def test_r_tic_7_complaint_root_causes(demo, data_set):
    causes = {c["name"]: c["value"] for c in _data(demo.users["head1"])["causes"]}
    assert causes == {"物流延误": 1, zh("Not classified"): 1}


def test_open_tickets_by_status_and_headline(demo, data_set):
    data = _data(demo.users["head1"])
    by_status = {r["code"]: r["value"] for r in data["open_by_status"]}
    assert by_status == {"new": 3, "in_progress": 0, "waiting_customer": 0, "waiting_department": 0}
    assert data["headline"]["open"] == 3 and data["headline"]["breached"] == 1
    assert data["headline"]["resolved_not_closed"] == 2  # shown beside the chart, not counted as open


def test_open_tile_and_open_chart_count_the_same_tickets(demo, data_set):
    """One definition of "open" (OPEN_STATUSES): the "open now" tile equals the sum of the chart."""
    for who in ("head1", "lead1", "agent1"):
        data = _data(demo.users[who])
        assert sum(r["value"] for r in data["open_by_status"]) == data["headline"]["open"], who
    assert "新建" in data["open_meaning"] and "已解决" in data["open_meaning"]


def test_r_tic_8_callback_satisfaction(demo, data_set):
    h = _data(demo.users["head1"])["headline"]
    assert (h["callbacks"], h["satisfaction"], h["solved_pct"]) == (2, 3.0, 50.0)


def test_agents_see_only_their_own_numbers(demo, data_set):
    mine = _data(demo.users["agent1"])
    assert mine["own_only"] is True
    assert mine["headline"]["created"] == 4 and mine["headline"]["open"] == 2
    theirs = _data(demo.users["agent4"])
    assert theirs["headline"]["created"] == 1
    assert _data(demo.users["lead1"])["own_only"] is False
    assert _data(demo.users["lead1"])["headline"]["created"] == 5


def test_shop_and_date_filters(demo, data_set):
    head = demo.users["head1"]
    today = timezone.localdate()
    jd = _data(head, start=today - dt.timedelta(days=29), end=today, shop_id=demo.shops["jd"].pk)
    assert jd["headline"]["created"] == 1 and jd["headline"]["open"] == 1
    yesterday = today - dt.timedelta(days=1)
    one_day = _data(head, start=yesterday, end=yesterday)
    assert one_day["days"] == [yesterday.isoformat()]
    assert one_day["headline"]["created"] == 1
    assert one_day["sla"]["resolution_met"] == [1] and one_day["sla"]["resolution_breached"] == [1]
    wide = _data(head, start=today - dt.timedelta(days=45), end=today)
    assert wide["headline"]["created"] == 6


def test_dashboard_page_passes_the_data_to_the_charts(demo, clients, data_set):
    response = clients("head").get("/tickets/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="tickets-dashboard-data"' in html and "tickets-dashboard.js" in html and "echarts" in html
    start = html.index('id="tickets-dashboard-data"')
    payload = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
    assert payload["headline"]["created"] == 5
    # the tile "open now" shows the sum of the "open tickets by status" chart, and says what open means
    tile = html[html.index('data-testid="h-open"'):]
    assert tile[tile.index(">") + 1:tile.index("<")] == str(sum(r["value"] for r in payload["open_by_status"])) == "3"
    assert payload["open_meaning"] in html


def test_dashboard_page_filters_and_refuses_a_backwards_range(demo, clients, data_set):
    client = clients("head")
    response = client.get("/tickets/dashboard/", {"shop": "jd"})
    assert response.context["data"]["headline"]["created"] == 1
    response = client.get("/tickets/dashboard/", {"start": _day(0), "end": _day(3)})
    assert response.status_code == 200
    assert 'data-field="start"' in response.content.decode()
    assert response.context["data"]["headline"]["created"] == 5  # the default 30 days
    response = client.get("/tickets/dashboard/", {"shop": "nosuch"})
    assert response.status_code == 200 and response.context["data"]["headline"]["created"] == 5


def test_dashboard_page_for_an_agent_says_it_is_their_numbers(clients, data_set):
    response = clients("agent").get("/tickets/dashboard/")
    assert response.status_code == 200
    assert response.context["data"]["own_only"] is True
    assert response.context["data"]["headline"]["created"] == 4


def test_dashboard_query_count_does_not_grow_with_tickets(demo, clients, make_ticket):
    client = clients("head")
    for _ in range(5):
        make_ticket()
    client.get("/tickets/dashboard/")
    with CaptureQueriesContext(connection) as few:
        client.get("/tickets/dashboard/")
    for _ in range(20):
        make_ticket(type="complaint", channel="chat")
    with CaptureQueriesContext(connection) as many:
        client.get("/tickets/dashboard/")
    assert len(many.captured_queries) == len(few.captured_queries) <= 20
