"""R-AUD: the audit trail reads like a record for people, not a debugger — who by name, when in local
time, the object by name with a link to its page, and before → after with labels and display values."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from kefu.audit.display import show_events
from kefu.audit.models import AuditEvent
from kefu.audit.services import Action, record

pytestmark = pytest.mark.django_db

# 2026-12-04 19:12 UTC is 2026-12-05 03:12 in Asia/Shanghai
MOMENT = dt.datetime(2026, 12, 4, 19, 12, tzinfo=dt.UTC)


@pytest.fixture
def customer(demo):
    from kefu.customers.services import create_customer

    return create_customer(actor=demo.users["agent1"], shop=demo.shops["tmall"], name="王女士",
                           phones=["13800138000"], need_status="target")


def _row(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[html.rindex("<tr", 0, start):html.index("</tr>\n", start)]


def test_r_aud_customer_change_shows_name_local_time_link_and_labelled_values(demo, clients, customer):
    from kefu.customers.services import update_customer

    with time_machine.travel(MOMENT, tick=False):
        update_customer(actor=demo.users["agent1"], customer_id=customer.pk, version=customer.version,
                        changes={"deal_status": "won", "expected_amount": Decimal("12345.5")})
    html = clients("head").get("/audit/", {"action": "update"}).content.decode()
    row = _row(html, f'href="/customers/{customer.pk}/"')
    assert "2026-12-05 03:12" in row  # local time, minutes
    assert "张三" in row and "agent1" not in row  # the person's name, not the login
    assert ">王女士</a>" in row  # the object's name, linked to its page
    assert "customers.customer" not in row and "#" + str(customer.pk) not in row
    from kefu.customers.choices import DealStatus
    from kefu.customers.models import Customer

    with translation.override("zh-hans"):
        label = str(Customer._meta.get_field("deal_status").verbose_name)
        won = str(DealStatus.WON.label)
    assert label in row  # the field's label
    assert won in row and ">won<" not in row  # the choice's label, not its code
    assert "¥12,345.50" in row  # money
    assert "None" not in row and "{" not in row


def test_r_aud_values_display_names_booleans_foreign_keys_and_none(demo, customer):
    event = record(actor=demo.users["lead1"], action=Action.UPDATE, obj=customer,
                   before={"owner_id": demo.users["agent1"].pk, "churn_risk": False, "birthday": None,
                           "last_followup_at": "2026-12-04T19:12:00+00:00", "name_pinyin": "wangnvshi"},
                   after={"owner_id": demo.users["agent2"].pk, "churn_risk": True, "birthday": "1990-05-01",
                          "last_followup_at": "2026-12-05T01:00:00+00:00", "name_pinyin": "wang"})
    shown = show_events(AuditEvent.objects.filter(pk=event.pk).select_related("actor"))[0]
    assert shown.who == "李班长"
    changes = {c.key: (c.before, c.after) for c in shown.changes}
    assert changes["owner_id"] == ("张三", "李四")
    assert changes["churn_risk"] == ("否", "是")
    assert changes["birthday"] == ("—", "1990-05-01")
    assert changes["last_followup_at"] == ("2026-12-05 03:12", "2026-12-05 09:00")
    assert "name_pinyin" not in changes  # internal search helper
    labels = {c.key: c.label for c in shown.changes}
    assert labels["owner_id"] != "owner_id" and labels["churn_risk"] != "churn_risk"


def test_r_aud_rule_change_names_the_setting_and_links_to_it(demo, clients):
    from kefu.rules.registry import get_def
    from kefu.rules.selectors import rule_row
    from kefu.rules.services import set_rule

    key = "customers.pool_warning_days"
    set_rule(actor=demo.users["admin"], key=key, value=5, version=rule_row(key).version)
    shown = show_events(AuditEvent.objects.filter(object_type="rules.rulevalue").select_related("actor"))[0]
    assert shown.object_name == str(get_def(key).label)
    assert shown.object_url == f"/rules/{key}/edit/"
    assert shown.who == "系统管理员"


def test_r_aud_person_and_ticket_objects_link_to_their_pages(demo, make_ticket_for_audit):
    ticket = make_ticket_for_audit()
    shown = show_events(AuditEvent.objects.filter(object_type="tickets.ticket").select_related("actor"))[0]
    assert shown.object_url == f"/tickets/{ticket.pk}/"
    assert ticket.number in shown.object_name
    person = show_events(AuditEvent.objects.filter(object_type="org.user").select_related("actor")[:1])[0]
    assert person.object_url.startswith("/org/people/?q=")


def test_r_aud_failed_login_without_a_person_reads_plainly(demo, clients):
    from django.test import Client

    Client().post("/login/", {"username": "nobody", "password": "wrong"})
    html = clients("head").get("/audit/", {"action": "login_failed"}).content.decode()
    assert "nobody" in html and "None" not in html


def test_audit_page_queries_do_not_grow_with_events(demo, clients, customer, django_assert_max_num_queries):
    from kefu.customers.services import update_customer

    client = clients("head")
    client.get("/audit/")  # warm the per-process caches (rules, scope)
    with django_assert_max_num_queries(20):
        assert client.get("/audit/").status_code == 200
    for i in range(15):
        customer = update_customer(actor=demo.users["agent1"], customer_id=customer.pk, version=customer.version,
                                   changes={"region": f"区域{i}", "expected_amount": Decimal(i)})
    with django_assert_max_num_queries(20):
        assert client.get("/audit/").status_code == 200


@pytest.fixture
def make_ticket_for_audit(demo):
    from kefu.tickets import services

    def make():
        return services.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="consultation",
                                      channel="hotline", title="咨询套餐资费")

    return make


def test_r_aud_notes_written_as_codes_read_as_words(demo, customer):
    from kefu.customers.services import reveal_phones

    reveal_phones(actor=demo.users["head1"], customer_id=customer.pk, purpose="view")
    shown = show_events(AuditEvent.objects.filter(action="view").select_related("actor"))[0]
    with translation.override("zh-hans"):
        assert shown.note == "查看了完整号码"
    assert "phones:" not in shown.note
