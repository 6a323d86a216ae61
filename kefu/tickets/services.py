"""Every change to a ticket (SPEC §3): keyword-only, transactional, audited, with side effects
(notifications, e-mail) scheduled on commit. Pages, API and jobs all call these."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, entry, record, snapshot
from kefu.core import hooks
from kefu.core.concurrency import check_version
from kefu.core.errors import Errors, NotAllowed, RuleViolation
from kefu.core.phones import check_phone, normalize_phone
from kefu.core.transitions import check_transition
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.rules.selectors import get_rule
from kefu.tickets import counts, sla
from kefu.tickets.access import access_task, access_ticket, can_act_on, is_manager, refuse_read_only
from kefu.tickets.choices import (
    CALLBACK_TYPES,
    LADDER,
    OPEN_STATUSES,
    AfterSalesKind,
    Channel,
    CompensationStatus,
    EventKind,
    Level,
    Priority,
    Severity,
    Status,
    TaskStatus,
    TicketType,
    WaitingOn,
)
from kefu.tickets.models import (
    Callback,
    Compensation,
    DepartmentTask,
    Escalation,
    RecoveryAction,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from kefu.tickets.notify import notify_later


def _now() -> dt.datetime:
    return timezone.now()


def _event(ticket: Ticket, *, actor, kind: str, body: str = "", public: bool = False, data=None, at=None):
    TicketEvent.objects.create(ticket=ticket, at=at or _now(), actor=actor if getattr(actor, "pk", None) else None,
                               kind=kind, body=body, public=public, data=data or {})
    counts.forget(actor)  # every change writes its timeline entry: the actor's own tiles count it at once


def _touch(ticket: Ticket, fields: list[str], now: dt.datetime, *, action: bool = True) -> None:
    """Save ``fields`` and bump the version. ``action=False`` (automatic escalation by the system)
    leaves ``last_action_at`` alone: only people's actions end a ticket's stuck period (R-TIC-5)."""
    ticket.version += 1
    if action:
        ticket.last_action_at = now
        ticket.save(update_fields=[*fields, "last_action_at", "version"])
    else:
        ticket.save(update_fields=[*fields, "version"])


def _next_number(now: dt.datetime) -> str:
    """The day's next number (KF20261123-0001), from one statement that creates the day's counter row
    or adds one to it (the row is locked until that statement's transaction ends: see create_ticket)."""
    day = timezone.localdate(now)
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("day", "last") VALUES (%s, 1) '  # noqa: S608 - our own table name
            'ON CONFLICT ("day") DO UPDATE SET "last" = ' + f'{table}."last" + 1 RETURNING "last"', [day])
        last = cursor.fetchone()[0]
    return f"KF{day:%Y%m%d}-{last:04d}"


def _next_number_and_id(now: dt.datetime, *, caller: tuple[int, str] | None = None) -> tuple[str, int, object]:
    """PostgreSQL: :func:`_next_number` and the new ticket's id from its sequence, by the same statement, so
    that the ticket, its timeline entry and its audit entry can be written by one statement
    (:func:`_insert_together`).

    Outside a transaction the statement commits by itself without waiting for its write-ahead log to reach
    the disk (``synchronous_commit`` off for this transaction only: one disk flush less per ticket, ≈ 6 ms
    on the bench machine). Nothing is lost by it: the ticket's own commit waits for the log, which holds
    the counter's change before it, so a ticket that survives a crash has its number counted; a crash
    can only forget a number no surviving ticket has (numbers never repeat; a gap is allowed). Inside a
    caller's transaction the setting would apply to all of it, so it is left alone there.

    ``caller`` (shop id, normalised phone number): the same statement also finds the caller's customer
    (:data:`kefu.customers.selectors.CALLER_SQL`, the statement of ``caller_for_new_ticket``) — one round
    trip less per creation (bench/notes/server.md, session 8). Returns the number, the id and that
    customer (None without ``caller`` or when no customer has the number)."""
    from kefu.customers.selectors import CALLER_SQL, caller_from_row

    day = timezone.localdate(now)
    params = [day, Ticket._meta.db_table, Ticket._meta.pk.column]
    if caller is not None:
        params += list(caller)
    with connection.cursor() as cursor:
        cursor.execute(_number_sql(connection.get_autocommit(), caller is not None, CALLER_SQL), params)
        row = cursor.fetchone()
    last, ticket_id = row[0], row[1]
    customer = caller_from_row(*row[2:5]) if caller is not None else None
    return f"KF{day:%Y%m%d}-{last:04d}", ticket_id, customer


@functools.cache
def _number_sql(autocommit: bool, with_caller: bool, caller_sql: str) -> str:
    """The statement of :func:`_next_number_and_id`, built once per shape."""
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    # autocommit: the statement is its own transaction (not so in an atomic block or a manual transaction)
    no_flush = ", set_config('synchronous_commit', 'off', true)" if autocommit else ""
    counter = (f'INSERT INTO {table} ("day", "last") VALUES (%s, 1) '  # noqa: S608 - our own table names
               f'ON CONFLICT ("day") DO UPDATE SET "last" = {table}."last" + 1 '
               f'RETURNING "last", nextval(pg_get_serial_sequence(%s, %s)) AS "id"{no_flush}')
    if not with_caller:
        return counter
    # the counter's row is written whether or not a customer is found (LEFT JOIN); the lookup's own
    # parameters follow the counter's
    return (f'WITH n AS ({counter}) SELECT n."last", n."id", c.id, c.shop_id, c.value_tier FROM n '  # noqa: S608
            f"LEFT JOIN LATERAL ({caller_sql}) c ON true")


@functools.cache
def _insert_fields(model, with_pk: bool) -> tuple:
    """The fields a new row of ``model`` is written with; none where a field has its own SQL placeholder
    (then the ORM writes the row)."""
    fields = tuple(f for f in model._meta.local_concrete_fields if with_pk or not f.primary_key)
    return () if any(hasattr(f, "get_placeholder") for f in fields) else fields


@functools.cache
def _insert_sql(first, others: tuple) -> str:
    """``WITH w0 AS (INSERT INTO <first> … RETURNING …), w1 AS (INSERT INTO <other> …) INSERT INTO …``: a
    new row of the model ``first`` and of each model in ``others``, whose values that equal the first row's
    are read from it (``(SELECT "column" FROM w0)``) instead of being sent again. ``others`` is a tuple of
    (model, ((field name, first's field name), …)). Built once per process for each shape (the ORM compiles
    it again for every save). Fewer parameters keep the statement within what psycopg parses once and
    caches (at most 50 parameters, 4,096 characters: tested)."""
    quote = connection.ops.quote_name

    def insert(model, fields, values) -> str:  # our own table and column names; the values are parameters
        columns = ", ".join(quote(f.column) for f in fields)
        return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(values)})"  # noqa: S608

    first_fields = _insert_fields(first, True)
    returned = {name for _model, copies in others for _field, name in copies}
    returning = ", ".join(quote(f.column) for f in first_fields if f.name in returned)
    parts = [insert(first, first_fields, ["%s"] * len(first_fields)) + (f" RETURNING {returning}" if returning else "")]
    for model, copies in others:
        copied = {field: quote(first._meta.get_field(name).column) for field, name in copies}
        fields = _insert_fields(model, False)
        values = [f"(SELECT {copied[f.name]} FROM w0)" if f.name in copied else "%s" for f in fields]  # noqa: S608
        parts.append(insert(model, fields, values))
    *head, last = parts
    return "WITH " + ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(head)) + " " + last


