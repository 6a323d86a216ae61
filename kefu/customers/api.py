"""Customers API (API.md "Customers", SPEC §2)."""

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PaginationBase, paginate
from ninja.responses import Status

from kefu.core.api import PAGE_MAX, PAGE_SIZE_MAX, ErrorOut, Id, PageNumber, Version
from kefu.core.errors import FieldError, InvalidInput, NotAllowed
from kefu.customers import paging, pool, selectors, services
from kefu.customers.access import access_customer
from kefu.customers.grading import load_rules
from kefu.customers.serializers import phone_view_for
from kefu.customers.validation import AmountIn
from kefu.org.selectors import access_shop, people_in_scope

router = Router(tags=["customers"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CustomerPageInput(Schema):
    page: int = Field(1, ge=1, le=PAGE_MAX)
    page_size: int = Field(50, ge=1, le=PAGE_SIZE_MAX)
    after: str | None = Field(None, max_length=paging.CURSOR_MAX_LENGTH, description=paging.CURSOR_HELP)


class CustomerPageOutput(Schema):
    items: list[Any]
    count: int
    page: int
    page_size: int
    next: str | None = Field(None, description="The cursor of the next page (send it as `after`).")


class PageOrAfter(PaginationBase):
    """API.md "Lists" (``page``, ``page_size`` → ``items``, ``count``, ``page``, ``page_size``) plus keyset
    paging: ``next`` is a cursor for the rows after this page (null on the last page); sent back as
    ``after``, it gives the next page without an OFFSET (:mod:`kefu.customers.paging`). For lists ordered
    by (next_due, grade, id): the customer list/search and the due list."""

    Input = CustomerPageInput
    Output = CustomerPageOutput

    def paginate_queryset(self, queryset, pagination: CustomerPageInput, request=None, **params):
        size = pagination.page_size
        number = pagination.page
        if pagination.after:
            key, page = paging.decode_cursor_page(pagination.after)
            number = page or number  # the page the cursor leads to (a cursor without one: as asked)
            keyset = (selectors.DueItemsPage, selectors.CustomerList)
            rows = queryset.after(key) if isinstance(queryset, keyset) else paging.after(queryset, key)
            items = list(rows[:size + 1])
        else:
            offset = (pagination.page - 1) * size
            items = list(queryset[offset:offset + size + 1])
        more = len(items) > size
        items = items[:size]
        return {"items": items, "count": self._items_count(queryset), "page": number, "page_size": size,
                "next": paging.cursor_of(items[-1], min(number + 1, paging.PAGE_MAX)) if more and items else None}


class CustomerOut(Schema):
    id: int
    name: str
    phones: list[str]
    email: str
    shop: str
    owner: str | None
    grade: str
    grade_proposed: str
    grade_reason: str
    need_status: str
    deal_status: str
    importance: str
    urgency: str
    value_tier: str
    value_score: float
    churn_risk: bool
    churn_reasons: list[str]
    expected_close_date: dt.date | None
    expected_amount: str | None
    birthday: dt.date | None
    tags: list[str]
    last_followup_at: dt.datetime | None
    next_due: dt.date
    pool_in_days: int | None
    version: int

    @staticmethod
    def resolve_phones(obj, context) -> list[str]:
        view = phone_view_for(context["request"])
        numbers = getattr(obj, "phone_numbers", None)  # the list's rows (selectors.attach_row_details)
        if numbers is None:
            numbers = [p.number for p in obj.phones.all()]
        return [view.show(n) for n in numbers]

    @staticmethod
    def resolve_shop(obj) -> str:
        code = getattr(obj, "shop_code", None)  # the list's rows (selectors.attach_row_details)
        return code if code is not None else obj.shop.code

    @staticmethod
    def resolve_owner(obj) -> str | None:
        if not obj.owner_id:
            return None
        username = getattr(obj, "owner_username", None)  # the list's rows (selectors.attach_row_details)
        return username if username is not None else obj.owner.username

    @staticmethod
    def resolve_expected_amount(obj) -> str | None:
        return f"{obj.expected_amount:.2f}" if obj.expected_amount is not None else None

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        names = getattr(obj, "tag_names", None)  # the list's rows (selectors.attach_row_details)
        return names if names is not None else [t.tag for t in obj.tags.all()]

    @staticmethod
    def resolve_pool_in_days(obj, context) -> int | None:
        request = context["request"]
        rules = getattr(request, "_kefu_customer_rules", None)
        if rules is None:
            rules = request._kefu_customer_rules = load_rules(request.user.centre_id)
        return pool.days_until_return(rules, obj, today=timezone.localdate())


class CustomerIn(Schema):
    name: str = Field(..., max_length=100)
    phones: list[str] = []
    email: str = ""
    shop: str
    owner: str | None = None
    need_status: str = "latent"
    deal_status: str = "prospect"
    expected_close_date: dt.date | None = None
    expected_amount: AmountIn | None = None
    birthday: dt.date | None = None
    tags: list[str] = []
    grade: str | None = None
    grade_reason: str = ""
    gender: str = ""
    region: str = ""
    occupation: str = ""
    source_channel: str = ""
    wechat: str = ""
    address: str = ""
    preferences: str = ""
    notes: str = ""


class CustomerPatch(Schema):
    version: Version
    name: str | None = None
    phones: list[str] | None = None
    email: str | None = None
    need_status: str | None = None
    deal_status: str | None = None
    expected_close_date: dt.date | None = None
    expected_amount: AmountIn | None = None
    birthday: dt.date | None = None
    tags: list[str] | None = None
    grade: str | None = None
    grade_reason: str | None = None
    gender: str | None = None
    region: str | None = None
    occupation: str | None = None
    source_channel: str | None = None
    wechat: str | None = None
    address: str | None = None
    preferences: str | None = None
    notes: str | None = None


class CustomerFiltersIn(Schema):
    q: str = ""
    grade: str = ""
    tier: str = ""
    owner: str = ""
    shop: str = ""
    overdue: bool | None = None
    urgency: str = ""
    importance: str = ""
    deal_status: str = ""
    need_status: str = ""
    tag: str = ""
    churn_risk: bool | None = None

    def to_filters(self) -> selectors.CustomerFilters:
        return selectors.CustomerFilters(**self.dict())


def _person(request, username: str | None, field: str):
    if not username:
        return None
    person = people_in_scope(request.user).filter(username=username).first()
    if person is None:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError(field, _("No such person in your scope."))])
    return person


