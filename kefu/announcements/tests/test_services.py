"""R-TIC-10 announcements: publishing, confirming, reminders until confirmed, withdrawing, who has read."""

import datetime as dt

import pytest
from django.core import mail

from kefu.announcements import selectors, services
from kefu.announcements.models import Announcement, AnnouncementRead
from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotAllowed, NotFound, StaleVersion
from kefu.notifications.models import Notification

pytestmark = pytest.mark.django_db

TEAM1 = {"lead1", "agent1", "agent2", "agent3"}


def notified(kind="announcement") -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# -- publish ---------------------------------------------------------------------------------------

def test_r_tic_10_publish_notifies_the_audience_and_emails_once_after_commit(demo, publish,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = publish("head1", teams=["一班"])
    assert notified() == TEAM1  # not the author, not the other team
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"{u}@example.com" for u in TEAM1)
    assert Notification.objects.filter(url=f"/announcements/{a.pk}/").count() == 4
    assert AuditEvent.objects.filter(object_type="announcements.announcement", object_id=str(a.pk)).exists()
    assert AnnouncementRead.objects.get(announcement=a).person == demo.users["head1"]  # the author has read it


def test_r_tic_10_everyone_when_no_teams(demo, publish):
    a = publish("head1")
    assert {p.username for p in selectors.audience(a)} == set(demo.users)
    assert notified() == set(demo.users) - {"head1"}


@pytest.mark.parametrize("author", ["agent1", "qa1"])
def test_r_tic_10_agents_and_qa_may_not_publish(demo, publish, author):
    with pytest.raises(NotAllowed) as exc:
        publish(author)
    assert exc.value.rule == "R-TIC-10"
    assert not Announcement.objects.exists() and not Notification.objects.exists()


def test_r_tic_10_a_lead_publishes_to_their_team_only(demo, publish):
    a = publish("lead1")
    assert [t.name for t in a.teams.all()] == ["一班"]
    with pytest.raises(NotAllowed):
        publish("lead1", title="给二班", teams=["二班"])
    assert Announcement.objects.count() == 1


def test_r_tic_10_invalid_input_names_the_fields_and_changes_nothing(demo, publish):
    with pytest.raises(InvalidInput) as exc:
        publish("head1", title=" ", body="", kind="nonsense",
                expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert {e.field for e in exc.value.errors} == {"title", "body", "kind", "expires_at"}
    with pytest.raises(InvalidInput) as exc:
        services.publish(actor=demo.users["director1"], title="x", body="y", kind="other", teams=[999999])
    assert [e.field for e in exc.value.errors] == ["teams"]
    assert not Announcement.objects.exists() and not AuditEvent.objects.filter(
        object_type="announcements.announcement").exists()


# -- confirm ---------------------------------------------------------------------------------------

def test_r_tic_10_confirm_is_idempotent_and_marks_its_notification_read(demo, publish):
    a = publish("head1", teams=["一班"])
    agent = demo.users["agent1"]
    assert selectors.must_confirm_before_shift(agent)
    first = services.confirm_read(actor=agent, announcement_id=a.pk)
    events = AuditEvent.objects.count()
    again = services.confirm_read(actor=agent, announcement_id=a.pk)
    assert again.confirmed_at == first.confirmed_at
    assert AuditEvent.objects.count() == events  # nothing recorded twice
    assert AnnouncementRead.objects.filter(announcement=a, person=agent).count() == 1
    assert not selectors.must_confirm_before_shift(agent)
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=demo.users["agent2"], read_at__isnull=True).exists()


def test_r_tic_10_cannot_confirm_what_one_does_not_see(demo, publish):
    a = publish("head1", teams=["二班"])
    with pytest.raises(NotFound):
        services.confirm_read(actor=demo.users["agent1"], announcement_id=a.pk)
    assert not AnnouncementRead.objects.filter(person=demo.users["agent1"]).exists()


def test_r_tic_10_shift_check_ignores_withdrawn_expired_and_no_confirmation(demo, publish):
    agent = demo.users["agent1"]
    a = publish("head1", expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    publish("head1", title="仅通知", requires_confirmation=False)
    assert selectors.must_confirm_before_shift(agent)
    assert not selectors.must_confirm_before_shift(agent, at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=3))
    services.withdraw(actor=demo.users["head1"], announcement_id=a.pk, version=a.version)
    assert not selectors.must_confirm_before_shift(agent)


# -- reminders -------------------------------------------------------------------------------------

def reminded(a) -> set[str]:
    return set(AnnouncementRead.objects.filter(announcement=a, reminded_at__isnull=False)
               .values_list("person__username", flat=True))


def test_r_tic_10_reminder_boundaries(demo, publish):
    a = publish("head1", teams=["一班"])
    Notification.objects.all().delete()
    t0 = a.published_at
    hours = dt.timedelta(hours=4)  # the shipped default of tickets.announcement_reminder_hours
    services.confirm_read(actor=demo.users["agent2"], announcement_id=a.pk)

    assert services.send_confirmation_reminders(now=t0 + hours - dt.timedelta(seconds=1))["reminders"] == 0
    assert not Notification.objects.exists()  # not before the interval

    result = services.send_confirmation_reminders(now=t0 + hours)
    assert result == {"announcements": 1, "reminders": 3}
    assert reminded(a) == {"lead1", "agent1", "agent3"}  # not agent2 who confirmed, nor the author
    assert notified() == {"lead1", "agent1", "agent3"}
    assert Notification.objects.filter(url=f"/announcements/{a.pk}/").count() == 3

    # not twice within the interval, however often the job runs
    assert services.send_confirmation_reminders(now=t0 + hours)["reminders"] == 0
    assert services.send_confirmation_reminders(now=t0 + 2 * hours - dt.timedelta(seconds=1))["reminders"] == 0
    assert Notification.objects.count() == 3

    services.confirm_read(actor=demo.users["agent1"], announcement_id=a.pk)
    assert services.send_confirmation_reminders(now=t0 + 2 * hours)["reminders"] == 2  # again, until confirmed
    assert set(Notification.objects.filter(recipient__username="agent1").values_list("pk", flat=True)) == \
        set(Notification.objects.filter(recipient__username="agent1", read_at__isnull=False).values_list("pk", flat=True))
    assert AnnouncementRead.objects.get(announcement=a, person__username="agent3").reminders == 2
    assert AnnouncementRead.objects.get(announcement=a, person__username="agent1").reminders == 1


