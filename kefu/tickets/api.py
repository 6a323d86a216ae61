"""Tickets API (API.md "Tickets", SPEC §3)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus

from kefu.core.api import PAGE_MAX, PAGE_SIZE_MAX, ErrorOut, Id, KefuRenderer, PageNumber, Version
from kefu.core.errors import FieldError, InvalidInput
from kefu.core.keyset import BadCursor
from kefu.org.selectors import access_shop, departments_of_centre, people_in_scope
from kefu.tickets import selectors, services, sla
from kefu.tickets.access import access_ticket
from kefu.tickets.models import Ticket

router = Router(tags=["tickets"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class TicketOut(Schema):
    id: int
    number: str
    status: str
    waiting_on: str
    type: str
    after_sales_kind: str
    channel: str
    priority: str
    severity: str
    root_cause: str
    title: str
    description: str
    shop: str
    customer_id: int | None
    caller_phone: str
    owner: str | None
    created_by: str
    escalation_level: str
    supervised: bool
    created_at: dt.datetime
    first_response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    sla_state: str
    deadline: dt.datetime | None
    merged_into: str | None
    handling_seconds: int
    tags: list[str]
    version: int

    @staticmethod
    def resolve_shop(obj) -> str:
        return obj.shop.code

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.username if obj.owner_id else None

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.username

    @staticmethod
    def resolve_deadline(obj):
        return sla.next_deadline(obj)

    @staticmethod
    def resolve_merged_into(obj) -> str | None:
        return obj.merged_into.number if obj.merged_into_id else None

    @staticmethod
    def resolve_caller_phone(obj, context) -> str:
        from kefu.customers.serializers import phone_view_for

        return phone_view_for(context["request"]).show(obj.caller_phone) if obj.caller_phone else ""


class TicketIn(Schema):
    """API.md: ``type``, ``channel``, ``title``, ``description``, ``shop``, ``customer_id``?, ``priority``,
    ``severity``? (complaints); ``caller_phone`` finds the customer by number in any notation."""

    type: str
    channel: str
    title: str
    description: str = ""
    shop: str
    customer_id: Id | None = None
    caller_phone: str = ""
    priority: str = "normal"
    severity: str = ""
    after_sales_kind: str = ""
    tags: list[str] = []
    owner: str | None = None


def _full(ticket):
    return selectors.ticket_detail(ticket)


def _lean(ticket):
    """What TicketOut reads (one query): for answers that do not list tasks, callbacks and the rest."""
    return Ticket.objects.select_related("owner", "shop", "created_by", "merged_into").get(pk=ticket.pk)


def _person(request, username, field="owner"):
    person = people_in_scope(request.user).filter(username=username).first()
    if person is None:
        raise InvalidInput(_("The request has invalid fields."), errors=[FieldError(field, _("No such person in your scope."))])
    return person


@router.post("", response={201: TicketOut, **ERRORS})
def create_ticket(request, payload: TicketIn):
    data = payload.dict()
    shop = access_shop(request.user, data.pop("shop"))
    owner = data.pop("owner")
    if owner is not None:  # "" names nobody: a 422 like any unknown name, not the caller
        owner = _person(request, owner)
    ticket = services.create_ticket(actor=request.user, shop=shop, owner=owner, **data)
    # the service's ticket already holds what TicketOut reads (its shop, owner and creator): no re-read
    return HttpStatus(201, ticket)


class TicketFiltersIn(Schema):
    q: str = ""
    status: str = ""
    type: str = ""
    channel: str = ""
    priority: str = ""
    owner: str = ""
    shop: str = ""
    sla_state: str = ""
    supervised: bool | None = None
    escalated: bool | None = None
    open_only: bool = False
    order: str = "sla"


CURSOR_HELP = ("Keyset paging: the `next` of an answer, to read the tickets after its last one (same filters "
               "and `order`). A deep page then costs what the first does; `page` is ignored and the answer's "
               "`page` counts on from the cursor's page.")


class TicketPageInput(Schema):
    page: int = Field(1, ge=1, le=PAGE_MAX)
    page_size: int = Field(50, ge=1, le=PAGE_SIZE_MAX)
    after: str | None = Field(None, description=CURSOR_HELP)


# API.md "Lists" plus ``next``; the name ninja's pagination gave it (the OpenAPI component stays the same)
class PagedTicketOut(Schema):
    items: list[TicketOut]
    count: int
    page: int
    page_size: int
    next: str | None = Field(None, description="The cursor of the next page (`after=`); null on the last page.")


RENDERER = KefuRenderer()  # the API's (kefu/api.py): times in the organisation's zone

# TicketOut's columns as .values() reads them: the list makes no model instances (issue 13)
LIST_COLUMNS = (
    "id", "number", "status", "waiting_on", "type", "after_sales_kind", "channel", "priority", "severity",
    "root_cause", "title", "description", "shop__code", "customer_id", "caller_phone", "owner__username",
    "created_by__username", "escalation_level", "supervised", "created_at", "first_response_due", "resolution_due",
    "first_responded_at", "resolved_at", "closed_at", "sla_state", "merged_into__number", "handling_seconds",
    "tags", "version")


def _list_rows(qs) -> list[SimpleNamespace]:
    """The page's tickets as plain rows (the keyset paging reads ``pk`` and the order's column of them)."""
    return [SimpleNamespace(pk=row["id"], **row) for row in qs.values(*LIST_COLUMNS)]


def _local(moment, zone):
    """LocalTimeEncoder's text of an aware moment (the organisation's offset), written here once per value."""
    if moment is None or moment.utcoffset() is None:
        return moment
    return moment.astimezone(zone).isoformat()


def ticket_item(r: SimpleNamespace, phones, zone=None) -> dict:
    """TicketOut of one row, written out: what validating the ticket through TicketOut and its resolvers
    gives (tests/test_desk_speed_api.py compares both byte for byte) at a fraction of the cost; the times as
    the API's renderer writes them (in ``zone``, the current time zone)."""
    zone = zone or timezone.get_current_timezone()
    return {
        "id": r.id, "number": r.number, "status": r.status, "waiting_on": r.waiting_on, "type": r.type,
        "after_sales_kind": r.after_sales_kind, "channel": r.channel, "priority": r.priority, "severity": r.severity,
        "root_cause": r.root_cause, "title": r.title, "description": r.description, "shop": r.shop__code,
        "customer_id": r.customer_id, "caller_phone": phones.show(r.caller_phone) if r.caller_phone else "",
        "owner": r.owner__username, "created_by": r.created_by__username, "escalation_level": r.escalation_level,
        "supervised": r.supervised, "created_at": _local(r.created_at, zone),
        "first_response_due": _local(r.first_response_due, zone), "resolution_due": _local(r.resolution_due, zone),
        "first_responded_at": _local(r.first_responded_at, zone), "resolved_at": _local(r.resolved_at, zone),
        "closed_at": _local(r.closed_at, zone), "sla_state": r.sla_state,
        "deadline": _local(sla.next_deadline(r), zone), "merged_into": r.merged_into__number,
        "handling_seconds": r.handling_seconds, "tags": r.tags, "version": r.version,
    }


