"""Ticket pages for leads and departments (SPEC §3): the lead board (R-TIC-5 stuck, R-TIC-4 time limits,
R-TIC-6 escalated, 督办), the department task inbox (R-TIC-3 协办), the callback queue (R-TIC-8) and the
ticket dashboard. Thin: parse, call a service or a read query, render. HTMX actions answer with the
re-rendered part of the page (and the messages out of band)."""

from __future__ import annotations

import datetime as dt
import html

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError
from kefu.core.forms import apply_service_error
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.org.selectors import access_person, departments_of_centre, shops_in_scope
from kefu.rules.selectors import get_rule
from kefu.tickets import board_selectors, selectors, services, sla
from kefu.tickets import dashboard as dash
from kefu.tickets.access import access_task, is_manager, tickets_in_scope
from kefu.tickets.choices import Status, TaskStatus
from kefu.tickets.models import Callback, DepartmentTask

PAGE_SIZE = 50


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _lead_or_above(user) -> bool:
    return user.is_superuser or user.has_role(Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN)


def _can_supervise(user) -> bool:
    return user.is_superuser or user.has_role(Role.HEAD, Role.DIRECTOR)


def _error_message(request, exc: ServiceError) -> None:
    messages.error(request, str(exc.detail))  # the rule id stays in the API body


# -- lead board (R-TIC-5) --------------------------------------------------------------------------


def _esc(value) -> str:
    """``django.utils.html.escape`` without its lazy-text wrapper (the same text, not marked safe)."""
    return html.escape(str(value))


def _label(escaped: dict, code: str) -> str:
    """A choice's label (escaped), or its code when it has none."""
    label = escaped.get(code)
    return _esc(code) if label is None else label


_PRIORITY_BADGE = {"urgent": "bg-red-lt", "high": "bg-orange-lt"}


def _card_texts(words: dict, can_supervise: bool) -> dict:
    """What every card of a request prints that is not the ticket's: the words and labels, escaped once."""
    from kefu.tickets.choices import Severity
    from kefu.tickets.views_desk import _countdown_words, _labels

    labels = _labels()
    return {
        "words": {k: _esc(v) for k, v in words.items()},
        "status": {k: _esc(v) for k, v in labels["status"].items()},
        "priority": {k: _esc(v) for k, v in labels["priority"].items()},
        "type": {k: _esc(v) for k, v in labels["type"].items()},
        "level": {k: _esc(v) for k, v in labels["level"].items()},
        "severity": {code: _esc(str(label)) for code, label in Severity.choices},
        "overdue": _("overdue by %(t)s"), "left": _("%(t)s left"), "action": _("last action %(t)s ago"),
        "countdown": _countdown_words(), "can_supervise": can_supervise,
        "base": reverse("tickets:detail", args=[0])[:-2],  # "/tickets/"
        "board": reverse("tickets:board"),
    }


