"""R-CAL page: the year's days, the missing-schedule warning, administrators' form (R-ERR on the form)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from kefu.bizcalendar import services
from kefu.bizcalendar.models import CalendarDay

pytestmark = pytest.mark.django_db

PAGE = reverse("bizcalendar:days")
ADD = reverse("bizcalendar:add")


def test_r_cal_page_requires_login():
    r = Client().get(PAGE)
    assert r.status_code == 302
    assert "login" in r["Location"]


def test_r_cal_page_shows_official_days_without_warning(agent_client):
    r = agent_client.get(PAGE, {"year": 2026})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-date="2026-10-01"' in html
    assert 'data-date="2026-10-10"' in html
    assert 'data-testid="calendar-warning"' not in html
    assert 'data-testid="calendar-day-form"' not in html  # agents do not edit


def test_r_cal_page_warns_for_year_without_schedule(admin_client):
    r = admin_client.get(PAGE, {"year": 2027})
    html = r.content.decode()
    assert 'data-testid="calendar-warning"' in html
    assert 'data-testid="calendar-day-form"' in html


def test_r_cal_page_bad_year_falls_back_to_current(agent_client):
    assert agent_client.get(PAGE, {"year": "abc"}).status_code == 200


def test_r_cal_admin_adds_a_day_from_the_page(admin_client):
    r = admin_client.post(ADD, {"date": "2027-10-01", "kind": "holiday", "name": "国庆节", "year": "2027"})
    assert r.status_code == 302
    assert r["Location"].endswith("?year=2027")
    assert CalendarDay.objects.get(date=dt.date(2027, 10, 1)).name == "国庆节"
    page = admin_client.get(r["Location"])
    html = page.content.decode()
    assert 'data-date="2027-10-01"' in html
    assert 'data-testid="source-custom"' in html
    assert 'data-testid="calendar-warning"' not in html
    assert [m.level_tag for m in page.context["messages"]] == ["success"]


def test_r_err_page_form_shows_field_errors_and_changes_nothing(admin_client):
    r = admin_client.post(ADD, {"date": "2027-13-01", "kind": "xyz", "name": "", "year": "2027"})
    assert r.status_code == 200
    form = r.context["form"]
    assert {"date", "kind", "name"} <= set(form.errors)
    assert 'data-field="name"' in r.content.decode()
    assert not CalendarDay.objects.exists()


def test_r_cal_non_admin_cannot_post(agent_client):
    r = agent_client.post(ADD, {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    assert r.status_code == 403
    assert not CalendarDay.objects.exists()


def test_r_cal_admin_deletes_a_custom_day(admin_client, calendar_admin, agent_client):
    services.set_day(actor=calendar_admin, date=dt.date(2027, 10, 1), kind="holiday", name="国庆节")
    url = reverse("bizcalendar:delete", args=["2027-10-01"])
    assert agent_client.post(url).status_code == 403
    r = admin_client.post(url)
    assert r.status_code == 302
    assert not CalendarDay.objects.exists()
    r = admin_client.post(url, follow=True)  # already gone: an error message, nothing breaks
    assert [m.level_tag for m in r.context["messages"]] == ["success", "error"]
    assert admin_client.post(reverse("bizcalendar:delete", args=["2027-13-01"])).status_code == 404


def test_r_cal_override_link_prefills_the_form(admin_client):
    r = admin_client.get(PAGE, {"year": 2026, "date": "2026-10-10"})
    form = r.context["form"]
    assert form.initial["date"] == dt.date(2026, 10, 10)
    assert form.initial["kind"] == "holiday"