def _plain_type(field) -> type | None:
    """The one Python type whose values (and None) ``field`` writes to PostgreSQL unchanged, so that
    :func:`_insert_together` may send ``getattr(row, attname)`` instead of calling ``pre_save`` and
    ``get_db_prep_save`` (≈ 50 fields a creation, bench/notes/server.md, session 8): text for text fields,
    bool, int for whole numbers and keys to them, aware datetimes (the backend's adaptation returns them as
    they are) where no ``auto_now`` replaces them. None for every other field (JSON, addresses, …): those
    are prepared as the ORM prepares them. Exact classes only — a subclass may prepare its values."""
    from django.db import models

    kind = type(field)
    if kind is models.ForeignKey:
        target = field.target_field
        return int if type(target) in (models.AutoField, models.BigAutoField, models.IntegerField,
                                       models.BigIntegerField) else None
    if kind in (models.CharField, models.TextField):
        return str
    if kind is models.BooleanField:
        return bool
    if kind in (models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField,
                models.PositiveIntegerField, models.PositiveSmallIntegerField, models.SmallIntegerField):
        return int
    if kind is models.DateTimeField and not (field.auto_now or field.auto_now_add):
        return dt.datetime
    return None


@functools.cache
def _plain_types(model, with_pk: bool) -> tuple:
    """:func:`_plain_type` of each of :func:`_insert_fields` (looked up by model: a field's hash is slow)."""
    return tuple(_plain_type(f) for f in _insert_fields(model, with_pk))


def _db_value(field, obj, plain: type | None = None):
    """``field.get_db_prep_save(field.pre_save(obj, True), connection)``, without the calls where the value
    is of the field's plain type (:func:`_plain_type`)."""
    if plain is not None:
        value = getattr(obj, field.attname)
        if value is None or (type(value) is plain and (plain is not dt.datetime or value.tzinfo is not None)):
            return value
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def _insert_together(first, *others) -> bool:
    """PostgreSQL: write a new row (with its id set) and rows of other tables by one statement
    (data-modifying ``WITH``; foreign keys are checked at commit). ``others``: (row, {field: first's field})
    — the later row's field is read from the first row in the statement (a foreign key to it, the same
    moment, the same person) when its value is the first row's, else sent like the others. The rows' values
    are prepared as the ORM prepares them (``pre_save``, ``get_db_prep_save``). Returns False, writing
    nothing, where a model needs the ORM's own insert."""
    first_fields = _insert_fields(type(first), True)
    if not first_fields or first.pk is None:
        return False
    params = [_db_value(f, first, plain) for f, plain in zip(first_fields, _plain_types(type(first), True),
                                                             strict=True)]
    first_values = {f.name: params[i] for i, f in enumerate(first_fields)}
    shapes = []
    for obj, from_first in others:
        fields = _insert_fields(type(obj), False)
        if not fields or obj.pk is not None:
            return False
        copies = []
        for f, plain in zip(fields, _plain_types(type(obj), False), strict=True):
            value = _db_value(f, obj, plain)
            name = from_first.get(f.name)
            if name is not None and value is not None and first_values.get(name) == value:
                copies.append((f.name, name))
            else:
                params.append(value)
        shapes.append((type(obj), tuple(copies)))
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(type(first), tuple(shapes)), params)
    for obj in (first, *(o for o, _copies in others)):
        obj._state.adding = False
        obj._state.db = connection.alias
    return True


def _choice(errors: Errors, field: str, value, choices, *, required: bool = True) -> None:
    if (value in (None, "") and required) or (value not in (None, "") and value not in choices.values):
        errors.add(field, _("Choose one of: %(expected)s.") % {"expected": ", ".join(choices.values)})


# the roles whose holders take contacts themselves (R-TIC-3); others' tickets go to assignment
FIRST_CONTACT_ROLES = (Role.AGENT, Role.LEAD, Role.HEAD, Role.DIRECTOR)


# -- create ---------------------------------------------------------------------------------------


def create_ticket(
    *,
    actor,
    shop,
    type: str,  # noqa: A002 - the domain's word
    channel: str,
    title: str,
    description: str = "",
    priority: str = Priority.NORMAL,
    customer_id: int | None = None,
    caller_phone: str = "",
    severity: str = "",
    after_sales_kind: str = "",
    tags: list[str] | None = None,
    owner=None,
    assign_automatically: bool | None = None,
) -> Ticket:
    """First contact: the creator owns the ticket (R-TIC-3) unless the ticket came in without a person
    (web form, API integration) — then it is assigned automatically or waits in the shop's queue.
    A caller's phone number finds the customer in any notation.

    The checks come first; then the ticket's number is taken by a statement of its own, committed at
    once unless the caller already holds a transaction, so that tickets created at the same moment do
    not wait for each other's commit (bench/README.md, "create"); then one transaction writes the
    ticket, its timeline and audit entries — on PostgreSQL one statement, with the ticket's id taken with
    its number, and no transaction of its own when nothing else is written (bench/notes/server.md). A creation that fails after its number was taken leaves
    a gap in the day's numbers: numbers never repeat."""
    from kefu.customers.access import access_customer
    from kefu.customers.selectors import caller_for_new_ticket

    refuse_read_only(actor)
    errors = Errors()
    scope = scope_for(actor)
    if not scope.can_see_shop(shop.pk):
        raise NotAllowed(_("This shop is outside your scope."))
    _choice(errors, "type", type, TicketType)
    _choice(errors, "channel", channel, Channel)
    _choice(errors, "priority", priority, Priority)
    if type == TicketType.COMPLAINT:
        _choice(errors, "severity", severity or Severity.GENERAL, Severity)
    elif severity:
        errors.add("severity", _("Only complaints have a severity."))
    if after_sales_kind and type != TicketType.AFTER_SALES:
        errors.add("after_sales_kind", _("Only after-sales tickets have an after-sales kind."))
    _choice(errors, "after_sales_kind", after_sales_kind, AfterSalesKind, required=False)
    if not (title or "").strip():
        errors.add("title", _("A title is required."))
    elif len(title) > 200:
        errors.add("title", _("At most %(n)s characters.") % {"n": 200})
    customer = None
    if customer_id is not None:
        try:
            customer = access_customer(actor, customer_id)
        except Exception:  # noqa: BLE001 - NotFound or NotAllowed: report it on the field
            errors.add("customer_id", _("No such customer in your scope."))
        else:
            if customer.shop_id != shop.pk:
                errors.add("customer_id", _("The customer belongs to another shop."))
    if owner is not None and owner.pk != actor.pk:
        # giving a new ticket to someone else is assigning it: a lead (their team) or a manager
        if not ((is_manager(actor) or actor.has_role(Role.LEAD)) and scope.can_act_on_person(owner)):
            errors.add("owner", _("Only team leads and managers give a new ticket to someone else (their own "
                                  "people)."))
        elif not scope_for(owner).can_see_shop(shop.pk):
            errors.add("owner", _("%(person)s does not serve this shop.") % {"person": owner})
    phone = ""
    if (caller_phone or "").strip():  # the one phone validator (kefu.core.phones); masked numbers refused
        checked = check_phone(caller_phone)
        phone = checked.number
        if not checked.ok:
            errors.add("caller_phone", checked.error)
    on_pg = connection.vendor == "postgresql"
    if customer is None and phone and not on_pg:
        customer = caller_for_new_ticket(actor, shop_id=shop.pk, phone=phone)
    errors.raise_if_any(_("The ticket could not be created."))

    now = _now()
    # before the ticket's transaction: see the docstring; on PostgreSQL the ticket's id comes with it, and
    # the caller's customer (what caller_for_new_ticket finds: the shop is in the actor's scope, checked above)
    if on_pg:
        number_to_find = normalize_phone(phone) if customer is None else ""
        caller = (shop.pk, number_to_find) if number_to_find else None
        number, ticket_id, found = _next_number_and_id(now, caller=caller)
        customer = customer or found
    else:
        number, ticket_id = _next_number(now), None
    # The ticket its creator owns (the usual first contact), not a complaint of a known customer: one
    # statement writes all there is (_insert_new_ticket), itself atomic, so no transaction is opened for it.
    takes_it = owner is None and not assign_automatically and actor.has_role(*FIRST_CONTACT_ROLES)
    one_statement = (ticket_id is not None and (takes_it or (owner is not None and owner.pk == actor.pk))
                     and not (type == TicketType.COMPLAINT and customer is not None))
    with contextlib.nullcontext() if one_statement else transaction.atomic():
        return _insert_new_ticket(
            actor=actor, shop=shop, number=number, now=now, type=type, channel=channel, title=title,
            description=description, priority=priority, customer=customer, phone=phone, severity=severity,
            after_sales_kind=after_sales_kind, tags=tags, owner=owner, assign_automatically=assign_automatically,
            ticket_id=ticket_id)