def cards_html(tickets, now: dt.datetime, texts: dict) -> str:
    """The board cards of ``tickets`` as HTML, built here in one pass (a template include per card was most of
    the board's Python time, and ``format_html`` per value still half of what was left): every value is
    escaped with ``html.escape``, as ``django.utils.html.escape`` does; the output is byte for byte what
    ``format_html`` built (kefu/tickets/tests/test_board_html.py)."""
    from kefu.tickets.views_desk import format_span

    words, countdown, can_supervise = texts["words"], texts["countdown"], texts["can_supervise"]
    base, board = texts["base"], texts["board"]
    tz = timezone.get_current_timezone()
    out = []
    for t in tickets:
        pk = t.pk
        board_url = f"{board}{pk}/"
        url = f"{base}{pk}/"
        number = _esc(t.number)
        badges = ""
        if t.priority in _PRIORITY_BADGE:
            badges = (f' <span class="badge {_PRIORITY_BADGE[t.priority]} ms-1">'
                      f'{_label(texts["priority"], t.priority)}</span>')
        severity = texts["severity"].get(t.severity, "") if t.severity and t.severity != "general" else ""
        if t.type == "complaint":
            badges += (f' <span class="badge bg-pink-lt ms-1">{_label(texts["type"], t.type)}'
                       f'{" · " + severity if severity else ""}</span>')
        if can_supervise:
            on = bool(t.supervised)
            supervise = (f'<button type="button" class="btn btn-sm btn-icon {"btn-blue" if on else "btn-ghost-secondary"}" '
                         f'hx-post="{board_url}supervise/" hx-vals=\'{{"on": "{"0" if on else "1"}"}}\' '
                         f'hx-target="#board-columns" hx-swap="outerHTML" title="{words["unsupervise"] if on else words["supervise"]}" '
                         f'aria-pressed="{"true" if on else "false"}" data-testid="supervise-{pk}">'
                         '<i class="ti ti-eye"></i></button>')
        elif t.supervised:
            supervise = f'<span class="badge bg-blue-lt" title="{words["supervised"]}"><i class="ti ti-eye"></i></span>'
        else:
            supervise = ""
        owner = _esc(str(t.owner)) if t.owner_id else f'<span class="text-orange">{words["unassigned"]}</span>'
        level = texts["level"].get(t.escalation_level, "") if t.escalation_level != "agent" else ""
        if level:
            level = f' <span class="text-purple"><i class="ti ti-arrow-big-up-lines"></i> {level}</span>'
        deadline = ""
        due = sla.next_deadline(t)
        if due:
            overdue = due <= now
            span = format_span((due - now).total_seconds(), countdown)
            text = (texts["overdue"] if overdue else texts["left"]) % {"t": span}
            tone = "bg-red text-red-fg" if overdue else "bg-orange-lt" if t.sla_state == "warning" else "bg-secondary-lt"
            deadline = (f'<span class="badge {tone}" data-testid="sla-countdown" title="{due.astimezone(tz):%Y-%m-%d %H:%M}">'
                        f'<i class="ti {"ti-alarm" if overdue else "ti-clock"}"></i> '
                        f'{words["resolution"] if t.first_responded_at is not None else words["first"]} · {_esc(text)}</span> ')
        paused = (f'<span class="badge bg-secondary-lt"><i class="ti ti-player-pause"></i> {words["paused"]}</span> '
                  if t.paused_at else "")
        action = texts["action"] % {"t": format_span((now - t.last_action_at).total_seconds(), countdown)}
        out.append(
            f'<div class="list-group-item board-card" data-testid="card-{pk}">'
            f'<div class="d-flex align-items-start gap-2"><div class="flex-fill" style="min-width: 0">'
            f'<a href="{url}" class="fw-bold text-reset">{number}</a>{badges}'
            f'<div class="text-truncate" title="{(title := _esc(t.title))}"><a href="{url}" class="text-reset">{title}</a></div></div>'
            f"{supervise}</div>"
            f'<div class="small text-secondary mt-1 d-flex flex-wrap gap-2"><span><i class="ti ti-user"></i> {owner}</span> '
            f'<span><i class="ti ti-building-store"></i> {_esc(t.shop.name)}</span> '
            f'<span>{_label(texts["status"], t.status)}</span>{level}</div>'
            f'<div class="small mt-1 d-flex flex-wrap gap-2">{deadline}{paused}'
            f'<span class="text-secondary" title="{t.last_action_at.astimezone(tz):%Y-%m-%d %H:%M}">{_esc(action)}</span></div>'
            f'<div class="btn-list mt-2">'
            f'<button type="button" class="btn btn-sm" hx-post="{board_url}remind/" hx-target="#board-columns" '
            f'hx-swap="outerHTML"{"" if t.owner_id else " disabled"} data-testid="remind-{pk}"><i class="ti ti-bell-ringing me-1"></i>{words["remind"]}</button> '
            f'<button type="button" class="btn btn-sm" data-bs-toggle="modal" data-bs-target="#board-assign" '
            f"data-testid=\"assign-{pk}\" @click=\"assignUrl = '{board_url}assign/'; assignNumber = '{number}'; "
            f"assignOwner = '{t.owner_id or ''}'\"><i class=\"ti ti-user-share me-1\"></i>{words['assign']}</button></div></div>")
    return "".join(out)


# the board's columns: (key in the page, key of board_selectors.lead_board)
_COLUMNS = {"stuck": "stuck", "sla": "breaching", "escalated": "escalated", "supervised": "supervised"}


def _words() -> dict:
    return {"unassigned": _("Unassigned"), "remind": _("Remind"), "assign": _("Assign"),
            "paused": _("paused"), "first": _("first response"), "resolution": _("resolution"),
            "supervise": _("Supervise (督办)"), "unsupervise": _("Stop supervising"),
            "supervised": _("Supervised (督办)"), "more": _("More")}


