"""R-TIC-10 announcements API (/api/v1/announcements): roles, confirm, withdraw, status, error shape."""

import pytest

from kefu.announcements import services
from kefu.announcements.models import Announcement, AnnouncementRead
from kefu.notifications.models import Notification

pytestmark = pytest.mark.django_db

BASE = "/api/v1/announcements"
BODY = {"title": "退款审核时限调整", "body": "自下周一起执行。", "kind": "business_change"}


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def test_anonymous_gets_401_in_the_error_shape(demo, clients):
    for response in (clients("anonymous").get(BASE), post(clients("anonymous"), BASE, BODY)):
        assert response.status_code == 401
        assert response.json()["detail"] and response.json()["errors"] == []
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("role", ["agent", "qa"])
def test_r_tic_10_agent_cannot_publish_403_and_nothing_created(demo, clients, role):
    response = post(clients(role), BASE, BODY)
    assert response.status_code == 403
    body = response.json()
    assert body["rule"] == "R-TIC-10" and body["detail"] and body["errors"] == []
    assert not Announcement.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize("role, teams", [("lead", ["一班"]), ("head", []), ("director", [])])
def test_r_tic_10_leads_and_above_publish(demo, clients, role, teams):
    response = post(clients(role), BASE, BODY)
    assert response.status_code == 201
    body = response.json()
    assert [t["name"] for t in body["teams"]] == teams
    assert body["version"] == 1 and body["requires_confirmation"] is True
    assert body["needs_confirmation"] is False and body["confirmed_at"]  # the author has read it
    assert body["published_at"].endswith("+08:00")


def test_r_tic_10_invalid_input_is_422_naming_fields(demo, clients):
    response = post(clients("head"), BASE, {"title": "", "body": "", "kind": "other"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"title", "body"}
    response = post(clients("head"), BASE, {**BODY, "kind": "nonsense"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "kind"
    response = post(clients("lead"), BASE, {**BODY, "teams": [demo.teams[1].pk]})
    assert response.status_code == 403 and response.json()["rule"] == "R-TIC-10"
    assert not Announcement.objects.exists()


def test_r_tic_10_list_confirm_idempotent_and_unconfirmed_filter(demo, clients, publish):
    a = publish("head1", title="第一条")
    b = publish("head1", title="第二条")
    client = clients("agent")
    assert client.get(f"{BASE}/unconfirmed-count").json() == {"count": 2}
    first = post(client, f"{BASE}/{a.pk}/confirm")
    assert first.status_code == 200 and first.json()["announcement"] == a.pk
    again = post(client, f"{BASE}/{a.pk}/confirm")
    assert again.json()["confirmed_at"] == first.json()["confirmed_at"]
    assert AnnouncementRead.objects.filter(announcement=a, person=demo.users["agent1"]).count() == 1
    items = client.get(BASE).json()["items"]
    assert [(i["id"], i["needs_confirmation"]) for i in items] == [(b.pk, True), (a.pk, False)]
    assert [i["id"] for i in client.get(f"{BASE}?unconfirmed=true").json()["items"]] == [b.pk]
    assert client.get(f"{BASE}/unconfirmed-count").json() == {"count": 1}


def test_r_tic_10_another_teams_announcement_is_404(demo, clients, publish):
    a = publish("head1", teams=["二班"])
    client = clients("agent")
    for response in (client.get(f"{BASE}/{a.pk}"), post(client, f"{BASE}/{a.pk}/confirm"),
                     post(client, f"{BASE}/{a.pk}/withdraw", {"version": 1})):
        assert response.status_code == 404
        assert response.json()["detail"] and response.json()["errors"] == []
    assert not AnnouncementRead.objects.filter(person=demo.users["agent1"]).exists()


def test_r_tic_10_withdraw_roles_and_version(demo, clients, publish):
    a = publish("head1")
    assert post(clients("agent"), f"{BASE}/{a.pk}/withdraw", {"version": 1}).status_code == 403
    assert post(clients("lead"), f"{BASE}/{a.pk}/withdraw", {"version": 1}).status_code == 403
    missing = post(clients("head"), f"{BASE}/{a.pk}/withdraw", {})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "version"
    stale = post(clients("head"), f"{BASE}/{a.pk}/withdraw", {"version": 7})
    assert stale.status_code == 409 and stale.json()["detail"]
    a.refresh_from_db()
    assert a.withdrawn_at is None and a.version == 1
    done = post(clients("head"), f"{BASE}/{a.pk}/withdraw", {"version": 1})
    assert done.status_code == 200 and done.json()["withdrawn_at"] and done.json()["version"] == 2
    assert clients("agent").get(BASE).json()["count"] == 0
    assert clients("agent").get(f"{BASE}/{a.pk}").status_code == 404
    assert clients("head").get(f"{BASE}?include_inactive=true").json()["count"] == 1
    assert clients("agent").get(f"{BASE}?include_inactive=true").json()["count"] == 0


def test_r_tic_10_status_for_leads_and_above(demo, clients, publish):
    a = publish("head1")
    services.confirm_read(actor=demo.users["agent2"], announcement_id=a.pk)
    response = clients("agent").get(f"{BASE}/{a.pk}/status")
    assert response.status_code == 403 and response.json()["rule"] == "R-TIC-10"
    body = clients("lead").get(f"{BASE}/{a.pk}/status").json()
    assert body["confirmed"] == 1 and body["unconfirmed"] == 3
    assert [p["username"] for p in body["people"]][-1] == "agent2"  # unconfirmed first
    assert {p["team"] for p in body["people"]} == {"一班"}
    assert clients("director").get(f"{BASE}/{a.pk}/status").json()["confirmed"] == 2  # agent2 and head1


def test_r_tic_10_list_queries_do_not_grow_with_rows(demo, clients, publish, count_queries):
    client = clients("agent")
    for i in range(5):
        publish("head1", title=f"通告{i}", teams=["一班"] if i % 2 else ())
    small, r = count_queries(lambda: client.get(f"{BASE}?page_size=50"))
    assert len(r.json()["items"]) == 5
    for i in range(5, 25):
        publish("head1", title=f"通告{i}", teams=["一班"] if i % 2 else ())
    big, r = count_queries(lambda: client.get(f"{BASE}?page_size=50"))
    assert len(r.json()["items"]) == 25
    assert big == small