def _insert_new_ticket(*, actor, shop, number: str, now: dt.datetime, type: str, channel: str,  # noqa: A002
                       title: str, description: str, priority: str, customer, phone: str, severity: str,
                       after_sales_kind: str, tags: list[str] | None, owner,
                       assign_automatically: bool | None, ticket_id: int | None = None) -> Ticket:
    # R-TIC-3 首问负责制: the person who takes the contact owns it, whatever the channel it came in by;
    # an integration account (no service role) leaves it to automatic assignment or the shop's queue.
    if owner is None and not assign_automatically and actor.has_role(*FIRST_CONTACT_ROLES):
        owner = actor
    ticket = Ticket(
        number=number, shop=shop, customer=customer, caller_phone=phone, type=type,
        after_sales_kind=after_sales_kind, channel=channel, priority=priority,
        severity=(severity or Severity.GENERAL) if type == TicketType.COMPLAINT else "",
        title=title.strip(), description=description or "", owner=owner, created_by=actor, created_at=now,
        last_action_at=now, tags=list(tags or []),
    )
    sla.set_due_times(ticket, centre_id=shop.centre_id)
    audited = ["number", "shop", "customer", "type", "channel", "priority", "owner"]
    written = False
    if ticket_id is not None:  # PostgreSQL: the ticket, its "created" entry and its audit entry by one statement
        ticket.pk = ticket_id
        audit = entry(actor=actor, action=Action.CREATE, obj=ticket, after=snapshot(ticket, audited))
        audit.at = now  # the moment of the creation it records
        written = _insert_together(
            ticket,
            (TicketEvent(ticket=ticket, at=now, actor=actor if getattr(actor, "pk", None) else None,
                         kind=EventKind.CREATED, body=description or "", public=False, data={}),
             {"ticket": "id", "at": "created_at", "actor": "created_by", "body": "description"}),
            (audit, {"at": "created_at", "actor": "created_by"}))
    if not written:
        with transaction.atomic(savepoint=False):  # the caller's transaction, or one of its own
            ticket.pk = None
            ticket.save()
            _event(ticket, actor=actor, kind=EventKind.CREATED, body=description or "", at=now)
            audit = entry(actor=actor, action=Action.CREATE, obj=ticket, after=snapshot(ticket, audited))
            audit.at = now  # as on the one-statement path
            audit.save(force_insert=True)
    else:
        counts.forget(actor)  # as _event does on every other change
    if owner is None and (assign_automatically is None or assign_automatically):
        from kefu.tickets.assignment import auto_assign

        auto_assign(ticket, now=now)
    elif owner is not None and owner.pk != actor.pk:
        notify_later([owner], kind="ticket_assigned", ticket=ticket,
                     title=_("Ticket %(number)s assigned to you") % {"number": ticket.number})
    if type == TicketType.COMPLAINT and customer is not None:
        from kefu.customers.services import count_complaint

        count_complaint(customer_id=customer.pk, opened=True)
        # R-TIC-6: a VIP customer's complaint goes to the team lead at once (after assignment, so that
        # the owner's lead is the one told)
        if customer.value_tier == "vip" and get_rule("tickets.escalate_vip_complaint", centre_id=shop.centre_id):
            _escalate(ticket, actor=None, to_level=Level.LEAD, reason=_("Complaint from a VIP customer."),
                      emergency=False, automatic=True, now=now)
    return ticket


# -- editing (R-ERR: the version read is checked) ------------------------------------------------------

EDITABLE = ("title", "description", "priority", "severity", "root_cause", "tags", "after_sales_kind")


@transaction.atomic
def update_ticket(*, actor, ticket_id: int, version: int | None, **changes) -> Ticket:
    """Edit the ticket's description fields: title, description, priority (the time limits are counted
    again from the creation), the complaint's severity and root-cause category (R-TIC-7), tags, the
    after-sales kind. Unknown fields are refused by name."""
    ticket = access_ticket(actor, ticket_id, act=True, for_update=True)
    check_version(ticket, version)
    errors = Errors()
    for name in sorted(set(changes) - set(EDITABLE)):
        errors.add(name, _("This field cannot be changed here."))
    data = {k: v for k, v in changes.items() if k in EDITABLE}
    if "title" in data:
        data["title"] = (data["title"] or "").strip()
        if not data["title"]:
            errors.add("title", _("A title is required."))
        elif len(data["title"]) > 200:
            errors.add("title", _("At most %(n)s characters.") % {"n": 200})
    if "description" in data:
        data["description"] = data["description"] or ""
    if "priority" in data:
        _choice(errors, "priority", data["priority"], Priority)
    if "severity" in data:
        if ticket.type != TicketType.COMPLAINT:
            errors.add("severity", _("Only complaints have a severity."))
        else:
            _choice(errors, "severity", data["severity"], Severity)
    if "root_cause" in data:
        data["root_cause"] = (data["root_cause"] or "").strip()
        if ticket.type != TicketType.COMPLAINT and data["root_cause"]:
            errors.add("root_cause", _("Only complaints have a root cause."))
        elif len(data["root_cause"]) > 50:
            errors.add("root_cause", _("At most %(n)s characters.") % {"n": 50})
    if "after_sales_kind" in data:
        data["after_sales_kind"] = data["after_sales_kind"] or ""
        if data["after_sales_kind"] and ticket.type != TicketType.AFTER_SALES:
            errors.add("after_sales_kind", _("Only after-sales tickets have an after-sales kind."))
        else:
            _choice(errors, "after_sales_kind", data["after_sales_kind"], AfterSalesKind, required=False)
    if "tags" in data:
        tags = data["tags"] or []
        if not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t.strip()) <= 30 for t in tags):
            errors.add("tags", _("Tags are short words (at most 30 characters each)."))
        else:
            data["tags"] = list(dict.fromkeys(t.strip() for t in tags))
    errors.raise_if_any(_("The ticket was not changed."))
    changed = {k: v for k, v in data.items() if getattr(ticket, k) != v}
    if not changed:
        return ticket
    before = {k: getattr(ticket, k) for k in changed}
    for key, value in changed.items():
        setattr(ticket, key, value)
    fields = list(changed)
    now = _now()
    if "priority" in changed:
        hooks.fire(hooks.KPI_DAYS_CHANGED, at=[ticket.resolved_at])  # a new time limit: that day's SLA
        sla.reprice(ticket, centre_id=ticket.shop.centre_id, previous_priority=before["priority"])
        if ticket.paused_at is None:
            ticket.sla_state = sla.state_at(ticket, now)
        fields += ["sla_calendar", "first_response_due", "first_response_warn_at", "resolution_due",
                   "resolution_warn_at", "sla_state"]
    _touch(ticket, fields, now)
    _event(ticket, actor=actor, kind=EventKind.NOTE, data={"changed": sorted(changed)},
           body=_("Changed: %(fields)s") % {"fields": ", ".join(sorted(changed))}, at=now)
    record(actor=actor, action=Action.UPDATE, obj=ticket, before=before, after=changed)
    return ticket


@transaction.atomic
def add_recovery_action(*, actor, ticket_id: int, action: str) -> RecoveryAction:
    """服务补救 (R-TIC-7): what was done to win the complaining customer back."""
    ticket = access_ticket(actor, ticket_id, act=True, for_update=True)
    errors = Errors()
    text = (action or "").strip()
    if ticket.type != TicketType.COMPLAINT:
        errors.add("action", _("Service recovery is recorded on complaints."))
    elif not text:
        errors.add("action", _("Say what was done."))
    elif len(text) > 200:
        errors.add("action", _("At most %(n)s characters.") % {"n": 200})
    errors.raise_if_any(_("The service recovery was not recorded."))
    now = _now()
    item = RecoveryAction.objects.create(ticket=ticket, action=text, by=actor, at=now)
    _touch(ticket, [], now)
    _event(ticket, actor=actor, kind=EventKind.NOTE, body=text, data={"recovery": item.pk}, at=now)
    record(actor=actor, action=Action.CREATE, obj=item, after={"ticket": ticket.pk, "action": text})
    return item