def _board_context(request, *, column: str | None = None) -> dict:
    """The board's columns, each with its first board_selectors.BOARD_CARDS cards as HTML and its count ("10+"
    when there are more, with a "More" button loading up to board_selectors.BOARD_MORE_CARDS of that column);
    with ``column``, only that column, with up to BOARD_MORE_CARDS cards."""
    user = request.user
    hours = get_rule("tickets.stuck_hours", centre_id=user.centre_id)
    n = board_selectors.BOARD_MORE_CARDS if column else board_selectors.BOARD_CARDS
    board = board_selectors.lead_board(user, stuck_hours=hours, n=n,
                                 columns=(_COLUMNS[column],) if column else None)
    now = timezone.now()
    words = _words()
    can_supervise = _can_supervise(user)
    texts = _card_texts(words, can_supervise)
    meta = [
        {"key": "stuck", "title": _("Stuck"), "icon": "ti-hourglass-empty", "color": "orange",
         "hint": _("No action for %(hours)s hours.") % {"hours": hours}},
        {"key": "sla", "title": _("Time limit warning and breached"), "icon": "ti-alarm", "color": "red",
         "hint": _("%(pct)s%% of the time limit used or past it.") % {
             "pct": get_rule("tickets.sla_warning_pct", centre_id=request.user.centre_id)}},
        {"key": "escalated", "title": _("Escalated"), "icon": "ti-arrow-big-up-lines", "color": "purple",
         "hint": _("Above the agent level.")},
        {"key": "supervised", "title": _("Supervised (督办)"), "icon": "ti-eye", "color": "blue",
         "hint": _("Marked by a head for the daily reports.")},
    ]
    columns = []
    for col in meta:
        if column and col["key"] != column:
            continue
        tickets = board[_COLUMNS[col["key"]]]
        more = len(tickets) > n
        tickets = tickets[:n]
        columns.append({**col, "tickets": tickets, "count": f"{n}+" if more else len(tickets),
                        "more": more and not column,
                        "cards": mark_safe(cards_html(tickets, now, texts))})  # noqa: S308 - every value escaped
    return {"columns": columns, "now": now, "can_supervise": can_supervise, "stuck_hours": hours, "words": words}


def _agents(user) -> list:
    """The people a card's ticket may be assigned to, listed once on the page (the shared assign form)."""
    # the options built once here from (id, name) rows: 500 people as model instances with their roles cost the
    # director's board about a third of its Python time
    return format_html_join("", '<option value="{}">{}</option>', board_selectors.assignable_agents(user))


def _board_response(request):
    if not _is_htmx(request):
        return redirect("tickets:board")
    return render(request, "tickets/board.html#columns", _board_context(request))


def _require_board(request) -> None:
    if not _lead_or_above(request.user):
        raise PermissionDenied


@login_required
def board(request):
    """Leads, heads, directors (and administrators): the tickets that need a manager's eye. An HTMX request
    with ``?column=`` (a column's "More" button) answers with that column's list, longer."""
    _require_board(request)
    column = request.GET.get("column", "")
    if column and _is_htmx(request):
        if column not in _COLUMNS:
            raise Http404
        context = _board_context(request, column=column)
        return render(request, "tickets/board.html#column-list", {**context, "col": context["columns"][0], "oob": True})
    return render(request, "tickets/board.html", {**_board_context(request), "agents": _agents(request.user)})


def _board_action(request, call, success):
    """Run ``call`` (a service call returning the ticket); ``success(ticket)`` is the message."""
    _require_board(request)
    try:
        ticket = call()
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, success(ticket))
    return _board_response(request)


@login_required
@require_POST
def board_remind(request, ticket_id: int):
    """催办: remind the owner (R-TIC-5)."""
    def call():
        services.remind(actor=request.user, ticket_id=ticket_id, note=request.POST.get("note", "")[:500])
        return tickets_in_scope(request.user).only("number").get(pk=ticket_id)

    return _board_action(request, call, lambda t: _("Reminder sent for %(number)s.") % {"number": t.number})


@login_required
@require_POST
def board_supervise(request, ticket_id: int):
    """督办 on or off (heads and the centre director)."""
    on = request.POST.get("on") == "1"
    return _board_action(
        request, lambda: services.supervise(actor=request.user, ticket_id=ticket_id, on=on),
        lambda t: (_("%(number)s is supervised.") if on else _("%(number)s is no longer supervised."))
        % {"number": t.number})


@login_required
@require_POST
def board_assign(request, ticket_id: int):
    _require_board(request)
    try:
        person = access_person(request.user, int(request.POST.get("owner", "0") or 0))
    except (NotFound, ValueError):
        messages.error(request, _("Choose an agent of your team."))
        return _board_response(request)
    return _board_action(
        request, lambda: services.assign(actor=request.user, ticket_id=ticket_id, to_owner=person),
        lambda t: _("%(number)s assigned to %(person)s.") % {"number": t.number, "person": person})


