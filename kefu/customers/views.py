"""Customer pages (SPEC §2): list, detail with timeline and quick follow-up (HTMX), my day, team due
board, pool, dashboard. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError
from kefu.core.forms import apply_service_error
from kefu.customers import paging, pool, selectors, services
from kefu.customers.access import (
    access_customer,
    can_act_on,
    can_reassign,
    can_see_full_phones,
    default_list_view,
    read_only_reason,
)
from kefu.customers.choices import Importance, Urgency
from kefu.customers.forms import (
    CustomerEditForm,
    CustomerFilterForm,
    CustomerForm,
    DueDateForm,
    FollowUpForm,
    ReassignForm,
    ReleaseForm,
)
from kefu.customers.grading import load_rules
from kefu.customers.serializers import phone_view_for
from kefu.org.roles import Role
from kefu.org.selectors import access_shop, people_in_scope, shops_in_scope

PAGE_SIZE = 50


def _fetch(request, customer_id: int, *, act: bool = False):
    try:
        return access_customer(request.user, customer_id, act=act)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None


def _rows(request, customers):
    """Decorate list rows with masked phones and the pool countdown (rules loaded once)."""
    rules = load_rules(request.user.centre_id)
    view = phone_view_for(request)
    today = timezone.localdate()
    for c in customers:
        c.shown_phones = [view.show(p.number) for p in c.phones.all()]
        c.pool_in_days = pool.days_until_return(rules, c, today=today)
        c.pool_warning = c.pool_in_days is not None and c.pool_in_days < rules.pool_warning_days
        c.days_overdue = max(0, (today - c.next_due).days) if c.owner_id else 0
        c.urgency_label = Urgency(c.urgency).label if getattr(c, "urgency", None) else ""
        c.importance_label = Importance(c.importance).label if getattr(c, "importance", None) else ""
    return customers


LIST_TABS = (("mine", _lazy("Mine")), ("team", _lazy("My team")), ("all", _lazy("All in my scope")))


def _tab_filter(user, qs, tab: str):
    if tab == "mine":
        return qs.filter(owner_id=user.pk)
    if tab == "team":
        return qs.filter(owner__team_id=user.team_id) if user.team_id else qs.filter(owner_id=user.pk)
    return qs


@login_required
def customer_list(request):
    user = request.user
    form = CustomerFilterForm(request.GET or None, shops=shops_in_scope(user), people=people_in_scope(user))
    filters = selectors.CustomerFilters()
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
        filters = selectors.CustomerFilters(**data)
    default_tab = default_list_view(user)
    tabs = [] if default_tab == "all" else LIST_TABS
    tab = request.GET.get("view") if request.GET.get("view") in {t for t, _label in tabs} else default_tab
    customers = _tab_filter(user, selectors.list_customers(user, filters), tab)
    page = Paginator(selectors.for_list(customers), PAGE_SIZE).get_page(request.GET.get("page"))
    _rows(request, page.object_list)
    others = request.GET.copy()
    others.pop("view", None)
    others.pop("page", None)
    context = {"form": form, "page": page, "can_reassign": can_reassign(user),
               "reassign_form": ReassignForm(people=people_in_scope(user)) if can_reassign(user) else None,
               "tab": tab, "tabs": [{"key": key, "label": label, "active": key == tab,
                                     "query": _with(others, view=key)} for key, label in tabs]}
    template = "customers/list.html#results" if request.headers.get("HX-Target") == "customer-results" \
        else "customers/list.html"
    return render(request, template, context)


def _with(query, **params) -> str:
    q = query.copy()
    for key, value in params.items():
        q[key] = value
    return q.urlencode()


@login_required
def customer_create(request):
    shops = shops_in_scope(request.user)
    form = CustomerForm(request.POST or None, shops=shops)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = services.create_customer(
                actor=request.user, shop=access_shop(request.user, data["shop"]), name=data["name"],
                phones=form.split(data["phones"]), email=data["email"], need_status=data["need_status"],
                deal_status=data["deal_status"], expected_close_date=data["expected_close_date"],
                expected_amount=data["expected_amount"], birthday=data["birthday"], tags=form.split(data["tags"]),
                grade=data["grade"] or None, grade_reason=data["grade_reason"], region=data["region"],
                notes=data["notes"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Customer %(name)s created: grade %(grade)s, next follow-up %(due)s.")
                             % {"name": customer.name, "grade": customer.grade, "due": customer.next_due})
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/form.html", {"form": form, "title": _("New customer")})


def _detail_context(request, customer, followup_form=None):
    rules = load_rules(request.user.centre_id)
    customer = selectors.customer_detail(customer, rules)
    _rows(request, [customer])
    can_act = can_act_on(request.user, customer)
    numbers = [p.number for p in customer.phones.all()]
    masked = customer.shown_phones != numbers  # the numbers as this person sees them hide digits
    return {
        "customer": customer,
        "timeline": selectors.timeline(customer),
        "followup_form": followup_form or FollowUpForm(),
        "can_act": can_act,
        "can_reveal": masked and can_see_full_phones(request.user),
        "can_dial": masked and can_act,
        "read_only_reason": None if can_act else read_only_reason(request.user, customer),
        "release_form": ReleaseForm(),
    }


@login_required
def customer_detail(request, customer_id: int):
    customer = _fetch(request, customer_id)
    return render(request, "customers/detail.html", _detail_context(request, customer))


@login_required
def customer_edit(request, customer_id: int):
    customer = _fetch(request, customer_id, act=True)
    initial = {
        "name": customer.name, "phones": ", ".join(customer.phones.values_list("number", flat=True))
        if can_see_full_phones(request.user) else "", "email": customer.email,
        "need_status": customer.need_status, "deal_status": customer.deal_status,
        "expected_close_date": customer.expected_close_date, "expected_amount": customer.expected_amount,
        "birthday": customer.birthday, "tags": ", ".join(customer.tags.values_list("tag", flat=True)),
        "grade": customer.grade if customer.grade != customer.grade_proposed else "",
        "grade_reason": customer.grade_reason, "region": customer.region, "notes": customer.notes,
        "version": customer.version,
    }
    form = CustomerEditForm(request.POST or None, initial=initial)
    if not can_see_full_phones(request.user):
        form.fields["phones"].help_text = _("Leave empty to keep the current numbers.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {k: data[k] for k in ("name", "email", "need_status", "deal_status", "expected_close_date",
                                        "expected_amount", "birthday", "region", "notes", "grade_reason")}
        changes["tags"] = form.split(data["tags"])
        if data["phones"]:
            changes["phones"] = form.split(data["phones"])
        if data["grade"]:
            changes["grade"] = data["grade"]
        try:
            services.update_customer(actor=request.user, customer_id=customer.pk, version=data["version"],
                                     changes=changes)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/form.html", {"form": form, "title": customer.name, "customer": customer})


@login_required
@require_POST
def followup_create(request, customer_id: int):
    """HTMX: record a follow-up and re-render the customer's summary, form and timeline in place."""
    customer = _fetch(request, customer_id, act=True)
    form = FollowUpForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            _followup, customer = services.record_followup(
                actor=request.user, customer_id=customer.pk, at=data["at"], method=data["method"],
                content=data["content"], outcome=data["outcome"], need_status=data["need_status"] or None,
                expected_close_date=data["expected_close_date"], grade=data["grade"] or None,
                grade_reason=data["grade_reason"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
            status = 422
        else:
            messages.success(request, _("Follow-up recorded: grade %(grade)s, next follow-up %(due)s.")
                             % {"grade": customer.grade, "due": customer.next_due.isoformat()})
            form = None
    else:
        status = 422
    if not request.headers.get("HX-Request"):
        return redirect("customers:detail", customer_id=customer.pk)
    response = render(request, "customers/detail.html#live", _detail_context(request, customer, form))
    if status == 422:
        response.status_code = 200  # HTMX swaps 2xx only; the form shows the field errors
        response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_POST
def reveal_phones(request, customer_id: int):
    purpose = "view" if request.POST.get("purpose") != "dial" else "dial"
    try:
        numbers = services.reveal_phones(actor=request.user, customer_id=customer_id, purpose=purpose)
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    return render(request, "customers/detail.html#phones-full", {"numbers": numbers, "purpose": purpose})


def _customers_base() -> str:
    """"/customers/": rows link to ``{{ customers_base }}{{ id }}/`` (a reverse() per row cost more than
    the row's other cells)."""
    return reverse("customers:detail", args=[1])[:-2]


@login_required
def my_day(request):
    """R-CUS-6 for the caller: today's due follow-ups, overdue first, a page of rows at a time with the
    counts of the whole list and a "more" row that appends the next page (HTMX, keyset cursor), plus care
    tasks (R-CUS-9). The page does not grow with the backlog: a fixed number of queries and rows."""
    form = DueDateForm(request.GET or None)
    on = (form.cleaned_data.get("date") if form.is_valid() else None) or timezone.localdate()
    rules = load_rules(request.user.centre_id)
    key = None
    if request.GET.get("after"):
        try:
            key = paging.decode_cursor(request.GET["after"])
        except ServiceError as exc:
            if request.headers.get("HX-Request"):
                return HttpResponse(str(exc.errors[0].message), status=422)
            messages.error(request, str(exc.errors[0].message))
    items, next_cursor = selectors.due_page([request.user.pk], on, rules, after=key, size=PAGE_SIZE)
    context = {"form": form, "on": on, "items": items, "next_cursor": next_cursor,
               "warning_days": rules.pool_warning_days, "customers_base": _customers_base()}
    if key is not None and request.headers.get("HX-Request"):
        return render(request, "customers/my_day.html#due-rows", context)  # the "more" row's next page
    counts = selectors.due_counts([request.user.pk], on)
    care_tasks = selectors.care_tasks_due([request.user.pk], on)
    care = list(care_tasks[:PAGE_SIZE])
    return render(request, "customers/my_day.html", {
        **context, "due_total": counts["due"], "overdue": counts["overdue"],
        "due_today": counts["due"] - counts["overdue"], "care": care,
        "care_total": care_tasks.count() if len(care) == PAGE_SIZE else len(care), "after": key is not None,
    })


@login_required
def team_due(request):
    if not can_reassign(request.user):
        raise PermissionDenied
    form = DueDateForm(request.GET or None)
    on = (form.cleaned_data.get("date") if form.is_valid() else None) or timezone.localdate()
    owner_ids = selectors.team_owner_ids(request.user)
    items = selectors.due_items(list(selectors.due_customers(owner_ids, on)[:500]), on,
                                load_rules(request.user.centre_id))
    by_owner: dict[str, list] = {}
    for item in items:
        by_owner.setdefault(item.owner, []).append(item)
    board = sorted(
        ({"owner": owner, "items": rows, "overdue": sum(1 for r in rows if r.days_overdue)}
         for owner, rows in by_owner.items()),
        key=lambda col: (-col["overdue"], col["owner"]),
    )
    return render(request, "customers/team_due.html", {"form": form, "on": on, "board": board,
                                                       "total": len(items)})


@login_required
def pool_page(request):
    rules = load_rules(request.user.centre_id)
    qs = selectors.annotate_classes(pool.pool_for(request.user), rules, timezone.localdate())
    page = Paginator(selectors.for_list(qs).order_by("-pool_entered_at", "id"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    _rows(request, page.object_list)
    from kefu.rules.selectors import get_rule

    return render(request, "customers/pool.html", {
        "page": page, "claims_today": pool.claims_today(request.user),
        "claims_cap": get_rule("customers.max_claims_per_day", centre_id=request.user.centre_id),
    })


@login_required
@require_POST
def claim(request, customer_id: int):
    try:
        customer = pool.claim(actor=request.user, customer_id=customer_id)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))  # the rule id stays in the API body
        return redirect("customers:pool")
    messages.success(request, _("%(name)s is now yours.") % {"name": customer.name})
    return redirect("customers:detail", customer_id=customer.pk)


@login_required
@require_POST
def release(request, customer_id: int):
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("customers:detail", customer_id=customer_id)
    try:
        pool.release(actor=request.user, customer_id=customer_id, reason=form.cleaned_data["reason"])
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
        return redirect("customers:detail", customer_id=customer_id)
    messages.success(request, _("Released to the pool."))
    return redirect("customers:list")


@login_required
@require_POST
def bulk_reassign(request):
    if not can_reassign(request.user):
        raise PermissionDenied
    people = people_in_scope(request.user)
    form = ReassignForm(request.POST, people=people)
    ids = [int(i) for i in request.POST.getlist("customer_ids") if i.isdigit()]
    if not ids:
        messages.error(request, _("Select customers first."))
    elif form.is_valid():
        owner = people.get(username=form.cleaned_data["owner"])
        try:
            moved = pool.reassign(actor=request.user, customer_ids=ids, to_owner=owner,
                                  reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("%(n)s customers assigned to %(owner)s.") % {"n": len(moved), "owner": owner})
    else:
        messages.error(request, _("Choose the new owner."))
    return redirect(request.POST.get("next") or "customers:list")


@login_required
@require_POST
def care_done(request, task_id: int):
    from kefu.customers.care import complete_care_task

    try:
        complete_care_task(actor=request.user, task_id=task_id)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    return redirect("customers:my_day")


@login_required
def dashboard(request):
    """Charts (ECharts): grade and tier distribution, overdue trend per week, follow-ups on time per agent."""
    data = selectors.dashboard_data(request.user, today=timezone.localdate())
    return render(request, "customers/dashboard.html", {
        "data": data, "can_recompute": request.user.is_superuser or request.user.has_role(
            Role.HEAD, Role.DIRECTOR, Role.ADMIN)})


@login_required
@require_POST
def recompute_values(request):
    """Ask for the value scores, tiers and churn flags now (R-CUS-7); the background worker does it."""
    from kefu.customers import value

    try:
        value.request_recompute(actor=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    messages.success(request, _("Recomputing customer values in the background; refresh in a minute."))
    return redirect("customers:dashboard")




@login_required
def churn_list(request):
    """VIPs at churn risk within the caller's scope, each with the reasons it was flagged (R-CUS-8)."""
    from kefu.customers import churn

    settings = churn.load_settings(request.user.centre_id)
    page = Paginator(churn.at_risk_vips(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for c in page.object_list:
        c.reason_list = [text for _code, text in churn.reasons_for(c, settings)]
    return render(request, "customers/churn.html", {"page": page})
