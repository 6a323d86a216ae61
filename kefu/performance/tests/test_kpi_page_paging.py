"""The KPI page shows a page of rows (500 agents' table was 0.9 MB of HTML and half a second to render); every
row is on exactly one page, and the Excel download keeps them all."""

import io
import re

import pytest
import time_machine

from kefu.performance import views

pytestmark = pytest.mark.django_db
URL = "/performance/kpi/?level=agent&date_from=2026-12-01&date_to=2026-12-07"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-12-07T10:00:00+08:00", tick=False):
        yield


def _keys(html: str) -> list[str]:
    return re.findall(r'<tr data-key="([^"]+)">', html)


def test_kpi_table_pages_hold_every_row_once(clients, monkeypatch):
    head = clients("head")
    everyone = _keys(head.get(URL).content.decode())
    assert len(everyone) >= 5
    monkeypatch.setattr(views, "KPI_PAGE_SIZE", 2)
    first = head.get(URL).content.decode()
    assert len(_keys(first)) == 2 and "page=2" in first
    seen = []
    for number in range(1, (len(everyone) + 1) // 2 + 1):
        seen += _keys(head.get(f"{URL}&page={number}").content.decode())
    assert seen == everyone  # in order, none twice, none left out
    assert _keys(head.get(f"{URL}&page=abc").content.decode()) == everyone[:2]  # a bad page number: the first


def test_kpi_excel_keeps_every_row(clients, monkeypatch):
    from openpyxl import load_workbook

    head = clients("head")
    everyone = _keys(head.get(URL).content.decode())
    monkeypatch.setattr(views, "KPI_PAGE_SIZE", 2)
    book = load_workbook(io.BytesIO(head.get(f"{URL}&page=2&format=xlsx").content))
    assert [r[0] for r in book["KPI"].iter_rows(min_row=2, values_only=True)] == everyone
