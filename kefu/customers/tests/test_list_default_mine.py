"""The customer list opens on the person's own customers (tabs 我的 / 团队 / 全部 in scope); a colleague's
customer opens read-only and says why; "show in full" appears only where numbers are masked."""

import pytest

from kefu.core.testing import zh

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(make_customer):
    """agent1's, agent2's (same team), agent4's (二班) and a pool customer, all in shops 一班 serves."""
    return {
        "mine": make_customer(owner="agent1", name="张三的客户"),
        "colleague": make_customer(owner="agent2", name="李四的客户"),
        "other_team": make_customer(owner="agent4", name="赵六的客户"),
    }


def _names(response) -> set[str]:
    return {c.name for c in response.context["page"].object_list}


def test_agent_list_opens_on_mine_with_tabs_for_team_and_all(clients, book):
    agent = clients("agent")
    response = agent.get("/customers/")
    assert response.context["tab"] == "mine"
    assert _names(response) == {"张三的客户"}
    html = response.content.decode()
    assert 'data-testid="tab-mine"' in html and 'data-testid="tab-team"' in html and 'data-testid="tab-all"' in html
    assert _names(agent.get("/customers/", {"view": "team"})) == {"张三的客户", "李四的客户"}
    assert _names(agent.get("/customers/", {"view": "all"})) == {"张三的客户", "李四的客户", "赵六的客户"}


def test_tab_keeps_the_other_filters(clients, book):
    response = clients("agent").get("/customers/", {"view": "all", "q": "李四"})
    assert _names(response) == {"李四的客户"}
    tabs = {t["key"]: t["query"] for t in response.context["tabs"]}
    assert "q=" in tabs["mine"] and "view=mine" in tabs["mine"]


def test_lead_opens_on_the_team_and_head_on_the_whole_scope(clients, book):
    assert clients("lead").get("/customers/").context["tab"] == "team"
    assert _names(clients("lead").get("/customers/")) == {"张三的客户", "李四的客户"}
    head = clients("head").get("/customers/")
    assert head.context["tab"] == "all" and not head.context["tabs"]
    assert _names(head) == {"张三的客户", "李四的客户", "赵六的客户"}


def test_colleagues_customer_opens_read_only_and_says_why(clients, book, demo):
    response = clients("agent").get(f"/customers/{book['colleague'].pk}/")
    html = response.content.decode()
    assert 'data-testid="read-only-reason"' in html
    assert zh("This customer belongs to %(owner)s: you can only view it.", owner="李四") in html
    assert 'data-testid="followup-form"' not in html and 'data-testid="dial"' not in html
    own = clients("agent").get(f"/customers/{book['mine'].pk}/").content.decode()
    assert 'data-testid="read-only-reason"' not in own and 'data-testid="followup-form"' in own


def test_show_in_full_only_where_the_number_is_masked(clients, book):
    head = clients("head").get(f"/customers/{book['mine'].pk}/").content.decode()
    assert 'data-testid="reveal"' not in head  # the head sees the number in full already
    assert "13900000001" in head
    agent = clients("agent").get(f"/customers/{book['mine'].pk}/").content.decode()
    assert "13900000001" not in agent  # masked for the agent
    assert 'data-testid="dial"' in agent  # the owner may dial (recorded)
    assert 'data-testid="reveal"' not in agent  # but not view in full


@pytest.mark.parametrize("role", ["agent", "lead", "head"])
def test_list_and_detail_queries_do_not_grow(clients, make_customer, role, django_assert_max_num_queries):
    client = clients(role)
    first = make_customer(owner="agent1")
    client.get("/customers/")
    client.get(f"/customers/{first.pk}/")
    for _i in range(15):
        make_customer(owner="agent1", tags=["老客户"])
    with django_assert_max_num_queries(25):
        assert client.get("/customers/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/customers/{first.pk}/").status_code == 200
