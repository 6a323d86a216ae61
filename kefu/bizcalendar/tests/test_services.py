"""R-CAL writes: administrators only, validated (R-ERR), audited (R-AUD)."""

import datetime as dt

import pytest

from kefu.audit.selectors import search_events
from kefu.bizcalendar import selectors, services
from kefu.bizcalendar.models import CalendarDay
from kefu.core.errors import InvalidInput, NotAllowed, NotFound

pytestmark = pytest.mark.django_db

DAY = dt.date(2027, 10, 1)


def _events(reader):
    return list(search_events(reader, object_type="bizcalendar.calendarday"))


def test_r_aud_set_and_remove_are_audited(calendar_admin):
    entry = services.set_day(actor=calendar_admin, date=DAY, kind="holiday", name="国庆节")
    services.set_day(actor=calendar_admin, date=DAY, kind="holiday", name="国庆节")  # no change, no row
    services.set_day(actor=calendar_admin, date=DAY, kind="workday", name="国庆节")
    services.remove_day(actor=calendar_admin, date=DAY)
    events = _events(calendar_admin)
    assert [e.action for e in reversed(events)] == ["create", "update", "delete"]
    create, update, delete = reversed(events)
    assert create.after["date"] == "2027-10-01"
    assert create.after["kind"] == "holiday"
    assert create.object_id == str(entry.pk)
    assert update.before["kind"] == "holiday" and update.after["kind"] == "workday"
    assert delete.before["name"] == "国庆节"
    assert all(e.actor_name == calendar_admin.username for e in events)


def test_r_cal_only_administrators_may_write(agent, calendar_admin):
    with pytest.raises(NotAllowed):
        services.set_day(actor=agent, date=DAY, kind="holiday", name="x")
    with pytest.raises(NotAllowed):
        services.set_day(actor=None, date=DAY, kind="holiday", name="x")
    services.set_day(actor=calendar_admin, date=DAY, kind="holiday", name="x")
    with pytest.raises(NotAllowed):
        services.remove_day(actor=agent, date=DAY)
    assert CalendarDay.objects.count() == 1
    assert len(_events(calendar_admin)) == 1


def test_r_err_invalid_input_lists_every_field(calendar_admin):
    with pytest.raises(InvalidInput) as exc:
        services.set_day(actor=calendar_admin, date="2027-13-01", kind="xyz", name="")
    assert [e.field for e in exc.value.errors] == ["date", "kind", "name"]
    assert not CalendarDay.objects.exists()
    assert _events(calendar_admin) == []


def test_r_cal_set_day_accepts_iso_strings(calendar_admin):
    services.set_day(actor=calendar_admin, date="2027-10-02", kind="holiday", name=" 国庆节 ")
    assert CalendarDay.objects.get().name == "国庆节"


def test_r_cal_remove_missing_override_is_not_found(calendar_admin):
    with pytest.raises(NotFound):
        services.remove_day(actor=calendar_admin, date=DAY)


def test_r_cal_writes_are_seen_at_once(calendar_admin):
    assert selectors.is_working_day(DAY)  # Friday, no data for 2027
    services.set_day(actor=calendar_admin, date=DAY, kind="holiday", name="国庆节")
    assert not selectors.is_working_day(DAY)
    services.remove_day(actor=calendar_admin, date=DAY)
    assert selectors.is_working_day(DAY)