def _detail(customer):
    return selectors.customer_detail(customer)


@router.post("", response={201: CustomerOut, **ERRORS})
def create_customer(request, payload: CustomerIn):
    data = payload.dict()
    shop = access_shop(request.user, data.pop("shop"))
    owner = _person(request, data.pop("owner"), "owner")
    customer = services.create_customer(actor=request.user, shop=shop, owner=owner, **data)
    return Status(201, _detail(customer))


@router.get("", response={200: list[CustomerOut], **ERRORS})
@paginate(PageOrAfter)
def list_customers(request, response: HttpResponse, filters: Query[CustomerFiltersIn]):
    """Ordered by (next_due, grade, id). With ``q``, ``count`` stops at 1000 (``KEFU_SEARCH_COUNT_CAP``); the
    header ``X-Count-Capped: true`` says there are more, as the ticket list does."""
    customers = selectors.CustomerList(request.user, filters.to_filters(), prepare=selectors.for_api_rows,
                                       rows=selectors.attach_row_details)
    customers.count()
    if customers.capped:
        response["X-Count-Capped"] = "true"
    return customers


@router.get("/pool", response={200: list[CustomerOut], **ERRORS})
@paginate(PageNumber)
def list_pool(request):
    rules = load_rules(request.user.centre_id)
    qs = selectors.annotate_classes(pool.pool_for(request.user), rules, timezone.localdate())
    return selectors.for_list(qs).order_by("-pool_entered_at", "id")


@router.get("/{int:customer_id}", response={200: CustomerOut, **ERRORS})
def get_customer(request, customer_id: Id):
    return _detail(access_customer(request.user, customer_id))


@router.patch("/{int:customer_id}", response={200: CustomerOut, **ERRORS})
def patch_customer(request, customer_id: Id, payload: CustomerPatch):
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    customer = services.update_customer(actor=request.user, customer_id=customer_id, version=version,
                                        changes=changes)
    return _detail(customer)


