"""The agent's desk (R-TIC-3, R-TIC-4): my open tickets in time-limit order with a live countdown,
the unassigned queue with "claim", caller lookup by phone, the filtered ticket list, and the create
form. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError
from kefu.core.forms import apply_service_error
from kefu.core.phones import normalize_phone
from kefu.org.roles import Role
from kefu.org.selectors import access_shop, people_in_scope, shops_in_scope
from kefu.tickets import assignment, attachments, counts, desk_html, selectors, services, sla
from kefu.tickets.access import access_ticket, is_manager, is_read_only, tickets_in_scope
from kefu.tickets.choices import OPEN_STATUSES, Level
from kefu.tickets.desk_numbers import desk_numbers
from kefu.tickets.forms import TicketFilterForm, TicketForm, split_tags

PAGE_SIZE = 25
QUEUE_MAX = 30
SLA_CLASS = {sla.OK: "bg-green-lt", sla.WARNING: "bg-yellow-lt", sla.BREACHED: "bg-red-lt"}
STATUS_CLASS = {"new": "bg-blue-lt", "in_progress": "bg-azure-lt", "waiting": "bg-purple-lt",
                "resolved": "bg-green-lt", "callback_done": "bg-teal-lt", "closed": "bg-secondary-lt"}
PRIORITY_CLASS = {"low": "bg-secondary-lt", "normal": "bg-blue-lt", "high": "bg-orange-lt", "urgent": "bg-red text-red-fg"}


# -- shared by the desk and the detail pages ---------------------------------------------------------


def fetch(request, ticket_id: int, *, act: bool = False):
    """The one fetch-and-check for pages: 404 outside the scope, 403 when the caller may not act."""
    try:
        return access_ticket(request.user, ticket_id, act=act)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None


def is_lead_or_above(user) -> bool:
    return is_manager(user) or user.has_role(Role.LEAD)


# Texts every row repeats, per language: translated once per process, not once per row (a row used to ask
# gettext for five of them and the desk prints 55 rows).
_WORDS: dict[str, dict[str, str]] = {}
_LABELS: dict[str, dict[str, dict[str, str]]] = {}


def _countdown_words() -> dict[str, str]:
    language = translation.get_language()
    words = _WORDS.get(language)
    if words is None:
        words = _WORDS[language] = {
            "d": _("%(d)sd %(h)sh"), "h": _("%(h)sh %(m)02dm"), "m": _("%(m)sm"), "left": _("%(t)s left"),
            "overdue": _("overdue by %(t)s"), "first": _("First response"), "resolution": _("Resolution"),
            "due": _("due")}
    return words


def format_span(seconds: float, words: dict[str, str] | None = None) -> str:
    """1d 3h, 2h 05m, 12m (the countdown's text; the JS ticker writes the same)."""
    words = words or _countdown_words()
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return words["d"] % {"d": days, "h": hours}
    if hours:
        return words["h"] % {"h": hours, "m": mins}
    return words["m"] % {"m": mins}


def deadline_info(ticket, now: dt.datetime, words: dict[str, str] | None = None) -> SimpleNamespace | None:
    """The deadline the owner is racing (first response until answered, then resolution), with its
    warning moment, the live state and the remaining time; None for finished tickets."""
    if ticket.status not in OPEN_STATUSES:
        return None
    due = sla.next_deadline(ticket)
    if due is None:
        return None
    words = words or _countdown_words()
    first = ticket.first_responded_at is None and ticket.first_response_due is not None \
        and due == ticket.first_response_due
    warn = ticket.first_response_warn_at if first else ticket.resolution_warn_at
    reference = ticket.paused_at or now
    remaining = (due - reference).total_seconds()
    state = sla.state_at(ticket, now)
    span = format_span(remaining, words)
    text = (words["left"] if remaining > 0 else words["overdue"]) % {"t": span}
    return SimpleNamespace(due=due, warn=warn or due, first=first, paused=ticket.paused_at is not None,
                           state=state, css=SLA_CLASS[state], text=text,
                           label=words["first"] if first else words["resolution"])


def _labels() -> dict[str, dict[str, str]]:
    """The choices' labels in the request's language (translated once per language; read only)."""
    from kefu.tickets.choices import Channel, Priority, Status, TicketType, WaitingOn

    language = translation.get_language()
    labels = _LABELS.get(language)
    if labels is None:
        labels = _LABELS[language] = {
            name: {code: str(label) for code, label in choices}
            for name, choices in (("type", TicketType.choices), ("channel", Channel.choices),
                                  ("status", Status.choices), ("priority", Priority.choices),
                                  ("level", Level.choices), ("waiting_on", WaitingOn.choices))}
    return labels


def decorate(request, tickets, now: dt.datetime | None = None):
    """Rows for a list: countdown, badge classes, labels and texts computed here once (the row template
    only prints them) and the caller's phone as the viewer may see it."""
    from kefu.customers.serializers import phone_view_for

    now = now or timezone.now()
    view = phone_view_for(request)
    labels = _labels()
    words = _countdown_words()
    zone = timezone.get_current_timezone()
    detail = reverse("tickets:detail", args=[0])[:-2]  # "/tickets/"; a row's page is detail + "<id>/"
    due_word = words["due"]
    for t in tickets:
        t.deadline = d = deadline_info(t, now, words)
        if d is not None:
            local_due = timezone.localtime(d.due, zone)
            d.due_iso = local_due.isoformat()
            d.warn_iso = timezone.localtime(d.warn, zone).isoformat()
            d.title = f"{d.label} · {due_word} {local_due:%Y-%m-%d %H:%M}"
        t.url = f"{detail}{t.pk}/"
        t.status_css = STATUS_CLASS.get(t.status, "bg-secondary-lt")
        t.priority_css = PRIORITY_CLASS.get(t.priority, "bg-secondary-lt")
        t.type_label = labels["type"].get(t.type, t.type)
        t.channel_label = labels["channel"].get(t.channel, t.channel)
        t.status_label = labels["status"].get(t.status, t.status)
        t.priority_label = labels["priority"].get(t.priority, t.priority)
        t.level_label = labels["level"].get(t.escalation_level, "") if t.escalation_level != Level.AGENT else ""
        t.waiting_label = labels["waiting_on"].get(t.waiting_on, "") if t.status == "waiting" else ""
        t.created_text = f"{timezone.localtime(t.created_at, zone):%Y-%m-%d %H:%M}"
        t.late = bool(t.resolved_at and t.resolution_due and t.resolved_at > t.resolution_due)
        t.shown_phone = view.show(t.caller_phone) if t.caller_phone else ""
    return tickets


# What a desk row prints (views_desk.decorate, desk_html): the rows are read with these columns only (a
# ticket has ~35, its customer ~40; 26 full rows with their joins cost ~3 ms of parsing alone).
DESK_FIELDS = (
    "id", "number", "title", "status", "waiting_on", "type", "channel", "priority", "escalation_level",
    "supervised", "caller_phone", "created_at", "first_response_due", "first_response_warn_at", "resolution_due",
    "resolution_warn_at", "first_responded_at", "resolved_at", "paused_at",
    "shop__id", "shop__name", "customer__id", "customer__name",
    "owner__id", "owner__username", "owner__display_name")


def desk_rows(qs):
    """The desk's rows: with their shop, customer and owner, only the columns the row prints."""
    return selectors.for_list(qs).only(*DESK_FIELDS)


def countdown_i18n() -> dict:
    return {"left": _("%(t)s left"), "overdue": _("overdue by %(t)s"), "paused": _("paused"),
            "d": _("%(d)sd %(h)sh"), "h": _("%(h)sh %(m)02dm"), "m": _("%(m)sm")}


# -- desk -------------------------------------------------------------------------------------------


def _filters(request, form, *, lead: bool) -> selectors.TicketFilters:
    filters = selectors.TicketFilters(open_only="status" not in request.GET)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        status = data["status"] if "status" in request.GET else "open"  # a "more" link without filters
        filters = selectors.TicketFilters(
            q=data["q"], status="" if status == "open" else status, open_only=status == "open", type=data["type"],
            priority=data["priority"], sla_state=data["sla_state"], shop=data["shop"], owner=data.get("owner") or "")
    if not lead and not filters.q:
        filters.owner = "me"  # an agent's list is their own tickets; a search looks through the shops in scope
    return filters


def _tile(label, value, icon, url="", testid="", alert=""):
    tone = alert if alert and isinstance(value, int) and value > 0 else ""
    return {"label": label, "value": value, "icon": icon, "url": url, "testid": testid, "tone": tone}


def _my_tiles(mine: dict, queue_count) -> list[dict]:
    """An agent's or lead's own numbers (desk_numbers; the queue counted with the queue panel)."""
    return [
        _tile(_("My open tickets"), mine["open"], "ti-ticket", "?status=open", "tile-open"),
        _tile(_("Near the time limit"), mine["warning"], "ti-clock-exclamation", "?sla_state=warning",
              "tile-warning", "warning"),
        _tile(_("Time limit breached"), mine["breached"], "ti-alarm", "?sla_state=breached", "tile-breached",
              "danger"),
        _tile(_("Unassigned in the queue"), queue_count, "ti-inbox", "#desk-queue", "tile-queue",
              "warning"),
    ]


def _scope_tiles(user) -> list[dict]:
    """Heads, directors (and QA, read-only): the department's or centre's tickets, not their own."""
    scope = counts.scope_counts(user)
    tiles = [
        _tile(_("Open tickets"), scope["open"], "ti-ticket", "?status=open", "tile-open"),
        _tile(_("Past the time limit"), scope["breached"], "ti-alarm", "?sla_state=breached", "tile-breached",
              "danger"),
        _tile(_("Near the time limit"), scope["warning"], "ti-clock-exclamation", "?sla_state=warning",
              "tile-warning", "warning"),
        _tile(_("Escalated"), scope["escalated"], "ti-arrow-big-up-lines", "/tickets/board/", "tile-escalated",
              "warning"),
        _tile(_("Supervised"), scope["supervised"], "ti-eye", "/tickets/board/", "tile-supervised"),
    ]
    if not is_read_only(user):
        tiles.append(_tile(_("Compensations to approve"), scope["approvals"], "ti-coin-yuan", "/tickets/board/",
                           "tile-approvals", "warning"))
    return tiles


def _after(request, tickets: selectors.TicketList):
    """The "more" link's cursor (keyset paging), or None: a cursor that is not one shows the first page."""
    from kefu.core.keyset import BadCursor

    text = request.GET.get("after", "")
    try:
        return tickets.keyset.parse(text) if text else None
    except BadCursor:
        return None


def _more_query(request, cursor) -> str:
    """The filters as they are, ``after`` the page's last ticket."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("after", None)
    if cursor is not None:
        params["after"] = cursor.encode()
    return params.urlencode()


def _list_page(request, tickets: selectors.TicketList) -> SimpleNamespace:
    """One page of the list (keyset: after the cursor of the "more" link; ``?page=`` still works) with
    its position in the whole list."""
    after = _after(request, tickets)
    number = request.GET.get("page", "")
    # isdecimal, not isdigit ("²" is a digit int() refuses), and short: int() refuses more than 4300 digits
    page_number = min(int(number), 10_000) if number.isdecimal() and len(number) <= 6 else 1
    offset = (page_number - 1) * PAGE_SIZE if after is None and page_number > 1 else 0
    page = tickets.page(after=after, size=PAGE_SIZE, offset=offset)
    return SimpleNamespace(rows=page.rows, number=page.number, start=page.start_index, end=page.end_index,
                           count=tickets.count(), capped=tickets.capped, first=page.number > 1,
                           first_query=_more_query(request, None),
                           more_query=_more_query(request, page.next) if page.next else "")


def _filter_controls(form, shops: list, people: list | None):
    """The filter form's controls; the empty form's (the desk without parameters) are written once per language
    and choices (desk_html.unbound_controls): building and writing them cost ~1.3 ms a page."""
    if form is not None:
        return desk_html.form_controls(form, inline=True)
    key = (translation.get_language(), tuple((s.code, s.name) for s in shops),
           None if people is None else tuple((p.username, str(p)) for p in people))
    return desk_html.unbound_controls(key, lambda: desk_html.form_controls(
        TicketFilterForm(None, shops=shops, people=people, initial={"status": "open"}), inline=True))


@login_required
def desk(request):
    """An agent's desk (their own open tickets, the queue, caller lookup); a lead's with the team's list;
    for heads, directors and QA the department's (centre's) tickets with its numbers — QA read-only.
    People of other departments work from their task inbox. Each list is one page of rows (keyset "more"
    link) and each ticket appears once: with the queue beside it, a lead's open list leaves the queue's
    tickets to the queue panel, and a list of the queue itself shows no queue panel."""
    from django.conf import settings

    from kefu.core.navigation import is_department_staff

    user = request.user
    if is_department_staff(user):
        return redirect("tickets:tasks")
    read_only = is_read_only(user)
    manager = is_manager(user)
    lead = is_lead_or_above(user) or read_only
    now = timezone.now()
    shops = list(shops_in_scope(user))
    people = list(people_in_scope(user)) if lead else None
    # without parameters the form is the empty one: not built, its controls written once (_filter_controls)
    form = TicketFilterForm(request.GET, shops=shops, people=people, initial={"status": "open"}) \
        if request.GET else None
    filters = _filters(request, form, lead=lead)
    show_queue = not read_only and filters.owner != "none"
    plain = filters == selectors.TicketFilters(open_only=True, owner=filters.owner)  # no filter, no search
    if show_queue and plain and not filters.owner:
        filters.assigned_only = True  # the queue panel shows the unassigned ones
    tickets = selectors.TicketList(user, filters, order="sla" if filters.open_only else "recent",
                                   count_cap=settings.KEFU_SEARCH_COUNT_CAP, prepare=desk_rows)
    results = request.headers.get("HX-Target") == "ticket-results"
    mine = duty = None
    if not results and not (manager or read_only):
        mine, duty = desk_numbers(user, now=now)  # the tiles and the on-duty toggle: one query
        if plain and filters.owner == "me":
            tickets.known_count(mine["open"])  # the tile counted the same tickets
    page = _list_page(request, tickets)
    words = desk_html.words()
    owner_column = lead or bool(filters.q)
    for t in decorate(request, page.rows, now):
        t.html = desk_html.list_row(t, words, owner_column=owner_column)
    context = {"form": form, "page": page, "lead": lead, "manager": manager, "read_only": read_only,
               "now": now, "searching": bool(filters.q), "queue_elsewhere": bool(filters.assigned_only)}
    if results:
        return render(request, "tickets/desk.html#results", context)
    queue = list(selectors.queue(user).only(*DESK_FIELDS)[:QUEUE_MAX + 1]) if show_queue else []
    queue_more = len(queue) > QUEUE_MAX
    queue_count = f"{QUEUE_MAX}+" if queue_more else len(queue)
    queue = decorate(request, queue[:QUEUE_MAX], now)
    token = get_token(request)
    for t in queue:
        t.html = desk_html.queue_row(t, words, csrf_token=token)
    tiles = _scope_tiles(user) if manager or read_only else _my_tiles(mine, queue_count if show_queue else "–")
    context.update({
        "filter_controls": _filter_controls(form, shops, people),
        "queue": queue,
        "queue_more": queue_more,
        "show_queue": show_queue,
        "tiles": tiles,
        "tiles_html": desk_html.tiles(tiles),
        "i18n": countdown_i18n(),
        "on_duty": duty,
    })
    return render(request, "tickets/desk.html", context)


@login_required
@require_POST
def on_duty(request):
    """暂停接单 / 恢复接单: whether automatic assignment may give the person new tickets now."""
    try:
        assignment.set_taking_tickets(actor=request.user, taking=request.POST.get("on_duty") == "1")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("tickets:desk")


@login_required
@require_POST
def claim(request, ticket_id: int):
    """An agent takes an unassigned ticket from the queue (services.assign to self)."""
    fetch(request, ticket_id)
    try:
        ticket = services.assign(actor=request.user, ticket_id=ticket_id, to_owner=request.user)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))  # the rule id stays in the API body
        return redirect("tickets:desk")
    messages.success(request, _("Ticket %(number)s is yours now.") % {"number": ticket.number})
    return redirect("tickets:detail", ticket_id=ticket.pk)


def _caller_matches(user, digits: str):
    """Customers of the shops in scope with this number (customers.selectors.find_by_phone per shop),
    and the caller's recent tickets."""
    from kefu.customers.selectors import find_by_phone

    customers = [c for c in (find_by_phone(user, shop_id=s.pk, phone=digits) for s in shops_in_scope(user)) if c]
    recent = selectors.for_list(tickets_in_scope(user).filter(
        Q(caller_phone=digits) | Q(customer__in=[c.pk for c in customers]))).order_by("-created_at")[:5]
    return customers, list(recent)


