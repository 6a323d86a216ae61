"""Shift types (R-WFM-1, issue 10): API GET/POST /shift-types and PATCH /shift-types/{id} (version), field
errors in 422, who may change them, the section on the plan page, and the admin going through the service."""

from __future__ import annotations

import datetime as dt

from kefu.audit.services import Action
from kefu.workforce.models import ShiftType
from kefu.workforce.tests.conftest import call

EARLY = {"code": "early2", "name": "早二班", "kind": "day", "start": "08:00", "end": "17:00",
         "breaks": [["12:00", "13:00"]], "work_type": "phone", "headcount": 3}


def test_R_WFM_1_heads_create_and_change_shift_types_leads_read_them(demo, clients, clock):
    head, lead, agent = clients("head"), clients("lead"), clients("agent")
    created = call(head, "post", "/shift-types", EARLY)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["code"], body["start"], body["end"], body["crosses_midnight"]) == ("early2", "08:00", "17:00", False)
    assert [row["code"] for row in call(lead, "get", "/shift-types").json()] == ["early2"]
    assert call(agent, "get", "/shift-types").status_code == 403
    assert call(lead, "post", "/shift-types", {**EARLY, "code": "x"}).status_code == 403
    assert call(lead, "patch", f"/shift-types/{body['id']}", {"version": body["version"], "name": "改"}).status_code == 403
    changed = call(head, "patch", f"/shift-types/{body['id']}", {"version": body["version"], "end": "07:00",
                                                                 "kind": "night", "active": False})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["crosses_midnight"], changed.json()["active"]) == (True, False)
    stale = call(head, "patch", f"/shift-types/{body['id']}", {"version": body["version"], "name": "旧"})
    assert stale.status_code == 409
    assert ShiftType.objects.get().name == "早二班"
    from kefu.audit.models import AuditEvent

    assert AuditEvent.objects.filter(object_type__icontains="shifttype", action=Action.UPDATE).exists()


def test_shift_type_errors_name_the_field_and_change_nothing(demo, clients, clock):
    head = clients("head")
    call(head, "post", "/shift-types", EARLY)
    cases = [
        ({**EARLY, "code": "early2"}, "code"),  # taken
        ({**EARLY, "code": "bad code"}, "code"),
        ({**EARLY, "code": "d1", "kind": "day", "start": "18:00", "end": "02:00"}, "end"),
        ({**EARLY, "code": "d2", "start": "09:00", "end": "09:00"}, "end"),
        ({**EARLY, "code": "d3", "kind": "weekly"}, "kind"),
        ({**EARLY, "code": "d4", "breaks": [["13:00", "12:00"]]}, "breaks"),
        ({**EARLY, "code": "d5", "name": " "}, "name"),
    ]
    for payload, field in cases:
        response = call(head, "post", "/shift-types", payload)
        assert response.status_code == 422, (payload, response.content)
        assert field in {e["field"] for e in response.json()["errors"]}, (field, response.json())
    assert ShiftType.objects.count() == 1
    row = ShiftType.objects.get()
    bad = call(head, "patch", f"/shift-types/{row.pk}", {"version": row.version, "start": "17:00", "end": "08:00"})
    assert bad.status_code == 422 and ShiftType.objects.get().start == dt.time(8)
    assert call(head, "patch", "/shift-types/999999", {"version": 0, "name": "x"}).status_code == 404


def test_shift_types_section_on_the_plan_page(demo, clients, clock):
    head = clients("head")
    added = head.post("/workforce/shift-types/", {"code": "mid", "name": "中班", "kind": "custom", "start": "12:00",
                                                  "end": "21:00", "work_type": "", "headcount": 2})
    assert added.status_code == 302
    row = ShiftType.objects.get(code="mid")
    html = head.get("/workforce/plan/").content.decode()
    assert 'data-code="mid"' in html and 'data-testid="add-shift-type"' in html
    lead_html = clients("lead").get("/workforce/plan/").content.decode()
    assert 'data-code="mid"' in lead_html and 'data-testid="add-shift-type"' not in lead_html
    assert clients("lead").post("/workforce/shift-types/", {"code": "x"}).status_code == 403
    assert head.post(f"/workforce/shift-types/{row.pk}/toggle/", {"version": row.version}).status_code == 302
    assert ShiftType.objects.get(code="mid").active is False


def test_admin_changes_shift_types_through_the_service(demo, clients, clock):
    from kefu.audit.models import AuditEvent

    admin = clients("admin")
    response = admin.post("/admin/workforce/shifttype/add/", {
        "centre": demo.centre.pk, "code": "eve", "name": "晚间班", "kind": "custom", "start": "17:00", "end": "23:00",
        "breaks": "[]", "work_type": "", "headcount": 1, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = ShiftType.objects.get(code="eve")
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(row.pk),
                                     object_type__icontains="shifttype").exists()
    refused = admin.post("/admin/workforce/shifttype/add/", {
        "centre": demo.centre.pk, "code": "bad", "name": "坏", "kind": "day", "start": "17:00", "end": "08:00",
        "breaks": "[]", "work_type": "", "headcount": 1})
    assert refused.status_code == 200 and not ShiftType.objects.filter(code="bad").exists()
    assert admin.get("/admin/workforce/shift/").status_code == 200
    assert admin.get("/admin/workforce/shift/add/").status_code == 403
