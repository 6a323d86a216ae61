"""Generate the ticket data set on PostgreSQL, fast: ``INSERT … SELECT … FROM generate_series`` with
the secondary indexes and foreign keys dropped during the load and rebuilt afterwards.

The tickets belong to the bench organisation of :mod:`bench.generate` (its first ``agents`` agents:
with 50 agents that is teams 1–5 and the 11 shops they serve). Rows are shaped as the services
write them:

- numbers ``KFyyyymmdd-nnnn`` counted per local day (the counter of the day is set, so tickets
  created later through the API continue the sequence); ``created_at`` spread over two years;
- owner: an agent of a team serving the shop (R-TIC-3, R-ORG-2); ~3 % of new tickets wait unowned
  in the queue; half of the tickets name a customer of the same shop (when customers exist);
- status: tickets of the last 30 days are open with a probability of 20 % (new / in progress /
  waiting), everything else is resolved, callback done or closed; resolution due 4–72 h after
  creation, warning at 80 %, ``sla_state`` from those moments;
- Chinese titles (product + problem) and descriptions (2–4 sentences from a pool of ~60), so that
  keyword frequencies vary from rare to common;
- timeline: a "created" event and 1–5 more (replies, notes, status changes); ~8 % of tickets have a
  task for another department (物流部), done when the ticket is no longer open.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench import generate as gen
from kefu.org import services as org_services
from kefu.org.models import Department

TABLES = ["tickets_ticket", "tickets_ticketevent", "tickets_departmenttask"]
OTHER_DEPARTMENT = "性能测试物流部"
OPEN_SHARE_RECENT = 0.20  # of the tickets created in the last 30 days

PRODUCTS = ["空调", "冰箱", "洗衣机", "热水器", "电视机", "手机", "笔记本电脑", "路由器", "扫地机器人", "净水器",
            "油烟机", "微波炉", "电饭煲", "空气净化器", "吸尘器", "智能门锁", "投影仪", "平板电脑", "耳机", "音箱",
            "电动牙刷", "吹风机", "咖啡机", "烤箱", "洗碗机", "加湿器", "电风扇", "取暖器", "摄像头", "打印机"]
PROBLEMS = ["不制冷", "无法开机", "漏水", "噪音很大", "退款没有到账", "物流延误", "发票开错", "安装师傅迟到",
            "配件缺失", "屏幕有坏点", "遥控器失灵", "申请退货", "咨询保修政策", "包装破损", "收到的颜色不对",
            "充电很慢", "连不上网络", "异味明显", "频繁死机", "价格保护申请", "赠品没有收到", "催促发货",
            "预约上门维修", "要求换新", "投诉客服态度", "会员积分未到账", "优惠券无法使用", "地址需要修改",
            "电池鼓包", "按键失灵", "显示错误代码", "使用说明咨询", "延保服务咨询", "以旧换新咨询"]
SENTENCES = ["客户来电反映问题已经持续三天", "客户情绪比较激动，希望尽快处理", "已核实订单信息无误",
             "客户表示已经联系过两次但没有结果", "建议安排师傅上门检测", "客户要求提供书面说明",
             "物流显示包裹仍在运输途中", "仓库反馈库存不足需要调货", "客户同意先远程指导排查",
             "已告知客户处理时限", "客户希望周末上门", "需要财务部门确认退款进度", "客户提供了照片作为凭证",
             "产品仍在保修期内", "客户购买时间超过七天", "已为客户登记换货申请", "客户对处理结果表示满意",
             "客户表示会继续关注", "安装地址在偏远地区", "需要厂家技术支持", "已发送短信通知客户",
             "客户要求补偿运费", "订单使用了分期付款", "客户是老会员", "客户第一次购买本店商品",
             "商品页面描述与实物不符", "客户反映售后电话难打通", "已升级给班长处理", "客户同意等待配件到货",
             "系统显示退款已经原路退回", "银行处理需要三到五个工作日", "客户怀疑收到的是翻新机",
             "快递员未按约定时间派送", "客户要求开具增值税专用发票", "已安排优先处理", "客户不方便接听电话",
             "请物流部协助查询包裹去向", "客户希望更换型号", "维修网点距离较远", "已记录客户的改进建议",
             "客户询问能否延长保修", "客户反馈门店服务很好", "商品外包装有明显压痕", "客户收到了错误的配件",
             "售后工单已同步给厂家", "客户希望电话回访", "处理过程中客户多次催促", "需要客户补充购买凭证",
             "客户在社交媒体上发布了投诉", "已向客户致歉并说明原因", "客户愿意接受部分退款",
             "检测后确认为人为损坏", "检测后确认为质量问题", "客户要求上门取件", "本周内给客户答复",
             "客户的手机号码已经更换", "客户希望保留原来的订单", "活动规则解释后客户理解", "已安排快递重新发货"]
EVENT_KINDS = ["reply", "note", "note", "transition", "reply"]


def bench_department(centre_id: int) -> Department:
    from kefu.org.models import Centre

    centre = Centre.objects.get(pk=centre_id)
    return org_services.ensure_department(actor=None, centre=centre, name=OTHER_DEPARTMENT,
                                          kind=Department.Kind.OTHER)


def foreign_tickets() -> int:
    from kefu.tickets.models import Ticket

    return Ticket.objects.exclude(shop__code__startswith=gen.PREFIX).count()


def counts() -> dict[str, int]:
    with connection.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
            out[table] = cur.fetchone()[0]
        return out


def ticket_agents(org: gen.BenchOrg, agents: int) -> tuple[list, dict[int, list[int]]]:
    """The first ``agents`` agents and, per shop served by their teams, the agents among them."""
    chosen = org.agents[:agents]
    by_team: dict[int, list[int]] = {}
    for agent in chosen:
        by_team.setdefault(agent.team_id, []).append(agent.pk)
    shop_agents: dict[int, list[int]] = {}
    for team_id, people in by_team.items():
        for shop_id in org.team_shops[team_id]:
            shop_agents.setdefault(shop_id, []).extend(people)
    return chosen, shop_agents


def _log(out, message: str) -> None:
    if out is not None:
        out.write(message + "\n")
        out.flush()


def generate(*, org: gen.BenchOrg, tickets: int, agents: int, seed: float = 0.1123, out=None) -> dict:
    """Replace all tickets by ``tickets`` generated ones. Returns timings (seconds) and counts."""
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def step(name: str, t0: float) -> float:
        timings[name] = round(time.perf_counter() - t0, 2)
        _log(out, f"  {name}: {timings[name]:.1f} s")
        return time.perf_counter()

    t = time.perf_counter()
    dept = bench_department(org.centre_id)
    _chosen, shop_agents = ticket_agents(org, agents)
    now = timezone.now()
    params = {"T": tickets, "now": now, "tz": settings.TIME_ZONE, "open_share": OPEN_SHARE_RECENT,
              "dept": dept.pk, "S": len(shop_agents)}
    arr = gen._sql_text_array  # noqa: SLF001 - sibling module of the benchmark

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")  # setseed() → repeatable random()
        cur.execute("TRUNCATE tickets_ticket, tickets_ticketcounter RESTART IDENTITY CASCADE")
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

        cur.execute("CREATE TEMP TABLE bt_shops (no int, shop_id bigint, agents bigint[], n int, customers int) "
                    "ON COMMIT DROP")
        with cur.cursor.copy("COPY bt_shops (no, shop_id, agents, n, customers) FROM STDIN") as copy:
            for i, (shop_id, people) in enumerate(sorted(shop_agents.items())):
                copy.write_row((i, shop_id, people, len(people), 0))
        cur.execute("""
            CREATE TEMP TABLE bt_customers ON COMMIT DROP AS
            SELECT c.shop_id, row_number() OVER (PARTITION BY c.shop_id ORDER BY c.id) AS rn, c.id
            FROM customers_customer c WHERE c.shop_id IN (SELECT shop_id FROM bt_shops)
        """)
        cur.execute("CREATE INDEX ON bt_customers (shop_id, rn)")
        cur.execute("UPDATE bt_shops s SET customers = x.n FROM (SELECT shop_id, count(*) AS n FROM bt_customers "
                    "GROUP BY shop_id) x WHERE x.shop_id = s.shop_id")
        cur.execute("ANALYZE bt_shops")
        cur.execute("ANALYZE bt_customers")
        cur.execute("SELECT setseed(%s)", [seed])
        t = step("drop indexes, shops and customers per shop", t)

        # One row per ticket with the random choices; created_at grows with the id over two years.
        cur.execute("""
            CREATE TEMP TABLE bt ON COMMIT DROP AS
            WITH r AS (
                SELECT g AS id,
                       %(now)s::timestamptz - interval '730 days' * (1 - g::float8 / %(T)s)
                           - interval '1 minute' * floor(random() * 30) AS created_at,
                       random() AS r_shop, random() AS r_owner, random() AS r_open, random() AS r_status,
                       random() AS r_type, random() AS r_chan, random() AS r_prio, random() AS r_cust,
                       random() AS r_cust2, random() AS r_res, random() AS r_resp, random() AS r_phone,
                       random() AS r_queue
                FROM generate_series(1, %(T)s) g
            )
            SELECT r.*, s.shop_id, s.agents[1 + floor(r.r_owner * s.n)::int] AS agent_id,
                   CASE WHEN s.customers > 0 AND r.r_cust < 0.5
                        THEN 1 + floor(r.r_cust2 * s.customers)::int END AS cust_rn,
                   CASE WHEN r.created_at > %(now)s::timestamptz - interval '30 days' AND r.r_open < %(open_share)s
                        THEN CASE WHEN r.r_status < 0.2 THEN 'new' WHEN r.r_status < 0.8 THEN 'in_progress'
                                  ELSE 'waiting' END
                        ELSE CASE WHEN r.r_status < 0.05 THEN 'resolved' WHEN r.r_status < 0.15 THEN 'callback_done'
                                  ELSE 'closed' END END AS status,
                   CASE WHEN r.r_type < 0.30 THEN 'consultation' WHEN r.r_type < 0.50 THEN 'query'
                        WHEN r.r_type < 0.65 THEN 'service' WHEN r.r_type < 0.70 THEN 'suggestion'
                        WHEN r.r_type < 0.82 THEN 'complaint' WHEN r.r_type < 0.95 THEN 'after_sales'
                        ELSE 'fault' END AS type,
                   CASE WHEN r.r_prio < 0.10 THEN 'low' WHEN r.r_prio < 0.80 THEN 'normal'
                        WHEN r.r_prio < 0.95 THEN 'high' ELSE 'urgent' END AS priority,
                   interval '1 hour' * (4 + floor(r.r_res * 68)) AS res_span
            FROM r JOIN bt_shops s ON s.no = floor(r.r_shop * %(S)s)::int
        """, params)
        cur.execute("ANALYZE bt")
        cur.execute("""
            CREATE TEMP TABLE bt_numbers ON COMMIT DROP AS
            SELECT id, (created_at AT TIME ZONE %(tz)s)::date AS day,
                   row_number() OVER (PARTITION BY (created_at AT TIME ZONE %(tz)s)::date ORDER BY id) AS seq
            FROM bt
        """, params)
        cur.execute("CREATE UNIQUE INDEX ON bt_numbers (id)")
        t = step("plan tickets (temp tables)", t)

        cur.execute(f"""
            INSERT INTO tickets_ticket (
                id, version, number, caller_phone, type, after_sales_kind, channel, priority, severity, root_cause,
                title, description, status, waiting_on, escalation_level, supervised, tags, created_at,
                first_response_due, first_response_warn_at, resolution_due, resolution_warn_at, sla_calendar,
                first_responded_at, resolved_at, closed_at, paused_at, sla_state, last_action_at,
                handling_seconds, created_by_id, customer_id, merged_into_id, owner_id, shop_id)
            SELECT b.id, 1, 'KF' || to_char(n.day, 'YYYYMMDD') || '-' || lpad(n.seq::text, 4, '0'),
                   CASE WHEN b.r_phone < 0.6
                        THEN '1' || (3 + floor(random() * 7))::int || lpad(floor(random() * 1e9)::bigint::text, 9, '0')
                        ELSE '' END,
                   b.type,
                   CASE WHEN b.type = 'after_sales'
                        THEN (ARRAY['repair', 'maintenance', 'replacement', 'refund'])[1 + floor(random() * 4)::int]
                        ELSE '' END,
                   CASE WHEN b.r_chan < 0.5 THEN 'hotline' WHEN b.r_chan < 0.8 THEN 'chat'
                        WHEN b.r_chan < 0.88 THEN 'email' WHEN b.r_chan < 0.92 THEN 'visit'
                        WHEN b.r_chan < 0.97 THEN 'web' ELSE 'api' END,
                   b.priority,
                   CASE WHEN b.type = 'complaint' THEN 'general' ELSE '' END,
                   '',
                   ({arr(PRODUCTS)})[1 + floor(random() * {len(PRODUCTS)})::int]
                       || ({arr(PROBLEMS)})[1 + floor(random() * {len(PROBLEMS)})::int],
                   array_to_string(ARRAY(
                       SELECT ({arr(SENTENCES)})[1 + floor(random() * {len(SENTENCES)} + 0 * j)::int]
                       FROM generate_series(1, 2 + floor(random() * 3 + 0 * b.id)::int) j), '，') || '。',
                   b.status,
                   CASE WHEN b.status = 'waiting' THEN 'customer' ELSE '' END,
                   'agent', false, '[]'::jsonb, b.created_at,
                   b.created_at + interval '2 hours', b.created_at + interval '96 minutes',
                   b.created_at + b.res_span, b.created_at + b.res_span * 0.8, 'business',
                   CASE WHEN b.status <> 'new' THEN b.created_at + interval '1 minute' * (1 + floor(b.r_resp * 90)) END,
                   CASE WHEN b.status IN ('resolved', 'callback_done', 'closed')
                        THEN b.created_at + b.res_span * (0.2 + 0.9 * b.r_resp) END,
                   CASE WHEN b.status = 'closed' THEN b.created_at + b.res_span * (0.2 + 0.9 * b.r_resp)
                                                      + interval '1 day' END,
                   CASE WHEN b.status = 'waiting' THEN least(b.created_at + interval '3 hours', %(now)s::timestamptz) END,
                   CASE WHEN b.status IN ('resolved', 'callback_done', 'closed')
                        THEN CASE WHEN b.r_resp > 0.89 THEN 'breached' ELSE 'ok' END
                        WHEN b.created_at + b.res_span < %(now)s::timestamptz THEN 'breached'
                        WHEN b.created_at + b.res_span * 0.8 < %(now)s::timestamptz THEN 'warning'
                        ELSE 'ok' END,
                   least(b.created_at + b.res_span * (0.2 + 0.9 * b.r_resp) + interval '1 day', %(now)s::timestamptz),
                   floor(random() * 3600)::int,
                   b.agent_id, c.id, NULL,
                   CASE WHEN b.status = 'new' AND b.r_queue < 0.03 THEN NULL ELSE b.agent_id END,
                   b.shop_id
            FROM bt b JOIN bt_numbers n ON n.id = b.id
            LEFT JOIN bt_customers c ON c.shop_id = b.shop_id AND c.rn = b.cust_rn
            ORDER BY b.id
        """, params)  # noqa: S608 - constants of our own, no input
        cur.execute("""
            INSERT INTO tickets_ticketcounter (day, last)
            SELECT day, max(seq) FROM bt_numbers GROUP BY day
        """)
        t = step("tickets", t)

        cur.execute(f"""
            INSERT INTO tickets_ticketevent (at, kind, body, public, data, actor_id, ticket_id)
            SELECT CASE WHEN j = 0 THEN t.created_at
                        ELSE least(t.created_at + (t.resolution_due - t.created_at) * (j / 6.0), %(now)s::timestamptz) END,
                   CASE WHEN j = 0 THEN 'created'
                        ELSE ({arr(EVENT_KINDS)})[1 + floor(random() * {len(EVENT_KINDS)})::int] END AS kind,
                   CASE WHEN j = 0 THEN t.description
                        ELSE ({arr(SENTENCES)})[1 + floor(random() * {len(SENTENCES)})::int] END,
                   false, '{{}}'::jsonb, t.created_by_id, t.id
            FROM tickets_ticket t
            CROSS JOIN LATERAL generate_series(0, 1 + floor(random() * 5 + 0 * t.id)::int) j
            ORDER BY t.id, j
        """, params)  # noqa: S608 - constants of our own, no input
        cur.execute("UPDATE tickets_ticketevent SET public = (kind = 'reply')")
        t = step("timeline events", t)

        cur.execute("""
            INSERT INTO tickets_departmenttask (note, due, status, result, created_at, done_at, version,
                                               created_by_id, department_id, done_by_id, ticket_id)
            SELECT '请协助查询包裹去向', t.created_at + interval '24 hours',
                   CASE WHEN t.status IN ('new', 'in_progress', 'waiting') THEN 'open' ELSE 'done' END,
                   CASE WHEN t.status IN ('new', 'in_progress', 'waiting') THEN '' ELSE '已查明，包裹已送达' END,
                   t.created_at + interval '30 minutes',
                   CASE WHEN t.status IN ('new', 'in_progress', 'waiting') THEN NULL
                        ELSE t.created_at + interval '20 hours' END,
                   1, t.created_by_id, %(dept)s, NULL, t.id
            FROM tickets_ticket t WHERE random() + 0 * t.id < 0.08
            ORDER BY t.id
        """, params)
        t = step("department tasks", t)

        for table in TABLES:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our table names
                        f"greatest((SELECT max(id) FROM {table}), 1))")
        for name, definition in indexes:
            t0 = time.perf_counter()
            cur.execute(definition)
            timings[f"index {name}"] = round(time.perf_counter() - t0, 2)
        t = step(f"rebuild {len(indexes)} indexes", t)
        for table, name, definition in fkeys:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        t = step(f"re-add {len(fkeys)} foreign keys (validated)", t)

    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")
    step("VACUUM ANALYZE", t)
    return {"seconds": round(time.perf_counter() - started, 1), "steps": timings,
            "date": timezone.localdate().isoformat(), "counts": counts(), "tickets": tickets, "agents": agents}