@router.get("", response={200: PagedTicketOut, **ERRORS})
def list_tickets(request, response: HttpResponse, filters: Query[TicketFiltersIn],
                 pagination: Query[TicketPageInput]):
    """``order=sla`` (nearest deadline first, then the id; tickets without a deadline last; default) or
    ``order=recent`` (newest first). With ``q``, ``count`` stops at 1000 (``KEFU_SEARCH_COUNT_CAP``); the
    header ``X-Count-Capped: true`` says there are more. Page numbers (``page``) as API.md says, or keyset
    paging: each answer's ``next`` is a cursor, ``after=<next>`` the page after it at the cost of the first."""
    from kefu.customers.serializers import phone_view_for

    data = filters.dict()
    order = data.pop("order")
    tickets = selectors.TicketList(request.user, selectors.TicketFilters(**data),
                                   order="recent" if order == "recent" else "sla", prepare=_list_rows,
                                   lean=True)
    # keyset paging: ``next`` is an opaque cursor for the page after this one (null on the last page) and
    # ``after=<cursor>`` reads that page in the list's order by (value, id): no OFFSET, so page 20 costs what
    # page 1 does, and tickets sharing a deadline are neither repeated nor skipped. A cursor that is not one
    # of this list's order is a 422 naming ``after``.
    after = None
    if pagination.after:
        try:
            after = tickets.keyset.parse(pagination.after)
        except BadCursor:
            raise InvalidInput(_("The request has invalid fields."), errors=[FieldError(
                "after", _("This is not a cursor of this list: send the \"next\" of an earlier answer "
                           "with the same order."))]) from None
    size = pagination.page_size
    count = tickets.count()
    if tickets.capped:
        response["X-Count-Capped"] = "true"
    page = tickets.page(after=after, size=size, offset=0 if after else (pagination.page - 1) * size)
    phones = phone_view_for(request)
    zone = timezone.get_current_timezone()
    body = {"items": [ticket_item(r, phones, zone) for r in page.rows], "count": count, "page": page.number,
            "page_size": size, "next": page.next.encode() if page.next else None}
    # rendered as it is: validating 25 tickets through TicketOut's pydantic model and resolvers again was
    # the larger part of the answer's Python time
    response.content = RENDERER.render(request, body, response_status=200)
    return response


