"""``bench_tickets --backlog``: turn the generated tickets into real desks, in place, in SQL (issue 13).

The generator leaves ~0.8 % of the tickets open (~30–40 per agent): an empty desk. The backlog gives
the data set both desks at once:

- **heavy** agents (the first ``heavy_teams`` teams, 10 agents each): their ``heavy_open`` most recent
  tickets are open (default 2,000), so their lead's board watches ~20,000 open tickets and the
  director's views the whole centre's ~60,000;
- **typical** agents (all the others): their ``typical_open`` most recent tickets (default 50).

Every other open ticket of a bench agent is resolved and closed (its open department tasks done); the
unassigned queue is left as it is. The open tickets look like what the services leave behind
(``kefu.tickets.choices.TRANSITIONS`` / ``kefu.tickets.sla``): status new (15 %, no first response yet),
in progress (60 %) or waiting on the customer (25 %, paused); ``resolved_at``/``closed_at`` cleared; the
owner set; the time limits placed around the moment the backlog is applied — ~25 % past the resolution
limit, ~15 % within its last 20 % (warning), the rest on time — with ``sla_state`` computed from them as
``sla.state_at`` does; the last action up to 3 days ago (so some are stuck, R-TIC-5); 2 % escalated to
the lead (with an Escalation row) and 0.5 % supervised. Creation times and numbers are kept: a heavy
agent's oldest open tickets were created months ago; their limits count as extended.

The choices come from a hash of the ticket id, not ``random()``, so applying the backlog again gives the
same open tickets (only the time limits move with the clock). A search word that the generator's texts
never contain (:data:`RARE_WORD`) is planted in the description of 1 % of the tickets (``id % 100 =
37``); the grams index (``tic_text_grams_idx``) is an expression index over title and description, so
PostgreSQL updates it with the row. Takes ~1 minute on 2,000,000 tickets, most of it VACUUM ANALYZE.
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.utils import timezone

from bench import generate as gen

RARE_WORD = "碎屏"  # no character of it occurs in tickets_generate's pools: exactly the planted 1 %
RARE_SENTENCE = "客户反映碎屏需要处理。"
RARE_MODULO, RARE_REMAINDER = 100, 37
ESCALATION_REASON = "性能测试积压：客户多次催促，请班长协调"
HEAVY_TEAMS = 2
HEAVY_OPEN = 2000
TYPICAL_OPEN = 50
OPEN = ("new", "in_progress", "waiting")


def _hash(column: str, salt: str) -> str:
    """A number in [0, 1) from the ticket id: the same every run (unlike random())."""
    return f"(('x' || substr(md5({column}::text || '{salt}'), 1, 8))::bit(32)::bigint / 4294967296.0)"


def people(org: gen.BenchOrg, heavy_teams: int = HEAVY_TEAMS, agents: int | None = None) -> dict:
    """The heavy and typical agents (by team order) among the first ``agents`` (those owning tickets),
    the leads of their teams and the director."""
    pool = org.agents[:agents] if agents else org.agents
    heavy_team_ids = [t.pk for t in org.teams[:heavy_teams]]
    team_ids = {a.team_id for a in pool}
    heavy = [a for a in pool if a.team_id in heavy_team_ids]
    typical = [a for a in pool if a.team_id not in heavy_team_ids]
    return {"heavy": heavy, "typical": typical, "heavy_leads": org.leads[:heavy_teams],
            "typical_leads": [u for u in org.leads[heavy_teams:] if u.team_id in team_ids], "director": org.director}


def apply(*, org: gen.BenchOrg, agents: int | None = None, heavy_teams: int = HEAVY_TEAMS,
          heavy_open: int = HEAVY_OPEN, typical_open: int = TYPICAL_OPEN, out=None) -> dict:
    """Apply the backlog to the tickets in place. Returns timings (seconds) and the resulting counts."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    t = time.perf_counter()

    def step(name: str, t0: float) -> float:
        timings[name] = round(time.perf_counter() - t0, 2)
        if out is not None:
            out.write(f"  {name}: {timings[name]:.1f} s\n")
            out.flush()
        return time.perf_counter()

    who = people(org, heavy_teams, agents)
    now = timezone.now()
    quota = [(a.pk, heavy_open) for a in who["heavy"]] + [(a.pk, typical_open) for a in who["typical"]]
    params = {"now": now, "agents": [pk for pk, _k in quota], "open": list(OPEN), "reason": ESCALATION_REASON,
              "rare": RARE_WORD, "sentence": RARE_SENTENCE, "mod": RARE_MODULO, "rem": RARE_REMAINDER}
    h = _hash
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("CREATE TEMP TABLE bl_quota (owner_id bigint PRIMARY KEY, k int) ON COMMIT DROP")
        with cur.cursor.copy("COPY bl_quota (owner_id, k) FROM STDIN") as copy:
            for row in quota:
                copy.write_row(row)
        # the k most recent tickets of each agent (merged duplicates are never open)
        cur.execute("""
            CREATE TEMP TABLE bl_want ON COMMIT DROP AS
            SELECT x.id FROM (
                SELECT t.id, t.owner_id,
                       row_number() OVER (PARTITION BY t.owner_id ORDER BY t.created_at DESC, t.id DESC) AS rn
                FROM tickets_ticket t
                WHERE t.owner_id = ANY(%(agents)s) AND t.merged_into_id IS NULL
            ) x JOIN bl_quota q ON q.owner_id = x.owner_id
            WHERE x.rn <= q.k
        """, params)
        cur.execute("ALTER TABLE bl_want ADD PRIMARY KEY (id)")
        cur.execute("ANALYZE bl_want")
        t = step("choose the open tickets (k most recent per agent)", t)

        # every other open ticket of these agents: resolved, then closed (R-TIC-2: resolved → closed)
        cur.execute("""
            CREATE TEMP TABLE bl_close ON COMMIT DROP AS
            SELECT t.id, least(%(now)s::timestamptz,
                               t.created_at + greatest(t.resolution_due - t.created_at, interval '1 hour') * 0.7)
                         AS resolved_at
            FROM tickets_ticket t
            WHERE t.owner_id = ANY(%(agents)s) AND t.status = ANY(%(open)s)
              AND NOT EXISTS (SELECT 1 FROM bl_want w WHERE w.id = t.id)
        """, params)
        cur.execute("""
            UPDATE tickets_ticket t SET
                status = 'closed', waiting_on = '', paused_at = NULL,
                first_responded_at = coalesce(t.first_responded_at, least(c.resolved_at,
                                                                          t.created_at + interval '10 minutes')),
                resolved_at = c.resolved_at,
                closed_at = least(%(now)s::timestamptz, c.resolved_at + interval '1 day'),
                last_action_at = least(%(now)s::timestamptz, c.resolved_at + interval '1 day'),
                sla_state = CASE WHEN c.resolved_at >= t.resolution_due THEN 'breached' ELSE 'ok' END,
                version = t.version + 1
            FROM bl_close c WHERE c.id = t.id
        """, params)
        closed = cur.rowcount
        cur.execute("""
            UPDATE tickets_departmenttask d SET status = 'done', result = '已查明，包裹已送达',
                   done_at = least(%(now)s::timestamptz, greatest(d.created_at, c.resolved_at)), version = d.version + 1
            FROM bl_close c WHERE c.id = d.ticket_id AND d.status = 'open'
        """, params)
        t = step(f"close {closed:,} other open tickets", t)

        # the open tickets' new state: status, pause, time limits around now, last action, escalation
        cur.execute(f"""
            CREATE TEMP TABLE bl_open ON COMMIT DROP AS
            WITH r AS (
                SELECT t.id, t.created_at, t.first_responded_at, t.first_response_due, t.first_response_warn_at,
                       {h('t.id', 'status')} AS r_status, {h('t.id', 'due')} AS r_due, {h('t.id', 'span')} AS r_span,
                       {h('t.id', 'act')} AS r_act, {h('t.id', 'esc')} AS r_esc, {h('t.id', 'sup')} AS r_sup,
                       {h('t.id', 'pause')} AS r_pause, {h('t.id', 'first')} AS r_first
                FROM tickets_ticket t JOIN bl_want w ON w.id = t.id
            ), s AS (
                SELECT r.*,
                       CASE WHEN r.r_status < 0.15 THEN 'new' WHEN r.r_status < 0.75 THEN 'in_progress'
                            ELSE 'waiting' END AS status,
                       interval '1 hour' * (4 + floor(r.r_span * 68)) AS span
                FROM r
            ), d AS (
                SELECT s.*,
                       -- resolution limit: 25 %% past it (by up to 3 days), 15 %% in its last 20 %%, 60 %% on time
                       greatest(s.created_at + interval '1 hour', %(now)s::timestamptz + CASE
                           WHEN s.r_due < 0.25 THEN -(interval '30 minutes' + interval '72 hours' * (s.r_due / 0.25))
                           WHEN s.r_due < 0.40 THEN s.span * 0.2 * ((s.r_due - 0.25) / 0.15)
                           ELSE s.span * (0.2 + 0.8 * ((s.r_due - 0.40) / 0.60)) END) AS resolution_due
                FROM s
            )
            SELECT d.id, d.status,
                   CASE WHEN d.status = 'waiting' THEN 'customer' ELSE '' END AS waiting_on,
                   d.resolution_due,
                   greatest(d.created_at, d.resolution_due - d.span * 0.2) AS resolution_warn_at,
                   -- a new ticket has had no first response: its limit lies between 1 h ago and 3 h ahead
                   CASE WHEN d.status = 'new'
                        THEN greatest(d.created_at + interval '10 minutes',
                                      %(now)s::timestamptz + interval '4 hours' * d.r_first - interval '1 hour')
                        ELSE d.first_response_due END AS first_response_due,
                   CASE WHEN d.status = 'new'
                        THEN greatest(d.created_at + interval '8 minutes',
                                      %(now)s::timestamptz + interval '4 hours' * d.r_first - interval '84 minutes')
                        ELSE d.first_response_warn_at END AS first_response_warn_at,
                   CASE WHEN d.status = 'new' THEN NULL
                        ELSE coalesce(d.first_responded_at, d.created_at + interval '10 minutes') END
                        AS first_responded_at,
                   CASE WHEN d.status = 'waiting'
                        THEN greatest(d.created_at, %(now)s::timestamptz - interval '48 hours' * d.r_pause) END
                        AS paused_at,
                   greatest(d.created_at, %(now)s::timestamptz - interval '72 hours' * d.r_act * d.r_act)
                        AS last_action_at,
                   CASE WHEN d.r_esc < 0.02 THEN 'lead' ELSE 'agent' END AS escalation_level,
                   d.r_sup < 0.005 AS supervised
            FROM d
        """, params)  # noqa: S608 - our own constants, no input
        cur.execute("""
            UPDATE tickets_ticket t SET
                status = o.status, waiting_on = o.waiting_on, resolved_at = NULL, closed_at = NULL,
                resolution_due = o.resolution_due, resolution_warn_at = o.resolution_warn_at,
                first_response_due = o.first_response_due, first_response_warn_at = o.first_response_warn_at,
                first_responded_at = o.first_responded_at, paused_at = o.paused_at,
                last_action_at = o.last_action_at, escalation_level = o.escalation_level,
                supervised = o.supervised, merged_into_id = NULL,
                -- kefu.tickets.sla.state_at: a paused ticket is judged when it was paused
                sla_state = CASE
                    WHEN coalesce(o.paused_at, %(now)s::timestamptz) >= o.resolution_due
                         OR (o.first_responded_at IS NULL
                             AND coalesce(o.paused_at, %(now)s::timestamptz) >= o.first_response_due) THEN 'breached'
                    WHEN coalesce(o.paused_at, %(now)s::timestamptz) >= o.resolution_warn_at
                         OR (o.first_responded_at IS NULL
                             AND coalesce(o.paused_at, %(now)s::timestamptz) >= o.first_response_warn_at) THEN 'warning'
                    ELSE 'ok' END,
                version = t.version + 1
            FROM bl_open o WHERE o.id = t.id
        """, params)
        opened = cur.rowcount
        cur.execute("""
            INSERT INTO tickets_escalation (ticket_id, from_level, to_level, skipped, emergency, automatic, reason,
                                            by_id, at)
            SELECT t.id, 'agent', 'lead', '[]'::jsonb, false, false, %(reason)s, t.owner_id, t.last_action_at
            FROM tickets_ticket t JOIN bl_open o ON o.id = t.id
            WHERE o.escalation_level = 'lead'
              AND NOT EXISTS (SELECT 1 FROM tickets_escalation e WHERE e.ticket_id = t.id AND e.reason = %(reason)s)
        """, params)
        t = step(f"open {opened:,} tickets (limits around now)", t)

        # the 1 % search word
        cur.execute("""
            UPDATE tickets_ticket SET description = description || %(sentence)s
            WHERE id %% %(mod)s = %(rem)s AND strpos(description, %(rare)s) = 0
        """, params)
        t = step(f"plant the search word {RARE_WORD} ({cur.rowcount:,} tickets changed)", t)

    with connection.cursor() as cur:
        for table in ("tickets_ticket", "tickets_departmenttask", "tickets_escalation"):
            cur.execute(f"VACUUM (ANALYZE) {table}")
    step("VACUUM ANALYZE", t)
    result = {"seconds": round(time.perf_counter() - started, 1), "steps": timings,
              "applied_at": now.isoformat(timespec="seconds"), "heavy_teams": heavy_teams,
              "heavy_open": heavy_open, "typical_open": typical_open, "rare_word": RARE_WORD,
              "open_counts": open_counts(org, heavy_teams, agents)}
    return result


