"""The customer pool 公海 (R-CUS-10): neglected customers return to their shop's pool; agents claim,
owners release, leads reassign. Caps, the previous owner's cool-down and the countdown live here."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.core.errors import Errors, NotAllowed, RuleViolation
from kefu.core.numbers import ids_in_range
from kefu.customers.access import access_customer, can_act_on, can_reassign
from kefu.customers.choices import GRADES, DealStatus, PoolAction
from kefu.customers.grading import CustomerRules, load_rules, pool_return_date
from kefu.customers.models import CareTask, Customer, PoolEvent, Reminder
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.rules.selectors import get_rule


def is_exempt(rules: CustomerRules, customer: Customer) -> bool:
    return rules.pool_exempt_won and customer.deal_status == DealStatus.WON


def days_until_return(rules: CustomerRules, customer: Customer, *, today: dt.date) -> int | None:
    """Days left before the customer returns to the pool (0 = today); None when it cannot return
    (in the pool already, or exempt). A follow-up, claim or reassignment restarts the countdown."""
    if customer.owner_id is None or customer.countdown_from is None or is_exempt(rules, customer):
        return None
    return (pool_return_date(rules, last_contact=customer.countdown_from, grade=customer.grade) - today).days


def _event(customer: Customer, *, action: str, actor, from_owner, to_owner, reason: str = "", at=None) -> None:
    PoolEvent.objects.create(customer=customer, action=action, actor=actor if getattr(actor, "pk", None) else None,
                             from_owner_id=getattr(from_owner, "pk", from_owner), to_owner=to_owner,
                             at=at or timezone.now(), reason=reason[:300])
    record(actor=actor, action=Action.UPDATE, obj=customer,
           before={"owner": getattr(from_owner, "pk", from_owner)}, after={"owner": getattr(to_owner, "pk", None)},
           note=f"pool:{action}")


def _to_pool(customer: Customer, *, actor, action: str, reason: str, now) -> None:
    previous = customer.owner_id
    customer.previous_owner_id = previous
    customer.owner = None
    customer.pool_entered_at = now
    customer.countdown_from = None
    customer.version += 1
    customer.save(update_fields=["previous_owner", "owner", "pool_entered_at", "countdown_from", "version",
                                 "updated_at"])
    CareTask.objects.filter(customer=customer, done_at__isnull=True).update(owner=None)
    _event(customer, action=action, actor=actor, from_owner=previous, to_owner=None, reason=reason, at=now)


def _give_to(customer: Customer, *, owner, actor, action: str, reason: str, now) -> None:
    previous = customer.owner_id
    customer.owner = owner
    customer.owner_since = now
    customer.countdown_from = timezone.localdate(now)
    customer.pool_entered_at = None
    customer.version += 1
    customer.save(update_fields=["owner", "owner_since", "countdown_from", "pool_entered_at", "version",
                                 "updated_at"])
    CareTask.objects.filter(customer=customer, done_at__isnull=True).update(owner=owner)
    _event(customer, action=action, actor=actor, from_owner=previous, to_owner=owner, reason=reason, at=now)


def _check_capacity(owner, adding: int) -> None:
    cap = get_rule("customers.max_owned_per_agent", centre_id=owner.centre_id)
    owned = Customer.objects.filter(owner=owner).count()
    if owned + adding > cap:
        raise RuleViolation(_("%(person)s already owns %(owned)s customers; the limit is %(cap)s.")
                            % {"person": owner, "owned": owned, "cap": cap}, rule="R-CUS-10")


@transaction.atomic
def claim(*, actor, customer_id: int) -> Customer:
    """An agent takes a customer from the shop's pool: within the daily claim cap and ownership cap,
    and not their own former customer during the cool-down. Only people who serve customers (agents and
    team leads) claim; QA inspectors, heads and directors only read (leads and above reassign instead)."""
    if not actor.has_role(Role.AGENT, Role.LEAD):
        raise NotAllowed(_("Only agents and team leads may claim customers from the pool."))
    customer = access_customer(actor, customer_id, for_update=True)
    if customer.owner_id is not None:
        raise RuleViolation(_("This customer is not in the pool."), rule="R-CUS-10")
    now = timezone.now()
    centre_id = actor.centre_id
    cooldown = get_rule("customers.reclaim_cooldown_days", centre_id=centre_id)
    if (customer.previous_owner_id == actor.pk and customer.pool_entered_at is not None
            and now < customer.pool_entered_at + dt.timedelta(days=cooldown)):
        until = timezone.localdate(customer.pool_entered_at + dt.timedelta(days=cooldown))
        raise RuleViolation(_("You were this customer's owner; you may claim it again from %(date)s.")
                            % {"date": until.isoformat()}, rule="R-CUS-10")
    per_day = get_rule("customers.max_claims_per_day", centre_id=centre_id)
    today_start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    claimed_today = PoolEvent.objects.filter(actor=actor, action=PoolAction.CLAIM, at__gte=today_start).count()
    if claimed_today >= per_day:
        raise RuleViolation(_("You have claimed %(n)s customers today, the daily limit.") % {"n": claimed_today},
                            rule="R-CUS-10")
    _check_capacity(actor, 1)
    _give_to(customer, owner=actor, actor=actor, action=PoolAction.CLAIM, reason="", now=now)
    return customer


@transaction.atomic
def release(*, actor, customer_id: int, reason: str) -> Customer:
    """The owner (or their lead) gives a customer back to the pool, with a reason."""
    customer = access_customer(actor, customer_id, act=True, for_update=True)
    errors = Errors()
    if customer.owner_id is None:
        errors.add("customer", _("This customer is already in the pool."))
    if not (reason or "").strip():
        errors.add("reason", _("Give a reason."))
    errors.raise_if_any(_("The customer was not released."))
    _to_pool(customer, actor=actor, action=PoolAction.RELEASE, reason=reason, now=timezone.now())
    return customer


@transaction.atomic
def refuse_unless_may_reassign(actor) -> None:
    if not can_reassign(actor):
        raise NotAllowed(_("Only team leads and above may reassign customers."))


def reassign_owner_in_scope(actor, username: str):
    """The person named ``username`` among the caller's people, or None — after the role check, so that
    neither an agent nor a lead learns whether a name exists outside their scope."""
    refuse_unless_may_reassign(actor)
    return scope_for(actor).people().filter(username=username).first()


def reassign(*, actor, customer_ids: list[int], to_owner, reason: str = "") -> list[Customer]:
    """Leads (and above) move customers to another person of their scope who serves the shop."""
    refuse_unless_may_reassign(actor)
    scope = scope_for(actor)
    errors = Errors()
    if not scope.can_act_on_person(to_owner):
        errors.add("owner", _("You may assign customers only to people of your team."))
    customers = list(Customer.objects.select_for_update().filter(
        pk__in=ids_in_range(customer_ids, Customer._meta.pk), shop_id__in=scope.shop_ids))  # others cannot exist
    if len(customers) != len(set(customer_ids)) or not all(can_act_on(actor, c) for c in customers):
        raise NotAllowed(_("Some of these customers are outside your scope."))
    owner_shops = scope_for(to_owner).shop_ids
    if any(c.shop_id not in owner_shops for c in customers):
        errors.add("owner", _("%(person)s does not serve the shop of some of these customers.") % {"person": to_owner})
    errors.raise_if_any(_("The customers were not reassigned."))
    moving = [c for c in customers if c.owner_id != to_owner.pk]
    _check_capacity(to_owner, len(moving))
    now = timezone.now()
    for customer in moving:
        _give_to(customer, owner=to_owner, actor=actor, action=PoolAction.ASSIGN, reason=reason, now=now)
    return customers


def _due_for_return(rules: CustomerRules, today: dt.date):
    """Owned, non-exempt customers whose countdown has run out, grade by grade (index on grade, clock)."""
    for grade in GRADES:
        last_allowed = today - dt.timedelta(days=rules.pool_after_days(grade) + 1)
        qs = Customer.objects.filter(owner__isnull=False, grade=grade, countdown_from__lte=last_allowed)
        if rules.pool_exempt_won:
            qs = qs.exclude(deal_status=DealStatus.WON)
        yield from qs.order_by("id").iterator(chunk_size=1000)


def return_neglected(*, today: dt.date | None = None) -> int:
    """Periodic: customers with no follow-up for longer than their limit go back to the pool."""
    today = today or timezone.localdate()
    rules = load_rules()
    now = timezone.now()
    moved = 0
    for candidate in list(_due_for_return(rules, today)):
        with transaction.atomic():
            customer = Customer.objects.select_for_update().get(pk=candidate.pk)
            left = days_until_return(rules, customer, today=today)
            if left is not None and left <= 0:
                _to_pool(customer, actor=None, action=PoolAction.RECLAIM,
                         reason=_("No follow-up for more than %(days)s days.")
                         % {"days": rules.pool_after_days(customer.grade)}, now=now)
                moved += 1
    return moved


def warn_before_return(*, today: dt.date | None = None) -> int:
    """Periodic: remind owners N days (``customers.pool_warning_days``) before their customer returns to
    the pool — one reminder per customer and return date, however often the job runs. A customer whose
    warning day was missed (the job did not run) is warned on the next run before its return."""
    today = today or timezone.localdate()
    rules = load_rules()
    created = 0
    for grade in GRADES:
        limit = rules.pool_after_days(grade)
        warn_clock = today - dt.timedelta(days=limit + 1 - rules.pool_warning_days)  # warning day is today
        last_allowed = today - dt.timedelta(days=limit + 1)  # due for return today: too late to warn
        qs = Customer.objects.filter(owner__isnull=False, grade=grade, countdown_from__lte=warn_clock,
                                     countdown_from__gt=last_allowed)
        if rules.pool_exempt_won:
            qs = qs.exclude(deal_status=DealStatus.WON)
        rows = list(qs.values_list("id", "owner_id", "countdown_from"))
        for start in range(0, len(rows), 2000):
            chunk = rows[start:start + 2000]
            wanted = {
                (pk, pool_return_date(rules, last_contact=clock, grade=grade)): owner_id
                for pk, owner_id, clock in chunk
            }
            existing = set(Reminder.objects.filter(customer_id__in=[pk for pk, _o, _c in chunk],
                                                   level=Reminder.Level.POOL_WARNING)
                           .values_list("customer_id", "due_date"))
            new = [Reminder(customer_id=pk, due_date=return_on, level=Reminder.Level.POOL_WARNING,
                            recipient_id=owner_id)
                   for (pk, return_on), owner_id in wanted.items() if (pk, return_on) not in existing]
            Reminder.objects.bulk_create(new, ignore_conflicts=True)
            created += len(new)
    return created


def pool_for(user):
    """The pool customers of the shops in the caller's scope."""
    from kefu.customers.access import customers_in_scope

    return customers_in_scope(user).filter(owner__isnull=True).select_related("shop", "previous_owner")


def claims_today(user) -> int:
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return PoolEvent.objects.filter(actor=user, action=PoolAction.CLAIM, at__gte=start).aggregate(n=Count("id"))["n"]
