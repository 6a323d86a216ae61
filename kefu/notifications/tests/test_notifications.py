"""Notifications: the bell (badge, menu, mark read, open), e-mails after commit, own notifications only."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils.translation import gettext_lazy

from kefu.notifications import selectors, services
from kefu.notifications.models import Notification

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def send(recipients, *, title="工单已分配", url="/tickets/1/", email=False, kind="ticket_assigned"):
    return services.notify(recipients=recipients, kind=kind, title=title, body="请尽快处理", url=url, email=email)


# -- notify ----------------------------------------------------------------------------------------

def test_notify_one_row_per_distinct_active_recipient(demo):
    u = demo.users
    u["agent3"].is_active = False
    u["agent3"].save(update_fields=["is_active"])
    created = send([u["agent1"], u["agent1"].pk, None, u["agent2"].pk, u["agent3"]])
    assert sorted(n.recipient_id for n in created) == sorted([u["agent1"].pk, u["agent2"].pk])
    assert Notification.objects.count() == 2
    assert send([]) == [] and send([None]) == []


def test_notify_refuses_a_bad_kind(demo):
    with pytest.raises(ValueError):
        send([demo.users["agent1"]], kind="")
    with pytest.raises(ValueError):
        send([demo.users["agent1"]], kind="x" * 33)
    assert not Notification.objects.exists()


def test_lazy_title_is_stored_in_each_recipients_language(demo):
    u = demo.users
    u["agent2"].language = "en"
    u["agent2"].save(update_fields=["language"])
    send([u["agent1"], u["agent2"]], title=gettext_lazy("Notifications"))
    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    assert titles["agent2"] == "Notifications"
    assert titles["agent1"]  # the organisation default language (its catalogue may still be incomplete)


# -- e-mail ----------------------------------------------------------------------------------------

def test_emails_go_once_per_recipient_after_commit(demo, django_capture_on_commit_callbacks):
    u = demo.users
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send([u["agent1"], u["agent2"], u["agent1"]], email=True)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["agent1@example.com", "agent2@example.com"]
    assert mail.outbox[0].subject == "工单已分配"
    assert "/tickets/1/" in mail.outbox[0].body
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2
    # running the delivery again (a retried task) sends nothing more
    jobs = [(n.pk, n.recipient.email, "zh-hans") for n in Notification.objects.select_related("recipient")]
    assert services.deliver_emails(jobs) == 0
    assert len(mail.outbox) == 2


def test_no_email_when_the_transaction_rolls_back(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                send([demo.users["agent1"]], email=True)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_no_email_unless_asked_nor_without_an_address(demo, django_capture_on_commit_callbacks):
    u = demo.users
    u["agent2"].email = ""
    u["agent2"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        send([u["agent1"]])
        send([u["agent2"]], email=True)
    assert mail.outbox == []
    assert Notification.objects.count() == 2


def test_a_mail_failure_never_reaches_the_caller(demo, django_capture_on_commit_callbacks, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        created = send([demo.users["agent1"]], email=True)
    assert len(created) == 1
    assert Notification.objects.get().emailed_at is None


# -- the bell --------------------------------------------------------------------------------------

def test_badge_shows_the_unread_count_and_stops_polling_when_logged_out(demo, clients):
    send([demo.users["agent1"]])
    send([demo.users["agent1"]])
    send([demo.users["agent2"]])
    response = clients("agent").get("/notifications/badge/", **HTMX)
    assert response.status_code == 200
    assert 'data-count="2"' in response.content.decode()
    assert clients("anonymous").get("/notifications/badge/", **HTMX).status_code == 286


def test_bell_is_on_every_page_for_people_logged_in(demo, clients):
    page = clients("agent").get("/notifications/").content.decode()
    assert 'data-testid="notification-bell"' in page
    assert 'hx-trigger="load, every 30s, notifications-changed from:body"' in page


def test_menu_lists_only_own_notifications(demo, clients):
    send([demo.users["agent1"]], title="给张三")
    send([demo.users["agent2"]], title="给李四")
    page = clients("agent").get("/notifications/menu/", **HTMX).content.decode()
    assert "给张三" in page and "给李四" not in page
    assert clients("anonymous").get("/notifications/menu/", **HTMX).status_code == 204


def test_mark_all_read_by_htmx_refreshes_the_bell(demo, clients):
    send([demo.users["agent1"]])
    send([demo.users["agent1"]])
    others = send([demo.users["agent2"]])
    client = clients("agent")
    response = client.post("/notifications/read/", **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    assert 'data-read="0"' not in response.content.decode()
    assert selectors.unread_count(demo.users["agent1"]) == 0
    assert Notification.objects.get(pk=others[0].pk).read_at is None  # someone else's stays unread
    assert 'data-count' not in client.get("/notifications/badge/", **HTMX).content.decode()


def test_mark_read_by_ids_ignores_others_and_nonsense(demo, clients):
    mine = send([demo.users["agent1"]]) + send([demo.users["agent1"]])
    theirs = send([demo.users["agent2"]])
    client = clients("agent")
    response = client.post("/notifications/read/", {"ids": [mine[0].pk, theirs[0].pk], "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert Notification.objects.get(pk=mine[0].pk).read_at is not None
    assert Notification.objects.get(pk=mine[1].pk).read_at is None
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    client.post("/notifications/read/", {"ids": ["abc"]})  # not a number: marks nothing, not everything
    assert Notification.objects.get(pk=mine[1].pk).read_at is None
    assert clients("anonymous").post("/notifications/read/").status_code == 302
    assert client.get("/notifications/read/").status_code == 405


def test_opening_marks_read_and_goes_to_its_local_url(demo, clients):
    n = send([demo.users["agent1"]], url="/tickets/7/")[0]
    response = clients("agent").get(f"/notifications/{n.pk}/")
    assert response.status_code == 302 and response["Location"] == "/tickets/7/"
    n.refresh_from_db()
    assert n.read_at is not None


@pytest.mark.parametrize("url", ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
                                 "tickets/1/", ""])
def test_opening_never_redirects_off_site(demo, clients, url):
    n = send([demo.users["agent1"]], url=url)[0]
    response = clients("agent").get(f"/notifications/{n.pk}/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_someone_elses_notification_is_not_found_and_stays_unread(demo, clients):
    theirs = send([demo.users["agent2"]])[0]
    assert clients("agent").get(f"/notifications/{theirs.pk}/").status_code == 404
    assert clients("head").get(f"/notifications/{theirs.pk}/").status_code == 404  # not even a manager's
    assert clients("anonymous").get(f"/notifications/{theirs.pk}/").status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_list_page_filters_unread_and_shows_own_only(demo, clients):
    first = send([demo.users["agent1"]], title="已读的那条")[0]
    send([demo.users["agent1"]], title="未读的那条")
    send([demo.users["agent2"]], title="别人的那条")
    services.mark_read(actor=demo.users["agent1"], ids=[first.pk])
    client = clients("agent")
    page = client.get("/notifications/").content.decode()
    assert "已读的那条" in page and "未读的那条" in page and "别人的那条" not in page
    unread = client.get("/notifications/?unread=1").content.decode()
    assert "已读的那条" not in unread and "未读的那条" in unread
    assert clients("anonymous").get("/notifications/").status_code == 302


def test_list_page_and_menu_queries_do_not_grow_with_rows(demo, clients, count_queries):
    client = clients("agent")
    agent = demo.users["agent1"]
    for _ in range(5):
        send([agent])
    small_list, r = count_queries(lambda: client.get("/notifications/"))
    assert r.status_code == 200
    small_menu, _r = count_queries(lambda: client.get("/notifications/menu/", **HTMX))
    for _ in range(20):
        send([agent])
    big_list, r = count_queries(lambda: client.get("/notifications/"))
    assert r.content.decode().count('data-testid="notification-item"') == 25
    big_menu, _r = count_queries(lambda: client.get("/notifications/menu/", **HTMX))
    assert big_list == small_list
    assert big_menu == small_menu


def test_mark_read_about_marks_only_that_kind_and_link(demo):
    agent = demo.users["agent1"]
    a = send([agent], kind="announcement", url="/announcements/1/")[0]
    b = send([agent], kind="announcement", url="/announcements/2/")[0]
    c = send([agent], kind="ticket_assigned", url="/announcements/1/")[0]
    assert services.mark_read_about(actor=agent, kind="announcement", url="/announcements/1/") == 1
    assert [n.pk for n in selectors.for_user(agent, unread_only=True)] == [c.pk, b.pk]
    assert selectors.own(agent, a.pk).is_read


def test_r_err_the_page_ignores_an_id_no_column_can_hold(demo, clients):
    """A huge id posted to the page is no notification of the caller's: ignored, not a 500."""
    response = clients("agent").post("/notifications/read/", {"ids": ["9999999999999999999999999"]})
    assert response.status_code == 302