class TransitionIn(Schema):
    to: str
    note: str = ""
    version: Version
    waiting_on: str = "customer"


@router.post("/{ticket_id}/transition", response={200: TicketOut, **ERRORS})
def transition(request, ticket_id: Id, payload: TransitionIn):
    ticket = services.transition(actor=request.user, ticket_id=ticket_id, **payload.dict())
    return _lean(ticket)


class MessageIn(Schema):
    body: str
    public: bool = True


class EventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    body: str
    public: bool
    actor: str | None
    data: dict

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


@router.post("/{ticket_id}/messages", response={201: EventOut, **ERRORS})
def add_message(request, ticket_id: Id, payload: MessageIn):
    return HttpStatus(201, services.add_message(actor=request.user, ticket_id=ticket_id, **payload.dict()))


@router.get("/{ticket_id}/timeline", response={200: list[EventOut], **ERRORS})
def timeline(request, ticket_id: Id):
    return selectors.timeline(access_ticket(request.user, ticket_id))


class HandoverIn(Schema):
    department: str
    note: str
    due: dt.datetime | None = None


class TaskOut(Schema):
    id: int
    ticket_id: Id
    ticket_number: str
    ticket_owner: str | None
    department: str
    note: str
    due: dt.datetime
    status: str
    result: str
    done_by: str | None
    done_at: dt.datetime | None

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_ticket_number(obj) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_ticket_owner(obj) -> str | None:
        return obj.ticket.owner.username if obj.ticket.owner_id else None

    @staticmethod
    def resolve_done_by(obj) -> str | None:
        return obj.done_by.username if obj.done_by_id else None


@router.post("/{ticket_id}/handover", response={201: TaskOut, **ERRORS})
def handover(request, ticket_id: Id, payload: HandoverIn):
    """R-TIC-3: a task for that department with its own due time; the ticket keeps its owner."""
    department = departments_of_centre(request.user).filter(name=payload.department).first()
    task = services.hand_over(actor=request.user, ticket_id=ticket_id, department=department, note=payload.note,
                              due=payload.due)
    return HttpStatus(201, selectors.task_detail(task.pk))


@router.get("/{ticket_id}/tasks", response={200: list[TaskOut], **ERRORS})
def ticket_tasks(request, ticket_id: Id):
    """The owner follows the progress of the work handed over (R-TIC-3)."""
    return selectors.tasks_of(access_ticket(request.user, ticket_id))