# -- status ---------------------------------------------------------------------------------------


TRANSITION_RULE = "R-TIC-2"


@transaction.atomic
def transition(*, actor, ticket_id: int, to: str, version: int | None, note: str = "",
               waiting_on: str = WaitingOn.CUSTOMER) -> Ticket:
    """Move along the state machine of R-TIC-2. Waiting on the customer pauses the time limit;
    complaints and after-sales tickets close only after their callback (R-TIC-8); resolving them
    creates the callback task; reopening is "in_progress" from resolved or closed."""
    from kefu.tickets.choices import TRANSITIONS

    ticket = access_ticket(actor, ticket_id, act=True, for_update=True)
    check_version(ticket, version)
    if to not in Status.values:
        errors = Errors()
        errors.add("to", _("Choose one of: %(expected)s.") % {"expected": ", ".join(Status.values)})
        errors.raise_if_any(_("The status was not changed."))
    check_transition(TRANSITIONS, ticket.status, to, rule=TRANSITION_RULE)
    if to == Status.CLOSED and ticket.type in CALLBACK_TYPES and ticket.status != Status.CALLBACK_DONE:
        raise RuleViolation(_("Complaints and after-sales tickets are closed after their callback."), rule="R-TIC-8")
    if to == Status.CALLBACK_DONE:
        raise RuleViolation(_("Record the callback to finish it."), rule="R-TIC-8")
    if to == Status.WAITING and waiting_on not in WaitingOn.values:
        errors = Errors()
        errors.add("waiting_on", _("Choose one of: %(expected)s.") % {"expected": ", ".join(WaitingOn.values)})
        errors.raise_if_any(_("The status was not changed."))
    now = _now()
    _apply_status(ticket, to=to, actor=actor, note=note, waiting_on=waiting_on, now=now)
    return ticket


def _apply_status(ticket: Ticket, *, to: str, actor, note: str, waiting_on: str = "", now: dt.datetime) -> None:
    before = ticket.status
    fields = ["status", "waiting_on", "paused_at"]
    centre_id = ticket.shop.centre_id
    if ticket.paused_at is not None and to != Status.WAITING:
        sla.shift_for_pause(ticket, paused_from=ticket.paused_at, resumed_at=now, centre_id=centre_id)
        ticket.paused_at = None
        fields += ["first_response_due", "first_response_warn_at", "resolution_due", "resolution_warn_at"]
    ticket.status = to
    ticket.waiting_on = waiting_on if to == Status.WAITING else ""
    if to == Status.WAITING and ticket.waiting_on == WaitingOn.CUSTOMER and ticket.paused_at is None:
        ticket.paused_at = now
    if before == Status.NEW and ticket.first_responded_at is None and to != Status.NEW:
        ticket.first_responded_at = now
        fields.append("first_responded_at")
    if to == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    if to == Status.IN_PROGRESS and before in {Status.RESOLVED, Status.CLOSED, Status.CALLBACK_DONE}:
        hooks.fire(hooks.KPI_DAYS_CHANGED, at=[ticket.resolved_at])  # an earlier day's KPI change
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["resolved_at", "closed_at"]
    if to == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    ticket.sla_state = sla.state_at(ticket, now)
    fields.append("sla_state")
    _touch(ticket, fields, now)
    _event(ticket, actor=actor, kind=EventKind.TRANSITION, body=note, data={"from": before, "to": to}, at=now)
    record(actor=actor, action=Action.TRANSITION, obj=ticket, before={"status": before}, after={"status": to},
           note=note[:500])
    if to == Status.RESOLVED:
        hooks.fire(hooks.TICKET_RESOLVED, ticket_id=ticket.pk)  # after the commit (kefu.core.hooks)
        if ticket.type == TicketType.COMPLAINT and ticket.customer_id:
            from kefu.customers.services import count_complaint

            count_complaint(customer_id=ticket.customer_id, opened=False)
        if ticket.type in CALLBACK_TYPES:
            _create_callback(ticket, now=now)
    if to == Status.IN_PROGRESS and before in {Status.RESOLVED, Status.CLOSED, Status.CALLBACK_DONE} \
            and ticket.type == TicketType.COMPLAINT and ticket.customer_id:
        from kefu.customers.services import count_complaint

        count_complaint(customer_id=ticket.customer_id, opened=True, reopened=True)


def _create_callback(ticket: Ticket, *, now: dt.datetime) -> Callback:
    """R-TIC-8: every resolved complaint and after-sales ticket gets a callback task."""
    hours = get_rule("tickets.callback_within_hours", centre_id=ticket.shop.centre_id)
    schedule = sla.schedule_for("business", ticket.shop.centre_id)
    from kefu.bizcalendar.selectors import add_business_time

    due = add_business_time(now, dt.timedelta(hours=hours), schedule)
    pending = ticket.callbacks.filter(done_at__isnull=True).order_by("id").first()
    if pending is not None:
        # resolved again after a reopen whose callback was never made: the one callback task is due anew
        hooks.fire(hooks.KPI_DAYS_CHANGED, at=[pending.due])
        pending.due = due
        pending.assigned_to = ticket.owner
        pending.save(update_fields=["due", "assigned_to"])
        return pending
    return Callback.objects.create(ticket=ticket, due=due, assigned_to=ticket.owner, created_at=now)


# -- replies and notes ------------------------------------------------------------------------------


@transaction.atomic
def add_message(*, actor, ticket_id: int, body: str, public: bool) -> TicketEvent:
    """A reply to the customer (only the owner speaks to the customer, R-TIC-3) or an internal note
    (anyone who may see the ticket). The first reply is the first response."""
    ticket = access_ticket(actor, ticket_id, for_update=True)
    errors = Errors()
    if not (body or "").strip():
        errors.add("body", _("Write the message."))
    errors.raise_if_any(_("The message was not saved."))
    if public and ticket.owner_id != actor.pk:
        raise RuleViolation(_("Only the ticket's owner replies to the customer; add an internal note instead."),
                            rule="R-TIC-3")
    now = _now()
    fields: list[str] = []
    started = public and ticket.status == Status.NEW
    if started:
        ticket.status = Status.IN_PROGRESS
        fields.append("status")
    if public and ticket.first_responded_at is None:
        ticket.first_responded_at = now
        fields.append("first_responded_at")
    if fields:
        ticket.sla_state = sla.state_at(ticket, now)
        fields.append("sla_state")
    _touch(ticket, fields, now)
    event = TicketEvent.objects.create(ticket=ticket, at=now, actor=actor, public=public,
                                       kind=EventKind.REPLY if public else EventKind.NOTE, body=body.strip())
    record(actor=actor, action=Action.CREATE, obj=ticket, note="reply" if public else "note")
    if started:  # R-TIC-2: the first reply starts the work, and the transition is recorded
        _event(ticket, actor=actor, kind=EventKind.TRANSITION, data={"from": Status.NEW, "to": Status.IN_PROGRESS},
               at=now)
        record(actor=actor, action=Action.TRANSITION, obj=ticket, before={"status": Status.NEW},
               after={"status": Status.IN_PROGRESS}, note="first reply")
    if public:  # automatic quality checks and other listeners, after the commit (kefu.core.hooks)
        hooks.fire(hooks.TICKET_PUBLIC_REPLY, ticket_id=ticket.pk)
    return event


# -- handover (协办) ---------------------------------------------------------------------------------


