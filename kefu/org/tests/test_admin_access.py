"""Admin screens are for administrators only (R-ORG-2), and admin saves are audited (R-AUD)."""

import pytest

from kefu.audit.models import AuditEvent
from kefu.org.models import Shop

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["anonymous", "agent", "lead", "qa", "head", "director"])
def test_r_org_2_only_administrators_open_the_admin(demo, clients, role):
    response = clients(role).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    response = clients(role).post("/admin/org/shop/add/", {"code": "x", "name": "X", "centre": demo.centre.pk})
    assert response.status_code == 302
    assert not Shop.objects.filter(code="x").exists()


def test_admin_screens_are_chinese_and_cover_the_organisation(demo, clients):
    client = clients("admin")
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    for model in ("centre", "department", "team", "shop", "user", "apitoken"):
        assert f"/admin/org/{model}/" in html
    assert "店铺" in html


def test_r_aud_admin_create_and_change_are_recorded(demo, clients):
    client = clients("admin")
    response = client.post("/admin/org/shop/add/", {"code": "douyin", "name": "抖音小店",
                                                    "centre": demo.centre.pk, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    shop = Shop.objects.get(code="douyin")
    assert AuditEvent.objects.filter(action="create", object_type="org.shop", object_id=str(shop.pk)).exists()
    client.post(f"/admin/org/shop/{shop.pk}/change/", {"code": "douyin", "name": "抖音旗舰店",
                                                       "centre": demo.centre.pk, "active": "on"})
    event = AuditEvent.objects.filter(action="update", object_type="org.shop").latest("id")
    assert event.before["name"] == "抖音小店" and event.after["name"] == "抖音旗舰店"
    shop.refresh_from_db()
    assert shop.version == 2


def test_an_agent_cannot_approve_or_configure_anything(demo, clients):
    client = clients("agent")
    assert client.get("/rules/").status_code in {302, 403}
    assert client.get("/audit/").status_code == 403
    response = client.post("/api/v1/calendar/days", {"date": "2027-01-04", "kind": "holiday", "name": "x"},
                           content_type="application/json")
    assert response.status_code == 403
