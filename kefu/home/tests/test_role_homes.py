"""Each role's home and menu fit the role: 物流部/维修部 people get their task inbox and a short menu; QA has
tickets; managers get their scope's numbers, tiles coloured by meaning and charts that help a manager."""

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def wuliu(demo, client):
    from kefu.org.tests.factories import UserFactory

    person = UserFactory(username="wuliu1", display_name="物流小王", department=demo.departments["物流部"],
                         roles=["agent"])
    client.force_login(person)
    return client


def _menu(response) -> set[str]:
    return {i["url"] for i in response.context["nav_items"]}


def _tiles(response) -> dict:
    return {c.testid: c for c in response.context["cards"]}


def test_department_staff_menu_is_tasks_knowledge_announcements_notifications(wuliu):
    response = wuliu.get("/")
    assert _menu(response) == {"/", "/tickets/tasks/", "/knowledge/", "/announcements/", "/notifications/"}
    html = response.content.decode()
    assert 'data-testid="home-department"' in html and 'data-testid="home-tasks"' in html
    assert set(_tiles(response)) == {"card-dept-tasks", "card-dept-tasks-overdue"}
    assert "card-shops" not in html  # no "shops I serve 0"


def test_department_staff_home_counts_the_tasks_handed_over(demo, wuliu, django_capture_on_commit_callbacks):
    from kefu.tickets import services

    ticket = services.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="complaint",
                                    channel="hotline", title="快递未送达")
    with django_capture_on_commit_callbacks(execute=True):
        services.hand_over(actor=demo.users["agent1"], ticket_id=ticket.pk, department=demo.departments["物流部"],
                           note="请核实派送")
    response = wuliu.get("/")
    assert _tiles(response)["card-dept-tasks"].value == 1
    assert ticket.number in response.content.decode()


def test_department_staff_desk_sends_them_to_their_inbox(wuliu):
    response = wuliu.get("/tickets/")
    assert response.status_code == 302 and response["Location"] == "/tickets/tasks/"


@pytest.mark.parametrize(("role", "present", "absent"), [
    ("agent", {"/tickets/", "/customers/", "/customers/pool/", "/tickets/callbacks/"}, {"/audit/", "/rules/"}),
    ("qa", {"/tickets/", "/customers/", "/knowledge/"}, {"/tickets/board/", "/customers/import/", "/audit/"}),
    ("head", {"/tickets/", "/tickets/board/", "/audit/"}, {"/customers/my-day/"}),
    ("director", {"/tickets/", "/tickets/board/", "/audit/"}, {"/customers/my-day/"}),
])
def test_menu_entries_per_role(clients, role, present, absent):
    menu = _menu(clients(role).get("/"))
    assert present <= menu
    assert not (absent & menu)


def test_managers_menu_calls_the_desk_tickets_not_my_desk(clients):
    from kefu.core.testing import zh

    for role in ("head", "director", "qa"):
        labels = {str(i["label"]) for i in clients(role).get("/").context["nav_items"] if i["url"] == "/tickets/"}
        assert labels == {zh("Tickets")}
    labels = {str(i["label"]) for i in clients("agent").get("/").context["nav_items"] if i["url"] == "/tickets/"}
    assert labels == {zh("My desk")}


def test_overdue_tile_turns_red_and_neutral_tiles_stay_neutral(demo, clients):
    from kefu.customers import services
    from kefu.customers.models import Customer

    head = clients("head")
    tiles = _tiles(head.get("/"))
    assert tiles["card-overdue"].tone == "" and tiles["card-customers"].tone == ""
    customer = services.create_customer(actor=demo.users["agent1"], shop=demo.shops["tmall"], name="逾期客户")
    Customer.objects.filter(pk=customer.pk).update(next_due=timezone.localdate() - dt.timedelta(days=3))
    response = head.get("/")
    tiles = _tiles(response)
    assert tiles["card-overdue"].value == 1 and tiles["card-overdue"].tone == "danger"
    assert tiles["card-customers"].tone == ""
    assert 'data-testid="card-overdue" data-tone="danger"' in response.content.decode()


def test_manager_home_charts_tickets_by_state_and_overdue_per_team(demo, clients):
    from kefu.customers import services as customer_services
    from kefu.customers.models import Customer
    from kefu.tickets import services

    for i in range(2):
        services.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="consultation",
                               channel="hotline", title=f"咨询{i}")
    customer = customer_services.create_customer(actor=demo.users["agent4"], shop=demo.shops["jd"], name="二班客户")
    Customer.objects.filter(pk=customer.pk).update(next_due=timezone.localdate() - dt.timedelta(days=1))
    response = clients("head").get("/")
    charts = response.context["charts"]
    assert charts["tickets"]["total"] == 2
    assert sum(sum(s["data"]) for s in charts["tickets"]["series"]) == 2
    overdue = dict(zip(charts["overdue"]["teams"], charts["overdue"]["data"], strict=True))
    assert overdue == {"二班": 1, "一班": 0}
    html = response.content.decode()
    assert 'id="chart-tickets"' in html and 'id="chart-overdue"' in html
    assert "People per team and role" not in html and "每班组各角色人数" not in html
    assert clients("agent").get("/").context["charts"] is None


@pytest.mark.parametrize("role", ["agent", "lead", "qa", "head", "director", "admin"])
def test_home_queries_stay_bounded(demo, clients, role, django_assert_max_num_queries):
    from kefu.tickets import services

    client = clients(role)
    client.get("/")
    for i in range(6):
        services.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="consultation",
                               channel="hotline", title=f"咨询{i}")
    with django_assert_max_num_queries(30):
        assert client.get("/").status_code == 200


def test_department_staff_home_queries_stay_bounded(wuliu, django_assert_max_num_queries):
    wuliu.get("/")
    with django_assert_max_num_queries(20):
        assert wuliu.get("/").status_code == 200
