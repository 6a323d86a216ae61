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