@login_required
def caller_lookup(request):
    """Quick create: the phone number typed (any notation) → the matching customers and their recent
    tickets, each with a link to the create form prefilled."""
    raw = request.GET.get("phone", "")
    digits = normalize_phone(raw)
    customers, recent = ([], []) if len(digits) < 7 else _caller_matches(request.user, digits)
    decorate(request, recent)
    return render(request, "tickets/desk.html#caller", {"digits": digits, "raw": raw, "customers": customers,
                                                         "recent": recent, "searched": len(digits) >= 7})


# -- create -----------------------------------------------------------------------------------------


def show_error(form, exc: ServiceError, request=None) -> None:
    """apply_service_error, with errors of hidden fields moved on top of the form."""
    apply_service_error(form, exc, request)
    for field in [name for name, f in form.fields.items() if f.widget.is_hidden]:
        for message in form.errors.pop(field, []):
            form.add_error(None, message)


def _prefill(request, shops) -> tuple[dict, object]:
    from kefu.customers.access import access_customer

    initial: dict = {}
    customer = None
    if request.GET.get("phone"):
        initial["caller_phone"] = request.GET["phone"][:40]
    if request.GET.get("shop") in {s.code for s in shops}:
        initial["shop"] = request.GET["shop"]
    if request.GET.get("customer", "").isdigit():
        try:
            customer = access_customer(request.user, int(request.GET["customer"]))
        except ServiceError:
            customer = None
        else:
            initial["customer_id"] = customer.pk
            initial["shop"] = customer.shop.code
    if customer is None and initial.get("caller_phone"):
        digits = normalize_phone(initial["caller_phone"])
        matches = _caller_matches(request.user, digits)[0] if len(digits) >= 7 else []
        if len(matches) == 1:  # one known customer with this number: take them
            customer = matches[0]
            initial["customer_id"] = customer.pk
            initial["shop"] = customer.shop.code
    for name in ("type", "channel", "priority", "title"):
        if request.GET.get(name):
            initial[name] = request.GET[name][:200]
    return initial, customer