class TaskDoneIn(Schema):
    result: str
    returned: bool = False


@router.get("/tasks/inbox", response={200: list[TaskOut], **ERRORS})
@paginate(PageNumber)
def task_inbox(request, include_done: bool = False):
    return selectors.department_inbox(request.user, include_done=include_done)


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **ERRORS})
def complete_task(request, task_id: Id, payload: TaskDoneIn):
    task = services.complete_task(actor=request.user, task_id=task_id, **payload.dict())
    return selectors.task_detail(task.pk)


class EscalateIn(Schema):
    emergency: bool = False
    reason: str
    to_level: str | None = None


@router.post("/{ticket_id}/escalate", response={200: TicketOut, **ERRORS})
def escalate(request, ticket_id: Id, payload: EscalateIn):
    services.escalate(actor=request.user, ticket_id=ticket_id, **payload.dict())
    return _lean(access_ticket(request.user, ticket_id))


class CompensationIn(Schema):
    amount: Decimal
    reason: str


class CompensationOut(Schema):
    id: int
    ticket_id: Id
    amount: str
    reason: str
    status: str
    approver_role: str | None
    requested_by: str

    @staticmethod
    def resolve_amount(obj) -> str:
        return f"{obj.amount:.2f}"

    @staticmethod
    def resolve_approver_role(obj) -> str | None:
        return obj.required_role or None

    @staticmethod
    def resolve_requested_by(obj) -> str:
        return obj.requested_by.username


@router.post("/{ticket_id}/compensation", response={201: CompensationOut, **ERRORS})
def compensation(request, ticket_id: Id, payload: CompensationIn):
    return HttpStatus(201, services.request_compensation(actor=request.user, ticket_id=ticket_id, **payload.dict()))


class DecisionIn(Schema):
    approve: bool
    note: str = ""


@router.post("/compensations/{compensation_id}/decide", response={200: CompensationOut, **ERRORS})
def decide_compensation(request, compensation_id: Id, payload: DecisionIn):
    return services.decide_compensation(actor=request.user, compensation_id=compensation_id, **payload.dict())


class LinkIn(Schema):
    other: Id


@router.post("/{ticket_id}/link", response={200: TicketOut, **ERRORS})
def link(request, ticket_id: Id, payload: LinkIn):
    services.link(actor=request.user, ticket_id=ticket_id, other_id=payload.other)
    return _lean(access_ticket(request.user, ticket_id))


class HandlingTimeIn(Schema):
    seconds: int


@router.post("/{ticket_id}/handling-time", response={200: TicketOut, **ERRORS})
def handling_time(request, ticket_id: Id, payload: HandlingTimeIn):
    return _lean(services.add_handling_time(actor=request.user, ticket_id=ticket_id, seconds=payload.seconds))


class CallbackIn(Schema):
    satisfaction: int
    solved: bool
    note: str = ""


class CallbackOut(Schema):
    id: int
    ticket_id: Id
    due: dt.datetime
    done_at: dt.datetime | None
    satisfaction: int | None
    solved: bool | None
    ticket_status: str

    @staticmethod
    def resolve_ticket_status(obj) -> str:
        return obj.ticket.status


@router.post("/{ticket_id}/callback", response={200: CallbackOut, **ERRORS})
def callback(request, ticket_id: Id, payload: CallbackIn):
    return services.record_callback(actor=request.user, ticket_id=ticket_id, **payload.dict())


@router.get("/callbacks/queue", response={200: list[CallbackOut], **ERRORS})
@paginate(PageNumber)
def callback_queue(request):
    return selectors.callback_queue(request.user)


class AssignIn(Schema):
    owner: str


@router.post("/{ticket_id}/assign", response={200: TicketOut, **ERRORS})
def assign(request, ticket_id: Id, payload: AssignIn):
    owner = request.user if payload.owner == request.user.username else _person(request, payload.owner)
    return _lean(services.assign(actor=request.user, ticket_id=ticket_id, to_owner=owner))