@transaction.atomic
def hand_over(*, actor, ticket_id: int, department, note: str, due: dt.datetime | None = None) -> DepartmentTask:
    """R-TIC-3: a task for another department with its own time limit; the owner stays the owner."""
    ticket = access_ticket(actor, ticket_id, act=True, for_update=True)
    errors = Errors()
    if department is None or department.centre_id != ticket.shop.centre_id:
        errors.add("department", _("No such department."))
    if not (note or "").strip():
        errors.add("note", _("Say what the department should do."))
    now = _now()
    if due is not None and timezone.is_naive(due):
        due = timezone.make_aware(due)  # a time without offset is in the organisation's zone
    if due is not None and due <= now:
        errors.add("due", _("The due time must be in the future."))
    if ticket.status in {Status.RESOLVED, Status.CALLBACK_DONE, Status.CLOSED}:
        errors.add("ticket", _("Reopen the ticket before handing work over."))
    errors.raise_if_any(_("The work was not handed over."))
    if due is None:
        from kefu.bizcalendar.selectors import add_business_time

        hours = get_rule("tickets.handover_task_hours", centre_id=ticket.shop.centre_id)
        due = add_business_time(now, dt.timedelta(hours=hours), sla.schedule_for("business", ticket.shop.centre_id))
    task = DepartmentTask.objects.create(ticket=ticket, department=department, note=note.strip(), due=due,
                                         created_by=actor, created_at=now)
    fields = []
    status_before = ticket.status
    if ticket.status in {Status.NEW, Status.IN_PROGRESS}:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            fields.append("first_responded_at")
        ticket.status = Status.WAITING
        ticket.waiting_on = WaitingOn.DEPARTMENT
        ticket.sla_state = sla.state_at(ticket, now)
        fields += ["status", "waiting_on", "sla_state"]
    _touch(ticket, fields, now)
    _event(ticket, actor=actor, kind=EventKind.HANDOVER, body=note.strip(),
           data={"task": task.pk, "department": department.name, "due": due.isoformat(),
                 "from": status_before, "to": ticket.status}, at=now)
    record(actor=actor, action=Action.CREATE, obj=task,
           after={"ticket": ticket.pk, "department": department.pk, "due": due})
    if status_before != ticket.status:  # R-TIC-2: every transition recorded
        record(actor=actor, action=Action.TRANSITION, obj=ticket, before={"status": status_before},
               after={"status": ticket.status, "waiting_on": ticket.waiting_on}, note="handover")
    from kefu.org.selectors import department_members

    notify_later(list(department_members(department.pk)), kind="handover_task", ticket=ticket,
                 title=_("%(department)s: task for ticket %(number)s") % {"department": department.name,
                                                                          "number": ticket.number},
                 url=_tasks_url(task))
    return task


def _tasks_url(task: DepartmentTask) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return f"{reverse('tickets:tasks')}#task-{task.pk}"
    except NoReverseMatch:
        return f"/tickets/tasks/#task-{task.pk}"


@transaction.atomic
def complete_task(*, actor, task_id: int, result: str, returned: bool = False) -> DepartmentTask:
    """The department marks its task done (or returns it with a reason); the owner is told and,
    when no task is left open, the ticket goes back to in progress."""
    task = access_task(actor, task_id, for_update=True)
    errors = Errors()
    if task.status != TaskStatus.OPEN:
        errors.add("task", _("This task is already finished."))
    if not (result or "").strip():
        errors.add("result", _("Say what was done (or why it is returned)."))
    errors.raise_if_any(_("The task was not finished."))
    now = _now()
    task.status = TaskStatus.RETURNED if returned else TaskStatus.DONE
    task.result = result.strip()
    task.done_by = actor
    task.done_at = now
    task.version += 1
    task.save(update_fields=["status", "result", "done_by", "done_at", "version"])
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("shop").get(pk=task.ticket_id)
    fields: list[str] = []
    status_before = ticket.status
    still_open = DepartmentTask.objects.filter(ticket=ticket, status=TaskStatus.OPEN).exists()
    if not still_open and ticket.status == Status.WAITING and ticket.waiting_on == WaitingOn.DEPARTMENT:
        ticket.status = Status.IN_PROGRESS
        ticket.waiting_on = ""
        fields += ["status", "waiting_on"]
    _touch(ticket, fields, now)
    _event(ticket, actor=actor, kind=EventKind.TASK, body=task.result,
           data={"task": task.pk, "status": task.status, "department": task.department.name}, at=now)
    record(actor=actor, action=Action.UPDATE, obj=task, before={"status": TaskStatus.OPEN},
           after={"status": task.status, "result": task.result})
    if status_before != ticket.status:
        record(actor=actor, action=Action.TRANSITION, obj=ticket, before={"status": status_before},
               after={"status": ticket.status}, note="task finished")
    if ticket.owner_id:
        # R-TIC-3: the owner follows the task's progress and speaks to the customer
        title = (_("%(department)s returned its task on %(number)s") if returned
                 else _("%(department)s finished its task on %(number)s"))
        notify_later([ticket.owner], kind="handover_task", ticket=ticket,
                     title=title % {"department": task.department.name, "number": ticket.number})
    return task


# -- escalation (请示报告) ----------------------------------------------------------------------------


def _escalate(ticket: Ticket, *, actor, to_level: str, reason: str, emergency: bool, automatic: bool,
              now: dt.datetime) -> Escalation:
    current = LADDER.index(ticket.escalation_level)
    target = LADDER.index(to_level)
    skipped = [lvl.value for lvl in LADDER[current + 1:target]]
    hooks.fire(hooks.KPI_DAYS_CHANGED, at=[ticket.resolved_at])  # escalated after it was resolved: that day's FCR
    esc = Escalation.objects.create(ticket=ticket, from_level=ticket.escalation_level, to_level=to_level,
                                    skipped=skipped, emergency=emergency, automatic=automatic, reason=reason,
                                    by=actor if getattr(actor, "pk", None) else None, at=now)
    before = ticket.escalation_level
    ticket.escalation_level = to_level
    _touch(ticket, ["escalation_level"], now, action=not automatic)
    _event(ticket, actor=actor, kind=EventKind.ESCALATION, body=reason,
           data={"from": before, "to": to_level, "skipped": skipped, "emergency": emergency,
                 "automatic": automatic}, at=now)
    record(actor=actor, action=Action.UPDATE, obj=ticket, before={"escalation_level": before},
           after={"escalation_level": to_level}, note="emergency" if emergency else "escalation")
    from kefu.tickets.notify import people_at_level

    notify_later(people_at_level(ticket, to_level), kind="escalation", ticket=ticket,
                 title=_("Ticket %(number)s escalated to you") % {"number": ticket.number}, email=True)
    if skipped:
        # R-TIC-6: the skipped levels are told afterwards
        notify_later([p for lvl in skipped for p in people_at_level(ticket, lvl)], kind="escalation_skipped",
                     ticket=ticket, email=True,
                     title=_("Ticket %(number)s was escalated past you in an emergency") % {"number": ticket.number})
    return esc


@transaction.atomic
def escalate(*, actor, ticket_id: int, reason: str, emergency: bool = False, to_level: str | None = None) -> Escalation:
    """R-TIC-6: one level up at a time; ``to_level`` further up only in an emergency (the skip is
    recorded and the skipped levels are notified)."""
    ticket = access_ticket(actor, ticket_id, for_update=True)
    if not can_act_on(actor, ticket):
        raise NotAllowed(_("Only the ticket's owner, their team lead and the department's managers may "
                           "escalate it."))
    errors = Errors()
    if not (reason or "").strip():
        errors.add("reason", _("Give the reason for escalating."))
    if to_level not in (None, "") and to_level not in Level.values[1:]:
        errors.add("to_level", _("Choose one of: %(expected)s.") % {"expected": ", ".join(Level.values[1:])})
    errors.raise_if_any(_("The ticket was not escalated."))
    to_level = to_level or None
    current = LADDER.index(ticket.escalation_level)
    if current == len(LADDER) - 1:
        raise RuleViolation(_("The ticket is already at the centre director, the last level."), rule="R-TIC-6")
    target = LADDER[current + 1] if to_level is None else Level(to_level)
    if LADDER.index(target) <= current:
        raise RuleViolation(_("The ticket is already at that level or above."), rule="R-TIC-6")
    if LADDER.index(target) > current + 1 and not emergency:
        raise RuleViolation(_("Escalation goes one level at a time; skipping a level is for emergencies."),
                            rule="R-TIC-6")
    return _escalate(ticket, actor=actor, to_level=target, reason=reason.strip(), emergency=emergency,
                     automatic=False, now=_now())


