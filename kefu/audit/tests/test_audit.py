"""R-AUD: who, when, what, before/after; read-only; searchable by heads."""

import pytest
from django.test import Client

from kefu.audit.models import AuditEvent, ReadOnlyAuditError
from kefu.audit.services import Action, record
from kefu.org import services
from kefu.org.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "agent", "lead", "qa", "head", "director", "admin"]
READERS = {"head", "director", "admin"}


def test_r_aud_a_service_change_records_who_what_before_and_after(demo):
    admin = demo.users["admin"]
    person = demo.users["agent1"]
    services.update_person(actor=admin, person=person, version=person.version, display_name="张三丰")
    event = AuditEvent.objects.filter(action="update", object_type="org.user", object_id=str(person.pk)).latest("id")
    assert event.actor == admin
    assert event.before == {"display_name": "张三", "version": 1}
    assert event.after == {"display_name": "张三丰", "version": 2}


def test_r_err_stale_version_is_refused_and_changes_nothing(demo):
    from kefu.core.errors import StaleVersion

    admin = demo.users["admin"]
    person = demo.users["agent1"]
    services.update_person(actor=admin, person=person, version=1, display_name="一")
    with pytest.raises(StaleVersion):
        services.update_person(actor=admin, person=person, version=1, display_name="二")
    person.refresh_from_db()
    assert person.display_name == "一"


def test_r_aud_creation_of_people_is_recorded_by_seed(demo):
    assert AuditEvent.objects.filter(action="create", object_type="org.user").count() == 12


def test_r_aud_rows_cannot_be_changed_or_deleted(demo):
    event = record(actor=demo.users["admin"], action=Action.VIEW, object_type="x", object_id=1)
    event.note = "tampered"
    with pytest.raises(ReadOnlyAuditError):
        event.save()
    with pytest.raises(ReadOnlyAuditError):
        event.delete()
    with pytest.raises(ReadOnlyAuditError):
        AuditEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(ReadOnlyAuditError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.parametrize("role", ROLES)
def test_r_aud_only_heads_directors_and_admins_read_the_trail(demo, clients, role):
    client = clients(role)  # logging in is itself recorded, so count after it
    before = AuditEvent.objects.count()
    page = client.get("/audit/")
    api = client.get("/api/v1/audit/events")
    if role == "anonymous":
        assert page.status_code == 302 and api.status_code == 401
    elif role in READERS:
        assert page.status_code == 200 and api.status_code == 200
    else:
        assert page.status_code == 403 and api.status_code == 403
    assert AuditEvent.objects.count() == before  # reading changes nothing


def test_r_aud_search_by_action_and_person(demo, clients):
    Client().post("/login/", {"username": "agent2", "password": "wrong"})
    Client().post("/login/", {"username": "agent3", "password": DEMO_PASSWORD})
    body = clients("head").get("/api/v1/audit/events?action=login_failed").json()
    assert body["count"] == 1
    assert body["items"][0]["actor"] == "agent2"
    page = clients("head").get("/audit/?actor=agent3&action=login")
    assert "agent3" in page.content.decode()
    assert page.context["page"].paginator.count == 1


def test_r_aud_admin_screen_is_read_only(demo, clients):
    client = clients("admin")
    event = AuditEvent.objects.first()
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
