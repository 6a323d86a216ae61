"""R-CUS-10 customer pool 公海: roles, caps, cool-down, exemptions, return timing, warnings, countdown, audit."""

import datetime as dt

import pytest
from django.utils import timezone

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotAllowed, RuleViolation
from kefu.customers import pool, services
from kefu.customers.grading import load_rules
from kefu.customers.models import Customer, PoolEvent, Reminder


@pytest.fixture
def set_rules(demo):
    """``set_rules(customers__vip_share_pct=50)`` through the settings service; the per-process settings
    cache is cleared afterwards (a write inside the test's rolled-back transaction would otherwise leave
    the centre marked as written and make later tests read settings from the database)."""
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule

    def set_(**values):
        for key, v in values.items():
            key = key.replace("__", ".")
            set_rule(actor=demo.users["admin"], key=key, value=v, version=rule_row(key).version)

    yield set_
    clear_cache()


def b_customer(make_customer, **kw):
    """A grade-B customer (cadence 7 → returns after 3 × 7 = 21 days without follow-up)."""
    c = make_customer(need_status="target", expected_close_date=timezone.localdate() + dt.timedelta(days=60), **kw)
    assert c.grade == "B"
    return c


def in_pool(make_customer, previous="agent2", **kw):
    c = make_customer(owner=previous, **kw)
    Customer.objects.filter(pk=c.pk).update(owner=None, previous_owner=c.owner, countdown_from=None,
                                            pool_entered_at=timezone.now() - dt.timedelta(days=60))
    return Customer.objects.get(pk=c.pk)


def pool_audit(customer, action):
    return AuditEvent.objects.filter(object_type="customers.customer", object_id=str(customer.pk),
                                     note=f"pool:{action}")


# -- claim, release, reassign: who may ------------------------------------------------------------------


def test_an_agent_claims_from_the_pool(demo, make_customer, today):
    c = in_pool(make_customer)
    claimed = pool.claim(actor=demo.users["agent1"], customer_id=c.pk)
    assert claimed.owner == demo.users["agent1"]
    assert claimed.countdown_from == today and claimed.pool_entered_at is None
    assert PoolEvent.objects.filter(customer=c, action="claim", actor=demo.users["agent1"]).count() == 1
    event = pool_audit(c, "claim").get()
    assert event.actor == demo.users["agent1"] and event.after == {"owner": demo.users["agent1"].pk}


def test_a_lead_may_claim_too(demo, make_customer):
    c = in_pool(make_customer)
    assert pool.claim(actor=demo.users["lead1"], customer_id=c.pk).owner == demo.users["lead1"]


@pytest.mark.parametrize("who", ["qa1", "head1", "director1"])
def test_readers_and_managers_do_not_claim(demo, make_customer, who):
    c = in_pool(make_customer)
    with pytest.raises(NotAllowed):
        pool.claim(actor=demo.users[who], customer_id=c.pk)
    assert Customer.objects.get(pk=c.pk).owner_id is None


def test_an_owned_customer_cannot_be_claimed(demo, make_customer):
    c = make_customer(owner="agent2")
    with pytest.raises(RuleViolation) as exc:
        pool.claim(actor=demo.users["agent1"], customer_id=c.pk)
    assert exc.value.rule == "R-CUS-10"
    assert Customer.objects.get(pk=c.pk).owner == demo.users["agent2"]


def test_the_owner_releases_with_a_reason(demo, make_customer):
    c = make_customer()
    with pytest.raises(InvalidInput):
        pool.release(actor=demo.users["agent1"], customer_id=c.pk, reason=" ")
    released = pool.release(actor=demo.users["agent1"], customer_id=c.pk, reason="暂无需求")
    assert released.owner is None and released.previous_owner == demo.users["agent1"]
    assert released.pool_entered_at is not None and released.countdown_from is None
    assert PoolEvent.objects.get(customer=c, action="release").reason == "暂无需求"
    assert pool_audit(c, "release").count() == 1
    with pytest.raises(NotAllowed):  # agents act on pool customers only by claiming them
        pool.release(actor=demo.users["agent1"], customer_id=c.pk, reason="again")
    with pytest.raises(InvalidInput):
        pool.release(actor=demo.users["lead1"], customer_id=c.pk, reason="again")