# -- compensation (R-TIC-7) -----------------------------------------------------------------------

AUTHORITY_ORDER = (Role.AGENT, Role.LEAD, Role.HEAD)
# Two ladders of authority limits (rule settings): the total on one ticket, and the total for one customer
# in one day (all the customer's tickets), so an amount cannot be split to pass either.
TICKET_LIMITS = "tickets.compensation_limit"
CUSTOMER_DAY_LIMITS = "tickets.compensation_customer_day_limit"
COUNTED_STATUSES = (CompensationStatus.APPROVED, CompensationStatus.PENDING)  # rejected ones do not count
_RANK = {role: i for i, role in enumerate((*AUTHORITY_ORDER, Role.DIRECTOR))}


def authority_limit(user, centre_id, ladder: str = TICKET_LIMITS) -> Decimal | None:
    """The largest total ``user`` may grant alone on one ladder; None = unlimited (centre director, R-TIC-7)."""
    if user.is_superuser or user.has_role(Role.DIRECTOR):
        return None
    limit = Decimal("-1")
    for role in AUTHORITY_ORDER:
        if user.has_role(role):
            limit = max(limit, get_rule(f"{ladder}.{role}", centre_id=centre_id))
    return limit


def role_for_amount(amount: Decimal, centre_id, ladder: str = TICKET_LIMITS) -> str:
    """The lowest role whose limit on ``ladder`` covers ``amount``."""
    for role in AUTHORITY_ORDER:
        if amount <= get_rule(f"{ladder}.{role}", centre_id=centre_id):
            return role
    return Role.DIRECTOR


def _within(limit: Decimal | None, amount: Decimal) -> bool:
    return limit is None or amount <= limit


def _holds_role(user, role: str) -> bool:
    """``user`` holds ``role`` or a higher one on the authority ladder (agent < lead < head < director)."""
    if user.is_superuser or user.has_role(Role.DIRECTOR):
        return True
    if role not in _RANK:
        return False
    return any(user.has_role(r) for r in AUTHORITY_ORDER if _RANK[r] >= _RANK[role])


def may_decide_compensation(user, comp: Compensation) -> bool:
    """Whether ``user``'s authority covers a pending compensation: its amount, and the role it was sent to
    (which the totals of its ticket and its customer's day decided when it was requested)."""
    centre_id = comp.ticket.shop.centre_id
    return _within(authority_limit(user, centre_id), comp.amount) and (
        not comp.required_role or _holds_role(user, comp.required_role))


def _day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _locked_sum(rows) -> Decimal:
    """The sum of ``rows``' amounts, the rows locked first (FOR UPDATE cannot go with an aggregate)."""
    return sum(rows.select_for_update(of=("self",)).values_list("amount", flat=True), Decimal(0))


def _lock_customer(customer_id: int) -> None:
    from kefu.customers.models import Customer

    list(Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).values_list("pk"))


def _customer_day_rows(customer_id: int, at: dt.datetime):
    start, end = _day_bounds(at)
    return Compensation.objects.filter(status__in=COUNTED_STATUSES, ticket__customer_id=customer_id,
                                       requested_at__gte=start, requested_at__lt=end)


def compensation_totals(ticket: Ticket, amount: Decimal, now: dt.datetime, *, requester=None
                        ) -> tuple[Decimal, Decimal | None]:
    """(the ticket's total, the day's total) counting approved and pending compensation and ``amount``.
    The day's total is the customer's on ``now``'s day over all their tickets; for a ticket without a
    customer it is ``requester``'s own compensation on tickets without a customer that day (None without
    a requester), so self-approval on tickets without a customer is capped per person per day (R-TIC-7).

    Call it with the ticket row locked; it locks the customer row (or the requester's user row) and the
    rows it sums, so that requests on two tickets of one customer (or by one person) are counted one after
    the other (on SQLite one writer at a time does the same)."""
    counted = Compensation.objects.filter(status__in=COUNTED_STATUSES)
    ticket_total = _locked_sum(counted.filter(ticket=ticket)) + amount
    if ticket.customer_id is not None:
        _lock_customer(ticket.customer_id)
        return ticket_total, _locked_sum(_customer_day_rows(ticket.customer_id, now)) + amount
    if requester is None or not getattr(requester, "pk", None):
        return ticket_total, None
    from django.contrib.auth import get_user_model

    list(get_user_model().objects.select_for_update(of=("self",)).filter(pk=requester.pk).values_list("pk"))
    start, end = _day_bounds(now)
    own = counted.filter(requested_by=requester, ticket__customer__isnull=True, requested_at__gte=start,
                         requested_at__lt=end)
    return ticket_total, _locked_sum(own) + amount


def check_customer_link(*, actor, tickets: list[Ticket], customer_id: int, centre_id, detail: str) -> None:
    """R-TIC-7: giving ``tickets`` that have no customer yet the customer ``customer_id`` adds their
    compensation (approved and pending) to that customer's day totals, each on the day it was requested.
    Refused (422 naming ``customer_id``) when a day's total would then exceed the linking person's
    authority on the customer-day ladder; a role whose authority covers it may link. Call it with the
    tickets locked; it locks the customer row and the compensation rows it sums."""
    ids = [t.pk for t in tickets if t.customer_id is None]
    moving = Compensation.objects.filter(status__in=COUNTED_STATUSES, ticket_id__in=ids)
    added: dict[dt.date, tuple[dt.datetime, Decimal]] = {}
    for at, amount in moving.select_for_update(of=("self",)).values_list("requested_at", "amount"):
        day = timezone.localdate(at)
        added[day] = (at, added.get(day, (at, Decimal(0)))[1] + amount)
    if not added:
        return
    _lock_customer(customer_id)
    limit = authority_limit(actor, centre_id, CUSTOMER_DAY_LIMITS)
    for day, (at, amount) in sorted(added.items()):
        total = _locked_sum(_customer_day_rows(customer_id, at)) + amount
        if not _within(limit, total):
            role = role_for_amount(total, centre_id, CUSTOMER_DAY_LIMITS)
            errors = Errors()
            errors.add("customer_id", _(
                "With the compensation on these tickets the customer's total on %(day)s would be ¥%(total)s, "
                "above your authority; a %(role)s may link them.")
                % {"day": day.isoformat(), "total": total, "role": Role(role).label})
            raise RuleViolation(detail, errors=errors.items, rule="R-TIC-7")


MONEY_MAX = Decimal("9999999999.99")  # Compensation.amount: 12 digits, 2 of them decimals


def _money(errors: Errors, amount) -> Decimal:
    """A positive amount in yuan with at most two decimals (R-I18N: CNY with two decimals) that fits
    the amount column; anything else is a field error on ``amount`` (R-ERR), never an exception."""
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError, TypeError):
        value = None
    if value is None or not value.is_finite():
        errors.add("amount", _("Enter an amount in yuan, e.g. 50.00."))
        return Decimal("0")
    if value <= 0:
        errors.add("amount", _("The amount must be more than zero."))
    elif value > MONEY_MAX:  # before quantize: 1e30 has more digits than the decimal context holds
        errors.add("amount", _("The amount is too large."))
    elif value != value.quantize(Decimal("0.01")):
        errors.add("amount", _("At most two decimals (fen)."))
    else:
        return value.quantize(Decimal("0.01"))
    return Decimal("0")