@login_required
def create(request):
    user = request.user
    if is_read_only(user):
        raise PermissionDenied(_("QA inspectors read tickets; they do not create them."))
    shops = list(shops_in_scope(user))
    initial, customer = _prefill(request, shops)
    form = TicketForm(request.POST or None, request.FILES or None, shops=shops, initial=initial)
    form.fields["attachments"].help_text = attachments.help_text(user.centre_id)
    if request.method == "POST":
        if form.data.get("customer_id", "").isdigit():
            from kefu.customers.access import access_customer

            try:
                customer = access_customer(user, int(form.data["customer_id"]))
            except ServiceError:
                customer = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                shop = access_shop(user, data["shop"])
                if data["attachments"]:
                    attachments.check_uploads(data["attachments"], centre_id=shop.centre_id)
                with transaction.atomic():
                    ticket = services.create_ticket(
                        actor=user, shop=shop, type=data["type"], channel=data["channel"], title=data["title"],
                        description=data["description"], priority=data["priority"],
                        customer_id=data["customer_id"], caller_phone=data["caller_phone"],
                        severity=data["severity"], after_sales_kind=data["after_sales_kind"],
                        tags=split_tags(data["tags"]))
                    if data["attachments"]:
                        attachments.add_attachments(actor=user, ticket_id=ticket.pk, uploads=data["attachments"])
            except NotFound as exc:
                form.add_error("shop", str(exc.detail))
            except ServiceError as exc:
                show_error(form, exc, request)
            else:
                messages.success(request, _("Ticket %(number)s created.") % {"number": ticket.number})
                return redirect("tickets:detail", ticket_id=ticket.pk)
    return render(request, "tickets/create.html", {"form": form, "customer": customer})