def test_a_colleague_cannot_release_but_the_lead_can(demo, make_customer):
    c = make_customer()
    with pytest.raises(NotAllowed):
        pool.release(actor=demo.users["agent2"], customer_id=c.pk, reason="x")
    with pytest.raises(NotAllowed):
        pool.release(actor=demo.users["lead2"], customer_id=c.pk, reason="x")  # another team's lead
    assert Customer.objects.get(pk=c.pk).owner == demo.users["agent1"]
    pool.release(actor=demo.users["lead1"], customer_id=c.pk, reason="离职交接")
    assert Customer.objects.get(pk=c.pk).owner_id is None


def test_a_lead_reassigns_within_the_team(demo, make_customer, today):
    c = make_customer()
    Customer.objects.filter(pk=c.pk).update(countdown_from=today - dt.timedelta(days=15))
    moved = pool.reassign(actor=demo.users["lead1"], customer_ids=[c.pk], to_owner=demo.users["agent2"],
                          reason="调整")
    c.refresh_from_db()
    assert [m.pk for m in moved] == [c.pk]
    assert c.owner == demo.users["agent2"] and c.countdown_from == today  # the new owner gets a full countdown
    event = PoolEvent.objects.get(customer=c, action="assign")
    assert (event.actor, event.from_owner, event.to_owner) == (demo.users["lead1"], demo.users["agent1"],
                                                              demo.users["agent2"])
    assert pool_audit(c, "assign").get().before == {"owner": demo.users["agent1"].pk}


def test_a_lead_reassigns_from_the_pool(demo, make_customer):
    c = in_pool(make_customer)
    pool.reassign(actor=demo.users["lead1"], customer_ids=[c.pk], to_owner=demo.users["agent3"])
    assert Customer.objects.get(pk=c.pk).owner == demo.users["agent3"]


def test_a_lead_cannot_reassign_outside_the_team(demo, make_customer):
    mine, theirs = make_customer(), make_customer(owner="agent4")
    with pytest.raises(InvalidInput):
        pool.reassign(actor=demo.users["lead1"], customer_ids=[mine.pk], to_owner=demo.users["agent4"])
    with pytest.raises(NotAllowed):
        pool.reassign(actor=demo.users["lead1"], customer_ids=[theirs.pk, mine.pk], to_owner=demo.users["agent2"])
    assert Customer.objects.get(pk=mine.pk).owner == demo.users["agent1"]
    assert Customer.objects.get(pk=theirs.pk).owner == demo.users["agent4"]


def test_a_head_reassigns_across_teams(demo, make_customer):
    c = make_customer()
    pool.reassign(actor=demo.users["head1"], customer_ids=[c.pk], to_owner=demo.users["agent4"])
    assert Customer.objects.get(pk=c.pk).owner == demo.users["agent4"]


def test_an_agent_cannot_reassign(demo, make_customer):
    c = make_customer()
    with pytest.raises(NotAllowed) as exc:
        pool.reassign(actor=demo.users["agent1"], customer_ids=[c.pk], to_owner=demo.users["agent2"])
    assert exc.value.status_code == 403
    assert Customer.objects.get(pk=c.pk).owner == demo.users["agent1"]


def test_an_agent_cannot_reassign_through_the_api(demo, clients, make_customer):
    c = make_customer()
    agent = clients("agent")  # logging in is audited: count after it
    before = AuditEvent.objects.count()
    response = agent.post("/api/v1/customers/reassign",
                          {"customer_ids": [c.pk], "owner": "agent2", "reason": "x"},
                          content_type="application/json")
    assert response.status_code == 403
    c.refresh_from_db()
    assert c.owner == demo.users["agent1"] and c.version == 1
    assert not PoolEvent.objects.exists()
    assert AuditEvent.objects.count() == before