@transaction.atomic
def request_compensation(*, actor, ticket_id: int, amount, reason: str) -> Compensation:
    """Approved at once when the caller's authority covers the new totals — of the ticket, and of the
    ticket's customer that day (approved and pending together, R-TIC-7), or for a ticket without a
    customer the caller's own compensation on tickets without a customer that day — otherwise pending,
    naming the lowest role whose authority covers both. The ticket row (and the customer row) stay locked while
    the totals are summed, so two requests at the same moment cannot both slip under a limit."""
    ticket = access_ticket(actor, ticket_id, act=True, for_update=True)
    errors = Errors()
    value = _money(errors, amount)
    if not (reason or "").strip():
        errors.add("reason", _("Give the reason for the compensation."))
    errors.raise_if_any(_("The compensation was not recorded."))
    centre_id = ticket.shop.centre_id
    now = _now()
    ticket_total, day_total = compensation_totals(ticket, value, now, requester=actor)
    approved = _within(authority_limit(actor, centre_id), ticket_total)
    required = role_for_amount(ticket_total, centre_id)
    if day_total is not None:
        approved = approved and _within(authority_limit(actor, centre_id, CUSTOMER_DAY_LIMITS), day_total)
        required = max(required, role_for_amount(day_total, centre_id, CUSTOMER_DAY_LIMITS), key=_RANK.__getitem__)
    comp = Compensation.objects.create(
        ticket=ticket, amount=value, reason=reason.strip(), requested_by=actor, requested_at=now,
        status=CompensationStatus.APPROVED if approved else CompensationStatus.PENDING,
        required_role="" if approved else required,
        decided_by=actor if approved else None, decided_at=now if approved else None,
    )
    totals = {"ticket_total": str(ticket_total)}
    if day_total is not None:  # the customer's day, or the requester's own day without a customer
        totals["customer_day_total" if ticket.customer_id else "requester_day_total"] = str(day_total)
    _touch(ticket, [], now)
    _event(ticket, actor=actor, kind=EventKind.COMPENSATION, body=comp.reason,
           data={"amount": str(value), "status": comp.status, "required_role": comp.required_role, **totals}, at=now)
    record(actor=actor, action=Action.CREATE, obj=comp,
           after={"ticket": ticket.pk, "amount": value, "status": comp.status, "required_role": comp.required_role,
                  **totals})
    if not approved:
        from kefu.tickets.notify import approvers_for

        notify_later(approvers_for(ticket, comp.required_role), kind="compensation", ticket=ticket, email=True,
                     title=_("Compensation of ¥%(amount)s on %(number)s awaits your approval")
                     % {"amount": value, "number": ticket.number})
    return comp


@transaction.atomic
def decide_compensation(*, actor, compensation_id: int, approve: bool, note: str = "") -> Compensation:
    comp = Compensation.objects.select_for_update(of=("self",)).select_related("ticket", "ticket__shop").filter(
        pk=compensation_id).first()
    from kefu.core.errors import NotFound

    if comp is None or not scope_for(actor).can_see_shop(comp.ticket.shop_id):
        raise NotFound(_("No such compensation."))
    role = Role(comp.required_role).label if comp.required_role in Role.values else comp.required_role
    if not _within(authority_limit(actor, comp.ticket.shop.centre_id), comp.amount):
        raise NotAllowed(_("¥%(amount)s is above your authority: it needs the approval of a %(role)s.")
                         % {"amount": comp.amount, "role": role})
    if not may_decide_compensation(actor, comp):
        raise NotAllowed(_("Together with the other compensation on this ticket or for this customer that day, "
                           "this needs the approval of a %(role)s.") % {"role": role})
    if not can_act_on(actor, comp.ticket):
        raise NotAllowed(_("Only the owner's team lead and the department's managers decide on this ticket."))
    if comp.status != CompensationStatus.PENDING:
        raise RuleViolation(_("This compensation was already decided."), rule="R-TIC-7")
    now = _now()
    comp.status = CompensationStatus.APPROVED if approve else CompensationStatus.REJECTED
    comp.decided_by = actor
    comp.decided_at = now
    comp.save(update_fields=["status", "decided_by", "decided_at"])
    _event(comp.ticket, actor=actor, kind=EventKind.COMPENSATION, body=note,
           data={"amount": str(comp.amount), "status": comp.status}, at=now)
    record(actor=actor, action=Action.UPDATE, obj=comp, before={"status": CompensationStatus.PENDING},
           after={"status": comp.status}, note=note[:500])
    if comp.ticket.owner_id:
        notify_later([comp.ticket.owner], kind="compensation", ticket=comp.ticket,
                     title=_("Compensation on %(number)s: %(status)s") % {"number": comp.ticket.number,
                                                                          "status": comp.get_status_display()})
    return comp


# -- callback (R-TIC-8) ---------------------------------------------------------------------------


@transaction.atomic
def record_callback(*, actor, ticket_id: int, satisfaction: int, solved: bool, note: str = "") -> Callback:
    """Satisfaction 1–5 and whether the issue is really solved; solved → callback done, unsolved →
    the ticket reopens (in progress)."""
    ticket = access_ticket(actor, ticket_id, act=True, for_update=True)
    errors = Errors()
    if isinstance(satisfaction, bool) or not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        errors.add("satisfaction", _("Choose a satisfaction from 1 to 5."))
    callback = ticket.callbacks.filter(done_at__isnull=True).order_by("id").first()
    if ticket.status != Status.RESOLVED or callback is None:
        raise RuleViolation(_("A callback is recorded for a resolved ticket that awaits its callback."),
                            rule="R-TIC-8")
    errors.raise_if_any(_("The callback was not recorded."))
    now = _now()
    hooks.fire(hooks.KPI_DAYS_CHANGED, at=[callback.due])  # made for a due of an earlier day
    callback.done_at = now
    callback.done_by = actor
    callback.satisfaction = satisfaction
    callback.solved = bool(solved)
    callback.note = (note or "").strip()
    callback.save(update_fields=["done_at", "done_by", "satisfaction", "solved", "note"])
    _event(ticket, actor=actor, kind=EventKind.CALLBACK, body=note or "",
           data={"satisfaction": satisfaction, "solved": bool(solved)}, at=now)
    record(actor=actor, action=Action.CREATE, obj=callback,
           after={"ticket": ticket.pk, "satisfaction": satisfaction, "solved": bool(solved)})
    _apply_status(ticket, to=Status.CALLBACK_DONE if solved else Status.IN_PROGRESS, actor=actor,
                  note=_("Callback: solved") if solved else _("Callback: not solved, reopened"), now=now)
    return callback


# -- supervision, reminders, assignment ----------------------------------------------------------------


@transaction.atomic
def supervise(*, actor, ticket_id: int, on: bool = True) -> Ticket:
    """督办: a head marks a ticket for the daily reports (R-TIC-5)."""
    if not (actor.is_superuser or actor.has_role(Role.HEAD, Role.DIRECTOR)):
        raise NotAllowed(_("Only department heads and the centre director supervise tickets."))
    ticket = access_ticket(actor, ticket_id, for_update=True)
    if ticket.supervised != on:
        now = _now()
        ticket.supervised = on
        _touch(ticket, ["supervised"], now)
        _event(ticket, actor=actor, kind=EventKind.SUPERVISION, data={"on": on}, at=now)
        record(actor=actor, action=Action.UPDATE, obj=ticket, before={"supervised": not on}, after={"supervised": on})
        if ticket.owner_id:
            notify_later([ticket.owner], kind="supervision", ticket=ticket,
                         title=_("Ticket %(number)s is supervised by %(who)s") % {"number": ticket.number,
                                                                                  "who": actor})
    return ticket


