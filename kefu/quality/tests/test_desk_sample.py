"""R-QA-2 the inspector's desk sample (issue 11): the first visit shows exactly the seeded draw; the draw is
kept between visits, so reviewing a sampled ticket only takes it off the list (no reshuffle, no new draw);
the draw is made again when the kept one no longer fits (an agent needs more than was drawn, a kept ticket
given to another agent); a kept visit reads in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from kefu.quality import sample_selectors, selectors

MONTH = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _no_kept_draws():
    cache.clear()
    yield
    cache.clear()


def _ids(picked) -> list[int]:
    return [p["ticket"]["pk"] for p in picked]


@pytest.fixture
def tickets(demo, make_ticket):
    made = [make_ticket(actor=f"agent{n % 3 + 1}", title=f"咨询{n}") for n in range(9)]
    made.append(make_ticket(actor="agent2", type="complaint", title="投诉", severity="general"))
    return made


def test_r_qa_2_the_desk_sample_is_the_seeded_draw(demo, clock, tickets):
    qa = demo.users["qa1"]
    for seed in (None, "abc"):
        drawn = [p["ticket"].pk for p in selectors.sample(qa, MONTH, seed=seed)]
        assert _ids(sample_selectors.desk_sample(qa, MONTH, seed=seed)) == drawn  # drawn now
        assert _ids(sample_selectors.desk_sample(qa, MONTH, seed=seed)) == drawn  # kept
    picked = sample_selectors.desk_sample(qa, MONTH)
    complaint = tickets[-1]
    row = next((p for p in picked if p["ticket"]["pk"] == complaint.pk), None)
    if row is not None:
        assert "complaint" in row["risks"] and row["ticket"]["get_type_display"] == complaint.get_type_display()


def test_r_qa_2_reviewing_a_sampled_ticket_takes_it_off_without_a_new_draw(demo, clock, tickets, review,
                                                                              monkeypatch):
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key="quality.reviews_per_month.min", value=2,
             version=rule_row("quality.reviews_per_month.min").version)
    clear_cache()
    qa = demo.users["qa1"]
    first = sample_selectors.desk_sample(qa, MONTH)
    assert len(first) == 6  # agents 1–3, two each
    done = first[0]
    draws = []
    monkeypatch.setattr(sample_selectors, "_draw", lambda *a, **k: draws.append(a) or {})
    review(ticket=type(tickets[0]).objects.get(pk=done["ticket"]["pk"]))
    after = sample_selectors.desk_sample(qa, MONTH)
    assert not draws
    assert _ids(after) == [pk for pk in _ids(first) if pk != done["ticket"]["pk"]]
    # a review of another ticket of the agent: one pick fewer for them, the first kept
    agent = done["quota"].agent_id
    others = [p for p in after if p["quota"].agent_id == agent]
    assert len(others) == 1
    second = [p for p in after if p["quota"].agent_id != agent]
    owner = second[0]["quota"]
    other_ticket = next(t for t in tickets if t.owner_id == owner.agent_id and t.pk not in _ids(after))
    review(ticket=other_ticket)
    again = sample_selectors.desk_sample(qa, MONTH)
    assert not draws
    theirs = [p["ticket"]["pk"] for p in again if p["quota"].agent_id == owner.agent_id]
    assert theirs == [p["ticket"]["pk"] for p in second if p["quota"].agent_id == owner.agent_id][:1]


def test_r_qa_2_the_draw_is_made_again_when_the_kept_one_no_longer_fits(demo, clock, tickets):
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule
    from kefu.tickets.models import Ticket

    qa = demo.users["qa1"]
    first = sample_selectors.desk_sample(qa, MONTH)
    assert len(first) == 3
    # a higher quota: every agent needs more than was drawn for them
    set_rule(actor=demo.users["admin"], key="quality.reviews_per_month.min", value=2,
             version=rule_row("quality.reviews_per_month.min").version)
    clear_cache()
    assert _ids(sample_selectors.desk_sample(qa, MONTH)) == [p["ticket"].pk for p in selectors.sample(qa, MONTH)]
    # a kept ticket given to another agent: drawn again, every pick is its agent's
    picked = sample_selectors.desk_sample(qa, MONTH)
    moved = picked[0]
    Ticket.objects.filter(pk=moved["ticket"]["pk"]).update(owner=demo.users["agent4"])
    again = sample_selectors.desk_sample(qa, MONTH)
    owners = dict(Ticket.objects.filter(pk__in=_ids(again)).values_list("pk", "owner_id"))
    assert all(owners[p["ticket"]["pk"]] == p["quota"].agent_id for p in again)
    assert moved["ticket"]["pk"] not in [p["ticket"]["pk"] for p in again if p["quota"].agent_id
                                         == moved["quota"].agent_id]


def test_the_kept_sample_in_a_constant_number_of_queries(demo, clock, make_ticket, clients,
                                                         django_assert_max_num_queries):
    qa = clients("qa")
    url = f"/quality/desk/sample/?month={MONTH:%Y-%m}"
    for n in range(6):
        make_ticket(actor=f"agent{n % 3 + 1}", title=f"咨询{n}")
    qa.get(url)  # drawn and kept
    with django_assert_max_num_queries(9):
        html = qa.get(url).content.decode()
    assert html.count('data-testid="sample-row"') == 3
    for n in range(6):
        make_ticket(actor=f"agent{n % 3 + 1}", title=f"更多咨询{n}")
    with django_assert_max_num_queries(9):
        html = qa.get(url).content.decode()
    assert html.count('data-testid="sample-row"') == 3
    assert '/quality/review/' in html and '/tickets/' in html


def test_the_sample_rows_escape_the_ticket_and_show_the_risk_in_chinese(demo, clock, make_ticket, clients):
    make_ticket(actor="agent2", type="complaint", title="<b>退款</b>", severity="general")
    html = clients("qa").get(f"/quality/desk/sample/?month={MONTH:%Y-%m}").content.decode()  # Chinese: the default
    assert "&lt;b&gt;退款&lt;/b&gt;" in html and "<b>退款" not in html
    assert html.count('data-testid="sample-row"') == 1
    assert '<span class="badge bg-red-lt">投诉</span>' in html and ">质检</a>" in html
