"""Notifications API (/api/v1/notifications): the caller's own notifications only; API.md error shape."""

import pytest

from kefu.notifications import services
from kefu.notifications.models import Notification

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications"


def send(person, title="通知"):
    return services.notify(recipients=[person], kind="sla_warning", title=title, url="/tickets/1/")[0]


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_anonymous_gets_401_in_the_error_shape(demo, clients):
    for response in (clients("anonymous").get(BASE), clients("anonymous").get(f"{BASE}/unread-count"),
                     post(clients("anonymous"), f"{BASE}/read", {})):
        assert response.status_code == 401
        body = response.json()
        assert body["detail"] and body["errors"] == []


def test_list_is_own_newest_first_and_paginated(demo, clients):
    first = send(demo.users["agent1"], "第一条")
    send(demo.users["agent1"], "第二条")
    send(demo.users["agent2"], "别人的")
    body = clients("agent").get(f"{BASE}?page_size=1").json()
    assert body["count"] == 2 and body["page"] == 1 and body["page_size"] == 1
    item = body["items"][0]
    assert item["title"] == "第二条" and item["read"] is False and item["kind"] == "sla_warning"
    assert item["kind_label"] and item["url"] == "/tickets/1/"
    assert item["created_at"].endswith("+08:00")  # the organisation's zone
    services.mark_read(actor=demo.users["agent1"], ids=[first.pk])
    unread = clients("agent").get(f"{BASE}?unread=true").json()
    assert [i["title"] for i in unread["items"]] == ["第二条"]


def test_unread_count_and_mark_read(demo, clients):
    mine = [send(demo.users["agent1"]) for _ in range(3)]
    theirs = send(demo.users["agent2"])
    client = clients("agent")
    assert client.get(f"{BASE}/unread-count").json() == {"count": 3}
    response = post(client, f"{BASE}/read", {"ids": [mine[0].pk, theirs.pk]})
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread": 2}
    assert post(client, f"{BASE}/read", {"ids": None}).json() == {"marked": 2, "unread": 0}
    assert post(client, f"{BASE}/read", {}).json() == {"marked": 0, "unread": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_bad_input_is_422_naming_the_field_and_changes_nothing(demo, clients):
    send(demo.users["agent1"])
    response = post(clients("agent"), f"{BASE}/read", {"ids": ["x"]})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] and body["errors"][0]["field"].startswith("ids")
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert clients("agent").get(f"{BASE}?page=0").status_code == 422


def test_someone_elses_id_is_404_and_stays_unread(demo, clients):
    mine = send(demo.users["agent1"])
    theirs = send(demo.users["agent2"])
    client = clients("agent")
    assert client.get(f"{BASE}/{mine.pk}").json()["id"] == mine.pk
    for response in (client.get(f"{BASE}/{theirs.pk}"), post(client, f"{BASE}/{theirs.pk}/read", {}),
                     client.get(f"{BASE}/999999")):
        assert response.status_code == 404
        assert response.json()["detail"] and response.json()["errors"] == []
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    response = post(client, f"{BASE}/{mine.pk}/read", {})
    assert response.status_code == 200 and response.json()["read"] is True
    assert post(client, f"{BASE}/{mine.pk}/read", {}).status_code == 200  # idempotent


def test_list_queries_do_not_grow_with_rows(demo, clients, count_queries):
    client = clients("agent")
    for _ in range(5):
        send(demo.users["agent1"])
    small, r = count_queries(lambda: client.get(BASE))
    assert len(r.json()["items"]) == 5
    for _ in range(20):
        send(demo.users["agent1"])
    big, r = count_queries(lambda: client.get(BASE))
    assert len(r.json()["items"]) == 25
    assert big == small
