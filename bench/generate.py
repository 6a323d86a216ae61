"""Generate the benchmark data set on PostgreSQL, fast, with rows shaped exactly as the app writes them.

Going through the ORM (services.create_customer + record_followup) would take hours for a million
customers, so the rows are produced in SQL (``INSERT … SELECT … FROM generate_series``) from a few
small tables sent with ``COPY``: a pool of generated Chinese names with their pinyin forms computed
by the app's own :func:`kefu.customers.names.pinyin_forms`, the shops with the agents who serve
them, and the rule settings in force (cadences, grade months, pool limits). Every value follows
the app's rules:

- ``grade_proposed`` is what :func:`kefu.customers.grading.propose_grade` gives for the need and
  the expected close date on the day of the last contact; ``grade`` equals it, except for ~3 %
  overrides one grade up, which carry a ``grade_reason`` as the app requires;
- ``next_due`` = last contact + cadence of the grade (R-CUS-4); owned customers were contacted
  recently enough not to be due back in the pool; pool customers (15 %, never a won deal) were
  neglected past their pool limit, have no owner, a ``previous_owner``, ``pool_entered_at`` and no
  countdown; ``countdown_from`` of owned customers is the later of the last follow-up and
  ``owner_since`` (R-CUS-10);
- owners are agents of a team serving the customer's shop (R-ORG-2);
- phones are normalized 11-digit mobiles with ``reversed_number``; names carry ``name_pinyin`` and
  ``name_initials``; e-mails are lower case;
- each customer's follow-ups end with the one at ``last_followup_at``, whose ``next_due_after`` is
  the customer's ``next_due``; ``was_due`` is the next_due before each follow-up; the agent is the
  owner (the previous owner for pool customers); one ``GradeChange`` ("created") per customer.

Not generated: audit-trail rows, orders, care tasks, reminders (none of the measured queries read them).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from kefu.customers.grading import DAYS_PER_MONTH, CustomerRules, load_rules
from kefu.customers.names import pinyin_forms
from kefu.org import services as org_services
from kefu.org.models import Department, Shop, Team, User, UserRole
from kefu.org.roles import Role

BENCH_CENTRE = "性能测试中心"
BENCH_DEPARTMENT = "性能测试客服部"
PREFIX = "bench-"  # shop codes and usernames of the bench organisation
AGENTS_PER_TEAM = 10
SHOPS_PER_TEAM = 2  # shops = 2 × teams; each team serves 3 shops (its two and its neighbour's first)
POOL_SHARE = 0.15
NAME_POOL = 8000
TAGS = ["老客户", "价格敏感", "企业客户", "复购", "投诉过", "高端", "学生", "团购"]
TABLES = ["customers_customer", "customers_customerphone", "customers_customertag", "customers_followup",
          "customers_gradechange"]

# Common surnames with rough relative frequencies, and characters of given names.
SURNAMES = (
    "王14 李14 张13 刘9 陈8 杨6 黄4 赵4 吴4 周4 徐3 孙3 马3 朱3 胡2 郭2 何2 高2 林2 罗2 郑2 梁2 谢1 宋1 唐1 "
    "许1 韩1 冯1 邓1 曹1 彭1 曾1 肖1 田1 董1 袁1 潘1 于1 蒋1 蔡1 余1 杜1 叶1 程1 苏1 魏1 吕1 丁1 任1 沈1 "
    "姚1 卢1 姜1 崔1 钟1 谭1 陆1 汪1 范1 金1 石1 廖1 贾1 夏1 韦1 付1 方1 白1 邹1 孟1 熊1 秦1 邱1 江1 尹1 "
    "薛1 闫1 段1 雷1 侯1 龙1 史1 陶1 黎1 贺1 顾1 毛1 郝1 龚1 邵1 万1 钱1 严1 覃1 武1 戴1 莫1 孔1 向1 汤1 "
    "欧阳1 司马1 诸葛1 上官1"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红华建国志飞鹏辉斌宇浩凯健俊帆帅旭宁龙林波"
    "晨欣怡佳琪雪梅琳丹婷倩颖慧巧美淑惠珠翠雅芝薇月莹凤洁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽"
    "琬茗羽希宁欢霄子涵宁轩博文思源嘉懿瑞哲睿渊弘毅天佑昊然宸泽楷瑜锦程家豪立诚晓东春生海峰永福德"
)
CONTENTS = ["介绍新套餐", "确认需求", "回访使用情况", "催付款", "约上门时间", "发送报价单", "节日问候", "处理售后疑问"]
OUTCOMES = ["", "", "客户有意向", "再联系", "已下单", "暂无需求"]
NOTES = ["希望周末联系", "对价格比较敏感", "只接受微信沟通", "老客户介绍", "关注售后服务"]
REGIONS = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "重庆"]
OCCUPATIONS = ["教师", "工程师", "医生", "个体经营", "公务员", "学生", "销售", "设计师"]
CHANNELS = ["电话咨询", "线上广告", "朋友介绍", "门店到访", "展会"]


@dataclass
class BenchOrg:
    centre_id: int
    shops: list[Shop]
    teams: list[Team]
    agents: list[User]
    leads: list[User]
    director: User
    team_shops: dict[int, list[int]] = field(default_factory=dict)  # team id → shop ids


def _sql_text_array(values: list[str]) -> str:
    """A literal ARRAY[...] of constant strings (our own constants, never user input)."""
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def name_pool(size: int = NAME_POOL, seed: int = 2026) -> list[tuple[str, str, str]]:
    """``size`` distinct plausible Chinese names with their pinyin forms, as the app computes them."""
    rng = random.Random(seed)
    surnames, weights = [], []
    for token in SURNAMES.split():
        surnames.append(token.rstrip("0123456789"))
        weights.append(int(token[len(surnames[-1]):]))
    given = list(dict.fromkeys(GIVEN))
    names: dict[str, None] = {}
    while len(names) < size:
        surname = rng.choices(surnames, weights)[0]
        length = 1 if rng.random() < 0.3 else 2
        names[surname + "".join(rng.choice(given) for _ in range(length))] = None
    return [(name, *pinyin_forms(name)) for name in names]


@transaction.atomic
def ensure_org(agents: int) -> BenchOrg:
    """The bench organisation: one centre, a service department, ``agents`` agents in teams of 10
    with a lead each, two shops per team (each team also serves its neighbour's first shop, so
    some shops have two teams), and a centre director. Safe to run again."""
    centre = org_services.ensure_centre(actor=None, name=BENCH_CENTRE)
    dept = org_services.ensure_department(actor=None, centre=centre, name=BENCH_DEPARTMENT,
                                          kind=Department.Kind.SERVICE)
    n_teams = max(1, math.ceil(agents / AGENTS_PER_TEAM))
    n_shops = n_teams * SHOPS_PER_TEAM
    shops = [org_services.ensure_shop(actor=None, centre=centre, code=f"{PREFIX}{i + 1:03d}",
                                      name=f"测试店铺{i + 1:03d}") for i in range(n_shops)]
    teams, team_shops = [], {}
    for t in range(n_teams):
        served = [shops[2 * t], shops[2 * t + 1], shops[(2 * t + 2) % n_shops]]
        team = org_services.ensure_team(actor=None, department=dept, name=f"测试{t + 1:02d}班", shops=served)
        teams.append(team)
        team_shops[team.pk] = sorted({s.pk for s in served})

    # People in bulk with unusable passwords: create_person hashes a password per person (~0.5 s each).
    unusable = make_password(None)
    wanted: list[tuple[str, str, str, Team | None]] = [(f"{PREFIX}director", "测试主任", Role.DIRECTOR, None)]
    wanted += [(f"{PREFIX}lead-{t + 1:02d}", f"测试班长{t + 1:02d}", Role.LEAD, teams[t]) for t in range(n_teams)]
    wanted += [(f"{PREFIX}agent-{a + 1:04d}", f"测试客服{a + 1:04d}", Role.AGENT, teams[a // AGENTS_PER_TEAM])
               for a in range(agents)]
    existing = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    new_people = [User(username=u, display_name=d, centre=centre, department=dept, team=team, password=unusable,
                       email=f"{u}@example.com")
                  for u, d, _role, team in wanted if u not in existing]
    User.objects.bulk_create(new_people)
    people = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    have_roles = set(UserRole.objects.filter(user__in=people.values()).values_list("user_id", "role"))
    UserRole.objects.bulk_create([UserRole(user=people[u], role=role) for u, _d, role, _t in wanted
                                  if (people[u].pk, role) not in have_roles])
    wanted_names = {w[0] for w in wanted}
    User.objects.filter(username__startswith=PREFIX).exclude(username__in=wanted_names).update(is_active=False)
    User.objects.filter(username__in=wanted_names).update(is_active=True)
    return BenchOrg(
        centre_id=centre.pk, shops=shops, teams=teams,
        agents=[people[f"{PREFIX}agent-{a + 1:04d}"] for a in range(agents)],
        leads=[people[f"{PREFIX}lead-{t + 1:02d}"] for t in range(n_teams)],
        director=people[f"{PREFIX}director"], team_shops=team_shops,
    )


def foreign_customers() -> int:
    """Customers outside the bench shops: a database holding any is not a bench database."""
    from kefu.customers.models import Customer

    return Customer.objects.exclude(shop__code__startswith=PREFIX).count()


def counts() -> dict[str, int]:
    with connection.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
            out[table] = cur.fetchone()[0]
        return out


def _rules_sql(rules: CustomerRules) -> dict[str, str]:
    """SQL CASE expressions over a column ``grade`` for the rule values per grade."""
    def case(values: dict[str, int]) -> str:
        return "(CASE grade " + " ".join(f"WHEN '{g}' THEN {int(v)}" for g, v in values.items()) + " END)"

    return {
        "cadence": case(rules.cadence_days),
        "pool_after": case({g: rules.pool_after_days(g) for g in rules.cadence_days}),
    }


def _log(out, message: str) -> None:
    if out is not None:
        out.write(message + "\n")


def generate(*, customers: int, followups: int, agents: int, seed: float = 0.2026, out=None) -> dict:
    """Replace the bench customers by a fresh data set. Returns timings (seconds) and counts."""
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def step(name: str, t0: float) -> float:
        timings[name] = round(time.perf_counter() - t0, 2)
        _log(out, f"  {name}: {timings[name]:.1f} s")
        return time.perf_counter()

    t = time.perf_counter()
    org = ensure_org(agents)
    pool = name_pool()
    rules = load_rules(org.centre_id)
    today = timezone.localdate()
    t = step("organisation and name pool", t)

    rsql = _rules_sql(rules)
    months = rules.grade_months
    tz = settings.TIME_ZONE
    params = {
        "C": customers, "F": followups, "S": len(org.shops), "P": len(pool), "today": today, "tz": tz,
        "pool_share": POOL_SHARE, "gA": months["A"] * DAYS_PER_MONTH, "gB": months["B"] * DAYS_PER_MONTH,
        "gC": months["C"] * DAYS_PER_MONTH, "won_exempt": rules.pool_exempt_won,
    }
    agents_by_team = {team.pk: [] for team in org.teams}
    for agent in org.agents:
        agents_by_team[agent.team_id].append(agent.pk)
    shop_agents: dict[int, list[int]] = {s.pk: [] for s in org.shops}
    for team_id, shop_ids in org.team_shops.items():
        for shop_id in shop_ids:
            shop_agents[shop_id] += agents_by_team[team_id]

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")  # setseed() → repeatable random()
        cur.execute("TRUNCATE " + ", ".join(TABLES) + " RESTART IDENTITY CASCADE")

        # Drop the secondary indexes and foreign keys of the tables we fill; rebuilt after loading
        # (one sort per index and one join per key instead of millions of row-by-row updates).
        cur.execute("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """, [TABLES])
        indexes = cur.fetchall()
        cur.execute("""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
        """, [TABLES])
        fkeys = cur.fetchall()
        for table, name, _definition in fkeys:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')

        cur.execute("CREATE TEMP TABLE bench_names (no int, name text, pinyin text, initials text) ON COMMIT DROP")
        with cur.cursor.copy("COPY bench_names (no, name, pinyin, initials) FROM STDIN") as copy:
            for i, (name, full, initials) in enumerate(pool):
                copy.write_row((i, name, full, initials))
        cur.execute("CREATE TEMP TABLE bench_shops (no int, shop_id bigint, agents bigint[], n int) ON COMMIT DROP")
        with cur.cursor.copy("COPY bench_shops (no, shop_id, agents, n) FROM STDIN") as copy:
            for i, shop in enumerate(org.shops):
                copy.write_row((i, shop.pk, shop_agents[shop.pk], len(shop_agents[shop.pk])))
        cur.execute("ANALYZE bench_names")
        cur.execute("ANALYZE bench_shops")
        cur.execute("SELECT setseed(%s)", [seed])
        t = step("drop indexes, send names and shops (COPY)", t)

        # Follow-ups per customer: weights 0..10, scaled so that the total is exactly F.
        cur.execute("""
            CREATE TEMP TABLE bench_k ON COMMIT DROP AS
            SELECT id, ((%(F)s::bigint * cum) / greatest(tot, 1) - (%(F)s::bigint * (cum - w)) / greatest(tot, 1))::int AS k
            FROM (SELECT id, w, sum(w) OVER (ORDER BY id) AS cum, sum(w) OVER () AS tot
                  FROM (SELECT g AS id, floor(random() * 11)::int AS w FROM generate_series(1, %(C)s) g) w) s
        """, params)
        cur.execute("ANALYZE bench_k")

        # One row per customer with every value the customer, its follow-ups and phones need.
        cur.execute(f"""
            CREATE TEMP TABLE bench_c ON COMMIT DROP AS
            WITH r AS (
                SELECT k.id, k.k, random() AS r_shop, random() AS r_pool, random() AS r_owner, random() AS r_name,
                       random() AS r_need, random() AS r_deal, random() AS r_close, random() AS r_over,
                       random() AS r_last, random() AS r_time, random() AS r_value, random() AS r_jit,
                       random() AS r_created
                FROM bench_k k
            ), a AS (
                SELECT r.*, floor(r_shop * %(S)s)::int AS shop_no, floor(r_name * %(P)s)::int AS name_no,
                       CASE WHEN r_need < 0.4 THEN 'target' WHEN r_need < 0.8 THEN 'latent' ELSE 'dead' END AS need,
                       CASE WHEN r_deal < 0.15 THEN 'won' WHEN r_deal < 0.40 THEN 'negotiating'
                            ELSE 'prospect' END AS deal,
                       1 + floor(r_close * 300)::int AS close_off
                FROM r
            ), b AS (
                SELECT a.*,
                       CASE WHEN need = 'dead' THEN 'E' WHEN need = 'latent' THEN 'D'
                            WHEN close_off <= %(gA)s THEN 'A' WHEN close_off <= %(gB)s THEN 'B'
                            WHEN close_off <= %(gC)s THEN 'C' ELSE 'D' END AS proposed,
                       r_pool < %(pool_share)s AND NOT (%(won_exempt)s AND deal = 'won') AS in_pool
                FROM a
            ), c AS (
                SELECT b.*,
                       CASE WHEN r_over < 0.03 AND proposed IN ('B', 'C', 'D') THEN chr(ascii(proposed) - 1)
                            ELSE proposed END AS grade
                FROM b
            ), d AS (
                SELECT c.*, {rsql['cadence']} AS cadence, {rsql['pool_after']} AS pool_after,
                       CASE WHEN r_jit < 0.6 THEN 0 WHEN r_jit < 0.85 THEN 1 ELSE 2 END AS jitter
                FROM c
            ), e AS (
                SELECT d.*,
                       (%(today)s::date - CASE WHEN in_pool THEN pool_after + 1 + floor(r_last * 60)::int
                                              ELSE least(floor(r_last * 1.3 * cadence)::int, pool_after) END
                       ) AS last_date
                FROM d
            ), f AS (
                SELECT e.*,
                       greatest(least(((last_date + time '09:00') + r_time * interval '9 hours') AT TIME ZONE %(tz)s,
                                      now() - interval '1 minute'),
                                (last_date + time '00:00') AT TIME ZONE %(tz)s) AS last_at,
                       least(cadence, 30) + jitter AS step
                FROM e
            )
            SELECT f.id, f.k, s.shop_id, f.in_pool,
                   s.agents[1 + floor(f.r_owner * s.n)::int] AS agent_id,
                   n.name, n.pinyin, n.initials, f.need, f.deal, f.proposed, f.grade, f.cadence, f.pool_after,
                   f.step, f.last_date, f.last_at,
                   CASE WHEN f.need = 'target' THEN f.last_date + f.close_off END AS close_date,
                   f.last_date + f.cadence AS next_due,
                   CASE WHEN f.k > 0 THEN f.last_at - (f.k - 1) * f.step * interval '1 day'
                                          - (1 + floor(f.r_created * 30)) * interval '1 day'
                        ELSE f.last_at END AS created_at,
                   f.r_value, f.r_created
            FROM f JOIN bench_shops s ON s.no = f.shop_no JOIN bench_names n ON n.no = f.name_no
        """, params)  # noqa: S608 - constants and rule numbers of our own, no input
        cur.execute("ANALYZE bench_c")
        t = step("plan customers (temp table)", t)

        cur.execute(f"""
            INSERT INTO customers_customer (
                id, version, name, name_pinyin, name_initials, gender, birthday, region, occupation, source_channel,
                email, wechat, address, preferences, notes, need_status, deal_status, expected_close_date,
                expected_amount, grade, grade_proposed, grade_reason, last_followup_at, next_due, value_score,
                value_tier, churn_risk, churn_reasons, complaints_total, complaints_open, owner_since,
                countdown_from, pool_entered_at, created_at, updated_at, created_by_id, owner_id,
                previous_owner_id, referred_by_id, shop_id)
            SELECT id, 1, name, pinyin, initials,
                   CASE WHEN random() < 0.5 THEN 'f' WHEN random() < 0.9 THEN 'm' ELSE '' END,
                   CASE WHEN random() < 0.7 THEN date '1960-01-01' + floor(random() * 15000)::int END,
                   CASE WHEN random() < 0.6 THEN ({_sql_text_array(REGIONS)})[1 + floor(random() * {len(REGIONS)})::int]
                        ELSE '' END,
                   CASE WHEN random() < 0.4
                        THEN ({_sql_text_array(OCCUPATIONS)})[1 + floor(random() * {len(OCCUPATIONS)})::int]
                        ELSE '' END,
                   ({_sql_text_array(CHANNELS)})[1 + floor(random() * {len(CHANNELS)})::int],
                   CASE WHEN random() < 0.2 THEN pinyin || id || '@example.com' ELSE '' END,
                   '', '', '',
                   CASE WHEN random() < 0.1 THEN ({_sql_text_array(NOTES)})[1 + floor(random() * {len(NOTES)})::int]
                        ELSE '' END,
                   need, deal, close_date,
                   CASE WHEN random() < 0.5 THEN (ARRAY[5000, 20000, 80000, 150000, 300000])[1 + floor(random() * 5)::int]
                        END,
                   grade, proposed, CASE WHEN grade <> proposed THEN '客户表示会提前决定' ELSE '' END,
                   CASE WHEN k > 0 THEN last_at END, next_due,
                   round((r_value * 100)::numeric, 2)::float8,
                   CASE WHEN r_value >= 0.95 THEN 'vip' WHEN r_value >= 0.80 THEN 'major'
                        WHEN r_created < 0.03 THEN 'potential_vip' WHEN r_value >= 0.50 THEN 'normal'
                        ELSE 'general' END,
                   false, '[]'::jsonb, 0, 0,
                   created_at,
                   CASE WHEN NOT in_pool THEN last_date END,
                   CASE WHEN in_pool
                        THEN ((last_date + pool_after + 1) + time '02:00') AT TIME ZONE %(tz)s END,
                   created_at,
                   CASE WHEN in_pool THEN ((last_date + pool_after + 1) + time '02:00') AT TIME ZONE %(tz)s
                        ELSE last_at END,
                   agent_id,
                   CASE WHEN in_pool THEN NULL ELSE agent_id END,
                   CASE WHEN in_pool THEN agent_id END,
                   NULL, shop_id
            FROM bench_c ORDER BY id
        """, params)  # noqa: S608 - constants and rule numbers of our own, no input
        t = step("customers", t)

        # Phones: one each, a second for 20 %; mobiles 1[3-9]xxxxxxxxx.
        cur.execute("""
            INSERT INTO customers_customerphone (number, reversed_number, position, customer_id)
            SELECT number, reverse(number), pos, id FROM (
                SELECT c.id, p.pos,
                       '1' || (3 + floor(random() * 7))::int || lpad(floor(random() * 1e9)::bigint::text, 9, '0')
                           AS number
                FROM bench_c c
                CROSS JOIN LATERAL generate_series(0, CASE WHEN random() + 0 * c.id < 0.2 THEN 1 ELSE 0 END) p(pos)
            ) x ORDER BY id, pos
        """)
        cur.execute(f"""
            INSERT INTO customers_customertag (tag, customer_id)
            SELECT DISTINCT ({_sql_text_array(TAGS)})[1 + floor(random() * {len(TAGS)})::int], c.id
            FROM bench_c c
            CROSS JOIN LATERAL generate_series(1, CASE WHEN random() + 0 * c.id < 0.3 THEN 1
                                                       WHEN random() < 0.15 THEN 2 ELSE 0 END) g
        """)  # noqa: S608 - constants and rule numbers of our own, no input
        cur.execute("""
            INSERT INTO customers_gradechange (at, from_grade, to_grade, proposed, reason, source, by_id, customer_id)
            SELECT created_at, '', grade, proposed, CASE WHEN grade <> proposed THEN '客户表示会提前决定' ELSE '' END,
                   'created', agent_id, id
            FROM bench_c ORDER BY id
        """)
        t = step("phones, tags, grade changes", t)

        # Follow-up j of k is (k - j) steps before the last one; was_due = previous contact + cadence.
        cur.execute(f"""
            INSERT INTO customers_followup (at, method, content, outcome, grade_before, grade_after, next_due_after,
                                            was_due, created_at, agent_id, customer_id)
            SELECT at, (ARRAY['phone', 'phone', 'wechat', 'visit', 'email', 'meeting'])[1 + floor(random() * 6)::int],
                   ({_sql_text_array(CONTENTS)})[1 + floor(random() * {len(CONTENTS)})::int],
                   ({_sql_text_array(OUTCOMES)})[1 + floor(random() * {len(OUTCOMES)})::int],
                   grade, grade,
                   (at AT TIME ZONE %(tz)s)::date + cadence,
                   CASE WHEN j > 1 THEN ((at - step * interval '1 day') AT TIME ZONE %(tz)s)::date + cadence END,
                   at, agent_id, id
            FROM (
                SELECT c.id, c.grade, c.cadence, c.step, c.agent_id, j,
                       c.last_at - (c.k - j) * c.step * interval '1 day' AS at
                FROM bench_c c CROSS JOIN LATERAL generate_series(1, c.k) j
            ) x ORDER BY id, at
        """, params)  # noqa: S608 - constants and rule numbers of our own, no input
        t = step("follow-ups", t)

        for table in TABLES:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our table names
                        f"greatest((SELECT max(id) FROM {table}), 1))")
        for _name, definition in indexes:
            cur.execute(definition)
        t = step(f"rebuild {len(indexes)} indexes", t)
        for table, name, definition in fkeys:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        t = step(f"re-add {len(fkeys)} foreign keys (validated)", t)

    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")
    step("VACUUM ANALYZE", t)
    total = round(time.perf_counter() - started, 1)
    return {"seconds": total, "steps": timings, "date": today.isoformat(), "counts": counts(),
            "customers": customers, "followups": followups, "agents": agents}



