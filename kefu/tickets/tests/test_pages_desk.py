"""Ticket pages (SPEC §3): the desk, the create form and the ticket page with its HTMX actions.
Role matrix, happy paths, refusals that change nothing, stale versions and list query counts."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core.testing import zh
from kefu.org.models import Shop
from kefu.tickets import services
from kefu.tickets.models import Compensation, DepartmentTask, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def outside(demo, make_ticket):
    """A shop only 二班 serves, with a ticket of agent4: outside 一班's scope."""
    shop = Shop.objects.create(centre=demo.centre, code="douyin", name="抖音店")
    demo.teams[1].shops.add(shop)
    demo.shops["douyin"] = shop
    return make_ticket(actor="agent4", shop="douyin", title="抖音订单咨询")


def _url(name, ticket, **kw):
    from django.urls import reverse

    return reverse(f"tickets:{name}", kwargs={"ticket_id": ticket.pk, **kw})


def _post(client, name, ticket, data, hx=True, **kw):
    return client.post(_url(name, ticket, **kw), data, **(HX if hx else {}))


def _fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


# -- role matrix ---------------------------------------------------------------------------------------


def test_r_sec_anonymous_is_sent_to_login(clients, make_ticket):
    ticket = make_ticket()
    for url in ("/tickets/", "/tickets/new/", f"/tickets/{ticket.pk}/"):
        response = clients("anonymous").get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["agent", "lead", "qa", "head", "director", "admin"])
def test_r_tic_3_desk_and_create_open_for_every_role(clients, role):
    assert clients(role).get("/tickets/").status_code == 200
    # QA inspectors read tickets and create none
    assert clients(role).get("/tickets/new/").status_code == (403 if role == "qa" else 200)


@pytest.mark.parametrize(("role", "status"), [("agent", 200), ("lead", 200), ("qa", 200), ("head", 200),
                                              ("director", 200), ("admin", 200)])
def test_r_org_2_detail_in_scope(clients, make_ticket, role, status):
    ticket = make_ticket()
    response = clients(role).get(f"/tickets/{ticket.pk}/")
    assert response.status_code == status
    assert ticket.number in response.content.decode()


def test_r_org_2_detail_outside_scope_is_404(clients, demo, outside):
    assert clients("agent").get(f"/tickets/{outside.pk}/").status_code == 404  # agent1 of 一班
    assert clients("lead").get(f"/tickets/{outside.pk}/").status_code == 404  # lead1 of 一班
    assert clients("head").get(f"/tickets/{outside.pk}/").status_code == 200
    before = TicketEvent.objects.count()
    response = _post(clients("agent"), "message", outside, {"body": "x", "public": "note"})
    assert response.status_code == 404
    assert TicketEvent.objects.count() == before


def test_r_tic_3_colleague_in_scope_sees_but_cannot_act(demo, make_ticket):
    from django.test import Client

    ticket = make_ticket()  # agent1's
    other = Client()
    other.force_login(demo.users["agent2"])
    page = other.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="form-transition"' not in page
    response = _post(other, "transition", ticket, {"to": "in_progress", "version": ticket.version})
    assert response.status_code == 403
    assert _fresh(ticket).status == "new"


# -- desk --------------------------------------------------------------------------------------------


def test_r_tic_4_desk_lists_my_open_tickets_in_time_limit_order_with_countdown(clients, make_ticket):
    low = make_ticket(title="低优先级", priority="low")
    urgent = make_ticket(title="紧急故障", priority="urgent")
    page = clients("agent").get("/tickets/").content.decode()
    mine = page[page.index('data-testid="my-open"'):page.index('data-testid="queue"')]
    assert mine.index("紧急故障") < mine.index("低优先级")
    from django.utils import timezone

    due = timezone.localtime(_fresh(urgent).first_response_due).isoformat()[:19]
    assert "data-countdown" in mine and f'data-due="{due}' in mine  # the ISO due moment the ticker counts to
    assert low.number in mine


