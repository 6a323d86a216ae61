"""R-TIC-10 announcement pages: list (unconfirmed first, HTMX confirm), detail with who has confirmed,
publish (leads and above), withdraw, the unconfirmed banner, and the demo seed."""

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import RequestFactory

from kefu.announcements import services
from kefu.announcements.models import Announcement, AnnouncementRead
from kefu.notifications.models import Notification

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FORM = {"title": "新的退款规则", "body": "自下周一起执行。", "kind": "business_change", "requires_confirmation": "on"}


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("agent", 200), ("lead", 200), ("qa", 200),
                                          ("head", 200), ("director", 200)])
def test_r_tic_10_list_by_role(demo, clients, publish, role, status):
    publish("head1", title="全员通告")
    response = clients(role).get("/announcements/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "全员通告" in page
        assert ('data-testid="announcement-create"' in page) == (role in {"lead", "head", "director"})


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("agent", 403), ("qa", 403), ("lead", 200),
                                          ("head", 200), ("director", 200)])
def test_r_tic_10_create_page_by_role(demo, clients, role, status):
    assert clients(role).get("/announcements/new/").status_code == status


@pytest.mark.parametrize("role", ["anonymous", "agent", "qa"])
def test_r_tic_10_those_who_may_not_publish_create_nothing(demo, clients, role):
    response = clients(role).post("/announcements/new/", FORM)
    assert response.status_code in {302, 403}
    if role != "anonymous":
        assert response.status_code == 403
    assert not Announcement.objects.exists() and not Notification.objects.exists()


def test_r_tic_10_head_publishes_to_everyone_lead_to_their_team(demo, clients):
    response = clients("head").post("/announcements/new/", FORM)
    a = Announcement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/announcements/{a.pk}/"
    assert not a.teams.exists() and a.requires_confirmation
    clients("lead").post("/announcements/new/", {**FORM, "title": "一班通告"})
    assert [t.name for t in Announcement.objects.get(title="一班通告").teams.all()] == ["一班"]
    page = clients("lead").get("/announcements/new/").content.decode()
    assert "一班" in page and "二班" not in page  # a lead chooses among their own teams only


def test_r_tic_10_lead_cannot_address_another_team(demo, clients):
    other = next(t for t in demo.teams if t.name == "二班")
    response = clients("lead").post("/announcements/new/", {**FORM, "teams": [str(other.pk)]})
    assert response.status_code == 422  # not one of the form's choices
    assert not Announcement.objects.exists()


def test_r_tic_10_invalid_form_is_422_and_names_the_field(demo, clients):
    response = clients("head").post("/announcements/new/", {**FORM, "title": ""})
    assert response.status_code == 422
    assert 'data-field="title"' in response.content.decode()
    response = clients("head").post("/announcements/new/", {**FORM, "expires_at": "2020-01-01T10:00"})
    assert response.status_code == 422
    assert 'data-field="expires_at"' in response.content.decode()
    assert not Announcement.objects.exists()


def test_r_tic_10_list_shows_unconfirmed_first_with_a_confirm_button(demo, clients, publish):
    old = publish("head1", title="旧通告")
    publish("head1", title="新通告")
    services.confirm_read(actor=demo.users["agent1"], announcement_id=old.pk)
    publish("head1", title="二班通告", teams=["二班"])
    page = clients("agent").get("/announcements/").content.decode()
    assert page.index("新通告") < page.index("旧通告")
    assert "二班通告" not in page
    assert page.count('data-testid="confirm"') == 1
    assert 'data-testid="unconfirmed-hint"' in page


