"""Workforce speed targets on a generated year of shifts (``manage.py bench_workforce``, issue 10).

Data set (PostgreSQL, rows written with ``bulk_create``): one centre with a service department, 20 teams of
25 agents (500 agents) with a team lead each, a department head and a centre director; the shift types
早班 (09–18), 晚班 (18–02) and 夜班 (22–06); a year of published shifts around today (26 weeks back, 26
weeks ahead): each agent works 5 days and rests 2 in a 7-day cycle that starts on a different weekday per
person, and changes shift type (早 → 晚 → 夜 → 早) after each pair of rest days, so every change keeps at
least the minimum rest (R-WFM-3). About 2 % of the shifts are freed by approved leave (one- and two-day
personal, sick and annual leave spread over the year), and a few hundred requests are pending; every agent
has an annual leave entitlement for each year.

Measured (each call repeated after 5 warm-up calls; median and 95th percentile; teams, weeks and agents
rotate so that no single lucky value decides; ``DEBUG`` off):

(a) a team's week roster: ``kefu.workforce.selectors.week_roster`` as the roster page calls it (the team's
    lead, a fresh user object per call so the scope query counts), and the roster page itself
    (``GET /workforce/roster/?team=…&week=…`` through the Django test client, logged in as the lead —
    the page then also builds the add-a-shift form — and as the department head, whose team list has
    all 20 teams); target < 50 ms;
(b) a leave request checked and saved: ``kefu.workforce.services.request_leave`` (personal leave of one day
    with a shift in it, asked by the agent well ahead), each call inside a transaction rolled back
    afterwards so that the data set stays as it is; target < 50 ms.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench.customers import Bench, machine_info

OUT_DIR = Path(__file__).resolve().parent / "out"
TARGETS_MS = {"roster": 50.0, "leave": 50.0}
CENTRE = "排班性能测试中心"
DEPARTMENT = "排班性能测试客服部"
PREFIX = "wfmbench-"  # usernames of the bench people
TEAMS = 20
AGENTS = 500
WEEKS_BACK = 26
WEEKS_AHEAD = 26
WORK_DAYS = 5  # of each 7-day cycle
LEAVE_PER_AGENT = 4  # leave requests per agent over the year (≈ 2 % of the shifts freed)
ANNUAL_DAYS = 10
# code, name, kind, start, end, breaks
SHIFT_TYPES = [
    ("early", "早班", "day", dt.time(9), dt.time(18), [["12:00", "13:00"]]),
    ("late", "晚班", "custom", dt.time(18), dt.time(2), [["21:30", "22:00"]]),
    ("night", "夜班", "night", dt.time(22), dt.time(6), [["02:00", "02:30"]]),
]
ROTATION = ["early", "late", "night"]
REASONS = {"personal": ["家里有事", "办理证件", "搬家"], "sick": ["发烧就诊", "牙科复诊"], "annual": ["年假出游", "回老家探亲"]}
TABLES = ["workforce_shift", "workforce_leaverequest", "workforce_annualleaveentitlement"]


@dataclass
class WorkforceOrg:
    centre_id: int
    teams: list[Any]
    agents: list[Any]  # in team order, 25 per team
    leads: list[Any]  # one per team, same order
    head: Any
    director: Any
    agents_by_team: dict[int, list[Any]] = field(default_factory=dict)


def _log(out, message: str) -> None:
    if out is not None:
        out.write(message + "\n")
        out.flush()


@transaction.atomic
def ensure_org(*, teams: int = TEAMS, agents: int = AGENTS) -> WorkforceOrg:
    """The bench organisation (safe to run again): people in bulk with unusable passwords."""
    from kefu.org import services as org_services
    from kefu.org.models import Department, User, UserRole
    from kefu.org.roles import Role

    centre = org_services.ensure_centre(actor=None, name=CENTRE)
    dept = org_services.ensure_department(actor=None, centre=centre, name=DEPARTMENT, kind=Department.Kind.SERVICE)
    team_rows = [org_services.ensure_team(actor=None, department=dept, name=f"排班测试{t + 1:02d}组", shops=[])
                 for t in range(teams)]
    per_team = -(-agents // teams)
    unusable = make_password(None)
    wanted = [(f"{PREFIX}director", "排班测试主任", Role.DIRECTOR, None),
              (f"{PREFIX}head", "排班测试经理", Role.HEAD, None)]
    wanted += [(f"{PREFIX}lead-{t + 1:02d}", f"排班测试班长{t + 1:02d}", Role.LEAD, team_rows[t]) for t in range(teams)]
    wanted += [(f"{PREFIX}agent-{a + 1:04d}", f"排班测试客服{a + 1:04d}", Role.AGENT, team_rows[a // per_team])
               for a in range(agents)]
    existing = set(User.objects.filter(username__startswith=PREFIX).values_list("username", flat=True))
    User.objects.bulk_create([
        User(username=u, display_name=d, centre=centre, department=dept, team=team, password=unusable,
             email=f"{u}@example.com") for u, d, _role, team in wanted if u not in existing])
    people = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    have = set(UserRole.objects.filter(user__in=people.values()).values_list("user_id", "role"))
    UserRole.objects.bulk_create([UserRole(user=people[u], role=role) for u, _d, role, _t in wanted
                                  if (people[u].pk, role) not in have])
    agent_rows = [people[f"{PREFIX}agent-{a + 1:04d}"] for a in range(agents)]
    by_team: dict[int, list[Any]] = {t.pk: [] for t in team_rows}
    for agent in agent_rows:
        by_team[agent.team_id].append(agent)
    return WorkforceOrg(centre_id=centre.pk, teams=team_rows, agents=agent_rows,
                        leads=[people[f"{PREFIX}lead-{t + 1:02d}"] for t in range(teams)],
                        head=people[f"{PREFIX}head"], director=people[f"{PREFIX}director"], agents_by_team=by_team)


def foreign_shifts() -> int:
    """Shifts of people outside the bench organisation: a database holding any is not a bench database."""
    from kefu.workforce.models import Shift

    return Shift.objects.exclude(person__username__startswith=PREFIX).count()


def counts() -> dict[str, int]:
    with connection.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
            out[table] = cur.fetchone()[0]
        return out


def first_day(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday() + 7 * WEEKS_BACK)


def generate(*, org: WorkforceOrg, today: dt.date, seed: int = 2026, out=None) -> dict:
    """Replace the bench people's shifts and leave by a fresh year. Returns timings and counts."""
    import time

    from kefu.workforce import services
    from kefu.workforce.models import AnnualLeaveEntitlement, LeaveRequest, Shift, shift_moments

    started = time.perf_counter()
    rng = random.Random(seed)
    head = org.head
    types = {code: services.ensure_shift_type(actor=None, centre=head.centre, code=code, name=name, kind=kind,
                                              start=start, end=end, breaks=breaks)
             for code, name, kind, start, end, breaks in SHIFT_TYPES}
    start_day = first_day(today)
    days = 7 * (WEEKS_BACK + WEEKS_AHEAD)
    now = timezone.now()
    lead_of = {t.pk: lead for t, lead in zip(org.teams, org.leads, strict=True)}
    with transaction.atomic():
        people_ids = [a.pk for a in org.agents]
        Shift.objects.filter(person_id__in=people_ids).delete()
        LeaveRequest.objects.filter(person_id__in=people_ids).delete()
        AnnualLeaveEntitlement.objects.filter(person_id__in=people_ids).delete()
        t0 = time.perf_counter()
        batch: list[Shift] = []
        made = 0
        for index, agent in enumerate(org.agents):
            offset = index % 7  # the person's cycle starts on another weekday
            for d in range(days):
                position = d + offset
                if position % 7 >= WORK_DAYS:
                    continue  # the two rest days of the cycle
                code = ROTATION[(position // 7 + index) % len(ROTATION)]
                shift_type = types[code]
                day = start_day + dt.timedelta(days=d)
                start_at, end_at = shift_moments(day, shift_type.start, shift_type.end)
                batch.append(Shift(person_id=agent.pk, team_id=agent.team_id, date=day, shift_type=shift_type,
                                   kind=shift_type.kind, start=shift_type.start, end=shift_type.end,
                                   start_at=start_at, end_at=end_at, status=Shift.Status.PUBLISHED,
                                   created_by=lead_of[agent.team_id], created_at=now))
                if len(batch) >= 5000:
                    Shift.objects.bulk_create(batch)
                    made += len(batch)
                    batch = []
        Shift.objects.bulk_create(batch)
        made += len(batch)
        shift_seconds = time.perf_counter() - t0
        _log(out, f"  {made:,} shifts in {shift_seconds:.1f} s")

        t0 = time.perf_counter()
        leave: list[LeaveRequest] = []
        for agent in org.agents:
            for _i in range(LEAVE_PER_AGENT):
                kind = rng.choice(["personal", "personal", "sick", "annual"])
                day = start_day + dt.timedelta(days=rng.randrange(days - 2))
                length = 2 if kind == "annual" and rng.random() < 0.5 else 1
                start_at = timezone.make_aware(dt.datetime.combine(day, dt.time()))
                end_at = start_at + dt.timedelta(days=length)
                filed = start_at - dt.timedelta(days=rng.randint(2, 10))
                pending = day > today and rng.random() < 0.15
                leave.append(LeaveRequest(
                    person_id=agent.pk, kind=kind, start_at=start_at, end_at=end_at, days=length,
                    reason=rng.choice(REASONS[kind]), filed_by_id=agent.pk, created_at=filed,
                    status=LeaveRequest.Status.PENDING if pending else LeaveRequest.Status.APPROVED,
                    approver_role="director" if length > 1 else "head",
                    decided_by_id=None if pending else (org.director.pk if length > 1 else head.pk),
                    decided_at=None if pending else filed + dt.timedelta(hours=3)))
        # two requests of one person may overlap by chance: keep the first (the app refuses overlaps)
        leave.sort(key=lambda r: (r.person_id, r.start_at))
        kept: list[LeaveRequest] = []
        for row in leave:
            if kept and kept[-1].person_id == row.person_id and kept[-1].end_at > row.start_at:
                continue
            kept.append(row)
        LeaveRequest.objects.bulk_create(kept, batch_size=5000)
        years = sorted({start_day.year, (start_day + dt.timedelta(days=days)).year})
        AnnualLeaveEntitlement.objects.bulk_create([
            AnnualLeaveEntitlement(person_id=a.pk, year=y, days=ANNUAL_DAYS) for a in org.agents for y in years])
        with connection.cursor() as cur:  # approved leave frees the shifts in its time, as _free_shifts does
            cur.execute(
                "UPDATE workforce_shift s SET leave_id = l.id FROM workforce_leaverequest l "
                "WHERE l.person_id = s.person_id AND l.status = 'approved' AND l.start_at < s.end_at "
                "AND l.end_at > s.start_at AND s.person_id = ANY(%s)", [people_ids])
            freed = cur.rowcount
        leave_seconds = time.perf_counter() - t0
        _log(out, f"  {len(kept):,} leave requests ({freed:,} shifts freed) in {leave_seconds:.1f} s")
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")
    return {"seconds": round(time.perf_counter() - started, 1), "shift_seconds": round(shift_seconds, 1),
            "leave_seconds": round(leave_seconds, 1), "counts": counts(), "freed_shifts": freed,
            "first_day": start_day.isoformat(), "days": days}


@dataclass
class WorkforceBench(Bench):
    wfm: WorkforceOrg | None = None

    def explain_one(self, name: str, fn) -> None:
        """EXPLAIN (ANALYZE, BUFFERS) of every workforce query one call of ``fn`` runs (leave: in a rollback)."""
        with transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                fn(0)
            for query in ctx.captured_queries:
                sql = query["sql"]
                if "workforce_" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(r[0] for r in cur.fetchall())
                self.plans.append(f"### {name}\n{sql}\n\n{plan}\n")
            transaction.set_rollback(True)

    def weeks(self, n: int = 12, seed: int = 3) -> list[dt.date]:
        """Mondays spread over the year of shifts (this week and next among them)."""
        from kefu.workforce.selectors import week_start

        rng = random.Random(seed)
        this = week_start(self.on)
        picks = [this, this + dt.timedelta(days=7)]
        while len(picks) < n:
            monday = this + dt.timedelta(days=7 * rng.randint(-WEEKS_BACK + 1, WEEKS_AHEAD - 2))
            if monday not in picks:
                picks.append(monday)
        return picks

    @staticmethod
    def page_client(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    # -- (a) the week roster --------------------------------------------------------------------------------
    def roster(self) -> None:
        from kefu.workforce import selectors

        org = self.wfm
        weeks = self.weeks()
        pairs = [(org.leads[i % len(org.teams)], org.teams[i % len(org.teams)], weeks[i % len(weeks)])
                 for i in range(len(org.teams) * len(weeks))]
        random.Random(11).shuffle(pairs)
        self.log(f"a team's week roster ({len(org.teams)} teams × {len(weeks)} weeks, rotating)")

        def selector(i: int) -> int:
            lead, team, monday = pairs[i % len(pairs)]
            roster = selectors.week_roster(self.fresh(lead), team, monday)
            return sum(len(cell) for row in roster.rows for cell in row.cells)

        self.timed("roster: selectors.week_roster (the team's lead)", "roster", selector,
                   target_ms=TARGETS_MS["roster"], note="rows = shifts in the week")
        clients = {lead.pk: self.page_client(lead) for lead in org.leads}

        def page_lead(i: int) -> None:
            lead, team, monday = pairs[i % len(pairs)]
            response = clients[lead.pk].get(f"/workforce/roster/?team={team.pk}&week={monday:%Y-%m-%d}")
            assert response.status_code == 200, response.content[:300]

        self.timed("roster: GET /workforce/roster/ (the team's lead, with the add-a-shift form)", "roster",
                   page_lead, target_ms=TARGETS_MS["roster"])
        head_client = self.page_client(org.head)

        def page_head(i: int) -> None:
            _lead, team, monday = pairs[i % len(pairs)]
            response = head_client.get(f"/workforce/roster/?team={team.pk}&week={monday:%Y-%m-%d}")
            assert response.status_code == 200, response.content[:300]

        self.timed("roster: GET /workforce/roster/ (the department head, 20 teams)", "roster", page_head,
                   target_ms=TARGETS_MS["roster"])

    # -- (b) a leave request ----------------------------------------------------------------------------------
    def leave_cases(self, n: int = 200, seed: int = 17) -> list[tuple[Any, dt.datetime, dt.datetime]]:
        """(agent, start, end) of one-day personal leave over a day with a shift of theirs, 3–60 days ahead,
        with no leave of theirs in it: a request the rules accept."""
        from kefu.workforce.models import LeaveRequest, Shift

        rng = random.Random(seed)
        cases = []
        tries = 0
        while len(cases) < n and tries < 50 * n:
            tries += 1
            agent = rng.choice(self.wfm.agents)
            day = self.on + dt.timedelta(days=rng.randint(3, 60))
            start_at = timezone.make_aware(dt.datetime.combine(day, dt.time()))
            end_at = start_at + dt.timedelta(days=1)
            if not Shift.objects.filter(person=agent, start_at__lt=end_at, end_at__gt=start_at).exists():
                continue
            if LeaveRequest.objects.filter(person=agent, status__in=["pending", "approved"], start_at__lt=end_at,
                                           end_at__gt=start_at).exists():
                continue
            cases.append((agent, start_at, end_at))
        return cases

    def leave(self) -> None:
        from kefu.workforce import services
        from kefu.workforce.models import LeaveRequest

        cases = self.leave_cases()
        self.log(f"a leave request checked and saved ({len(cases)} agent/day pairs, each rolled back)")
        before = LeaveRequest.objects.count()

        def request(i: int) -> None:
            agent, start_at, end_at = cases[i % len(cases)]
            with transaction.atomic():
                leave = services.request_leave(actor=self.fresh(agent), person=self.fresh(agent), kind="personal",
                                               start_at=start_at, end_at=end_at, reason="压测：家里有事")
                assert leave.pk and leave.status == "pending"
                transaction.set_rollback(True)

        self.timed("leave: services.request_leave (checked + saved, rolled back)", "leave", request,
                   target_ms=TARGETS_MS["leave"])
        assert LeaveRequest.objects.count() == before, "the leave benchmark left rows behind"

    def queries(self) -> dict[str, int]:
        """How many queries one call of each measurement runs (for the README)."""
        from kefu.workforce import selectors

        org = self.wfm
        monday = selectors.week_start(self.on)
        out = {}
        with CaptureQueriesContext(connection) as ctx:
            selectors.week_roster(self.fresh(org.leads[0]), org.teams[0], monday)
        out["week_roster"] = len(ctx.captured_queries)
        client = self.page_client(org.leads[0])
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/workforce/roster/?team={org.teams[0].pk}&week={monday:%Y-%m-%d}")
        out["roster_page_lead"] = len(ctx.captured_queries)
        from kefu.workforce import services

        agent, start_at, end_at = self.leave_cases(n=1, seed=99)[0]
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            services.request_leave(actor=self.fresh(agent), person=self.fresh(agent), kind="personal",
                                   start_at=start_at, end_at=end_at, reason="压测：家里有事")
            transaction.set_rollback(True)
        out["request_leave"] = len(ctx.captured_queries)
        return out

    def table(self) -> str:
        lines = [f"{'measurement':<76} {'median':>10} {'p95':>10} {'target':>9}  verdict"]
        for r in self.results:
            verdict = "ok" if r.ok else "MISSED"
            lines.append(f"{r.name:<76} {r.median_ms:>8.2f}ms {r.p95_ms:>8.2f}ms {r.target_ms:>7.0f}ms  {verdict}")
        return "\n".join(lines)


def run_measurements(bench: WorkforceBench, *, only: str = "") -> dict[str, int]:
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        if not only or "roster" in only:
            bench.roster()
        if not only or "leave" in only:
            bench.leave()
        return bench.queries()


def write_results(bench: WorkforceBench, meta: dict[str, Any]) -> Path:
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / "workforce.json"
    data = {**meta, "results": [{**r.__dict__, "ok": r.ok} for r in bench.results]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    if bench.plans:
        (OUT_DIR / "explain_workforce.txt").write_text("\n".join(bench.plans))
    return path


__all__ = ["WorkforceBench", "counts", "ensure_org", "foreign_shifts", "generate", "machine_info",
           "run_measurements", "write_results"]