def test_lead_reassigns_through_the_api(demo, clients, make_customer):
    c = make_customer()
    response = clients("lead").post("/api/v1/customers/reassign",
                                    {"customer_ids": [c.pk], "owner": "agent2", "reason": "x"},
                                    content_type="application/json")
    assert response.status_code == 200, response.content
    assert Customer.objects.get(pk=c.pk).owner == demo.users["agent2"]


# -- caps -------------------------------------------------------------------------------------------


def test_claims_per_day_the_20th_passes_the_21st_is_refused(demo, make_customer):
    pooled = [in_pool(make_customer) for _i in range(21)]
    agent = demo.users["agent1"]
    for c in pooled[:20]:
        pool.claim(actor=agent, customer_id=c.pk)
    assert pool.claims_today(agent) == 20
    with pytest.raises(RuleViolation) as exc:
        pool.claim(actor=agent, customer_id=pooled[20].pk)
    assert exc.value.rule == "R-CUS-10"
    assert Customer.objects.get(pk=pooled[20].pk).owner_id is None
    # Another agent's count is their own.
    pool.claim(actor=demo.users["agent2"], customer_id=pooled[20].pk)


def test_yesterdays_claims_do_not_count(demo, make_customer, set_rules):
    set_rules(customers__max_claims_per_day=1)
    first, second = in_pool(make_customer), in_pool(make_customer)
    pool.claim(actor=demo.users["agent1"], customer_id=first.pk)
    with pytest.raises(RuleViolation):
        pool.claim(actor=demo.users["agent1"], customer_id=second.pk)
    PoolEvent.objects.filter(action="claim").update(at=timezone.now() - dt.timedelta(days=1))
    pool.claim(actor=demo.users["agent1"], customer_id=second.pk)


def test_owned_cap_at_the_boundary(demo, make_customer, set_rules):
    owned = [make_customer() for _i in range(2)]
    first, second = in_pool(make_customer), in_pool(make_customer)
    set_rules(customers__max_owned_per_agent=3)  # owns 2: one more is allowed
    pool.claim(actor=demo.users["agent1"], customer_id=first.pk)
    with pytest.raises(RuleViolation) as exc:
        pool.claim(actor=demo.users["agent1"], customer_id=second.pk)
    assert exc.value.rule == "R-CUS-10"
    # Reassignment respects the same cap, all or nothing.
    others = [make_customer(owner="agent2") for _i in range(2)]
    with pytest.raises(RuleViolation):
        pool.reassign(actor=demo.users["lead1"], customer_ids=[o.pk for o in others], to_owner=demo.users["agent1"])
    assert Customer.objects.filter(owner=demo.users["agent1"]).count() == len(owned) + 1


# -- previous owner's cool-down ----------------------------------------------------------------------


def test_previous_owner_cool_down_boundary(demo, make_customer):
    c = make_customer()
    pool.release(actor=demo.users["agent1"], customer_id=c.pk, reason="x")
    with pytest.raises(RuleViolation) as exc:
        pool.claim(actor=demo.users["agent1"], customer_id=c.pk)
    assert exc.value.rule == "R-CUS-10"
    almost = timezone.now() - dt.timedelta(days=30) + dt.timedelta(minutes=1)
    Customer.objects.filter(pk=c.pk).update(pool_entered_at=almost)
    with pytest.raises(RuleViolation):
        pool.claim(actor=demo.users["agent1"], customer_id=c.pk)
    Customer.objects.filter(pk=c.pk).update(pool_entered_at=timezone.now() - dt.timedelta(days=30, minutes=1))
    assert pool.claim(actor=demo.users["agent1"], customer_id=c.pk).owner == demo.users["agent1"]


def test_cool_down_binds_only_the_previous_owner(demo, make_customer, set_rules):
    c = make_customer()
    pool.release(actor=demo.users["agent1"], customer_id=c.pk, reason="x")
    assert pool.claim(actor=demo.users["agent2"], customer_id=c.pk).owner == demo.users["agent2"]
    d = make_customer()
    pool.release(actor=demo.users["agent1"], customer_id=d.pk, reason="x")
    set_rules(customers__reclaim_cooldown_days=0)
    assert pool.claim(actor=demo.users["agent1"], customer_id=d.pk).owner == demo.users["agent1"]


