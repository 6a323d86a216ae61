"""R-QA-2 sampling: random but reproducible with a seed (same seed + same data → same sample, whatever the
order of the rows), weighted toward risk (over many draws risky tickets are chosen more often), stratified by
ticket type and channel, drawn for the agents below quota only, leaving out reviewed tickets; fast."""

from __future__ import annotations

import datetime as dt
import random
import time

from kefu.quality import sampling, selectors
from kefu.quality.sampling import Row, Weights, draw_sample


def _rows(n_agents=5, per_agent=40, seed=1):
    rnd = random.Random(seed)  # noqa: S311
    rows = []
    tid = 0
    for agent in range(1, n_agents + 1):
        for _i in range(per_agent):
            tid += 1
            rows.append(Row(ticket_id=tid, agent_id=agent, type=rnd.choice(["consultation", "query", "complaint"]),
                            channel=rnd.choice(["hotline", "chat"]), breached=rnd.random() < 0.1))
    return rows


def test_r_qa_2_same_seed_same_data_same_sample_in_any_row_order():
    rows = _rows()
    needs = dict.fromkeys(range(1, 6), 3)
    first = draw_sample(rows, needs, seed="2026-12")
    shuffled = list(rows)
    random.Random(7).shuffle(shuffled)  # noqa: S311
    assert draw_sample(shuffled, needs, seed="2026-12") == first
    assert draw_sample(rows, needs, seed="another") != first


def test_r_qa_2_sample_takes_only_what_each_agent_needs():
    rows = _rows(per_agent=5)
    drawn = draw_sample(rows, {1: 2, 2: 0, 3: 10}, seed=1)
    assert len(drawn[1]) == 2 and 2 not in drawn and len(drawn[3]) == 5
    assert all(r.agent_id == 1 for r in drawn[1])


def test_r_qa_2_risky_tickets_are_chosen_more_often():
    rows = [Row(ticket_id=n, agent_id=1, type="consultation", channel="hotline") for n in range(1, 10)]
    rows.append(Row(ticket_id=10, agent_id=1, type="consultation", channel="hotline", complaint=True,
                    reopened=True))  # weight 1 + 4 + 3 = 8 against 1 for each of the nine others
    draws = 2000
    risky = sum(draw_sample(rows, {1: 1}, seed=s)[1][0].ticket_id == 10 for s in range(draws))
    # expected share 8 / 17 ≈ 0.47; without weights it would be 0.1
    assert 0.38 < risky / draws < 0.56


def test_r_qa_2_each_risk_adds_its_weight():
    w = Weights(complaint=4, low_satisfaction=4, breached=3, reopened=3)
    assert sampling.risk_weight(Row(1, 1, "query", "chat"), w) == 1
    assert sampling.risk_weight(Row(1, 1, "complaint", "chat", complaint=True, low_satisfaction=True,
                                    breached=True, reopened=True), w) == 15


def test_r_qa_2_sample_is_stratified_by_type_and_channel():
    rows = [Row(ticket_id=n, agent_id=1, type="query", channel="chat") for n in range(1, 51)]
    rows += [Row(ticket_id=100, agent_id=1, type="complaint", channel="hotline"),
             Row(ticket_id=101, agent_id=1, type="consultation", channel="email")]
    for seed in range(50):
        picked = draw_sample(rows, {1: 3}, seed=seed)[1]
        assert {(r.type, r.channel) for r in picked} == {("query", "chat"), ("complaint", "hotline"),
                                                         ("consultation", "email")}


def test_r_qa_2_a_months_sample_for_500_agents_is_fast():
    rows = _rows(n_agents=500, per_agent=200)
    needs = dict.fromkeys(range(1, 501), 5)
    started = time.perf_counter()
    drawn = draw_sample(rows, needs, seed="2026-12")
    elapsed = time.perf_counter() - started
    assert sum(len(v) for v in drawn.values()) == 2500
    assert elapsed < 2.0, elapsed


def test_r_qa_2_desk_sample_for_agents_below_quota_without_reviewed_tickets(demo, clock, make_ticket, review):
    qa = demo.users["qa1"]
    reviewed = make_ticket(actor="agent1")
    review(ticket=reviewed)  # agent1 has their review this month
    a2 = [make_ticket(actor="agent2", title=f"咨询{n}") for n in range(3)]
    complaint = make_ticket(actor="agent2", type="complaint", title="投诉", severity="general")
    month = dt.date(2026, 12, 1)
    picked = selectors.sample(qa, month)
    owners = {p["ticket"].owner.username for p in picked}
    assert "agent1" not in owners and "agent2" in owners
    assert reviewed.pk not in {p["ticket"].pk for p in picked}
    assert [p["ticket"].pk for p in selectors.sample(qa, month)] == [p["ticket"].pk for p in picked]
    rows = selectors.candidate_rows(qa, [demo.users["agent2"].pk], month)
    assert {r.ticket_id for r in rows} == {t.pk for t in [*a2, complaint]}
    assert next(r for r in rows if r.ticket_id == complaint.pk).complaint


def test_r_qa_2_reopened_and_breached_tickets_are_marked_risky(demo, clock, make_ticket):
    from kefu.tickets import services as tickets

    agent = demo.users["agent2"]
    t = make_ticket(actor="agent2")
    tickets.transition(actor=agent, ticket_id=t.pk, to="resolved", version=t.version)
    t.refresh_from_db()
    tickets.transition(actor=agent, ticket_id=t.pk, to="in_progress", version=t.version)
    rows = selectors.candidate_rows(demo.users["qa1"], [agent.pk], dt.date(2026, 12, 1))
    assert next(r for r in rows if r.ticket_id == t.pk).reopened


def test_sample_runs_in_a_constant_number_of_queries(demo, clock, make_ticket, django_assert_max_num_queries):
    for n in range(6):
        make_ticket(actor=f"agent{n % 3 + 1}", title=f"咨询{n}")
    qa = demo.users["qa1"]
    month = dt.date(2026, 12, 1)
    selectors.sample(qa, month)
    with django_assert_max_num_queries(9):
        picked = selectors.sample(qa, month)
    assert len(picked) == 3