class FollowUpIn(Schema):
    at: dt.datetime
    method: str
    content: str
    outcome: str = ""
    grade: str | None = None
    grade_reason: str = ""
    need_status: str | None = None
    expected_close_date: dt.date | None = None
    version: Version | None = None


class FollowUpOut(Schema):
    id: int
    customer_id: int
    agent: str
    at: dt.datetime
    method: str
    content: str
    outcome: str
    grade_before: str
    grade_after: str
    next_due_after: dt.date

    @staticmethod
    def resolve_agent(obj) -> str:
        return obj.agent.username


class FollowUpResult(Schema):
    followup: FollowUpOut
    customer: CustomerOut


@router.post("/{int:customer_id}/followups", response={201: FollowUpResult, **ERRORS})
def create_followup(request, customer_id: Id, payload: FollowUpIn):
    followup, customer = services.record_followup(actor=request.user, customer_id=customer_id, **payload.dict())
    return Status(201, {"followup": followup, "customer": _detail(customer)})


class PhonesOut(Schema):
    phones: list[str]


@router.post("/{int:customer_id}/reveal-phones", response={200: PhonesOut, **ERRORS})
def reveal_phones(request, customer_id: Id):
    """Full numbers for roles allowed to see them (R-CUS-1); recorded in the audit trail."""
    return {"phones": services.reveal_phones(actor=request.user, customer_id=customer_id, purpose="view")}


@router.post("/{int:customer_id}/dial", response={200: PhonesOut, **ERRORS})
def dial(request, customer_id: Id):
    """The dial/copy action agents and leads use to reach a customer (R-CUS-1); recorded."""
    return {"phones": services.reveal_phones(actor=request.user, customer_id=customer_id, purpose="dial")}


class TimelineOut(Schema):
    at: dt.datetime
    kind: str
    title: str
    detail: str
    who: str


@router.get("/{int:customer_id}/timeline", response={200: list[TimelineOut], **ERRORS})
def customer_timeline(request, customer_id: Id):
    return selectors.timeline(access_customer(request.user, customer_id))


@router.post("/{int:customer_id}/claim", response={200: CustomerOut, **ERRORS})
def claim(request, customer_id: Id):
    return _detail(pool.claim(actor=request.user, customer_id=customer_id))


class ReasonIn(Schema):
    reason: str


@router.post("/{int:customer_id}/release", response={200: CustomerOut, **ERRORS})
def release(request, customer_id: Id, payload: ReasonIn):
    return _detail(pool.release(actor=request.user, customer_id=customer_id, reason=payload.reason))


class ReassignIn(Schema):
    customer_ids: list[Id]
    owner: str
    reason: str = ""


class ReassignOut(Schema):
    moved: int


@router.post("/reassign", response={200: ReassignOut, **ERRORS})
def reassign(request, payload: ReassignIn):
    """Leads and above (R-CUS-10): a caller whose role may not reassign gets 403 first; an owner not among
    the caller's people gets the same 422 whether or not the name exists elsewhere."""
    owner = pool.reassign_owner_in_scope(request.user, payload.owner)
    if owner is None:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("owner", _("No such person in your scope."))])
    customers = pool.reassign(actor=request.user, customer_ids=payload.customer_ids, to_owner=owner,
                              reason=payload.reason)
    return {"moved": len(customers)}


# -- due list: mounted at /api/v1/followups ------------------------------------------------------

due_router = Router(tags=["customers"])


class DueOut(Schema):
    customer_id: int
    name: str
    grade: str
    next_due: dt.date
    days_overdue: int
    owner: str
    pool_in_days: int | None


@due_router.get("/due", response={200: list[DueOut], **ERRORS})
@paginate(PageOrAfter)
def due_list(request, date: dt.date | None = None, agent: str | None = None):
    """R-CUS-6: the caller's due list for ``date`` (default today), or an agent's of the caller's team."""
    on = date or timezone.localdate()
    if agent == "*":
        owner_ids = selectors.team_owner_ids(request.user)
    elif agent and agent != request.user.username:
        person = people_in_scope(request.user).filter(username=agent).first()
        if person is None:
            raise NotAllowed(_("You may read the due lists of your own team only."))
        owner_ids = [person.pk]
    else:
        owner_ids = [request.user.pk]
    return selectors.DueItemsPage(selectors.due_customers(owner_ids, on), on, load_rules(request.user.centre_id))

