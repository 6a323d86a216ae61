"""Every change to the customer archive (R-CUS-1 … R-CUS-5): keyword-only, transactional, audited.

Pool, value, reminders and care tasks have their own modules (``pool.py``, ``value.py``,
``reminders.py``, ``care.py``); imports live in ``importing.py``. They all write through here or
through the same helpers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record, record_change, snapshot
from kefu.core import hooks
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, NotAllowed
from kefu.core.numbers import ids_in_range
from kefu.core.phones import clean_phones, mask_phone
from kefu.customers.access import access_customer, can_see_full_phones, customers_in_scope
from kefu.customers.choices import DealStatus, FollowUpMethod, Grade, NeedStatus
from kefu.customers.grading import CustomerRules, load_rules, next_due, propose_grade
from kefu.customers.models import Customer, CustomerPhone, CustomerTag, FollowUp, GradeChange
from kefu.customers.names import pinyin_forms
from kefu.customers.validation import NumberProblem, clean_expected_amount
from kefu.org.scope import scope_for

EDITABLE_FIELDS = (
    "name", "gender", "birthday", "region", "occupation", "source_channel", "email", "wechat", "address",
    "preferences", "notes", "need_status", "deal_status", "expected_close_date", "expected_amount",
)
MAX_TAGS = 30


def _today() -> dt.date:
    return timezone.localdate()


def _validate_choice(errors: Errors, field: str, value: Any, choices) -> None:
    if value is not None and value not in choices.values:
        errors.add(field, _("Choose one of: %(expected)s.") % {"expected": ", ".join(choices.values)})


def _clean_phones(errors: Errors, phones: list[str] | None, *, actor=None, customer: Customer | None = None) -> list[str]:
    """The numbers in normal form, by the one validator (kefu.core.phones.check_phone). A masked
    number (138****1234) the caller was shown and sent back unchanged keeps the customer's real
    number; any other masked value is refused (R-CUS-1, R-ERR)."""
    current: list[str] = []
    mask = None
    if customer is not None and actor is not None:
        from kefu.customers.serializers import PhoneView

        view = PhoneView(actor)
        current = list(CustomerPhone.objects.filter(customer=customer).order_by("position", "id")
                       .values_list("number", flat=True))
        mask = lambda n: mask_phone(n, keep_start=view.keep_start, keep_end=view.keep_end)  # noqa: E731
    numbers, problems = clean_phones(phones or [], current=current, mask=mask)
    for problem in problems:
        errors.add("phones", problem)
    return numbers


def _clean_tags(errors: Errors, tags: list[str] | None) -> list[str]:
    out = []
    for tag in tags or []:
        tag = str(tag).strip()
        if not tag:
            continue
        if len(tag) > 50:
            errors.add("tags", _("A tag has at most 50 characters."))
        elif tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        errors.add("tags", _("At most %(n)s tags.") % {"n": MAX_TAGS})
    return out


def find_duplicates(*, shop_id: int, phones: list[str], email: str, exclude_id: int | None = None) -> list[Customer]:
    """Customers of the same shop sharing a phone number or e-mail (R-CUS-11 duplicate detection)."""
    matches = Customer.objects.none()
    if phones:
        matches = matches | Customer.objects.filter(shop_id=shop_id, phones__number__in=phones)
    if email:
        matches = matches | Customer.objects.filter(shop_id=shop_id, email__iexact=email)
    if exclude_id is not None:
        matches = matches.exclude(pk=exclude_id)
    return list(matches.distinct()[:5])


def _validate_fields(errors: Errors, data: dict[str, Any], *, today: dt.date) -> None:
    if "name" in data and not str(data["name"] or "").strip():
        errors.add("name", _("A name is required."))
    elif "name" in data and len(data["name"]) > 100:
        errors.add("name", _("At most %(n)s characters.") % {"n": 100})
    _validate_choice(errors, "need_status", data.get("need_status"), NeedStatus)
    _validate_choice(errors, "deal_status", data.get("deal_status"), DealStatus)
    if "expected_amount" in data:  # checked against its column, as the form and the importer do (R-ERR)
        try:
            data["expected_amount"] = clean_expected_amount(data["expected_amount"])
        except NumberProblem as problem:
            errors.add("expected_amount", problem.message)
    birthday = data.get("birthday")
    if birthday is not None and birthday > today:
        errors.add("birthday", _("A birthday cannot be in the future."))
    if data.get("gender") not in (None, "", "m", "f"):
        errors.add("gender", _("Choose one of: %(expected)s.") % {"expected": "m, f"})


def _resolve_grade(errors: Errors, *, rules: CustomerRules, need_status: str, expected_close_date,
                   today: dt.date, grade: str | None, reason: str, current: str | None) -> tuple[str, str]:
    """(grade in force, proposed grade). An explicit grade other than the proposal needs a reason
    (R-CUS-3); without one, the proposal applies."""
    proposed = propose_grade(rules, need_status=need_status, expected_close_date=expected_close_date, today=today)
    if grade is None:
        return proposed, proposed
    if grade not in Grade.values:
        errors.add("grade", _("Choose one of: %(expected)s.") % {"expected": ", ".join(Grade.values)})
        return proposed, proposed
    if grade != proposed and grade != current and not (reason or "").strip():
        errors.add("grade_reason", _("Give a reason when the grade differs from the proposed grade %(grade)s.")
                   % {"grade": proposed})
    return grade, proposed


def _set_phones(customer: Customer, numbers: list[str]) -> None:
    CustomerPhone.objects.filter(customer=customer).delete()
    CustomerPhone.objects.bulk_create([
        CustomerPhone(customer=customer, number=n, reversed_number=n[::-1], position=i) for i, n in enumerate(numbers)
    ])


def _set_tags(customer: Customer, tags: list[str]) -> None:
    CustomerTag.objects.filter(customer=customer).exclude(tag__in=tags).delete()
    existing = set(CustomerTag.objects.filter(customer=customer).values_list("tag", flat=True))
    CustomerTag.objects.bulk_create([CustomerTag(customer=customer, tag=t) for t in tags if t not in existing])


def _record_grade(customer: Customer, *, actor, before: str, proposed: str, reason: str, source: str, at) -> None:
    GradeChange.objects.create(customer=customer, at=at, by=actor if getattr(actor, "pk", None) else None,
                               from_grade=before, to_grade=customer.grade, proposed=proposed, reason=reason[:300],
                               source=source)


def _check_owner(errors: Errors, actor, owner, shop) -> None:
    if owner is None:
        return
    if owner.pk != actor.pk and not scope_for(actor).can_act_on_person(owner):
        errors.add("owner", _("You may assign customers only to people of your team."))
    elif not scope_for(owner).can_see_shop(shop.pk):
        errors.add("owner", _("%(person)s does not serve this shop.") % {"person": owner})


@transaction.atomic
def create_customer(
    *,
    actor,
    shop,
    name: str,
    phones: list[str] | None = None,
    email: str = "",
    owner=None,
    need_status: str = NeedStatus.LATENT,
    deal_status: str = DealStatus.PROSPECT,
    expected_close_date: dt.date | None = None,
    expected_amount: Decimal | None = None,
    birthday: dt.date | None = None,
    tags: list[str] | None = None,
    grade: str | None = None,
    grade_reason: str = "",
    source: str = GradeChange.Source.CREATED,
    **extra: Any,
) -> Customer:
    """Create a customer owned by ``owner`` (default: the caller). Refuses duplicates of a phone or
    e-mail within the shop. The first next_due counts from today, as if creation were a contact."""
    today = _today()
    if not scope_for(actor).can_see_shop(shop.pk):
        raise NotAllowed(_("This shop is outside your scope."))
    errors = Errors()
    owner = actor if owner is None else owner
    data = {"name": name, "need_status": need_status, "deal_status": deal_status, "expected_amount": expected_amount,
            "birthday": birthday, **{k: v for k, v in extra.items() if k in EDITABLE_FIELDS}}
    unknown = set(extra) - set(EDITABLE_FIELDS) - {"referred_by"}
    for field in sorted(unknown):
        errors.add(field, _("Unknown field."))
    _validate_fields(errors, data, today=today)
    expected_amount = data["expected_amount"]
    numbers = _clean_phones(errors, phones)
    clean_tags = _clean_tags(errors, tags)
    _check_owner(errors, actor, owner, shop)
    rules = load_rules(getattr(shop, "centre_id", None))
    grade, proposed = _resolve_grade(errors, rules=rules, need_status=need_status,
                                     expected_close_date=expected_close_date, today=today, grade=grade,
                                     reason=grade_reason, current=None)
    email = (email or "").strip().lower()
    if not errors.items:
        dupes = find_duplicates(shop_id=shop.pk, phones=numbers, email=email)
        if dupes:
            errors.add("phones" if numbers else "email",
                       _("Already in the archive as “%(name)s” (#%(id)s).") % {"name": dupes[0].name, "id": dupes[0].pk})
    errors.raise_if_any(_("The customer could not be created."))

    now = timezone.now()
    full, initials = pinyin_forms(name.strip())
    customer = Customer.objects.create(
        shop=shop, owner=owner, owner_since=now, countdown_from=today, name=name.strip(), name_pinyin=full, name_initials=initials,
        email=email, need_status=need_status, deal_status=deal_status, expected_close_date=expected_close_date,
        expected_amount=expected_amount, birthday=birthday, grade=grade, grade_proposed=proposed,
        grade_reason=grade_reason.strip()[:300], next_due=next_due(rules, last_contact=today, grade=grade),
        created_by=actor if getattr(actor, "pk", None) else None,
        **{k: v for k, v in extra.items() if k in EDITABLE_FIELDS or k == "referred_by"},
    )
    _set_phones(customer, numbers)
    _set_tags(customer, clean_tags)
    _record_grade(customer, actor=actor, before="", proposed=proposed, reason=grade_reason, source=source, at=now)
    record(actor=actor, action=Action.CREATE, obj=customer,
           after={**snapshot(customer), "phones": len(numbers), "tags": clean_tags})
    return customer


def _last_contact_date(customer: Customer) -> dt.date:
    if customer.last_followup_at is not None:
        return timezone.localdate(customer.last_followup_at)
    return timezone.localdate(customer.created_at) if customer.created_at else _today()


@transaction.atomic
def update_customer(*, actor, customer_id: int, version: int | None, changes: dict[str, Any]) -> Customer:
    """Change archive fields (PATCH). ``grade`` with ``grade_reason`` overrides the proposal; when the
    need or expected date changes, the proposal is recomputed and a grade that followed the old
    proposal follows the new one. A grade change recomputes next_due from the last contact."""
    customer = access_customer(actor, customer_id, act=True, for_update=True)
    check_version(customer, version)
    today = _today()
    errors = Errors()
    allowed = set(EDITABLE_FIELDS) | {"phones", "tags", "grade", "grade_reason", "owner"}
    for field in sorted(set(changes) - allowed):
        errors.add(field, _("This field cannot be changed here."))
    _validate_fields(errors, changes, today=today)
    numbers = _clean_phones(errors, changes["phones"], actor=actor, customer=customer) if "phones" in changes else None
    tags = _clean_tags(errors, changes["tags"]) if "tags" in changes else None
    if "owner" in changes:
        errors.add("owner", _("Use reassignment to change the owner."))
    rules = load_rules(actor.centre_id)
    need = changes.get("need_status", customer.need_status)
    close = changes.get("expected_close_date", customer.expected_close_date)
    followed_proposal = customer.grade == customer.grade_proposed
    requested = changes.get("grade")
    if requested is None and followed_proposal:
        grade, proposed = _resolve_grade(errors, rules=rules, need_status=need, expected_close_date=close,
                                         today=today, grade=None, reason="", current=customer.grade)
    else:
        grade, proposed = _resolve_grade(errors, rules=rules, need_status=need, expected_close_date=close,
                                         today=today, grade=requested or customer.grade,
                                         reason=changes.get("grade_reason", ""),
                                         current=customer.grade if requested is None else None)
    if numbers is not None:
        dupes = find_duplicates(shop_id=customer.shop_id, phones=numbers, email="", exclude_id=customer.pk)
        if dupes:
            errors.add("phones", _("Already in the archive as “%(name)s” (#%(id)s).")
                       % {"name": dupes[0].name, "id": dupes[0].pk})
    errors.raise_if_any(_("The customer could not be changed."))

    before = snapshot(customer)
    for field in EDITABLE_FIELDS:
        if field in changes:
            value = changes[field]
            if field == "email":
                value = (value or "").strip().lower()
            setattr(customer, field, value if value is not None or field in {
                "birthday", "expected_close_date", "expected_amount"} else "")
    if "name" in changes:
        customer.name = customer.name.strip()
        customer.name_pinyin, customer.name_initials = pinyin_forms(customer.name)
    old_grade = customer.grade
    customer.grade_proposed = proposed
    if grade != old_grade:
        customer.grade = grade
        customer.grade_reason = (changes.get("grade_reason") or "").strip()[:300]
        customer.next_due = next_due(rules, last_contact=_last_contact_date(customer), grade=grade)
        _record_grade(customer, actor=actor, before=old_grade, proposed=proposed, reason=customer.grade_reason,
                      source=GradeChange.Source.OVERRIDE if requested else GradeChange.Source.FOLLOWUP,
                      at=timezone.now())
    bump_version(customer)
    customer.save()
    if numbers is not None:
        _set_phones(customer, numbers)
    if tags is not None:
        _set_tags(customer, tags)
    record_change(actor=actor, obj=customer, before=before)
    return customer


@transaction.atomic
def record_followup(
    *,
    actor,
    customer_id: int,
    at: dt.datetime,
    method: str,
    content: str,
    outcome: str = "",
    grade: str | None = None,
    grade_reason: str = "",
    need_status: str | None = None,
    expected_close_date: dt.date | None = None,
    version: int | None = None,
) -> tuple[FollowUp, Customer]:
    """R-CUS-5: record a follow-up (also for a past time — 补录 — never the future), re-grade the
    customer and recompute next_due from the follow-up's date (R-CUS-4). The latest follow-up wins:
    a late entry for an earlier time does not move next_due backwards."""
    customer = access_customer(actor, customer_id, act=True, for_update=True)
    if version is not None:
        check_version(customer, version)
    errors = Errors()
    now = timezone.now()
    if at is None:
        errors.add("at", _("This field is required."))
    elif timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at is not None and at > now + dt.timedelta(minutes=1):
        errors.add("at", _("A follow-up cannot be recorded for a future time."))
    _validate_choice(errors, "method", method, FollowUpMethod)
    if not (content or "").strip():
        errors.add("content", _("Write what was discussed."))
    _validate_choice(errors, "need_status", need_status, NeedStatus)
    rules = load_rules(actor.centre_id)
    today = _today()
    need = need_status or customer.need_status
    close = expected_close_date if expected_close_date is not None else customer.expected_close_date
    if grade is None and customer.grade != customer.grade_proposed:
        grade = customer.grade  # an override stays until someone changes it
        grade_reason = grade_reason or customer.grade_reason
    new_grade, proposed = _resolve_grade(errors, rules=rules, need_status=need, expected_close_date=close,
                                         today=today, grade=grade, reason=grade_reason, current=customer.grade)
    errors.raise_if_any(_("The follow-up was not recorded."))

    before = snapshot(customer)
    old_grade = customer.grade
    was_due = customer.next_due
    is_latest = customer.last_followup_at is None or at >= customer.last_followup_at
    customer.need_status = need
    customer.expected_close_date = close
    customer.grade_proposed = proposed
    if new_grade != old_grade:
        customer.grade = new_grade
        customer.grade_reason = (grade_reason or "").strip()[:300]
    if is_latest:
        customer.last_followup_at = at
        customer.countdown_from = max(customer.countdown_from or timezone.localdate(at), timezone.localdate(at))
        customer.next_due = next_due(rules, last_contact=timezone.localdate(at), grade=customer.grade)
    elif new_grade != old_grade:
        customer.next_due = next_due(rules, last_contact=_last_contact_date(customer), grade=customer.grade)
    bump_version(customer)
    customer.save()
    followup = FollowUp.objects.create(
        customer=customer, agent=actor, at=at, method=method, content=content.strip(), outcome=(outcome or "")[:300],
        grade_before=old_grade, grade_after=customer.grade, next_due_after=customer.next_due, was_due=was_due,
    )
    hooks.fire(hooks.KPI_DAYS_CHANGED, at=[at])  # 补录 for an earlier day: that day's proactive contacts (R-KPI-1)
    if new_grade != old_grade:
        _record_grade(customer, actor=actor, before=old_grade, proposed=proposed, reason=customer.grade_reason,
                      source=GradeChange.Source.FOLLOWUP, at=at)
    record(actor=actor, action=Action.CREATE, obj=followup,
           after={"customer": customer.pk, "at": at, "method": method, "grade": customer.grade})
    record_change(actor=actor, obj=customer, before=before, note="follow-up")
    return followup, customer


@transaction.atomic
def reveal_phones(*, actor, customer_id: int, purpose: str = "view") -> list[str]:
    """Full phone numbers. Roles allowed by R-CUS-1 may view them; everyone who may act on the
    customer may use the dial/copy action (``purpose="dial"``). Either way it is recorded."""
    customer = access_customer(actor, customer_id)
    if purpose == "view":
        if not can_see_full_phones(actor):
            raise NotAllowed(_("Your role may not see phone numbers in full; use the dial action."))
    else:
        from kefu.customers.access import can_act_on

        if not can_act_on(actor, customer):
            raise NotAllowed(_("You may not contact this customer."))
    numbers = list(customer.phones.values_list("number", flat=True))
    record(actor=actor, action=Action.VIEW, obj=customer, note=f"phones:{purpose}")
    return numbers


def bulk_scope_check(actor, customer_ids: list[int]) -> list[Customer]:
    """The customers among ``customer_ids`` the caller may act on, locked; refuses when any is not."""
    from kefu.customers.access import can_act_on

    customers = list(customers_in_scope(actor).select_for_update(of=("self",))
                     .filter(pk__in=ids_in_range(customer_ids, Customer._meta.pk)))
    if len(customers) != len(set(customer_ids)) or not all(can_act_on(actor, c) for c in customers):
        raise NotAllowed(_("Some of these customers are outside your scope."))
    return customers


def count_complaint(*, customer_id: int, opened: bool, reopened: bool = False) -> None:
    """Tickets tell the archive about complaints (R-CUS-7 value input, R-CUS-8 open-complaint flag):
    ``opened=True`` when a complaint is filed (or ``reopened=True``: open again, not a new one), ``False``
    when it is resolved."""
    from django.db.models import F
    from django.db.models.functions import Greatest

    if opened and reopened:
        Customer.objects.filter(pk=customer_id).update(complaints_open=F("complaints_open") + 1)
    elif opened:
        Customer.objects.filter(pk=customer_id).update(complaints_total=F("complaints_total") + 1,
                                                       complaints_open=F("complaints_open") + 1)
    else:
        Customer.objects.filter(pk=customer_id).update(complaints_open=Greatest(F("complaints_open") - 1, 0))
