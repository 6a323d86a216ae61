"""Session 8 of the desk's speed (issue 13): the empty filter form's controls written once per language and
choices are the markup the form gives, byte for byte, and follow a renamed shop; the desk without parameters
shows them, with its tiles and on-duty toggle read in one statement (kefu.tickets.desk_numbers)."""

import pytest
from django.utils import translation

from kefu.org.selectors import people_in_scope, shops_in_scope
from kefu.tickets import desk_html, views_desk
from kefu.tickets.forms import TicketFilterForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("who", ["agent1", "lead1"])
def test_empty_filter_controls_written_once_equal_the_forms_markup(demo, language, who):
    user = demo.users[who]
    shops = list(shops_in_scope(user))
    people = list(people_in_scope(user)) if who == "lead1" else None
    desk_html._UNBOUND.clear()
    with translation.override(language):
        expected = desk_html.form_controls(TicketFilterForm(None, shops=shops, people=people,
                                                            initial={"status": "open"}), inline=True)
        first = views_desk._filter_controls(None, shops, people)
        again = views_desk._filter_controls(None, shops, people)
    assert first == expected and again is first  # the second is the kept one
    assert len(desk_html._UNBOUND) == 1
    with translation.override("en" if language == "zh-hans" else "zh-hans"):
        other = views_desk._filter_controls(None, shops, people)
    assert other != first  # the other language's words


def test_a_renamed_shop_shows_in_the_kept_controls(demo):
    user = demo.users["agent1"]
    shops = list(shops_in_scope(user))
    before = views_desk._filter_controls(None, shops, None)
    shops[0].name = "改名后的店铺"
    after = views_desk._filter_controls(None, shops, None)
    assert "改名后的店铺" in after and "改名后的店铺" not in before


def test_the_desk_without_parameters_shows_the_kept_controls(clients, demo):
    desk_html._UNBOUND.clear()
    agent = clients("agent")
    def controls(page: str) -> str:
        return page[page.index('data-testid="filters"'):page.index("</form>", page.index('data-testid="filters"'))]

    first = controls(agent.get("/tickets/").content.decode())
    second = controls(agent.get("/tickets/").content.decode())
    assert first == second
    assert 'name="status"' in first and 'value="open" selected' in first
    filtered = controls(agent.get("/tickets/?status=closed").content.decode())
    assert 'value="closed" selected' in filtered  # with parameters the form is built from them


def test_the_agents_desk_reads_its_tiles_and_toggle_in_one_query(clients, demo):
    agent = clients("agent")
    agent.get("/tickets/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        agent.get("/tickets/")
    sqls = [q["sql"] for q in queries.captured_queries]
    assert sum("workforce_shift" in sql for sql in sqls) == 1
    assert sum("tickets_agentavailability" in sql for sql in sqls) == 1
    assert not any("tickets_callback" in sql for sql in sqls)  # the desk shows no callbacks tile


# desk.html's row of tiles before desk_html.tiles (commit aaff686), the reference
TILES = """{% load i18n %}<div class="row row-cards mb-3" data-testid="desk-stats">
  {% for tile in tiles %}
  <div class="col-6 col-md-4 col-xl">{% include "components/stat_tile.html" with label=tile.label value=tile.value icon=tile.icon url=tile.url tone=tile.tone testid=tile.testid %}</div>
  {% endfor %}
</div>"""  # noqa: E501 - the template line as it was


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_tiles_equal_the_template_tiles_they_replaced(demo, language):
    from django.template import engines

    reference = engines["django"].from_string(TILES)
    with translation.override(language):
        cases = [
            views_desk._my_tiles({"open": 12, "warning": 3, "breached": 0}, 7),
            views_desk._my_tiles({"open": 0, "warning": 0, "breached": 2}, "30+"),
            views_desk._my_tiles({"open": 1, "warning": 1, "breached": 1}, "–"),
            views_desk._scope_tiles(demo.users["director1"]),
            views_desk._scope_tiles(demo.users["qa1"]),
            [views_desk._tile('<b>"x" & y</b>', "<i>", "ti-x", "?a=1&b=<2>", "t-1", "danger"),
             views_desk._tile("plain", 5, "ti-y", "", "", "warning"), views_desk._tile("z", 0, "ti-z", "", "", "")],
        ]
        for tiles in cases:
            mine = f'<div class="row row-cards mb-3" data-testid="desk-stats">{desk_html.tiles(tiles)}</div>'
            assert mine == reference.render({"tiles": tiles}), tiles