# -- department task inbox (R-TIC-3) ---------------------------------------------------------------


class TaskFilterForm(forms.Form):
    STATES = (("open", gettext_lazy("Open")), ("finished", gettext_lazy("Finished (last 30 days)")))
    state = forms.ChoiceField(label=gettext_lazy("Show"), choices=STATES, required=False)
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].choices = [("", _("All departments"))] + [
                (str(d.pk), d.name) for d in departments]


def task_inbox(user, *, state: str = "open", department_id: int | None = None,
               now: dt.datetime | None = None) -> QuerySet[DepartmentTask]:
    """The caller's department's tasks; heads, directors and administrators see every department's
    tasks on the tickets of their scope (and their own department's), optionally of one department."""
    now = now or timezone.now()
    qs = DepartmentTask.objects.select_related("ticket", "ticket__owner", "department", "created_by", "done_by")
    if is_manager(user):
        cond = Q(ticket__in=tickets_in_scope(user).values("pk"))
        if user.department_id:
            cond |= Q(department_id=user.department_id)
        qs = qs.filter(cond)
        if department_id:
            qs = qs.filter(department_id=department_id)
    else:
        qs = qs.filter(department_id=user.department_id) if user.department_id else qs.none()
    if state == "finished":
        return qs.exclude(status=TaskStatus.OPEN).filter(done_at__gte=now - dt.timedelta(days=30)).order_by(
            "-done_at", "-id")
    return qs.filter(status=TaskStatus.OPEN).order_by("due", "id")


def _task_rows(tasks, now: dt.datetime):
    for t in tasks:
        t.overdue = t.status == TaskStatus.OPEN and t.due <= now
    return tasks


@login_required
def tasks(request):
    user = request.user
    manager = is_manager(user)
    form = TaskFilterForm(request.GET or None, departments=departments_of_centre(user) if manager else None)
    state, department_id = "open", None
    if form.is_valid():
        state = form.cleaned_data.get("state") or "open"
        department_id = int(form.cleaned_data.get("department") or 0) or None
    now = timezone.now()
    page = Paginator(task_inbox(user, state=state, department_id=department_id, now=now), PAGE_SIZE).get_page(
        request.GET.get("page"))
    _task_rows(page.object_list, now)
    context = {"form": form, "page": page, "state": state, "manager": manager,
               "department": user.department if user.department_id else None}
    template = "tickets/tasks_inbox.html#results" if request.headers.get("HX-Target") == "task-results" \
        else "tickets/tasks_inbox.html"
    return render(request, template, context)


class TaskResultForm(forms.Form):
    result = forms.CharField(label=gettext_lazy("Result"), required=False, max_length=4000)
    action = forms.ChoiceField(choices=(("done", "done"), ("return", "return")))


@login_required
@require_POST
def task_complete(request, task_id: int):
    """Done or returned with a result note (services.complete_task); the owner is told."""
    try:
        task = access_task(request.user, task_id)
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    form = TaskResultForm(request.POST)
    if form.is_valid():
        try:
            task = services.complete_task(actor=request.user, task_id=task.pk, result=form.cleaned_data["result"],
                                          returned=form.cleaned_data["action"] == "return")
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from None
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, (_("Task on %(number)s returned.") if task.status == TaskStatus.RETURNED
                                       else _("Task on %(number)s done.")) % {"number": task.ticket.number})
            form = None
    if not _is_htmx(request):
        if form is not None:
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, e)
        return redirect("tickets:tasks")
    task = DepartmentTask.objects.select_related("ticket", "ticket__owner", "department", "created_by",
                                                 "done_by").get(pk=task.pk)
    _task_rows([task], timezone.now())
    return render(request, "tickets/tasks_inbox.html#task-row", {"t": task, "task_form": form, "open_form": True,
                                                                 "manager": is_manager(request.user)})


# -- callback queue (R-TIC-8) ----------------------------------------------------------------------


def callback_queue(user) -> QuerySet[Callback]:
    """Pending callbacks in scope, the earliest due first, narrowed to those the caller may record
    (as :func:`kefu.tickets.access.can_act_on` decides, in one query): an agent their own tickets'
    callbacks, a lead the callbacks of their team's (and unowned) tickets, managers all in scope.
    A QA inspector sees the scope's queue read-only."""
    qs = selectors.callback_queue(user).select_related("ticket__owner", "ticket__shop")
    if is_manager(user) or (user.has_role(Role.QA) and not user.has_role(Role.LEAD, Role.AGENT)):
        return qs
    if user.has_role(Role.LEAD):
        team = scope_for(user).people().values("pk")
        return qs.filter(Q(ticket__owner__isnull=True) | Q(ticket__owner__in=team))
    return qs.filter(ticket__owner=user)