def open_counts(org: gen.BenchOrg, heavy_teams: int = HEAVY_TEAMS, agents: int | None = None) -> dict:
    """Open tickets per person as their desks count them: an agent's own; a lead's board (the team's
    people's and the unassigned ones of the team's shops); the director's centre; and the search word's
    share."""
    who = people(org, heavy_teams, agents)
    with connection.cursor() as cur:
        cur.execute("SELECT owner_id, count(*) FROM tickets_ticket WHERE status = ANY(%s) AND owner_id IS NOT NULL "
                    "GROUP BY owner_id", [list(OPEN)])
        per_owner = dict(cur.fetchall())
        leads = {}
        for lead in [*who["heavy_leads"], *who["typical_leads"]]:
            cur.execute("""
                SELECT count(*) FROM tickets_ticket t LEFT JOIN org_user u ON u.id = t.owner_id
                WHERE t.status = ANY(%s) AND t.shop_id = ANY(%s) AND (u.team_id = %s OR t.owner_id IS NULL)
            """, [list(OPEN), org.team_shops[lead.team_id], lead.team_id])
            leads[lead.username] = cur.fetchone()[0]
        cur.execute("SELECT count(*), count(*) FILTER (WHERE owner_id IS NULL), "
                    "count(*) FILTER (WHERE sla_state = 'breached'), count(*) FILTER (WHERE sla_state = 'warning') "
                    "FROM tickets_ticket WHERE status = ANY(%s)", [list(OPEN)])
        total, queue, breached, warning = cur.fetchone()
        cur.execute("SELECT count(*), count(*) FILTER (WHERE strpos(title || ' ' || description, %s) > 0) "
                    "FROM tickets_ticket", [RARE_WORD])
        tickets, rare = cur.fetchone()
    heavy = {a.username: per_owner.get(a.pk, 0) for a in who["heavy"]}
    typical = [per_owner.get(a.pk, 0) for a in who["typical"]]
    return {
        "heavy_agents": heavy,
        "typical_agents": {"people": len(typical), "min": min(typical, default=0), "max": max(typical, default=0),
                           "total": sum(typical)},
        "heavy_leads": {u.username: leads[u.username] for u in who["heavy_leads"]},
        "typical_leads": {"people": len(who["typical_leads"]),
                          "min": min((leads[u.username] for u in who["typical_leads"]), default=0),
                          "max": max((leads[u.username] for u in who["typical_leads"]), default=0)},
        "director": {org.director.username: total},
        "centre": {"open": total, "unassigned": queue, "breached": breached, "warning": warning,
                   "tickets": tickets, f"with {RARE_WORD}": rare},
    }


def describe(counts: dict) -> str:
    """The open counts as lines for the command's output."""
    heavy = counts["heavy_agents"]
    typical = counts["typical_agents"]
    lines = [f"  heavy agents ({len(heavy)}): " + ", ".join(f"{u} {n:,}" for u, n in list(heavy.items())[:4])
             + (f" … (min {min(heavy.values()):,}, max {max(heavy.values()):,})" if heavy else ""),
             f"  typical agents ({typical['people']}): {typical['min']:,}–{typical['max']:,} open each",
             "  heavy leads' boards: " + ", ".join(f"{u} {n:,}" for u, n in counts["heavy_leads"].items()),
             f"  typical leads' boards ({counts['typical_leads']['people']}): "
             f"{counts['typical_leads']['min']:,}–{counts['typical_leads']['max']:,}",
             "  director: " + ", ".join(f"{u} {n:,}" for u, n in counts["director"].items()),
             "  centre: " + ", ".join(f"{k} {v:,}" for k, v in counts["centre"].items())]
    return "\n".join(lines)