class SuperviseIn(Schema):
    on: bool = True


@router.post("/{ticket_id}/supervise", response={200: TicketOut, **ERRORS})
def supervise(request, ticket_id: Id, payload: SuperviseIn):
    return _lean(services.supervise(actor=request.user, ticket_id=ticket_id, on=payload.on))


class RemindIn(Schema):
    note: str = ""


@router.post("/{ticket_id}/remind", response={204: None, **ERRORS})
def remind(request, ticket_id: Id, payload: RemindIn):
    services.remind(actor=request.user, ticket_id=ticket_id, note=payload.note)
    return HttpStatus(204, None)


class MergeIn(Schema):
    into: Id


@router.post("/{ticket_id}/merge", response={200: TicketOut, **ERRORS})
def merge(request, ticket_id: Id, payload: MergeIn):
    return _lean(services.merge(actor=request.user, ticket_id=ticket_id, into_id=payload.into))


class EscalationOut(Schema):
    from_level: str
    to_level: str
    skipped: list[str]
    emergency: bool
    automatic: bool
    reason: str
    by: str | None
    at: dt.datetime

    @staticmethod
    def resolve_by(obj) -> str | None:
        return obj.by.username if obj.by_id else None


class RecoveryOut(Schema):
    id: int
    action: str
    by: str | None
    at: dt.datetime

    @staticmethod
    def resolve_by(obj) -> str | None:
        return obj.by.username if obj.by_id else None


class TicketDetailOut(TicketOut):
    """One ticket with its handed-over tasks (the owner sees their progress, R-TIC-3), escalations
    (R-TIC-6), compensations (R-TIC-7), callbacks (R-TIC-8) and linked tickets."""

    tasks: list[TaskOut]
    escalations: list[EscalationOut]
    compensations: list[CompensationOut]
    callbacks: list[CallbackOut]
    recovery_actions: list[RecoveryOut]
    related: list[str]

    @staticmethod
    def resolve_recovery_actions(obj) -> list:
        return list(obj.recovery_actions.all())

    @staticmethod
    def resolve_tasks(obj) -> list:
        return list(obj.tasks.all())

    @staticmethod
    def resolve_escalations(obj) -> list:
        return sorted(obj.escalations.all(), key=lambda e: (e.at, e.pk))

    @staticmethod
    def resolve_compensations(obj) -> list:
        return list(obj.compensations.all())

    @staticmethod
    def resolve_callbacks(obj) -> list:
        return list(obj.callbacks.all())

    @staticmethod
    def resolve_related(obj) -> list[str]:
        return sorted(t.number for t in obj.related.all())


@router.get("/{ticket_id}", response={200: TicketDetailOut, **ERRORS})
def get_ticket(request, ticket_id: Id):
    return _full(access_ticket(request.user, ticket_id))


class TicketPatchIn(Schema):
    """``version`` is required; the other fields are optional and only those sent change."""

    version: Version
    title: str | None = None
    description: str | None = None
    priority: str | None = None
    severity: str | None = None
    root_cause: str | None = None
    after_sales_kind: str | None = None
    tags: list[str] | None = None


@router.patch("/{ticket_id}", response={200: TicketDetailOut, **ERRORS})
def update_ticket(request, ticket_id: Id, payload: TicketPatchIn):
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    services.update_ticket(actor=request.user, ticket_id=ticket_id, version=version, **changes)
    return _full(access_ticket(request.user, ticket_id))


class RecoveryIn(Schema):
    action: str


@router.post("/{ticket_id}/recovery-actions", response={201: RecoveryOut, **ERRORS})
def add_recovery_action(request, ticket_id: Id, payload: RecoveryIn):
    """服务补救 on a complaint (R-TIC-7)."""
    return HttpStatus(201, services.add_recovery_action(actor=request.user, ticket_id=ticket_id,
                                                        action=payload.action))
