"""R-WFM-4 medical certificates: "sick leave of a full day or more needs a medical certificate, uploaded by the
first day back" — the due date on the business calendar, the reminder on the due day (once), the flag the day
after (once, to the lead and the head), the upload clearing it, the flag on the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.notifications.models import Notification
from kefu.workforce.models import LeaveRequest
from kefu.workforce.services.certificates import first_day_back, remind_certificates
from kefu.workforce.tests.conftest import MONDAY, at, call

FRIDAY = MONDAY + dt.timedelta(days=4)  # 2026-12-11
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)  # 2026-12-14
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def sick(client, start: dt.date, end: dt.date | None = None, **extra) -> LeaveRequest:
    body = {"kind": "sick", "start": str(start), "end": str(end or start), "reason": "发烧", **extra}
    response = call(client, "post", "/leave-requests", body)
    assert response.status_code == 201, response.content
    return LeaveRequest.objects.get(pk=response.json()["id"])


def login(demo, username: str) -> Client:
    client = Client()
    client.force_login(demo.users[username])
    return client


# -- the due date: the first day back on the business calendar ---------------------------------------------

def test_R_WFM_4_certificate_due_the_first_working_day_after_a_weekend(demo, clients, clock):
    leave = sick(clients("agent"), FRIDAY)
    assert leave.certificate_due == NEXT_MONDAY


def test_R_WFM_4_certificate_due_skips_a_holiday(demo, clients, clock, holiday):
    leave = sick(clients("agent"), MONDAY + dt.timedelta(days=2))  # Wednesday; Thursday is the company holiday
    assert leave.certificate_due == FRIDAY


def test_R_WFM_4_first_day_back_after_leave_ending_at_midnight_or_during_the_day(db):
    assert first_day_back(at(MONDAY + dt.timedelta(days=1), 0)) == MONDAY + dt.timedelta(days=1)  # Mon 00–24 → Tue
    assert first_day_back(at(FRIDAY, 18)) == NEXT_MONDAY
    assert first_day_back(at(FRIDAY + dt.timedelta(days=1), 0)) == NEXT_MONDAY


def test_R_WFM_4_sick_leave_shorter_than_a_day_needs_no_certificate(demo, clients, clock):
    response = call(clients("agent"), "post", "/leave-requests", {
        "kind": "sick", "start": at(FRIDAY, 9).isoformat(), "end": at(FRIDAY, 18).isoformat(), "reason": "头疼"})
    assert response.status_code == 201
    assert LeaveRequest.objects.get().certificate_due is None


def test_R_WFM_4_personal_leave_needs_no_certificate(demo, clients, clock):
    response = call(clients("agent"), "post", "/leave-requests", {
        "kind": "personal", "start": str(FRIDAY), "end": str(FRIDAY), "reason": "家里有事"})
    assert response.status_code == 201
    assert LeaveRequest.objects.get().certificate_due is None


def test_R_WFM_4_certificate_due_set_when_filed_and_approved_by_the_head(demo, clients, clock):
    leave = sick(clients("head"), FRIDAY, person="agent1")
    assert leave.status == "approved" and leave.certificate_due == NEXT_MONDAY


# -- the reminder and the flag -----------------------------------------------------------------------

def test_R_WFM_4_reminder_once_on_the_morning_of_the_due_day(demo, clients, clock):
    leave = sick(clients("agent"), FRIDAY)
    assert remind_certificates(now=at(FRIDAY + dt.timedelta(days=2), 9)) == {"reminded": 0, "flagged": 0}  # Sunday
    assert remind_certificates(now=at(NEXT_MONDAY, 7, 59)) == {"reminded": 0, "flagged": 0}
    assert remind_certificates(now=at(NEXT_MONDAY, 8)) == {"reminded": 1, "flagged": 0}
    assert remind_certificates(now=at(NEXT_MONDAY, 8, 30)) == {"reminded": 0, "flagged": 0}
    assert Notification.objects.filter(recipient=demo.users["agent1"], kind="certificate_due").count() == 1
    leave.refresh_from_db()
    assert leave.certificate_reminded_at == at(NEXT_MONDAY, 8)
    assert remind_certificates(now=at(NEXT_MONDAY, 23, 59)) == {"reminded": 0, "flagged": 0}  # not flagged yet


def test_R_WFM_4_flag_the_day_after_the_due_day_and_tell_the_lead_and_head_once(demo, clients, clock):
    leave = sick(clients("agent"), FRIDAY)
    next_day = NEXT_MONDAY + dt.timedelta(days=1)
    assert remind_certificates(now=at(next_day, 0)) == {"reminded": 0, "flagged": 1}
    assert remind_certificates(now=at(next_day, 9)) == {"reminded": 0, "flagged": 0}
    leave.refresh_from_db()
    assert leave.certificate_flagged_at == at(next_day, 0)
    told = set(Notification.objects.filter(kind="certificate_missing").values_list("recipient__username", flat=True))
    assert told == {"lead1", "head1"}
    assert Notification.objects.filter(kind="certificate_missing").count() == 2


def test_R_WFM_4_no_reminder_or_flag_once_the_certificate_is_uploaded(demo, clients, clock):
    leave = sick(clients("agent"), FRIDAY)
    response = clients("agent").post(reverse("workforce:certificate", args=[leave.pk]),
                                     {"certificate": SimpleUploadedFile("cert.png", PNG, content_type="image/png")})
    assert response.status_code == 302, response.content
    assert remind_certificates(now=at(NEXT_MONDAY, 9)) == {"reminded": 0, "flagged": 0}
    assert remind_certificates(now=at(NEXT_MONDAY + dt.timedelta(days=1), 9)) == {"reminded": 0, "flagged": 0}


def test_R_WFM_4_cancelled_or_refused_sick_leave_is_not_flagged(demo, clients, clock):
    leave = sick(clients("agent"), FRIDAY)
    assert call(clients("head"), "post", f"/leave-requests/{leave.pk}/reject", {"note": "不批"}).status_code == 200
    assert remind_certificates(now=at(NEXT_MONDAY + dt.timedelta(days=1), 9)) == {"reminded": 0, "flagged": 0}


# -- the upload clears the flag; bad files refused ---------------------------------------------------------

def test_R_WFM_4_upload_clears_the_flag(demo, clients, clock):
    leave = sick(clients("agent"), FRIDAY)
    remind_certificates(now=at(NEXT_MONDAY + dt.timedelta(days=1), 0))
    client = clients("agent")
    page = client.get(reverse("workforce:my_schedule"))
    assert 'data-testid="certificate-flag"' in page.content.decode()
    response = client.post(reverse("workforce:certificate", args=[leave.pk]),
                           {"certificate": SimpleUploadedFile("诊断书.png", PNG, content_type="image/png")})
    assert response.status_code == 302, response.content
    leave.refresh_from_db()
    assert leave.certificate and leave.certificate_flagged_at is None
    assert 'data-testid="certificate-flag"' not in client.get(reverse("workforce:my_schedule")).content.decode()


@pytest.mark.parametrize(("name", "content"), [
    ("cert.exe", b"MZ\x90\x00"),
    ("cert.png", b"%PDF-1.4 not a png"),
])
def test_R_WFM_4_upload_of_a_wrong_file_is_a_field_error_and_changes_nothing(demo, clients, clock, name, content):
    leave = sick(clients("agent"), FRIDAY)
    remind_certificates(now=at(NEXT_MONDAY + dt.timedelta(days=1), 0))
    response = clients("agent").post(reverse("workforce:certificate", args=[leave.pk]),
                                     {"certificate": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    assert 'data-field="certificate"' in response.content.decode()
    leave.refresh_from_db()
    assert not leave.certificate and leave.certificate_flagged_at is not None


def test_R_WFM_4_someone_else_may_not_upload(demo, clients, clock):
    leave = sick(clients("agent"), FRIDAY)
    other = login(demo, "agent4")
    response = other.post(reverse("workforce:certificate", args=[leave.pk]),
                          {"certificate": SimpleUploadedFile("cert.png", PNG)})
    assert response.status_code == 404


# -- the flag on the lists ----------------------------------------------------------------------------

def test_R_WFM_4_flag_shown_on_the_approvals_page_with_steady_query_count(demo, clients, clock):
    head = clients("head")
    sick(clients("agent"), FRIDAY)
    remind_certificates(now=at(NEXT_MONDAY + dt.timedelta(days=1), 0))
    with CaptureQueriesContext(connection) as few:
        page = head.get(reverse("workforce:approvals"))
    assert page.content.decode().count('data-testid="certificate-flag-row"') == 1
    for username in ("agent2", "agent3", "agent4"):
        sick(login(demo, username), FRIDAY)
    remind_certificates(now=at(NEXT_MONDAY + dt.timedelta(days=1), 1))
    with CaptureQueriesContext(connection) as many:
        page = head.get(reverse("workforce:approvals"))
    assert page.content.decode().count('data-testid="certificate-flag-row"') == 4
    assert len(many) == len(few)


def test_R_WFM_4_leave_api_shows_the_due_day_and_the_flag(demo, clients, clock):
    leave = sick(clients("agent"), FRIDAY)
    body = call(clients("agent"), "get", f"/leave-requests/{leave.pk}").json()
    assert (body["certificate_due"], body["certificate_flagged"]) == (str(NEXT_MONDAY), False)
    remind_certificates(now=at(NEXT_MONDAY + dt.timedelta(days=1), 0))
    body = call(clients("head"), "get", f"/leave-requests/{leave.pk}").json()
    assert body["certificate_flagged"] is True
