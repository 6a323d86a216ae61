"""The inspector's desk sample (R-QA-2, issue 11): the month's draw kept between visits.

Drawing the sample reads every ticket of the month of the agents below quota (75 000 rows for 500 agents:
about a second). The desk shows it through its own request (``/quality/desk/sample/``); this module keeps the
draw in the Django cache (per inspector, month, seed and sampling settings) so that coming back to the desk —
typically after reviewing one of the sampled tickets — shows the same sample at once instead of drawing it
again:

- the first visit draws exactly what :func:`kefu.quality.selectors.sample` draws (same seed, same data → same
  sample) and keeps each agent's picks with the number they needed then;
- a later visit reads the quota again and, per agent still below quota, shows the kept picks not reviewed
  since, as many as they still need (reviewing one of them, or another of their tickets, only shortens the
  list: an inspector works through a sample that does not reshuffle under them);
- the draw is made again when the kept one no longer fits: an agent needs more reviews than were drawn for
  them (a new agent in scope, a higher quota), a kept pick is no longer theirs or no longer in scope, or an
  agent's picks ran out while they may have other tickets; and once it is older than :data:`KEEP_SECONDS`
  (this month: new tickets keep coming) or :data:`KEEP_PAST_SECONDS` (an earlier month).

The rows come as plain values (the ticket's number, title and labels), not model objects: 450 rows render in a
few milliseconds.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib

from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.urls import reverse

from kefu.quality import sampling, selectors
from kefu.quality.models import Review
from kefu.rules.selectors import get_rule
from kefu.tickets.access import tickets_in_scope

KEEP_SECONDS = 10 * 60
KEEP_PAST_SECONDS = 12 * 60 * 60
RISKS = ("complaint", "low_satisfaction", "breached", "reopened", "flagged")
_ID = 999999937  # a stand-in id: the two links are reversed once per request, not twice per row


def _key(user, month: dt.date, seed: str, weights: sampling.Weights, low) -> str:
    raw = repr((user.pk, user.centre_id, f"{month:%Y-%m}", seed, weights, low))
    return "kefu:quality:sample:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _draw(user, month: dt.date, needs: dict[int, int], seed: str, weights: sampling.Weights) -> dict[int, list]:
    # tens of thousands of short-lived tuples: without the cyclic garbage collector meanwhile (as selectors.sample)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        drawn = sampling.draw_sample(selectors.candidate_rows(user, needs, month, plain=True), needs, seed=seed,
                                     weights=weights)
    finally:
        if was_enabled:
            gc.enable()
    return {agent_id: [tuple(r) for r in picks] for agent_id, picks in drawn.items()}


def _tickets(user, month: dt.date, ids: list[int]) -> dict[int, tuple]:
    """id → (number, title, type, channel, owner id, reviewed) of the picked tickets still in scope and in
    the month: one query."""
    start, end = selectors.month_bounds(month)
    qs = (tickets_in_scope(user).filter(pk__in=ids, created_at__gte=start, created_at__lt=end,
                                        merged_into__isnull=True)
          .annotate(reviewed=Exists(Review.objects.filter(ticket_id=OuterRef("pk"))))
          .order_by().values_list("pk", "number", "title", "type", "channel", "owner_id", "reviewed"))
    return {pk: rest for pk, *rest in qs}


def _from_kept(kept: dict, needs: dict[int, int], tickets: dict[int, tuple]) -> dict[int, list] | None:
    """The kept picks that still fit, or None when the draw must be made again."""
    kept_needs, kept_picks = kept["needs"], kept["picks"]
    out: dict[int, list] = {}
    for agent_id, need in needs.items():
        if agent_id not in kept_needs or need > kept_needs[agent_id]:
            return None
        picks = kept_picks.get(agent_id, [])
        fresh = []
        for row in picks:
            ticket = tickets.get(row[0])
            if ticket is None or ticket[4] != agent_id:  # gone from the month or the scope, or given to another
                return None
            if not ticket[5]:
                fresh.append(row)
        if len(fresh) < need and len(picks) >= kept_needs[agent_id]:
            return None  # their picks ran out: they may have other tickets left to draw from
        out[agent_id] = fresh[:need]
    return out


def desk_sample(user, month: dt.date, *, seed: str | None = None) -> list[dict]:
    """The sample for the desk: ``[{"ticket": {pk, number, title, labels, links}, "quota", "risks"}]`` in the
    quota's agent order (five queries when the kept draw fits; the draw's own when it is made)."""
    from kefu.tickets.choices import Channel, TicketType

    seed = seed or selectors.default_seed(month)
    rows = selectors.below_quota(user, month)
    needs = {r.agent_id: r.missing for r in rows}
    if not needs:
        return []
    weights = selectors.sample_weights(user.centre_id)
    key = _key(user, month, seed, weights, get_rule("quality.sample_low_satisfaction", centre_id=user.centre_id))
    kept = cache.get(key)
    picks = None
    if kept is not None:
        ids = [row[0] for agent_id in needs for row in kept["picks"].get(agent_id, [])]
        tickets = _tickets(user, month, ids)
        picks = _from_kept(kept, needs, tickets)
    if picks is None:
        picks = _draw(user, month, needs, seed, weights)
        timeout = KEEP_SECONDS if month >= selectors.this_month() else KEEP_PAST_SECONDS
        cache.set(key, {"needs": needs, "picks": picks}, timeout)
        tickets = _tickets(user, month, [row[0] for agent_picks in picks.values() for row in agent_picks])
    types = {value: str(label) for value, label in TicketType.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    detail = reverse("tickets:detail", args=[_ID])
    review = reverse("quality:review_form", args=[_ID])
    out = []
    for quota_row in rows:
        for row in picks.get(quota_row.agent_id, []):
            ticket = tickets.get(row[0])
            if ticket is None:
                continue
            number, title, kind, channel, _owner, _reviewed = ticket
            pk = str(row[0])
            out.append({
                "ticket": {"pk": row[0], "number": number, "title": title,
                           "get_type_display": types.get(kind, kind),
                           "get_channel_display": channels.get(channel, channel),
                           "url": detail.replace(str(_ID), pk), "review_url": review.replace(str(_ID), pk)},
                "quota": quota_row,
                "risks": [risk for risk, present in zip(RISKS, row[4:9], strict=True) if present],
            })
    return out