def test_r_tic_10_no_reminders_for_withdrawn_or_unconfirmable(demo, publish):
    a = publish("head1", teams=["一班"])
    publish("head1", title="仅通知", teams=["一班"], requires_confirmation=False)
    services.withdraw(actor=demo.users["head1"], announcement_id=a.pk, version=a.version)
    Notification.objects.all().delete()
    assert services.send_confirmation_reminders(now=a.published_at + dt.timedelta(days=2))["reminders"] == 0
    assert not Notification.objects.exists()


def test_r_tic_10_reminder_interval_is_a_setting(demo, publish):
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key="tickets.announcement_reminder_hours", value=1, version=0)
    a = publish("head1", teams=["一班"])
    assert services.send_confirmation_reminders(now=a.published_at + dt.timedelta(minutes=59))["reminders"] == 0
    assert services.send_confirmation_reminders(now=a.published_at + dt.timedelta(hours=1))["reminders"] == 4


def test_r_tic_10_reminder_title_in_the_recipients_language(demo, publish):
    demo.users["agent1"].language = "en"
    demo.users["agent1"].save(update_fields=["language"])
    a = publish("head1", title="双十一活动", teams=["一班"])
    services.send_confirmation_reminders(now=a.published_at + dt.timedelta(hours=4))
    title = Notification.objects.filter(recipient__username="agent1").order_by("-id").first().title
    assert title == "Please confirm you have read: 双十一活动"


def test_r_tic_10_reminder_task_calls_the_service(demo, publish):
    from kefu.announcements.tasks import hourly_confirmation_reminders

    publish("head1", teams=["一班"])
    result = hourly_confirmation_reminders.call_local()
    assert result == {"announcements": 0, "reminders": 0}  # published just now: not yet due


# -- withdraw --------------------------------------------------------------------------------------

def test_r_tic_10_withdraw_by_author_checks_version_and_is_recorded(demo, publish):
    a = publish("lead1")
    with pytest.raises(StaleVersion):
        services.withdraw(actor=demo.users["lead1"], announcement_id=a.pk, version=a.version + 1)
    a.refresh_from_db()
    assert a.withdrawn_at is None
    done = services.withdraw(actor=demo.users["lead1"], announcement_id=a.pk, version=a.version)
    assert done.withdrawn_at is not None and done.withdrawn_by == demo.users["lead1"] and done.version == 2
    assert AuditEvent.objects.filter(object_id=str(a.pk), note="withdrawn").count() == 1
    assert not selectors.for_list(demo.users["agent1"]).exists()
    assert selectors.for_list(demo.users["lead1"], active_only=False).get().pk == a.pk


def test_r_tic_10_who_may_withdraw(demo, publish):
    everyone = publish("head1")
    team = publish("lead1", title="一班通知")
    for who in ("agent1", "lead1", "lead2"):  # they see it, but a lead's scope is not the whole centre
        with pytest.raises(NotAllowed):
            services.withdraw(actor=demo.users[who], announcement_id=everyone.pk, version=1)
    with pytest.raises(NotFound):  # another team's announcement is not even visible
        services.withdraw(actor=demo.users["lead2"], announcement_id=team.pk, version=1)
    assert not Announcement.objects.filter(withdrawn_at__isnull=False).exists()
    services.withdraw(actor=demo.users["head1"], announcement_id=team.pk, version=1)  # scope covers 一班
    services.withdraw(actor=demo.users["director1"], announcement_id=everyone.pk, version=1)
    assert Announcement.objects.filter(withdrawn_at__isnull=False).count() == 2


# -- who has read ----------------------------------------------------------------------------------

def test_r_tic_10_leads_see_who_has_not_confirmed_in_their_scope(demo, publish):
    a = publish("head1")
    services.confirm_read(actor=demo.users["agent1"], announcement_id=a.pk)
    services.confirm_read(actor=demo.users["agent4"], announcement_id=a.pk)
    lead = selectors.read_status(demo.users["lead1"], a.pk)
    assert {r.person.username for r in lead.rows} == TEAM1
    assert [r.person.username for r in lead.confirmed] == ["agent1"]
    assert lead.chart == {"confirmed": 1, "unconfirmed": 3}
    assert not lead.rows[0].confirmed  # unconfirmed first
    head = selectors.read_status(demo.users["head1"], a.pk)
    assert {r.person.username for r in head.confirmed} == {"agent1", "agent4", "head1"}
    with pytest.raises(NotAllowed):
        selectors.read_status(demo.users["agent1"], a.pk)


def test_r_tic_10_unconfirmed_first_in_the_list(demo, publish):
    old = publish("head1", title="旧通告")
    new = publish("head1", title="新通告")
    agent = demo.users["agent1"]
    assert [a.pk for a in selectors.for_list(agent)] == [new.pk, old.pk]
    services.confirm_read(actor=agent, announcement_id=new.pk)
    rows = list(selectors.for_list(agent))
    assert [a.pk for a in rows] == [old.pk, new.pk]
    assert rows[0].needs_confirmation and not rows[1].needs_confirmation and rows[1].my_confirmed_at