def test_r_tic_3_queue_and_claim(clients, demo, make_ticket):
    queued = make_ticket(actor="admin", channel="web", assign_automatically=False, title="网页表单留言")
    assert queued.owner_id is None
    page = clients("agent").get("/tickets/").content.decode()
    assert f'data-testid="claim-{queued.pk}"' in page
    response = clients("agent").post(f"/tickets/{queued.pk}/claim/")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{queued.pk}/"
    assert _fresh(queued).owner == demo.users["agent1"]


def test_r_tic_3_claiming_a_taken_ticket_is_refused(clients, demo, make_ticket):
    queued = make_ticket(actor="admin", channel="web", assign_automatically=False)
    services.assign(actor=demo.users["agent2"], ticket_id=queued.pk, to_owner=demo.users["agent2"])
    response = clients("agent").post(f"/tickets/{queued.pk}/claim/", follow=True)
    assert _fresh(queued).owner == demo.users["agent2"]
    html = response.content.decode()
    assert zh("Someone else already took this ticket.") in html \
        or zh("Only team leads assign tickets; agents claim unassigned ones.") in html


def test_r_org_2_agent_list_is_own_lead_list_has_owner_column(clients, make_ticket):
    mine = make_ticket(title="我的工单")
    theirs = make_ticket(actor="agent2", title="同事的工单")
    agent_page = clients("agent").get("/tickets/?status=&q=").content.decode()
    table = agent_page[agent_page.index('data-testid="ticket-table"'):]
    assert mine.number in table and theirs.number not in table
    searched = clients("agent").get("/tickets/", {"status": "", "q": theirs.number}).content.decode()
    assert theirs.number in searched[searched.index('data-testid="ticket-table"'):]  # a search covers the shops
    lead_page = clients("lead").get("/tickets/?status=&q=").content.decode()
    table = lead_page[lead_page.index('data-testid="ticket-table"'):]
    assert mine.number in table and theirs.number in table and 'data-testid="owner"' in table