def check_sample(*, size: int = 300, today=None) -> list[str]:
    """Check ``size`` random customers against the app's own rules; returns the problems found."""
    from kefu.customers.grading import next_due, pool_return_date, propose_grade
    from kefu.customers.models import Customer, FollowUp
    from kefu.org.scope import scope_for

    today = today or timezone.localdate()
    rules_by_centre: dict[int, CustomerRules] = {}
    problems: list[str] = []
    ids = list(Customer.objects.order_by("?").values_list("pk", flat=True)[:size])
    for c in Customer.objects.filter(pk__in=ids).select_related("shop", "owner", "previous_owner"):
        rules = rules_by_centre.setdefault(c.shop.centre_id, load_rules(c.shop.centre_id))
        last = timezone.localdate(c.last_followup_at) if c.last_followup_at else timezone.localdate(c.created_at)
        where = f"customer {c.pk}"
        if (c.name_pinyin, c.name_initials) != pinyin_forms(c.name):
            problems.append(f"{where}: pinyin forms")
        if c.grade_proposed != propose_grade(rules, need_status=c.need_status,
                                             expected_close_date=c.expected_close_date, today=last):
            problems.append(f"{where}: grade_proposed")
        if c.grade != c.grade_proposed and not c.grade_reason:
            problems.append(f"{where}: override without a reason")
        if c.next_due != next_due(rules, last_contact=last, grade=c.grade):
            problems.append(f"{where}: next_due")
        if c.owner_id is not None:
            if not scope_for(c.owner).can_see_shop(c.shop_id):
                problems.append(f"{where}: owner does not serve the shop")
            if c.countdown_from != max(last, timezone.localdate(c.owner_since)):
                problems.append(f"{where}: countdown_from")
            if pool_return_date(rules, last_contact=c.countdown_from, grade=c.grade) <= today:
                problems.append(f"{where}: owned but due back in the pool")
        else:
            if c.countdown_from is not None or c.pool_entered_at is None or c.previous_owner_id is None:
                problems.append(f"{where}: pool fields")
            if c.deal_status == "won" and rules.pool_exempt_won:
                problems.append(f"{where}: won deal in the pool")
        phones = list(c.phones.all())
        if not phones or any(p.reversed_number != p.number[::-1] or len(p.number) != 11 for p in phones):
            problems.append(f"{where}: phones")
        followups = list(FollowUp.objects.filter(customer=c).order_by("at"))
        if followups:
            latest = followups[-1]
            if latest.at != c.last_followup_at or latest.next_due_after != c.next_due:
                problems.append(f"{where}: last follow-up")
            if latest.agent_id != (c.owner_id or c.previous_owner_id):
                problems.append(f"{where}: follow-up agent")
            for before, after in zip(followups, followups[1:], strict=False):
                if after.was_due != before.next_due_after:
                    problems.append(f"{where}: was_due")
                    break
        elif c.last_followup_at is not None:
            problems.append(f"{where}: last_followup_at without follow-ups")
    return problems