# -- return to the pool ------------------------------------------------------------------------------


def test_b_customer_stays_for_21_days_and_returns_on_the_22nd(demo, make_customer, today):
    c = b_customer(make_customer)
    assert c.countdown_from == today
    assert pool.return_neglected(today=today + dt.timedelta(days=21)) == 0
    assert Customer.objects.get(pk=c.pk).owner == demo.users["agent1"]
    assert pool.return_neglected(today=today + dt.timedelta(days=22)) == 1
    c.refresh_from_db()
    assert c.owner is None and c.previous_owner == demo.users["agent1"] and c.pool_entered_at is not None
    event = PoolEvent.objects.get(customer=c)
    assert event.action == "reclaim" and event.actor is None and event.from_owner == demo.users["agent1"]
    audit = pool_audit(c, "reclaim").get()
    assert audit.actor is None and audit.actor_name == "system"
    assert pool.return_neglected(today=today + dt.timedelta(days=23)) == 0  # already in the pool


@pytest.mark.parametrize(("grade_kw", "grade", "limit"), [
    ({"need_status": "target", "close_days": 10}, "A", 3),
    ({"need_status": "target", "close_days": 150}, "C", 45),
    ({"need_status": "latent"}, "D", 90),
    ({"need_status": "dead"}, "E", 1095),
])
def test_every_grade_returns_after_three_cadences(make_customer, today, grade_kw, grade, limit):
    kw = {"need_status": grade_kw["need_status"]}
    if "close_days" in grade_kw:
        kw["expected_close_date"] = today + dt.timedelta(days=grade_kw["close_days"])
    c = make_customer(**kw)
    assert c.grade == grade
    assert pool.return_neglected(today=today + dt.timedelta(days=limit)) == 0
    assert pool.return_neglected(today=today + dt.timedelta(days=limit + 1)) == 1


def test_per_grade_override_and_multiplier(make_customer, today, set_rules):
    c = b_customer(make_customer)
    set_rules(customers__pool_days__B=10)
    assert pool.return_neglected(today=today + dt.timedelta(days=10)) == 0
    set_rules(customers__pool_days__B=0, customers__pool_reclaim_cadences=2)  # 0: back to the multiplier
    assert pool.return_neglected(today=today + dt.timedelta(days=14)) == 0
    set_rules(customers__pool_days__B=10)
    assert pool.return_neglected(today=today + dt.timedelta(days=11)) == 1
    assert Customer.objects.get(pk=c.pk).owner_id is None


def test_won_customers_are_exempt_unless_switched_off(make_customer, today, set_rules):
    won = b_customer(make_customer, deal_status="won")
    later = today + dt.timedelta(days=400)
    assert pool.return_neglected(today=later) == 0
    assert pool.days_until_return(load_rules(), won, today=later) is None
    set_rules(customers__pool_exempt_won=False)
    assert pool.return_neglected(today=later) == 1


def test_customers_in_the_pool_have_no_countdown(make_customer, today):
    c = in_pool(make_customer)
    assert pool.days_until_return(load_rules(), c, today=today) is None


# -- warning and countdown ---------------------------------------------------------------------------


def test_warning_n_days_before_return_is_idempotent(demo, make_customer, today):
    c = b_customer(make_customer)
    return_on = today + dt.timedelta(days=22)
    assert pool.warn_before_return(today=today + dt.timedelta(days=18)) == 0  # 4 days before: too early
    assert pool.warn_before_return(today=today + dt.timedelta(days=19)) == 1  # 3 days before
    assert pool.warn_before_return(today=today + dt.timedelta(days=19)) == 0
    assert pool.warn_before_return(today=today + dt.timedelta(days=21)) == 0
    reminder = Reminder.objects.get(customer=c)
    assert (reminder.level, reminder.due_date, reminder.recipient) == ("pool", return_on, demo.users["agent1"])


