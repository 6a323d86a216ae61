"""R-CAL via the API (API.md "Calendar"): listing, administrators' overrides, roles, bad input."""

import datetime as dt

import pytest
from django.test import Client

from kefu.bizcalendar.models import CalendarDay

pytestmark = pytest.mark.django_db

URL = "/api/v1/calendar/days"


def _post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_r_cal_api_lists_official_2026_days(agent_client):
    r = agent_client.get(URL, {"year": 2026})
    assert r.status_code == 200
    body = r.json()
    assert body["year"] == 2026
    assert body["official_schedule"] is True
    assert body["warning"] is None
    items = {i["date"]: i for i in body["items"]}
    assert items["2026-10-01"]["kind"] == "holiday"
    assert items["2026-10-01"]["source"] == "official"
    assert items["2026-10-10"]["kind"] == "workday"
    assert "2026-10-17" not in items
    assert set(items["2026-10-01"]) == {"date", "kind", "name", "source"}


def test_r_cal_api_2027_without_data_warns(agent_client):
    body = agent_client.get(URL, {"year": 2027}).json()
    assert body["official_schedule"] is False
    assert body["warning"]
    assert body["items"] == []


def test_r_cal_api_admin_adds_2027_holiday(admin_client, calendar_admin):
    r = _post(admin_client, {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    assert r.status_code == 201, r.content
    assert r.json() == {"date": "2027-10-01", "kind": "holiday", "name": "国庆节", "source": "custom"}
    body = admin_client.get(URL, {"year": 2027}).json()
    assert {"date": "2027-10-01", "kind": "holiday", "name": "国庆节", "source": "custom"} in body["items"]
    assert body["warning"] is None
    check = admin_client.get("/api/v1/calendar/check", {"date": "2027-10-01"}).json()
    assert check["is_working_day"] is False
    assert check["source"] == "custom"
    assert CalendarDay.objects.get(date=dt.date(2027, 10, 1)).created_by == calendar_admin


def test_r_cal_api_override_replaces_existing_entry(admin_client):
    assert _post(admin_client, {"date": "2026-10-10", "kind": "holiday", "name": "Company day"}).status_code == 201
    r = _post(admin_client, {"date": "2026-10-10", "kind": "workday", "name": "Back to work"})
    assert r.status_code == 201
    assert r.json()["kind"] == "workday"
    assert CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).count() == 1


def test_r_cal_api_check_one_date(agent_client):
    r = agent_client.get("/api/v1/calendar/check", {"date": "2026-10-10"})
    assert r.status_code == 200
    assert r.json()["is_working_day"] is True
    assert r.json()["kind"] == "workday"
    assert r.json()["source"] == "official"
    sat = agent_client.get("/api/v1/calendar/check", {"date": "2027-01-02"}).json()
    assert (sat["is_working_day"], sat["kind"], sat["source"]) == (False, "weekend", "default")


def test_r_cal_api_delete_override(admin_client):
    _post(admin_client, {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    r = admin_client.delete(f"{URL}/2027-10-01")
    assert r.status_code == 204
    assert not CalendarDay.objects.exists()
    r = admin_client.delete(f"{URL}/2027-10-01")
    assert r.status_code == 404
    assert r.json()["detail"]


def test_r_cal_api_non_admin_is_refused_and_nothing_changes(agent_client, admin_client):
    r = _post(agent_client, {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    assert r.status_code == 403
    assert r.json()["detail"]
    assert not CalendarDay.objects.exists()
    _post(admin_client, {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    assert agent_client.delete(f"{URL}/2027-10-01").status_code == 403
    assert CalendarDay.objects.count() == 1


def test_r_cal_api_anonymous_gets_401():
    client = Client()
    assert client.get(URL, {"year": 2027}).status_code == 401
    r = _post(client, {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    assert r.status_code == 401
    assert client.delete(f"{URL}/2027-10-01").status_code == 401
    assert not CalendarDay.objects.exists()


def test_r_err_api_bad_input_names_the_fields(admin_client):
    r = _post(admin_client, {"date": "2027-13-01", "kind": "xyz", "name": "x"})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"date", "kind"} <= fields
    assert all(e["message"] for e in r.json()["errors"])
    assert not CalendarDay.objects.exists()


def test_r_err_api_name_required_and_bounded(admin_client):
    r = _post(admin_client, {"date": "2027-10-01", "kind": "holiday", "name": "  "})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["name"]
    r = _post(admin_client, {"date": "2027-10-01", "kind": "holiday", "name": "x" * 101})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["name"]
    assert not CalendarDay.objects.exists()


def test_r_err_api_bad_year_and_date_params(agent_client):
    assert agent_client.get(URL, {"year": "abc"}).status_code == 422
    r = agent_client.get("/api/v1/calendar/check", {"date": "2027-02-30"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "date"


def test_r_cal_api_default_year_is_current(agent_client):
    from django.utils import timezone

    assert agent_client.get(URL).json()["year"] == timezone.localdate().year