def _may_record(user) -> bool:
    return is_manager(user) or user.has_role(Role.LEAD, Role.AGENT)


class CallbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(label=gettext_lazy("Satisfaction"), coerce=int,
                                          choices=[(str(i), str(i)) for i in range(1, 6)],
                                          error_messages={"required": gettext_lazy("Choose a satisfaction from 1 "
                                                                                   "to 5.")})
    solved = forms.ChoiceField(label=gettext_lazy("Is the issue really solved?"),
                               choices=(("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))),
                               error_messages={"required": gettext_lazy("Say whether the issue is solved.")})
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000)


def _callback_rows(rows, now: dt.datetime):
    for c in rows:
        c.overdue = c.done_at is None and c.due <= now
    return rows


@login_required
def callbacks(request):
    user = request.user
    now = timezone.now()
    page = Paginator(callback_queue(user), PAGE_SIZE).get_page(request.GET.get("page"))
    _callback_rows(page.object_list, now)
    return render(request, "tickets/callbacks_queue.html",
                  {"page": page, "can_record": _may_record(user), "overdue": sum(1 for c in page if c.overdue)})


@login_required
@require_POST
def callback_record(request, callback_id: int):
    """Satisfaction, solved yes/no and a note (services.record_callback); unsolved reopens the ticket."""
    user = request.user
    callback = callback_queue(user).filter(pk=callback_id).first()
    if callback is None:
        raise Http404
    if not _may_record(user):
        raise PermissionDenied
    form = CallbackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            callback = services.record_callback(actor=user, ticket_id=callback.ticket_id,
                                                satisfaction=data["satisfaction"], solved=data["solved"] == "yes",
                                                note=data["note"])
        except NotFound:
            raise Http404 from None
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from None
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            callback = Callback.objects.select_related("ticket", "ticket__customer", "ticket__owner",
                                                       "ticket__shop", "assigned_to").get(pk=callback.pk)
            messages.success(request, (_("Callback on %(number)s recorded: solved.") if callback.solved else
                                       _("Callback on %(number)s recorded: not solved, the ticket is reopened."))
                             % {"number": callback.ticket.number})
            form = None
    if not _is_htmx(request):
        if form is not None:
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, e)
        return redirect("tickets:callbacks")
    _callback_rows([callback], timezone.now())
    return render(request, "tickets/callbacks_queue.html#callback-row",
                  {"c": callback, "cb_form": form, "can_record": True, "reopened_status": Status.IN_PROGRESS})


# -- dashboard ---------------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=gettext_lazy("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    shop = forms.ChoiceField(label=gettext_lazy("Shop"), required=False)

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.shops = {s.code: s for s in shops}
        self.fields["shop"].choices = [("", _("All shops"))] + [(s.code, s.name) for s in shops]

    def clean(self):
        data = super().clean()
        default = dash.DashboardFilters.default()
        start, end = data.get("start"), data.get("end")
        end = end or default.end
        start = start or end - dt.timedelta(days=dash.DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("start", _("The start must not be after the end."))
        elif (end - start).days + 1 > dash.MAX_DAYS:
            self.add_error("start", _("At most %(n)s days at a time.") % {"n": dash.MAX_DAYS})
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> dash.DashboardFilters:
        if not self.is_valid():
            return dash.DashboardFilters.default()
        shop = self.shops.get(self.cleaned_data.get("shop") or "")
        return dash.DashboardFilters(start=self.cleaned_data["start"], end=self.cleaned_data["end"],
                                     shop_id=shop.pk if shop else None)


@login_required
def dashboard(request):
    """Everyone logged in: managers, leads and QA see their scope; an agent sees their own tickets'
    numbers (see :mod:`kefu.tickets.dashboard`)."""
    default = dash.DashboardFilters.default()
    params = request.GET.copy()  # show the dates in force in the form, also when one is left out
    if not params.get("end"):
        params["end"] = default.end.isoformat()
    if not params.get("start"):
        try:
            end = dt.date.fromisoformat(params["end"])
        except ValueError:
            end = default.end
        params["start"] = (end - dt.timedelta(days=dash.DEFAULT_DAYS - 1)).isoformat()
    form = DashboardFilterForm(params, shops=list(shops_in_scope(request.user)))
    filters = form.filters()
    data = dash.dashboard_data(request.user, filters)
    return render(request, "tickets/dashboard.html", {"form": form, "filters": filters, "data": data})
