"""My schedule as an .ics feed for the phone's calendar: a secret per-person address served without login,
a VEVENT per published shift (UTC times, a stable UID, leave-freed shifts CANCELLED), lines folded per RFC
5545; an unknown or renewed-away token is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kefu.workforce.models import CalendarFeed, LeaveRequest
from kefu.workforce.selectors.feed import escape_text, fold
from kefu.workforce.services import feed as feed_services
from kefu.workforce.tests.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


def _unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    raw = text.split("\r\n")[:-1]
    lines: list[str] = []
    for line in raw:
        assert len(line.encode("utf-8")) <= 75, line
        assert "\n" not in line and "\r" not in line
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _events(lines: list[str]) -> list[dict[str, str]]:
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    return events


def _fetch(token: str):
    return Client().get(f"/workforce/feed/{token}.ics")


def test_the_feed_is_a_valid_vcalendar_with_one_event_per_published_shift(demo, clock, make_shift):
    early = make_shift("agent1", MONDAY)  # 09:00-18:00 Shanghai = 01:00-10:00 UTC
    night = make_shift("agent1", MONDAY + dt.timedelta(days=2), "night")  # Wed 22:00 - Thu 06:00
    make_shift("agent1", MONDAY + dt.timedelta(days=4), status="draft")  # drafts stay out
    make_shift("agent2", MONDAY)  # someone else's
    feed = feed_services.create_feed(actor=demo.users["agent1"])
    response = _fetch(feed.token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    lines = _unfold(response.content.decode("utf-8"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events = _events(lines)
    assert [e["UID"] for e in events] == [f"shift-{early.pk}@kefu.workforce", f"shift-{night.pk}@kefu.workforce"]
    assert (events[0]["DTSTART"], events[0]["DTEND"]) == ("20261207T010000Z", "20261207T100000Z")
    # crossing midnight: 22:00 Wednesday to 06:00 Thursday in Shanghai
    assert (events[1]["DTSTART"], events[1]["DTEND"]) == ("20261209T140000Z", "20261209T220000Z")
    assert all(e["STATUS"] == "CONFIRMED" and e["DTSTAMP"].endswith("Z") for e in events)
    assert "早班" in events[0]["SUMMARY"] and "一班" in events[0]["SUMMARY"]


def test_uids_are_stable_across_downloads(demo, clock, make_shift):
    make_shift("agent1", MONDAY)
    make_shift("agent1", MONDAY + dt.timedelta(days=1))
    feed = feed_services.create_feed(actor=demo.users["agent1"])
    first = [e["UID"] for e in _events(_unfold(_fetch(feed.token).content.decode()))]
    clock(at(MONDAY, 15))
    make_shift("agent1", MONDAY + dt.timedelta(days=3))
    second = [e["UID"] for e in _events(_unfold(_fetch(feed.token).content.decode()))]
    assert second[:2] == first and len(second) == 3


def test_a_shift_freed_by_approved_leave_is_cancelled(demo, clock, make_shift):
    shift = make_shift("agent1", MONDAY + dt.timedelta(days=1))
    leave = LeaveRequest.objects.create(
        person=demo.users["agent1"], kind="sick", start_at=shift.start_at, end_at=shift.end_at, days=1,
        reason="发烧", status=LeaveRequest.Status.APPROVED, approver_role="head", filed_by=demo.users["lead1"])
    shift.leave = leave
    shift.save(update_fields=["leave"])
    feed = feed_services.create_feed(actor=demo.users["agent1"])
    (event,) = _events(_unfold(_fetch(feed.token).content.decode()))
    assert event["STATUS"] == "CANCELLED" and event["UID"] == f"shift-{shift.pk}@kefu.workforce"


def test_unknown_and_renewed_tokens_are_404(demo):
    assert _fetch("nope").status_code == 404
    assert _fetch("x" * 80).status_code == 404
    feed = feed_services.create_feed(actor=demo.users["agent1"])
    old = feed.token
    assert _fetch(old).status_code == 200
    renewed = feed_services.regenerate_feed(actor=demo.users["agent1"])
    assert renewed.token != old and len(renewed.token) >= 40
    assert _fetch(old).status_code == 404
    assert _fetch(renewed.token).status_code == 200
    assert CalendarFeed.objects.count() == 1
    from kefu.audit.models import AuditEvent

    events = AuditEvent.objects.filter(object_type="workforce.calendarfeed")
    assert events.count() == 2 and not any(old in str(e.after) or renewed.token in str(e.after) for e in events)


def test_a_left_person_s_feed_is_404(demo):
    feed = feed_services.create_feed(actor=demo.users["agent1"])
    type(demo.users["agent1"]).objects.filter(pk=demo.users["agent1"].pk).update(is_active=False)
    assert _fetch(feed.token).status_code == 404


def test_lines_are_folded_at_75_octets_and_text_escaped():
    long = "SUMMARY:" + "早班值班" * 30
    folded = fold(long)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts) and all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0]] + [p[1:] for p in parts[1:]]) == long
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_my_schedule_block_creates_and_renews_the_address(demo, clients):
    client = clients("agent")
    page = client.get("/workforce/me/")
    assert page.status_code == 200 and 'data-testid="calendar-feed-slot"' in page.content.decode()
    block = client.get("/workforce/me/calendar-feed/")
    assert block.status_code == 200 and 'data-testid="feed-url"' not in block.content.decode()
    created = client.post("/workforce/me/calendar-feed/", HTTP_HX_REQUEST="true")
    token = CalendarFeed.objects.get(person=demo.users["agent1"]).token
    assert f"/workforce/feed/{token}.ics" in created.content.decode()
    client.post("/workforce/me/calendar-feed/", {"action": "renew"})
    assert CalendarFeed.objects.get(person=demo.users["agent1"]).token != token
    assert clients("anonymous").get("/workforce/me/calendar-feed/").status_code == 302