def test_a_missed_warning_day_is_caught_up_before_the_return(make_customer, today):
    b_customer(make_customer)
    assert pool.warn_before_return(today=today + dt.timedelta(days=21)) == 1  # the job did not run on day 19
    assert pool.warn_before_return(today=today + dt.timedelta(days=22)) == 0  # return day: no warning


def test_warning_days_setting(make_customer, today, set_rules):
    set_rules(customers__pool_warning_days=5)
    b_customer(make_customer)
    assert pool.warn_before_return(today=today + dt.timedelta(days=16)) == 0
    assert pool.warn_before_return(today=today + dt.timedelta(days=17)) == 1
    set_rules(customers__pool_warning_days=0)
    b_customer(make_customer)
    assert pool.warn_before_return(today=today + dt.timedelta(days=21)) == 0


def test_exempt_and_pooled_customers_are_not_warned(make_customer, today):
    b_customer(make_customer, deal_status="won")
    in_pool(make_customer)
    assert pool.warn_before_return(today=today + dt.timedelta(days=19)) == 0


@pytest.mark.parametrize(("elapsed", "left"), [(0, 22), (19, 3), (20, 2), (21, 1), (22, 0)])
def test_countdown_days(make_customer, today, elapsed, left):
    c = b_customer(make_customer)
    assert pool.days_until_return(load_rules(), c, today=today + dt.timedelta(days=elapsed)) == left


def test_a_follow_up_resets_the_countdown(demo, make_customer, today):
    c = b_customer(make_customer)
    Customer.objects.filter(pk=c.pk).update(countdown_from=today - dt.timedelta(days=20))
    c.refresh_from_db()
    rules = load_rules()
    assert pool.days_until_return(rules, c, today=today) == 2  # red on the lists
    assert pool.warn_before_return(today=today) == 1
    _f, c = services.record_followup(actor=demo.users["agent1"], customer_id=c.pk, at=timezone.now(),
                                     method="phone", content="确认需求")
    assert c.countdown_from == today
    assert pool.days_until_return(rules, c, today=today) == 22
    assert pool.return_neglected(today=today + dt.timedelta(days=2)) == 0
    assert pool.warn_before_return(today=today + dt.timedelta(days=19)) == 1  # a new warning for the new date
    assert sorted(Reminder.objects.filter(customer=c).values_list("due_date", flat=True)) == [
        today + dt.timedelta(days=2), today + dt.timedelta(days=22)]


def test_a_late_entry_does_not_move_the_countdown_back(demo, make_customer, today):
    c = b_customer(make_customer)
    _f, c = services.record_followup(actor=demo.users["agent1"], customer_id=c.pk,
                                     at=timezone.now() - dt.timedelta(days=5), method="phone", content="补录")
    assert c.countdown_from == today  # the claim/creation day is later than the late entry


def test_periodic_pool_task(make_customer, today):
    from kefu.customers import tasks

    b_customer(make_customer)
    assert tasks.nightly_pool.call_local() == {"returned": 0, "warned": 0}


def test_r_cus_10_reassign_refuses_the_role_first_and_does_not_reveal_names(demo, clients):
    """An agent gets 403 whatever owner they name; a lead gets the same 422 for a name that does not exist
    and for a person outside their scope."""
    agent = clients("agent").post("/api/v1/customers/reassign", {"customer_ids": [1], "owner": "nobody"},
                                  content_type="application/json")
    assert agent.status_code == 403
    lead = clients("lead")
    unknown = lead.post("/api/v1/customers/reassign", {"customer_ids": [1], "owner": "nobody"},
                        content_type="application/json")
    other_team = lead.post("/api/v1/customers/reassign", {"customer_ids": [1], "owner": "agent4"},
                           content_type="application/json")
    assert unknown.status_code == other_team.status_code == 422
    assert unknown.json()["errors"] == other_team.json()["errors"]
