"""Each role's home page shows real counts from the database, in Chinese by default."""

import pytest

from kefu.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOMES = {"agent": "home-agent", "lead": "home-lead", "qa": "home-qa", "head": "home-head",
         "director": "home-director", "admin": "home-admin"}


@pytest.mark.parametrize("role", list(HOMES))
def test_home_page_per_role(demo, clients, role):
    response = clients(role).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="{HOMES[role]}"' in html
    assert 'lang="zh-hans"' in html
    cards = {c.testid: c.value for c in response.context["cards"]}
    assert cards["card-shops"] == 3


def test_lead_home_counts_people_of_the_team_and_follows_the_database(demo, clients):
    cards = {c.testid: c.value for c in clients("lead").get("/").context["cards"]}
    assert cards["card-people"] == 4
    UserFactory(team=demo.teams[0], roles=["agent"])
    cards = {c.testid: c.value for c in clients("lead").get("/").context["cards"]}
    assert cards["card-people"] == 5


def test_anonymous_is_sent_to_login(demo, clients):
    response = clients("anonymous").get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_navigation_follows_the_role(demo, clients):
    agent_nav = [i["url"] for i in clients("agent").get("/").context["nav_items"]]
    head_nav = [i["url"] for i in clients("head").get("/").context["nav_items"]]
    assert "/audit/" not in agent_nav
    assert "/audit/" in head_nav


def test_language_switch_is_saved_on_the_person(demo, clients):
    client = clients("agent")
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    demo.users["agent1"].refresh_from_db()
    assert demo.users["agent1"].language == "en"
    assert 'lang="en"' in client.get("/").content.decode()


def test_agent_home_counts_due_and_overdue_follow_ups(demo, clients):
    import datetime as dt

    from django.utils import timezone

    from kefu.customers import services
    from kefu.customers.models import Customer

    today = timezone.localdate()
    for days_late in (0, 2):
        c = services.create_customer(actor=demo.users["agent1"], shop=demo.shops["tmall"], name=f"客户{days_late}")
        Customer.objects.filter(pk=c.pk).update(next_due=today - dt.timedelta(days=days_late))
    cards = {c.testid: c.value for c in clients("agent").get("/").context["cards"]}
    assert cards["card-due"] == 2 and cards["card-overdue"] == 1
    lead_cards = {c.testid: c.value for c in clients("lead").get("/").context["cards"]}
    assert lead_cards["card-overdue"] == 1
    head_cards = {c.testid: c.value for c in clients("head").get("/").context["cards"]}
    assert head_cards["card-customers"] == 2


def test_ticket_cards_count_the_tickets_of_each_role(demo, clients, django_capture_on_commit_callbacks):
    from kefu.tickets import services as ticket_services

    for i in range(3):
        ticket_services.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="consultation",
                                      channel="hotline", title=f"咨询{i}")
    ticket = ticket_services.create_ticket(actor=demo.users["agent4"], shop=demo.shops["jd"], type="complaint",
                                           channel="hotline", title="投诉")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.hand_over(actor=demo.users["agent4"], ticket_id=ticket.pk,
                                  department=demo.departments["物流部"], note="请核实")
    agent = clients("agent").get("/").context["cards"]
    assert {c.testid: c.value for c in agent}["card-my-tickets"] == 3
    lead = {c.testid: c.value for c in clients("lead").get("/").context["cards"]}
    assert lead["card-open-tickets"] == 3  # lead1's team only: agent4's ticket is 二班's
    head = {c.testid: c.value for c in clients("head").get("/").context["cards"]}
    assert head["card-open-tickets"] == 4
