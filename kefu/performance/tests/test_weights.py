"""R-KPI-1 assessment weights versioned like scorecards (used by R-ORG-3): version 1 seeded from the retired rule
settings; a change is a new version in force from a day (today or later), an old version never changes; a
period's score uses the version in force on its first day, so the ladder's past months keep theirs; the KPI
page and API name the version; only heads, directors and admins add one, and a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.core.errors import InvalidInput, NotAllowed, StaleVersion
from kefu.performance import kpi, scoring, weights
from kefu.performance.models import AssessmentWeights

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 7)  # a Monday; the last full month is November
NOVEMBER = dt.date(2026, 11, 1)
URL = "/api/v1/kpi/weights"
DEFAULTS = {"fcr": 20, "sla": 20, "csat": 20, "qa": 30, "discipline": 10}


def at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY, 9), tick=False):
        yield


def add(demo, who="head1", **kw):
    values = DEFAULTS | {k: v for k, v in kw.items() if k in DEFAULTS}
    return weights.add_version(actor=demo.users[who], **values,
                               **{k: v for k, v in kw.items() if k not in DEFAULTS})


@pytest.fixture
def november_work(demo):
    """agent1 in November: one clean ticket resolved within its limit (FCR 100, on time 100) and one violation
    (discipline 75) → with the default weights (20, 20, 10 of what has a value) (2000 + 2000 + 750) / 50 = 95.
    The same again in December (on the 7th)."""
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Ticket
    from kefu.workforce.models import Violation

    for day in (dt.date(2026, 11, 20), TODAY):
        t = tickets.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="consultation",
                                  channel="hotline", title="咨询")
        Ticket.objects.filter(pk=t.pk).update(status="resolved", resolved_at=at(day, 8), resolution_due=at(day, 18),
                                              handling_seconds=300)
        Violation.objects.create(person=demo.users["agent1"], kind="late", rule="R-WFM-5", evidence="迟到",
                                 at=at(day, 8, 30))
    return demo


def score(demo, first, last):
    rows = kpi.compute(demo.users["head1"], level="agent", date_from=first, date_to=last)
    return next(r.assessment_score for r in rows if r.key == "agent1")


def test_r_kpi_1_version_1_is_seeded_from_the_settings_defaults(demo):
    v1 = AssessmentWeights.objects.get()
    assert (v1.version, v1.effective_from) == (1, dt.date(2000, 1, 1))
    assert {c: getattr(v1, c) for c in DEFAULTS} == DEFAULTS
    assert scoring.weights_on(TODAY).version == 1 and scoring.weights_on(dt.date(2000, 1, 1)).version == 1


def test_r_kpi_1_the_seed_takes_an_overridden_weight_setting(demo):
    """The migration reads the retired settings' values in force (the centre's overrides) into version 1."""
    from importlib import import_module

    from django.apps import apps

    from kefu.rules.models import RuleValue

    AssessmentWeights.objects.all().delete()
    RuleValue.objects.create(centre=demo.centre, key="performance.assessment_weight.qa", value=50)
    RuleValue.objects.create(centre=demo.centre, key="performance.assessment_weight.sla", value=500)  # invalid
    import_module("kefu.performance.migrations.0003_kpi_targets_weights").seed_weights(apps, None)
    v1 = AssessmentWeights.objects.get()
    assert (v1.qa, v1.sla, v1.fcr) == (50, 20, 20)


def test_r_kpi_1_without_any_version_the_built_in_defaults_apply(demo):
    AssessmentWeights.objects.all().delete()
    scoring.forget_weights()
    w = scoring.weights_on(TODAY)
    assert w.version == 0 and {c: w.of(c) for c in DEFAULTS} == DEFAULTS


def test_r_kpi_1_a_new_version_is_in_force_from_its_day_and_the_old_one_stays(demo):
    v1 = AssessmentWeights.objects.get()
    before = {c: getattr(v1, c) for c in (*DEFAULTS, "effective_from")}
    v2 = add(demo, discipline=50, effective_from=TODAY + dt.timedelta(days=1), change_note="纪律加重")
    assert v2.version == 2
    assert scoring.weights_on(TODAY).version == 1  # the day before: still version 1
    assert scoring.weights_on(TODAY + dt.timedelta(days=1)).version == 2  # exactly from its day
    v1.refresh_from_db()
    assert {c: getattr(v1, c) for c in (*DEFAULTS, "effective_from")} == before  # never changed
    v3 = add(demo, qa=40, effective_from=TODAY + dt.timedelta(days=1))  # same day: the newer version wins
    assert scoring.weights_on(TODAY + dt.timedelta(days=1)).version == v3.version == 3


@pytest.mark.parametrize(("kw", "field"), [
    ({"effective_from": TODAY - dt.timedelta(days=1)}, "effective_from"),  # periods already scored keep theirs
    ({"fcr": 101}, "fcr"),
    ({"qa": -1}, "qa"),
    ({"fcr": 0, "sla": 0, "csat": 0, "qa": 0, "discipline": 0}, "fcr"),
    ({"change_note": "x" * 301}, "change_note"),
])
def test_r_kpi_1_bad_weights_are_field_errors_and_change_nothing(demo, kw, field):
    with pytest.raises(InvalidInput) as exc:
        add(demo, **kw)
    assert field in {e.field for e in exc.value.errors}
    assert AssessmentWeights.objects.count() == 1


def test_r_kpi_1_boundaries_today_and_0_and_100_are_accepted(demo):
    v2 = add(demo, fcr=0, qa=100, effective_from=TODAY)
    assert (v2.fcr, v2.qa, v2.effective_from) == (0, 100, TODAY)
    assert scoring.weights_on(TODAY).version == 2


def test_r_kpi_1_a_version_cannot_take_effect_before_the_newest(demo):
    add(demo, effective_from=TODAY + dt.timedelta(days=10))
    with pytest.raises(InvalidInput) as exc:
        add(demo, effective_from=TODAY + dt.timedelta(days=9))
    assert exc.value.errors[0].field == "effective_from"
    assert AssessmentWeights.objects.count() == 2


def test_r_kpi_1_a_version_added_meanwhile_is_a_conflict(demo):
    add(demo, based_on=1)
    with pytest.raises(StaleVersion):
        add(demo, qa=10, based_on=1)
    assert AssessmentWeights.objects.count() == 2


def test_r_kpi_1_only_heads_directors_and_admins_add_a_version(demo):
    for who in ("agent1", "lead1", "qa1"):
        with pytest.raises(NotAllowed):
            add(demo, who=who)
    assert AssessmentWeights.objects.count() == 1


# -- a period's score uses the version in force on its first day ------------------------------------------------

def test_r_kpi_1_a_periods_score_uses_the_version_of_its_first_day(november_work):
    demo = november_work
    assert score(demo, NOVEMBER, dt.date(2026, 11, 30)) == 95.0
    add(demo, discipline=50, effective_from=TODAY)  # (2000 + 2000 + 75 × 50) / 90 = 86.1
    assert score(demo, NOVEMBER, dt.date(2026, 11, 30)) == 95.0  # November began under version 1
    assert score(demo, TODAY, TODAY) == round((2000 + 2000 + 75 * 50) / 90, 1)  # a period from today: version 2
    assert score(demo, dt.date(2026, 12, 1), TODAY) == 95.0  # December began on the 1st: version 1


def test_r_org_3_the_ladders_past_month_keeps_its_version(november_work):
    from kefu.workforce.selectors import ladder

    demo = november_work
    before = ladder.assessment_score(demo.users["agent1"])
    assert (before.month, before.score, before.source) == (NOVEMBER, Decimal("95.0"), "kpi")
    add(demo, discipline=100, fcr=0, sla=0, effective_from=TODAY)
    after = ladder.assessment_score(demo.users["agent1"])
    assert (after.month, after.score) == (NOVEMBER, Decimal("95.0"))


# -- the API, the KPI page and the editor page ---------------------------------------------------------------

def test_r_kpi_1_weights_api_names_the_version_in_force(demo, clients):
    add(demo, qa=40, effective_from=TODAY + dt.timedelta(days=1))
    agent = clients("agent")  # anyone signed in may read how the score is weighted
    now = agent.get(URL).json()
    assert now["in_force"]["version"] == 1 and [v["version"] for v in now["versions"]] == [2, 1]
    later = agent.get(f"{URL}?date=2026-12-08").json()
    assert (later["in_force"]["version"], later["in_force"]["qa"]) == (2, 40)
    assert later["versions"][0]["created_by"] == "韩部长"
    assert agent.get(f"{URL}?date=0001-01-01").status_code == 422
    assert clients("anonymous").get(URL).status_code == 401


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 403), ("lead", 403), ("qa", 403),
                                              ("head", 201), ("director", 201), ("admin", 201)])
def test_r_kpi_1_who_may_add_a_weights_version(demo, clients, role, status):
    body = DEFAULTS | {"qa": 40, "effective_from": "2026-12-08", "change_note": "QA 40"}
    got = clients(role).post(URL, json.dumps(body), content_type="application/json")
    assert got.status_code == status
    if status == 201:
        assert (got.json()["version"], got.json()["qa"]) == (2, 40)
    else:
        assert AssessmentWeights.objects.count() == 1  # nothing changed


@pytest.mark.parametrize("body", [DEFAULTS | {"fcr": 101}, DEFAULTS | {"effective_from": "2026-12-06"},
                                  dict.fromkeys(DEFAULTS, 0), DEFAULTS | {"based_on": 0}])
def test_r_kpi_1_bad_weights_over_the_api_change_nothing(demo, clients, body):
    got = clients("head").post(URL, json.dumps(body), content_type="application/json")
    assert got.status_code in (409, 422) and got.json()["detail"]
    assert AssessmentWeights.objects.count() == 1


def test_r_kpi_1_the_kpi_page_names_the_weights_version_of_the_period(demo, clients):
    add(demo, qa=40, effective_from=TODAY)
    head = clients("head")
    december = head.get("/performance/kpi/?date_from=2026-12-01&date_to=2026-12-07").content.decode()
    today = head.get("/performance/kpi/?date_from=2026-12-07&date_to=2026-12-07").content.decode()
    assert 'data-testid="kpi-weights" data-version="1"' in december  # December began under version 1
    assert 'data-testid="kpi-weights" data-version="2"' in today


def test_r_kpi_1_weights_page_lists_versions_and_adds_one(demo, clients):
    head = clients("head")
    page = head.get("/performance/kpi/weights/")
    assert page.status_code == 200 and 'data-version="1"' in page.content.decode()
    saved = head.post("/performance/kpi/weights/", DEFAULTS | {"qa": 35, "effective_from": "2026-12-07",
                                                                 "change_note": "", "based_on": 1})
    assert saved.status_code == 302 and AssessmentWeights.objects.get(version=2).qa == 35
    bad = head.post("/performance/kpi/weights/", DEFAULTS | {"effective_from": "2026-12-01", "based_on": 2})
    assert bad.status_code == 422 and 'data-field="effective_from"' in bad.content.decode()
    lead = clients("lead")
    assert lead.get("/performance/kpi/weights/").status_code == 200  # leads read
    assert 'data-testid="weights-form"' not in lead.get("/performance/kpi/weights/").content.decode()
    assert lead.post("/performance/kpi/weights/", DEFAULTS | {"effective_from": "2026-12-08"}).status_code == 404
    assert clients("agent").get("/performance/kpi/weights/").status_code == 404
    assert AssessmentWeights.objects.count() == 2