@transaction.atomic
def remind(*, actor, ticket_id: int, note: str = "", automatic: bool = False) -> None:
    """催办: remind the owner of a stuck ticket (R-TIC-5)."""
    if not automatic and not (actor.is_superuser or actor.has_role(Role.LEAD, Role.HEAD, Role.DIRECTOR)):
        raise NotAllowed(_("Only team leads and above send reminders."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id) if automatic else \
        access_ticket(actor, ticket_id, for_update=True)
    now = _now()
    _event(ticket, actor=actor, kind=EventKind.REMINDER, body=note, data={"automatic": automatic}, at=now)
    if not automatic:
        record(actor=actor, action=Action.UPDATE, obj=ticket, note="reminder")
    if ticket.owner_id:
        notify_later([ticket.owner], kind="stuck_ticket", ticket=ticket,
                     title=_("Reminder: ticket %(number)s is waiting for you") % {"number": ticket.number})


@transaction.atomic
def assign(*, actor, ticket_id: int, to_owner) -> Ticket:
    """A lead assigns a queued ticket (or, exceptionally, moves one); an agent claims from the queue
    by assigning to themselves. The move is recorded."""
    ticket = access_ticket(actor, ticket_id, for_update=True)
    claiming = to_owner.pk == actor.pk and ticket.owner_id is None
    if not claiming and not (is_manager(actor) or actor.has_role(Role.LEAD)):
        raise NotAllowed(_("Only team leads assign tickets; agents claim unassigned ones."))
    if not claiming and not scope_for(actor).can_act_on_person(to_owner):
        raise NotAllowed(_("You may assign tickets only to people of your team."))
    if not scope_for(to_owner).can_see_shop(ticket.shop_id):
        errors = Errors()
        errors.add("owner", _("%(person)s does not serve this shop.") % {"person": to_owner})
        errors.raise_if_any(_("The ticket was not assigned."))
    if claiming and ticket.owner_id is not None:
        raise RuleViolation(_("Someone else already took this ticket."), rule="R-TIC-3")
    now = _now()
    # both owners' figures of those days: the contact, the resolution, and the callbacks due and made
    hooks.fire(hooks.KPI_DAYS_CHANGED, at=[ticket.created_at, ticket.resolved_at,
                                           *(t for pair in ticket.callbacks.values_list("due", "done_at") for t in pair)])
    before = ticket.owner_id
    ticket.owner = to_owner
    _touch(ticket, ["owner"], now)
    _event(ticket, actor=actor, kind=EventKind.ASSIGNMENT, data={"from": before, "to": to_owner.pk}, at=now)
    record(actor=actor, action=Action.UPDATE, obj=ticket, before={"owner": before}, after={"owner": to_owner.pk})
    if to_owner.pk != actor.pk:
        notify_later([to_owner], kind="ticket_assigned", ticket=ticket,
                     title=_("Ticket %(number)s assigned to you") % {"number": ticket.number})
    return ticket


@transaction.atomic
def merge(*, actor, ticket_id: int, into_id: int) -> Ticket:
    """Merge a duplicate into the surviving ticket: the duplicate closes and points at the survivor;
    the customer only sees the survivor."""
    duplicate = access_ticket(actor, ticket_id, act=True, for_update=True)
    survivor = access_ticket(actor, into_id, act=True, for_update=True)
    errors = Errors()
    if duplicate.pk == survivor.pk:
        errors.add("into", _("A ticket cannot be merged into itself."))
    if duplicate.merged_into_id:
        errors.add("ticket", _("This ticket was already merged."))
    if survivor.merged_into_id:
        errors.add("into", _("That ticket was itself merged; merge into %(number)s.") % {
            "number": survivor.merged_into.number})
    elif survivor.status == Status.CLOSED and duplicate.pk != survivor.pk:
        errors.add("into", _("That ticket is closed; reopen it first or merge the other way."))
    if duplicate.shop_id != survivor.shop_id:
        errors.add("into", _("The tickets belong to different shops."))
    if duplicate.customer_id and survivor.customer_id and duplicate.customer_id != survivor.customer_id:
        errors.add("into", _("The tickets belong to different customers."))
    errors.raise_if_any(_("The tickets were not merged."))
    customer_id = survivor.customer_id or duplicate.customer_id
    if customer_id:  # R-TIC-7: compensation on the ticket without a customer becomes this customer's
        check_customer_link(actor=actor, tickets=[survivor, duplicate], customer_id=customer_id,
                            centre_id=survivor.shop.centre_id, detail=_("The tickets were not merged."))
    now = _now()
    before = duplicate.status
    counted_customer = duplicate.customer_id  # whose open complaint the duplicate was counted as
    duplicate.merged_into = survivor
    duplicate.status = Status.CLOSED
    duplicate.waiting_on = ""
    duplicate.paused_at = None
    duplicate.closed_at = now
    duplicate_fields = ["merged_into", "status", "waiting_on", "paused_at", "closed_at"]
    if duplicate.customer_id is None and customer_id:  # the same case of the survivor's customer: its
        duplicate.customer_id = customer_id  # compensation counts in that customer's day totals (R-TIC-7)
        duplicate_fields.append("customer")
    _touch(duplicate, duplicate_fields, now)
    _event(duplicate, actor=actor, kind=EventKind.MERGE, data={"into": survivor.number, "from": before}, at=now)
    _event(survivor, actor=actor, kind=EventKind.MERGE, data={"merged": duplicate.number}, at=now)
    if survivor.customer_id is None and duplicate.customer_id:
        survivor.customer_id = duplicate.customer_id
        _touch(survivor, ["customer"], now)
    else:
        _touch(survivor, [], now)
    # the duplicate's open work follows the survivor: department tasks and a pending callback
    dropped = Callback.objects.filter(ticket=duplicate, done_at__isnull=True)
    # the days the dropped callback was due, and both tickets' FCR (the open tasks move): earlier days' KPI
    hooks.fire(hooks.KPI_DAYS_CHANGED, at=[duplicate.resolved_at, survivor.resolved_at,
                                           *dropped.values_list("due", flat=True)])
    DepartmentTask.objects.filter(ticket=duplicate, status=TaskStatus.OPEN).update(ticket=survivor)
    dropped.delete()
    if before in OPEN_STATUSES and duplicate.type == TicketType.COMPLAINT and counted_customer:
        from kefu.customers.services import count_complaint

        count_complaint(customer_id=counted_customer, opened=False)
    record(actor=actor, action=Action.UPDATE, obj=duplicate,
           before={"status": before, "merged_into": None, "customer": counted_customer},
           after={"status": Status.CLOSED, "merged_into": survivor.pk, "customer": duplicate.customer_id},
           note="merge")
    return survivor


@transaction.atomic
def link(*, actor, ticket_id: int, other_id: int) -> None:
    ticket = access_ticket(actor, ticket_id, act=True, for_update=True)
    other = access_ticket(actor, other_id)
    if other.pk == ticket.pk:
        errors = Errors()
        errors.add("other", _("A ticket cannot be linked to itself."))
        errors.raise_if_any(_("The tickets were not linked."))
    if ticket.related.filter(pk=other.pk).exists():
        return
    now = _now()
    ticket.related.add(other)
    _event(ticket, actor=actor, kind=EventKind.NOTE, body=_("Linked to %(number)s") % {"number": other.number},
           data={"linked": other.number}, at=now)
    _event(other, actor=actor, kind=EventKind.NOTE, body=_("Linked to %(number)s") % {"number": ticket.number},
           data={"linked": ticket.number}, at=now)
    record(actor=actor, action=Action.UPDATE, obj=ticket, after={"related": other.pk}, note="link")


@transaction.atomic
def add_handling_time(*, actor, ticket_id: int, seconds: int) -> Ticket:
    """Handling time for AHT: the page adds the time the owner had the ticket open; editable by the
    owner and leads (a correction may be negative but the total never drops below zero)."""
    ticket = access_ticket(actor, ticket_id, act=True, for_update=True)
    errors = Errors()
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        errors.add("seconds", _("Enter a whole number of seconds."))
    elif seconds == 0:
        errors.add("seconds", _("Enter a time other than zero."))
    elif abs(seconds) > HANDLING_STEP_MAX:
        errors.add("seconds", _("At most 12 hours at a time."))
    errors.raise_if_any(_("The handling time was not changed."))
    hooks.fire(hooks.KPI_DAYS_CHANGED, at=[ticket.resolved_at])  # AHT of the day it was resolved
    before = ticket.handling_seconds
    ticket.handling_seconds = max(0, before + seconds)
    ticket.version += 1
    ticket.save(update_fields=["handling_seconds", "version"])
    record(actor=actor, action=Action.UPDATE, obj=ticket, before={"handling_seconds": before},
           after={"handling_seconds": ticket.handling_seconds}, note="handling time")
    return ticket


HANDLING_STEP_MAX = 12 * 3600
