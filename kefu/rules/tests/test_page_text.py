"""The rules page speaks to people: each setting's name and description, money with thousands separators
(¥100,000.00), durations in the units one would say (1 小时 30 分钟, 3 天, 1 年); the setting's key and its
SPEC rule id stay in data attributes, not in the text."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

from kefu.core.tests.test_no_internal_codes import visible_text
from kefu.rules.registry import get_def


def _zh(key: str, stored) -> str:
    with translation.override("zh-hans"):
        return get_def(key).display(stored)


def test_money_has_thousands_separators():
    assert _zh("customers.importance_threshold", "100000.00") == "¥100,000.00"
    assert _zh("tickets.compensation_limit.agent", "50.00") == "¥50.00"


def test_durations_in_natural_units():
    assert _zh("workforce.late_minutes", 20) == "20 分钟"
    assert _zh("workforce.late_minutes", 90) == "1 小时 30 分钟"
    assert _zh("workforce.late_minutes", 120) == "2 小时"
    assert _zh("tickets.stuck_hours", 24) == "24 小时"
    assert _zh("tickets.stuck_hours", 72) == "3 天"
    assert _zh("customers.cadence_days.E", 365) == "1 年"
    assert _zh("customers.cadence_days.B", 7) == "7 天"


def test_the_page_shows_names_not_keys_or_rule_ids(client_as):
    html = client_as("admin").get(reverse("rules:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    text = visible_text(html)
    assert not re.search(r"R-[A-Z]+-\d", text)
    assert "customers.cadence_days.A" not in text and "customers.importance_threshold" not in text
    assert "¥100,000.00" in text and "¥100000.00" not in text
    assert 'data-key="customers.cadence_days.A"' in html and 'data-rule="R-CUS-4"' in html