def test_r_tic_10_htmx_confirm_swaps_the_row_and_refreshes_bell_and_banner(demo, clients, publish):
    a = publish("head1")
    client = clients("agent")
    response = client.post(f"/announcements/{a.pk}/confirm/", **HTMX, HTTP_HX_TARGET=f"announcement-{a.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<div class="list-group-item" id="announcement-{a.pk}"')
    assert 'data-testid="confirmed"' in html and 'data-testid="confirm"' not in html
    assert "notifications-changed" in response["HX-Trigger"] and "announcements-changed" in response["HX-Trigger"]
    assert AnnouncementRead.objects.get(announcement=a, person=demo.users["agent1"]).confirmed_at
    assert not Notification.objects.filter(recipient=demo.users["agent1"], read_at__isnull=True).exists()
    # again: idempotent, same answer
    assert client.post(f"/announcements/{a.pk}/confirm/", **HTMX).status_code == 200
    assert AnnouncementRead.objects.filter(announcement=a, person=demo.users["agent1"]).count() == 1
    # from the detail page, the detail's block is swapped
    b = publish("head1", title="第二条")
    response = client.post(f"/announcements/{b.pk}/confirm/", **HTMX, HTTP_HX_TARGET="announcement-confirm")
    assert response.content.decode().strip().startswith('<div id="announcement-confirm">')


def test_r_tic_10_plain_confirm_redirects_and_refuses_what_one_cannot_see(demo, clients, publish):
    a = publish("head1")
    other = publish("head1", title="二班通告", teams=["二班"])
    client = clients("agent")
    response = client.post(f"/announcements/{a.pk}/confirm/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/announcements/{a.pk}/"
    assert client.post(f"/announcements/{other.pk}/confirm/").status_code == 404
    assert client.get(f"/announcements/{a.pk}/confirm/").status_code == 405
    assert clients("anonymous").post(f"/announcements/{a.pk}/confirm/").status_code == 302
    assert not AnnouncementRead.objects.filter(announcement=other, person=demo.users["agent1"]).exists()


def test_r_tic_10_detail_shows_who_has_not_confirmed_to_leads_and_above(demo, clients, publish):
    a = publish("head1")
    services.confirm_read(actor=demo.users["agent1"], announcement_id=a.pk)
    agent_page = clients("agent").get(f"/announcements/{a.pk}/").content.decode()
    assert 'data-testid="read-status"' not in agent_page and 'data-testid="withdraw"' not in agent_page
    lead_page = clients("lead").get(f"/announcements/{a.pk}/").content.decode()
    assert 'data-testid="read-status"' in lead_page
    assert 'data-testid="confirmed-count"><span class="h2 text-green">1<' in lead_page
    assert 'data-testid="unconfirmed-count"><span class="h2 text-red">3<' in lead_page
    assert 'data-username="agent2"' in lead_page and 'data-username="agent4"' not in lead_page
    assert 'data-testid="withdraw"' not in lead_page
    head_page = clients("head").get(f"/announcements/{a.pk}/").content.decode()
    assert 'data-username="agent4"' in head_page and 'data-testid="withdraw"' in head_page


def test_r_tic_10_detail_of_another_teams_announcement_is_404(demo, clients, publish):
    a = publish("head1", teams=["二班"])
    assert clients("agent").get(f"/announcements/{a.pk}/").status_code == 404
    assert clients("lead").get(f"/announcements/{a.pk}/").status_code == 404
    assert clients("head").get(f"/announcements/{a.pk}/").status_code == 200
    assert clients("anonymous").get(f"/announcements/{a.pk}/").status_code == 302


def test_r_tic_10_withdraw_page(demo, clients, publish):
    a = publish("head1")
    assert clients("agent").post(f"/announcements/{a.pk}/withdraw/", {"version": a.version}).status_code == 403
    assert clients("lead").post(f"/announcements/{a.pk}/withdraw/", {"version": a.version}).status_code == 403
    stale = clients("head").post(f"/announcements/{a.pk}/withdraw/", {"version": a.version + 5})
    assert stale.status_code == 409
    a.refresh_from_db()
    assert a.withdrawn_at is None
    response = clients("head").post(f"/announcements/{a.pk}/withdraw/", {"version": a.version})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.withdrawn_at is not None
    assert clients("agent").get(f"/announcements/{a.pk}/").status_code == 404
    assert f"/announcements/{a.pk}/" not in clients("agent").get("/announcements/").content.decode()
    head = clients("head")
    assert f"/announcements/{a.pk}/" not in head.get("/announcements/").content.decode()
    assert f"/announcements/{a.pk}/" in head.get("/announcements/?all=1").content.decode()
    assert 'data-testid="withdrawn"' in head.get(f"/announcements/{a.pk}/").content.decode()


def test_r_tic_10_banner_fragment_and_inclusion_tag(demo, clients, publish):
    for i in range(4):
        publish("head1", title=f"通告{i}")
    client = clients("agent")
    html = client.get("/announcements/banner/", **HTMX).content.decode()
    assert 'data-count="4"' in html and "通告0" in html and "通告3" not in html  # the oldest three
    assert clients("anonymous").get("/announcements/banner/").status_code == 204
    request = RequestFactory().get("/")
    request.user = demo.users["agent1"]
    rendered = Template("{% load announcements %}{% unconfirmed_announcements_banner %}").render(
        Context({"request": request}))
    assert 'data-count="4"' in rendered and 'hx-get="/announcements/banner/"' in rendered
    for a in Announcement.objects.all():
        services.confirm_read(actor=demo.users["agent1"], announcement_id=a.pk)
    html = client.get("/announcements/banner/", **HTMX).content.decode()
    assert 'data-count="0"' in html and "alert" not in html


def test_r_tic_10_list_queries_do_not_grow_with_rows(demo, clients, publish, count_queries):
    client = clients("agent")
    for i in range(5):
        publish("head1", title=f"通告{i}", teams=["一班"] if i % 2 else ())
    small, r = count_queries(lambda: client.get("/announcements/"))
    assert r.status_code == 200
    for i in range(5, 25):
        publish("head1", title=f"通告{i}", teams=["一班"] if i % 2 else ())
    big, r = count_queries(lambda: client.get("/announcements/"))
    assert r.content.decode().count('data-testid="announcement-row"') == 25
    assert big == small


def test_r_tic_10_seed_demo_announcements_is_idempotent(demo, capsys):
    call_command("seed_demo_announcements")
    titles = set(Announcement.objects.values_list("title", flat=True))
    assert len(titles) == 3 and all(a.created_by.username == "head1" for a in Announcement.objects.all())
    call_command("seed_demo_announcements")
    assert Announcement.objects.count() == 3
    assert "0 of 3 created" in capsys.readouterr().out
