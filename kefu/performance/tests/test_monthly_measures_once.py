"""R-KPI-2 speed: the monthly analysis recounts its month from the records once for the team and the agent
rows (and the previous month once for the comparison) — three recounts took 16–19 s on 2 M tickets — and the
figures are those of a recount per level."""

import datetime as dt

import pytest

from kefu.performance import kpi
from kefu.performance.tests.test_reports import by, data, report, section  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_r_kpi_2_monthly_analysis_measures_each_month_once(demo, data, monkeypatch):  # noqa: F811
    calls = []
    real = kpi.measure

    def counted(start, end):
        calls.append((start, end))
        return real(start, end)

    monkeypatch.setattr(kpi, "measure", counted)
    rep = report(demo, "head1", "monthly", "2026-12")
    assert len(calls) == 2 and len(set(calls)) == 2  # December once, November once
    head = demo.users["head1"]
    first, last = dt.date(2026, 12, 1), dt.date(2026, 12, 31)
    for level, key, rows in (("team", "team", section(rep, "kpi_team")), ("agent", "username", section(rep, "kpi_agent"))):
        recount = {(r.name if level == "team" else r.key): r
                   for r in kpi.compute(head, level=level, date_from=first, date_to=last, recount=True)}
        for name, row in by(rows, key).items():
            assert row["handled"] == recount[name].handled
            assert row["assessment_score"] == recount[name].assessment_score
