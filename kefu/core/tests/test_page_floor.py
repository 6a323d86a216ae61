"""What every page pays for its layout (issue 13, bench/notes/floor.md): the menu, the account menu and the
bell are computed once per process for each (roles, language) and kept — and still show each person what
their roles may open, in their language, with the current page's entry active."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core.testing import zh

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<div class="collapse navbar-collapse" id="navbar-menu">(.*?)</header>', re.S)
HREF = re.compile(r'href="(/[^"]*)"')


def _menu_html(response) -> str:
    found = MENU.search(response.content.decode())
    assert found, "no navigation menu"
    return found.group(1)


@pytest.mark.parametrize("role", ["agent", "lead", "qa", "head", "director", "admin"])
def test_the_menu_shown_is_the_roles_entries(clients, role):
    response = clients(role).get("/")
    shown = HREF.findall(_menu_html(response))
    assert shown == [i["url"] for i in response.context["nav_items"]]
    for item in response.context["nav_items"]:
        assert f'{item["label"]}</a>' in _menu_html(response)


def test_the_current_pages_entry_is_active_in_the_shared_menu(clients):
    client = clients("agent")
    pool = _menu_html(client.get("/customers/pool/"))
    assert re.search(r'class="dropdown-item active" href="/customers/pool/"', pool)
    assert 'class="dropdown-item active" href="/customers/"' not in pool
    customers = _menu_html(client.get("/customers/"))  # the same person, another page: another entry
    assert re.search(r'class="dropdown-item active" href="/customers/"', customers)
    assert 'class="dropdown-item active" href="/customers/pool/"' not in customers
    assert [i["url"] for i in client.get("/customers/pool/").context["nav_items"] if i["active"]] == \
        ["/customers/pool/"]


def test_the_menu_follows_a_role_given_on_the_next_page(demo, clients):
    from kefu.org.models import UserRole

    client = clients("agent")
    assert "/tickets/board/" not in HREF.findall(_menu_html(client.get("/")))
    UserRole.objects.create(user=demo.users["agent1"], role="lead")
    response = client.get("/")
    assert "/tickets/board/" in HREF.findall(_menu_html(response))
    assert f'{zh("Agent")} · {zh("Team lead")}' in response.content.decode()


def test_the_menu_and_account_menu_follow_the_persons_language(demo, clients):
    client = clients("agent")
    html = client.get("/").content.decode()
    assert f'{zh("My desk")}</a>' in html and zh("Agent") in html and f'title="{zh("Notifications")}"' in html
    client.post("/language/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "My desk</a>" in html and ">Agent</div>" in html and 'title="Notifications"' in html
    assert f'{zh("My desk")}</a>' not in html


def test_the_administration_link_only_for_administrators(clients):
    assert 'href="/admin/"' in clients("admin").get("/password/").content.decode()
    assert 'href="/admin/"' not in clients("agent").get("/password/").content.decode()


def test_a_light_page_reads_the_persons_roles_once(clients):
    """The menu and the account menu share one read of the roles (before: two ``org_userrole`` queries on
    every page); a light page runs the session's query and the person's, with their roles (one statement:
    kefu.org.backends), and nothing else."""
    client = clients("agent")
    client.get("/password/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/password/").status_code == 200
    tables = [re.findall(r'FROM "?(\w+)"?', q["sql"])[-1] for q in queries.captured_queries]
    assert tables[-1:] == ["org_user"] and "org_userrole" in queries.captured_queries[-1]["sql"]
    assert tables in (["django_session", "org_user"], ["org_user"])  # the session from the cache (Redis)


def test_the_layouts_links_and_assets(clients):
    html = clients("agent").get("/password/").content.decode()
    for href in ('href="/"', 'action="/language/"', 'href="/password/"', 'action="/logout/"',
                 'hx-get="/notifications/badge/"'):
        assert href in html
    assert re.search(r'<script src="/static/vendor/htmx/htmx\.min[^"]*\.js" defer>', html)
    assert re.search(r'<link rel="stylesheet" href="/static/kefu/kefu[^"]*\.css">', html)
