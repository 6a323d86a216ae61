"""People read names, descriptions and formatted numbers, never internal codes: every page of every demo
person's navigation menu (and a customer's and a ticket's page reached from it), rendered over the demo
data, shows no SPEC rule id (R-TIC-5), no setting key (customers.cadence_days.A) and no database id after
a name (何涛#58) in its visible text. The rule ids stay in code, tests and the API's error bodies."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from kefu.org.demo import PEOPLE

RULE_ID = re.compile(r"R-[A-Z]+-\d")
# a database id right after a name or word: 何涛#58, 客户 #58
ID_AFTER_NAME = re.compile(r"[\w\u4e00-\u9fff)）]\s?#\d+")
# a dotted settings key such as customers.cadence_days.A or tickets.stuck_hours
SETTING_KEY = re.compile(r"\b(?:customers|tickets|workforce|quality|performance|calendar|security|announcements|"
                         r"knowledge|notifications)\.[a-z_]+(?:\.[A-Za-z0-9_]+)?\b")
# Services write a rule id as the note of some audit records (knowledge approvals "R-TIC-9", announcements
# "R-TIC-10"); each app's audit_display names those notes in words, so no page is exempt.
RULE_IDS_ALLOWED_ON: set[str] = set()
NAV = re.compile(r'id="navbar-menu".*?</ul>', re.S)
HREF = re.compile(r'href="(/[^"#?]*)"')


class _VisibleText(HTMLParser):
    """The text a person sees: no <script>, <style> or <template> content, no attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def internal_codes(text: str, keys: list[str], *, rule_ids: bool = True) -> list[str]:
    found = [m.group(0) for m in RULE_ID.finditer(text)] if rule_ids else []
    found += [m.group(0) for m in ID_AFTER_NAME.finditer(text)]
    found += [m.group(0) for m in SETTING_KEY.finditer(text)]
    found += [k for k in keys if k in text]
    return found


def test_the_checks_catch_what_they_are_for():
    keys = ["customers.cadence_days.A"]
    assert internal_codes("已 24 小时无处理（R-TIC-5）。", keys) == ["R-TIC-5"]
    assert internal_codes("何涛#58", keys) == ["涛#58"]
    assert internal_codes("customers.cadence_days.A ¥100000.00", keys)
    assert internal_codes("何涛 · ¥100,000.00 · 3 天 · KF20261204-0001 · #VIP", keys) == []
    assert visible_text('<p title="R-TIC-5">ok<script>var a = "R-TIC-5";</script></p>') == "ok"


def _seed_everything():
    from kefu.announcements.demo import seed_demo_announcements
    from kefu.customers.demo import seed_demo_customers
    from kefu.knowledge.demo import seed_demo_knowledge
    from kefu.org.demo import seed_demo
    from kefu.tickets.demo import seed_demo_tickets

    seed_demo()
    seed_demo_customers()
    seed_demo_tickets()
    seed_demo_knowledge()
    seed_demo_announcements()


@pytest.mark.django_db(transaction=False)
def test_no_rule_ids_setting_keys_or_database_ids_on_any_page_of_any_role():
    from kefu.org.models import User
    from kefu.rules.registry import all_defs

    _seed_everything()
    keys = [d.key for d in all_defs()]
    problems: list[str] = []
    visited_pages = 0
    for username, *_rest in PEOPLE:
        client = Client()
        client.force_login(User.objects.get(username=username))
        home = client.get("/")
        assert home.status_code == 200, username
        nav = NAV.search(home.content.decode())
        assert nav, f"{username}: no navigation menu"
        pages = list(dict.fromkeys(["/", *HREF.findall(nav.group(0))]))
        details: list[str] = []
        for url in pages + details:
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"{username} {url}: status {response.status_code}")
                continue
            visited_pages += 1
            html = response.content.decode()
            for code in internal_codes(visible_text(html), keys, rule_ids=url not in RULE_IDS_ALLOWED_ON):
                problems.append(f"{username} {url}: {code}")
            # one customer's and one ticket's page, as linked from the lists
            for pattern in (r'href="(/customers/\d+/)"', r'href="(/tickets/\d+/)"'):
                link = re.search(pattern, html)
                if link and not any(re.fullmatch(pattern[6:-1], d) for d in details) and len(details) < 2:
                    details.append(link.group(1))
        for url in details:
            response = client.get(url)
            visited_pages += 1
            for code in internal_codes(visible_text(response.content.decode()), keys):
                problems.append(f"{username} {url}: {code}")
    assert visited_pages > 60
    assert not problems, "\n".join(dict.fromkeys(problems))