def test_r_tic_1_filters_by_type_and_search(clients, make_ticket):
    make_ticket(title="资费咨询")
    complaint = make_ticket(type="complaint", title="投诉快递慢")
    response = clients("lead").get("/tickets/", {"type": "complaint", "status": ""},
                                   HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-results")
    body = response.content.decode()
    assert complaint.number in body and "资费咨询" not in body and "<html" not in body
    body = clients("lead").get("/tickets/", {"q": complaint.number, "status": ""}).content.decode()
    table = body[body.index('data-testid="ticket-table"'):]
    assert "投诉快递慢" in table and "资费咨询" not in table


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_desk_query_count_does_not_grow_with_rows(clients, demo, make_ticket, role):
    def count():
        client = clients(role)
        client.get("/tickets/")  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/tickets/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        make_ticket(title=f"工单{i}")
        make_ticket(actor="admin", channel="web", assign_automatically=False, title=f"队列{i}")
    few = count()
    for i in range(20):
        make_ticket(title=f"更多{i}", priority="high")
        make_ticket(actor="admin", channel="web", assign_automatically=False, title=f"更多队列{i}")
    assert count() <= few


def test_r_tic_1_caller_lookup_in_any_notation(clients, demo, make_ticket):
    from kefu.customers.services import create_customer

    customer = create_customer(actor=demo.users["agent1"], shop=demo.shops["tmall"], name="张三",
                               phones=["13800138000"])
    earlier = make_ticket(customer_id=customer.pk, title="上次的咨询")
    response = clients("agent").get("/tickets/caller/", {"phone": "+86 138-0013-8000"})
    body = response.content.decode()
    assert "张三" in body and f"customer={customer.pk}" in body and earlier.number in body
    body = clients("agent").get("/tickets/caller/", {"phone": "139 0000 0000"}).content.decode()
    assert 'data-testid="caller-unknown"' in body and "create-for-phone" in body


# -- create ------------------------------------------------------------------------------------------


def test_r_tic_1_create_prefilled_and_posted(clients, demo):
    from kefu.customers.services import create_customer

    customer = create_customer(actor=demo.users["agent1"], shop=demo.shops["jd"], name="李四", phones=["13900139000"])
    page = clients("agent").get("/tickets/new/", {"customer": customer.pk, "phone": "13900139000"}).content.decode()
    assert "李四" in page and 'value="jd" selected' in page
    response = clients("agent").post("/tickets/new/", {
        "customer_id": customer.pk, "shop": "jd", "type": "complaint", "severity": "serious", "channel": "hotline",
        "priority": "high", "title": "物流太慢", "description": "三天未发货", "tags": "物流, 催发货"})
    ticket = Ticket.objects.get(title="物流太慢")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.customer == customer and ticket.owner == demo.users["agent1"] and ticket.tags == ["物流", "催发货"]
    assert ticket.severity == "serious"


def test_r_tic_1_create_caller_phone_matches_customer(clients, demo):
    from kefu.customers.services import create_customer

    customer = create_customer(actor=demo.users["agent1"], shop=demo.shops["tmall"], name="王五",
                               phones=["13700137000"])
    clients("agent").post("/tickets/new/", {"caller_phone": "0086 137-0013-7000", "shop": "tmall",
                                            "type": "query", "channel": "hotline", "priority": "normal",
                                            "title": "查询订单"})
    assert Ticket.objects.get(title="查询订单").customer == customer


def test_r_err_create_shows_field_errors_and_creates_nothing(clients):
    base = {"shop": "tmall", "type": "consultation", "channel": "hotline", "priority": "normal"}
    response = clients("agent").post("/tickets/new/", {**base, "title": "   "})
    assert response.status_code == 200 and 'data-field="title"' in response.content.decode()
    # refused by the service: the rule's message lands on the field
    response = clients("agent").post("/tickets/new/", {**base, "title": "退款", "after_sales_kind": "refund"})
    assert response.status_code == 200 and 'data-field="after_sales_kind"' in response.content.decode()
    assert not Ticket.objects.exists()


# -- detail actions -------------------------------------------------------------------------------------


def test_r_tic_3_owner_replies_and_notes_are_distinguished(clients, make_ticket):
    ticket = make_ticket()
    response = _post(clients("agent"), "message", ticket, {"body": "您好，已为您查询。", "public": "reply"})
    assert response.status_code == 200
    _post(clients("agent"), "message", ticket, {"body": "内部：客户情绪激动", "public": "note"})
    body = clients("agent").get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'class="list-group-item tl-reply" data-kind="reply"' in body
    assert 'class="list-group-item tl-note" data-kind="note"' in body
    t = _fresh(ticket)
    assert t.status == "in_progress" and t.first_responded_at is not None


def _shows_refusal(response, msgid: str, **params) -> None:
    """The page says why the rule refused the request, in words; the rule's id stays in code and in
    the API's error body, not on the page."""
    html = response.content.decode()
    assert zh(msgid, **params) in html
    assert not re.search(r"R-[A-Z]+-\d", html)


def test_r_tic_3_non_owner_reply_to_customer_is_refused(demo, make_ticket):
    from django.test import Client

    ticket = make_ticket()
    lead = Client()
    lead.force_login(demo.users["lead1"])
    before = TicketEvent.objects.filter(ticket=ticket).count()
    response = _post(lead, "message", ticket, {"body": "我来回复", "public": "reply"})
    assert response.status_code == 422
    _shows_refusal(response, "Only the ticket's owner replies to the customer; add an internal note instead.")
    assert TicketEvent.objects.filter(ticket=ticket).count() == before
    assert _post(lead, "message", ticket, {"body": "内部备注", "public": "note"}).status_code == 200


def test_r_err_empty_message_names_the_field(clients, make_ticket):
    ticket = make_ticket()
    response = _post(clients("agent"), "message", ticket, {"body": " ", "public": "note"})
    assert response.status_code == 422
    assert not TicketEvent.objects.filter(ticket=ticket, kind="note").exists()


def test_r_tic_2_transition_happy_refused_and_stale(clients, make_ticket):
    ticket = make_ticket()
    client = clients("agent")
    response = _post(client, "transition", ticket, {"to": "in_progress", "version": ticket.version})
    assert response.status_code == 200 and _fresh(ticket).status == "in_progress"
    current = _fresh(ticket)
    response = _post(client, "transition", ticket, {"to": "closed", "version": current.version})
    assert response.status_code == 422
    _shows_refusal(response, "A change from “%(current)s” to “%(target)s” is not allowed.",
                   current=zh("In progress"), target=zh("Closed"))
    assert _fresh(ticket).status == "in_progress" and _fresh(ticket).version == current.version
    response = _post(client, "transition", ticket, {"to": "resolved", "version": current.version - 1})
    assert response.status_code == 409
    assert _fresh(ticket).status == "in_progress"
    assert f'data-version="{current.version}"' in response.content.decode()  # the page now shows the current state


def test_r_tic_2_waiting_on_customer_pauses(clients, make_ticket):
    ticket = make_ticket()
    _post(clients("agent"), "transition", ticket, {"to": "waiting", "waiting_on": "customer", "version": ticket.version})
    t = _fresh(ticket)
    assert t.status == "waiting" and t.paused_at is not None


def test_r_tic_2_non_htmx_post_redirects(clients, make_ticket):
    ticket = make_ticket()
    response = _post(clients("agent"), "transition", ticket, {"to": "in_progress", "version": ticket.version}, hx=False)
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"


def test_r_tic_3_hand_over_keeps_owner_and_shows_progress(clients, demo, make_ticket):
    ticket = make_ticket()
    dept = demo.departments["物流部"]
    response = _post(clients("agent"), "handover", ticket, {"department": dept.pk, "note": "请核实物流轨迹",
                                                            "version": ticket.version})
    assert response.status_code == 200
    t = _fresh(ticket)
    assert t.owner == demo.users["agent1"] and t.status == "waiting"
    assert 'data-testid="tasks"' in response.content.decode() and "请核实物流轨迹" in response.content.decode()


def test_r_tic_3_hand_over_refused_or_stale_changes_nothing(clients, demo, make_ticket):
    ticket = make_ticket()
    dept = demo.departments["物流部"]
    response = _post(clients("agent"), "handover", ticket, {"department": dept.pk, "note": " ",
                                                            "version": ticket.version})
    assert response.status_code == 422
    response = _post(clients("agent"), "handover", ticket, {"department": dept.pk, "note": "核实",
                                                            "version": ticket.version + 5})
    assert response.status_code == 409
    assert not DepartmentTask.objects.exists() and _fresh(ticket).status == "new"


def test_r_tic_6_escalate_one_level_and_emergency_skip(clients, make_ticket):
    ticket = make_ticket()
    client = clients("agent")
    response = _post(client, "escalate", ticket, {"reason": "客户要求主管处理", "version": ticket.version})
    assert response.status_code == 200 and _fresh(ticket).escalation_level == "lead"
    t = _fresh(ticket)
    response = _post(client, "escalate", ticket, {"reason": "跳级", "to_level": "director", "version": t.version})
    assert response.status_code == 422
    _shows_refusal(response, "Escalation goes one level at a time; skipping a level is for emergencies.")
    assert _fresh(ticket).escalation_level == "lead"
    response = _post(client, "escalate", ticket, {"reason": "重大舆情", "to_level": "director", "emergency": "on",
                                                  "version": t.version})
    assert response.status_code == 200 and _fresh(ticket).escalation_level == "director"


def test_r_tic_7_compensation_within_authority_and_approval(clients, demo, make_ticket):
    ticket = make_ticket(type="complaint")
    agent = clients("agent")
    _post(agent, "compensation", ticket, {"amount": "30", "reason": "延误补偿", "version": ticket.version})
    assert Compensation.objects.get(amount=Decimal("30")).status == "approved"
    t = _fresh(ticket)
    response = _post(agent, "compensation", ticket, {"amount": "500", "reason": "大额补偿", "version": t.version})
    pending = Compensation.objects.get(amount=Decimal("500"))
    assert pending.status == "pending" and pending.required_role == "head"
    assert f'data-testid="form-decide-{pending.pk}"' not in response.content.decode()
    refused = _post(agent, "decide", ticket, {"approve": "yes"}, compensation_id=pending.pk)
    assert refused.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"
    head = clients("head")
    assert f'data-testid="form-decide-{pending.pk}"' in head.get(f"/tickets/{ticket.pk}/").content.decode()
    assert _post(head, "decide", ticket, {"approve": "yes"}, compensation_id=pending.pk).status_code == 200
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.decided_by == demo.users["head1"]


def test_r_tic_7_bad_amount_names_the_field(clients, make_ticket):
    ticket = make_ticket()
    response = _post(clients("agent"), "compensation", ticket, {"amount": "-5", "reason": "x",
                                                                "version": ticket.version})
    assert response.status_code == 422 and 'data-field="amount"' in response.content.decode()
    assert not Compensation.objects.exists()


def test_r_tic_8_callback_after_resolution(clients, make_ticket):
    ticket = make_ticket(type="complaint")
    client = clients("agent")
    refused = _post(client, "callback", ticket, {"satisfaction": "5", "solved": "yes", "version": ticket.version})
    assert refused.status_code == 422
    _shows_refusal(refused, "A callback is recorded for a resolved ticket that awaits its callback.")
    _post(client, "transition", ticket, {"to": "resolved", "version": ticket.version})
    t = _fresh(ticket)
    assert 'data-testid="form-callback"' in client.get(f"/tickets/{ticket.pk}/").content.decode()
    response = _post(client, "callback", ticket, {"satisfaction": "4", "solved": "yes", "note": "满意",
                                                  "version": t.version})
    assert response.status_code == 200 and _fresh(ticket).status == "callback_done"


def test_r_tic_5_supervise_by_head_only(clients, make_ticket):
    ticket = make_ticket()
    refused = _post(clients("lead"), "supervise", ticket, {"on": "1", "version": ticket.version})
    assert refused.status_code == 403 and _fresh(ticket).supervised is False
    ok = _post(clients("head"), "supervise", ticket, {"on": "1", "version": ticket.version})
    assert ok.status_code == 200 and _fresh(ticket).supervised is True


def test_r_tic_5_remind_by_lead_not_agent(clients, demo, make_ticket):
    ticket = make_ticket(actor="agent2")
    from django.test import Client

    agent = Client()
    agent.force_login(demo.users["agent2"])
    assert _post(agent, "remind", ticket, {"note": "x"}).status_code == 403
    assert not TicketEvent.objects.filter(ticket=ticket, kind="reminder").exists()
    assert _post(clients("lead"), "remind", ticket, {"note": "请尽快处理"}).status_code == 200
    assert TicketEvent.objects.filter(ticket=ticket, kind="reminder").exists()


def test_r_tic_3_lead_assigns_agent_cannot(clients, demo, make_ticket):
    ticket = make_ticket()
    agent2 = demo.users["agent2"]
    refused = _post(clients("agent"), "assign", ticket, {"owner": agent2.pk, "version": ticket.version})
    assert refused.status_code in (403, 422) and _fresh(ticket).owner == demo.users["agent1"]
    ok = _post(clients("lead"), "assign", ticket, {"owner": agent2.pk, "version": ticket.version})
    assert ok.status_code == 200 and _fresh(ticket).owner == agent2
    stale = _post(clients("lead"), "assign", ticket, {"owner": demo.users["agent3"].pk, "version": ticket.version})
    assert stale.status_code == 409 and _fresh(ticket).owner == agent2


def test_link_and_merge(clients, make_ticket):
    a = make_ticket(title="重复来电1")
    b = make_ticket(title="重复来电2")
    client = clients("agent")
    missing = _post(client, "merge", a, {"other": "KF00000000-9999", "mode": "link", "version": a.version})
    assert missing.status_code == 422 and 'data-field="other"' in missing.content.decode()
    assert _post(client, "merge", a, {"other": b.number, "mode": "link", "version": a.version}).status_code == 200
    assert b in _fresh(a).related.all()
    _post(client, "merge", a, {"other": b.number, "mode": "merge", "version": _fresh(a).version})
    merged = _fresh(a)
    assert merged.merged_into == b and merged.status == "closed"


def test_handling_time_typed_and_measured(clients, make_ticket):
    ticket = make_ticket()
    client = clients("agent")
    assert _post(client, "handling_time", ticket, {"minutes": "15"}).status_code == 200
    assert _fresh(ticket).handling_seconds == 900
    assert client.post(_url("handling_time", ticket), {"beacon": "1", "seconds": "60"}).status_code == 204
    assert _fresh(ticket).handling_seconds == 960
    bad = _post(client, "handling_time", ticket, {"minutes": "9999"})
    assert bad.status_code == 422 and _fresh(ticket).handling_seconds == 960


def test_r_tic_9_standard_reply_picker(clients, demo):
    from kefu.knowledge.models import Article
    from kefu.knowledge.services import approve, create_article, create_category

    head = demo.users["head1"]
    category = create_category(actor=head, name="售后")
    article = create_article(actor=head, category_id=category.pk, title="申请退款的流程",
                             body="您好，退款将在3个工作日内原路退回。")
    approve(actor=head, article_id=article.pk, version_number=1)
    client = clients("agent")
    body = client.get("/tickets/replies/", {"q": "退款"}).content.decode()
    assert "申请退款的流程" in body and "data-insert-reply" in body and "3个工作日" in body
    assert client.post("/tickets/replies/used/", {"article": article.pk}).status_code == 204
    assert Article.objects.get(pk=article.pk).use_count == 1


def test_r_tic_1_create_page_finds_the_one_customer_of_a_typed_number(clients, demo):
    from kefu.customers.services import create_customer

    create_customer(actor=demo.users["agent1"], shop=demo.shops["pdd"], name="赵敏", phones=["13600136000"])
    page = clients("agent").get("/tickets/new/", {"phone": "+86 136 0013 6000"}).content.decode()
    assert 'data-testid="prefilled-customer"' in page and "赵敏" in page and 'value="pdd" selected' in page


def test_r_tic_7_edit_classifies_a_complaint_and_stale_is_refused(clients, make_ticket):
    ticket = make_ticket(type="complaint", priority="normal")
    client = clients("agent")
    data = {"title": "物流延误投诉", "description": "", "priority": "high", "tags": "物流", "severity": "major",
            "root_cause": "物流延误", "version": ticket.version}
    response = _post(client, "edit", ticket, data)
    assert response.status_code == 200
    t = _fresh(ticket)
    assert (t.title, t.priority, t.severity, t.root_cause, t.tags) == ("物流延误投诉", "high", "major", "物流延误", ["物流"])
    stale = _post(client, "edit", ticket, {**data, "title": "旧版本的修改"})
    assert stale.status_code == 409 and _fresh(ticket).title == "物流延误投诉"


def test_r_tic_7_service_recovery_on_complaints_only(clients, make_ticket):
    complaint = make_ticket(type="complaint")
    client = clients("agent")
    response = _post(client, "recovery", complaint, {"action": "赠送20元优惠券并致歉"})
    assert response.status_code == 200 and "赠送20元优惠券并致歉" in response.content.decode()
    assert complaint.recovery_actions.count() == 1
    other = make_ticket()
    refused = _post(client, "recovery", other, {"action": "致歉"})
    assert refused.status_code == 422 and other.recovery_actions.count() == 0


def test_detail_query_count_does_not_grow_with_the_timeline(clients, demo, make_ticket):
    ticket = make_ticket(type="complaint")
    agent = demo.users["agent1"]

    def count():
        client = clients("agent")
        client.get(f"/tickets/{ticket.pk}/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/tickets/{ticket.pk}/").status_code == 200
        return len(ctx.captured_queries)

    def grow(n):
        for i in range(n):
            services.add_message(actor=agent, ticket_id=ticket.pk, body=f"备注{i}", public=False)
            services.request_compensation(actor=demo.users["lead1"], ticket_id=ticket.pk, amount="10",
                                          reason=f"补偿{i}")
            services.assign(actor=demo.users["lead1"], ticket_id=ticket.pk,
                            to_owner=demo.users["agent2" if i % 2 == 0 else "agent1"])

    grow(2)
    few = count()
    grow(10)
    assert count() <= few
