"""The ticket page (SPEC §3): timeline, time limit, tasks, escalation, compensation, callbacks and the
HTMX actions. Each action parses its form, calls one service and re-renders the live part of the
page; a refused action shows the rule's message and changes nothing, a stale version answers 409."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.concurrency import check_version
from kefu.core.errors import NotAllowed, NotFound, ServiceError, StaleVersion
from kefu.org.roles import Role
from kefu.org.selectors import departments_of_centre, people_in_scope
from kefu.tickets import attachments, detail_selectors, selectors, services
from kefu.tickets.access import access_ticket, can_act_on, tickets_in_scope
from kefu.tickets.choices import TRANSITIONS, CompensationStatus, Status
from kefu.tickets.detail_html import FormsHtml, LazyForms
from kefu.tickets.forms import (
    AssignForm,
    AttachmentForm,
    CallbackForm,
    CompensationForm,
    DecisionForm,
    EditForm,
    EscalateForm,
    HandlingTimeForm,
    HandoverForm,
    MergeForm,
    MessageForm,
    RecoveryForm,
    RemindForm,
    TransitionForm,
    split_tags,
)
from kefu.tickets.views_desk import countdown_i18n, decorate, fetch, is_lead_or_above, show_error
from kefu.tickets.views_timeline import describe

# -- context ----------------------------------------------------------------------------------------


def _assignable(user):
    return people_in_scope(user).filter(roles__role__in=[Role.AGENT, Role.LEAD]).distinct()


def _permissions(user, ticket) -> dict:
    can_act = can_act_on(user, ticket)
    lead = is_lead_or_above(user)
    is_open = ticket.status in {Status.NEW, Status.IN_PROGRESS, Status.WAITING}
    return {
        "can_act": can_act,
        "is_owner": ticket.owner_id == user.pk,
        "can_escalate": can_act or user.has_role(Role.LEAD),
        "can_assign": lead,
        "can_supervise": user.is_superuser or user.has_role(Role.HEAD, Role.DIRECTOR),
        "can_remind": user.is_superuser or user.has_role(Role.LEAD, Role.HEAD, Role.DIRECTOR),
        "can_handover": can_act and is_open,
        "is_open": is_open,
    }


def _default_forms(request, ticket, perms) -> dict:
    """The page's empty forms, as factories: a form is built when the page first uses it."""
    user = request.user
    forms = {
        "message": lambda: MessageForm(initial={"public": "reply" if perms["is_owner"] else "note"}),
        "transition": TransitionForm,
        "escalate": EscalateForm,
        "compensation": CompensationForm,
        "callback": CallbackForm,
        "remind": RemindForm,
        "merge": MergeForm,
        "handling": HandlingTimeForm,
        "attach": AttachmentForm,
        "edit": lambda: EditForm(ticket=ticket, initial=EditForm.initial_for(ticket)),
        "recovery": RecoveryForm,
    }
    if perms["can_handover"]:
        forms["handover"] = lambda: HandoverForm(departments=departments_of_centre(user),
                                                 own_department_id=user.department_id)
    if perms["can_assign"]:
        forms["assign"] = lambda: AssignForm(people=_assignable(user), initial={"owner": ticket.owner_id})
    return forms


def _context(request, ticket, *, forms: dict | None = None, open_action: str = "") -> dict:
    user = request.user
    now = timezone.now()
    page = detail_selectors.ticket_page(ticket)
    ticket = page.ticket
    decorate(request, [ticket], now)
    events = selectors.timeline(ticket)
    people_ids = {e.data.get(k) for e in events for k in ("from", "to") if e.kind == "assignment"} - {None}
    names = {p.pk: str(p) for p in get_user_model().objects.filter(pk__in=people_ids)} if people_ids else {}
    attached = {a.pk: a for a in page.attachments}
    for e in events:
        describe(e, names)
        e.files = [attached[i] for i in e.data.get("attachments", []) if i in attached] \
            if isinstance(e.data, dict) else []
    perms = _permissions(user, ticket)
    limit = services.authority_limit(user, ticket.shop.centre_id)
    compensations = page.compensations
    for c in compensations:
        c.can_decide = c.status == CompensationStatus.PENDING and services.may_decide_compensation(user, c)
        c.required_role_label = Role(c.required_role).label if c.required_role in Role.values else c.required_role
        c.css = {"approved": "bg-green-lt", "pending": "bg-yellow-lt", "rejected": "bg-red-lt"}.get(c.status, "")
    callbacks = page.callbacks
    all_forms = _default_forms(request, ticket, perms)
    all_forms.update(forms or {})
    targets = sorted(TRANSITIONS.get(ticket.status, ()), key=Status.values.index)
    return {
        "ticket": ticket,
        "events": events,
        "attachments": list(attached.values()),
        "tasks": page.tasks,
        "escalations": page.escalations,
        "compensations": compensations,
        "callbacks": callbacks,
        "open_callback": next((c for c in callbacks if c.done_at is None), None),
        "targets": [(s, Status(s).label) for s in targets if s != Status.CALLBACK_DONE],
        "related": page.related,
        "recovery_actions": page.recovery_actions,
        "forms": (lazy_forms := LazyForms(all_forms)),  # each form built when the page first uses it
        "forms_html": FormsHtml(lazy_forms),  # each panel's form as HTML, built when the panel is shown
        # the action panel shown open: the one whose form was sent (supervising shares the reminders'
        # panel), else a resolved ticket's callback
        "open_action": {"supervise": "remind"}.get(open_action, open_action)
        or ("callback" if ticket.status == Status.RESOLVED else ""),
        "authority_limit": limit,
        "i18n": countdown_i18n(),
        "handling_minutes": ticket.handling_seconds // 60,
        "now": now,
        "attach_help": attachments.help_text(ticket.shop.centre_id),
        **perms,
    }


@login_required
def detail(request, ticket_id: int):
    ticket = fetch(request, ticket_id)
    return render(request, "tickets/detail.html", _context(request, ticket))


# -- actions ----------------------------------------------------------------------------------------


def _version(request) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.strip().lstrip("-").isdigit() else None


def _with_version(user, ticket_id: int, version: int | None, run):
    """For services without a version parameter: lock the ticket, check the version the page read,
    then call the service in the same transaction (the row stays locked)."""
    with transaction.atomic():
        check_version(access_ticket(user, ticket_id, for_update=True), version)
        return run()


def _respond(request, ticket_id: int, *, key: str, form, status: int):
    if request.headers.get("HX-Request"):
        ticket = fetch(request, ticket_id)
        forms = {key: form} if form is not None and status != 200 else {}
        return render(request, "tickets/detail.html#live",
                      _context(request, ticket, forms=forms, open_action=key if status != 200 else ""),
                      status=status)
    if status == 200:
        return redirect("tickets:detail", ticket_id=ticket_id)
    ticket = fetch(request, ticket_id)
    return render(request, "tickets/detail.html",
                  _context(request, ticket, forms={key: form} if form is not None else {}, open_action=key),
                  status=status)


def run_action(request, ticket_id: int, *, key: str, form, call, versioned: bool = False, success=""):
    """Validate ``form``, call ``call(cleaned_data)`` (under the version check when ``versioned``)
    and answer: 200 done, 422 refused or invalid, 403 not allowed, 409 stale version."""
    fetch(request, ticket_id)  # 404 outside the scope
    if not form.is_valid():
        return _respond(request, ticket_id, key=key, form=form, status=422)
    data = form.cleaned_data
    try:
        result = _with_version(request.user, ticket_id, _version(request), lambda: call(data)) if versioned \
            else call(data)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except StaleVersion as exc:
        form.add_error(None, str(exc.detail))
        messages.warning(request, _("Someone changed this ticket meanwhile; the page now shows the current state. "
                                    "Check it and try again."))
        status = 409
    except ServiceError as exc:
        show_error(form, exc)
        messages.error(request, str(exc.detail))  # the rule id stays in the API body
        status = 403 if isinstance(exc, NotAllowed) else 422
    else:
        text = success(result) if callable(success) else success
        if text:
            messages.success(request, text)
        status = 200
    return _respond(request, ticket_id, key=key, form=form, status=status)


def post_view(view):
    return login_required(require_POST(view))


@post_view
def message(request, ticket_id: int):
    form = MessageForm(request.POST)

    def call(d):
        services.add_message(actor=request.user, ticket_id=ticket_id, body=d["body"], public=d["public"])

    public = request.POST.get("public") == "reply"
    return run_action(request, ticket_id, key="message", form=form, call=call,
                success=_("Reply sent to the customer.") if public else _("Internal note added."))


@post_view
def transition(request, ticket_id: int):
    form = TransitionForm(request.POST)

    def call(d):
        services.transition(actor=request.user, ticket_id=ticket_id, to=d["to"], version=_version(request),
                            note=d["note"], waiting_on=d["waiting_on"] or "customer")

    label = dict(Status.choices).get(request.POST.get("to"), "")
    return run_action(request, ticket_id, key="transition", form=form, call=call,
                success=_("Status changed to %(status)s.") % {"status": label})


@post_view
def handover(request, ticket_id: int):
    form = HandoverForm(request.POST, departments=departments_of_centre(request.user),
                        own_department_id=request.user.department_id)

    def call(d):
        department = departments_of_centre(request.user).filter(pk=d["department"]).first()
        services.hand_over(actor=request.user, ticket_id=ticket_id, department=department, note=d["note"],
                           due=d["due"])

    return run_action(request, ticket_id, key="handover", form=form, call=call, versioned=True,
                success=_("Handed over; you stay the owner."))


@post_view
def escalate(request, ticket_id: int):
    form = EscalateForm(request.POST)

    def call(d):
        services.escalate(actor=request.user, ticket_id=ticket_id, reason=d["reason"], emergency=d["emergency"],
                          to_level=d["to_level"] or None)

    return run_action(request, ticket_id, key="escalate", form=form, call=call, versioned=True,
                success=_("Escalated."))


@post_view
def compensation(request, ticket_id: int):
    form = CompensationForm(request.POST)

    def call(d):
        return services.request_compensation(actor=request.user, ticket_id=ticket_id, amount=d["amount"],
                                             reason=d["reason"])

    def success(comp):
        text = _("Compensation of ¥%(amount)s approved.") if comp.status == CompensationStatus.APPROVED \
            else _("Compensation of ¥%(amount)s awaits approval by the %(role)s.")
        role = Role(comp.required_role).label if comp.required_role in Role.values else comp.required_role
        return text % {"amount": comp.amount, "role": role}

    return run_action(request, ticket_id, key="compensation", form=form, call=call, versioned=True, success=success)


@post_view
def decide(request, ticket_id: int, compensation_id: int):
    ticket = fetch(request, ticket_id)
    if not ticket.compensations.filter(pk=compensation_id).exists():
        raise Http404
    form = DecisionForm(request.POST)

    def call(d):
        services.decide_compensation(actor=request.user, compensation_id=compensation_id, approve=d["approve"],
                                     note=d["note"])

    return run_action(request, ticket_id, key="decide", form=form, call=call, success=_("Decision recorded."))


@post_view
def callback(request, ticket_id: int):
    form = CallbackForm(request.POST)

    def call(d):
        services.record_callback(actor=request.user, ticket_id=ticket_id, satisfaction=d["satisfaction"],
                                 solved=d["solved"], note=d["note"])

    return run_action(request, ticket_id, key="callback", form=form, call=call, versioned=True,
                success=_("Callback recorded."))


@post_view
def supervise(request, ticket_id: int):
    on = request.POST.get("on") != "0"
    form = RemindForm(request.POST)  # no fields to parse; carries the errors

    def call(_d):
        services.supervise(actor=request.user, ticket_id=ticket_id, on=on)

    return run_action(request, ticket_id, key="supervise", form=form, call=call, versioned=True,
                success=_("Marked as supervised.") if on else _("Supervision ended."))


@post_view
def remind(request, ticket_id: int):
    form = RemindForm(request.POST)

    def call(d):
        services.remind(actor=request.user, ticket_id=ticket_id, note=d["note"])

    return run_action(request, ticket_id, key="remind", form=form, call=call, success=_("Reminder sent to the owner."))


@post_view
def assign(request, ticket_id: int):
    form = AssignForm(request.POST, people=_assignable(request.user))

    def call(d):
        person = _assignable(request.user).filter(pk=d["owner"]).first()
        if person is None:
            raise NotAllowed(_("No such person in your scope."))
        services.assign(actor=request.user, ticket_id=ticket_id, to_owner=person)

    return run_action(request, ticket_id, key="assign", form=form, call=call, versioned=True, success=_("Assigned."))


@post_view
def merge(request, ticket_id: int):
    form = MergeForm(request.POST)

    def call(d):
        text = d["other"].strip()
        other = tickets_in_scope(request.user).filter(number=text.upper()).first()
        if other is None and text.isdigit():
            other = tickets_in_scope(request.user).filter(pk=int(text)).first()
        if other is None:
            from kefu.core.errors import Errors

            errors = Errors()
            errors.add("other", _("No such ticket in your scope."))
            errors.raise_if_any(_("The tickets were not linked."))
        if d["mode"] == "merge":
            services.merge(actor=request.user, ticket_id=ticket_id, into_id=other.pk)
        else:
            services.link(actor=request.user, ticket_id=ticket_id, other_id=other.pk)

    done = _("Merged.") if request.POST.get("mode") == "merge" else _("Linked.")
    return run_action(request, ticket_id, key="merge", form=form, call=call, versioned=True, success=done)


@post_view
def edit(request, ticket_id: int):
    """Title, description, priority (time limits recounted), tags; severity and root cause of a
    complaint; the after-sales kind (services.update_ticket checks the version)."""
    ticket = fetch(request, ticket_id)
    form = EditForm(request.POST, ticket=ticket)

    def call(d):
        changes = {k: v for k, v in d.items() if k in form.fields}
        changes["tags"] = split_tags(d["tags"])
        services.update_ticket(actor=request.user, ticket_id=ticket_id, version=_version(request), **changes)

    return run_action(request, ticket_id, key="edit", form=form, call=call, success=_("Saved."))


@post_view
def recovery(request, ticket_id: int):
    form = RecoveryForm(request.POST)

    def call(d):
        services.add_recovery_action(actor=request.user, ticket_id=ticket_id, action=d["action"])

    return run_action(request, ticket_id, key="recovery", form=form, call=call,
                      success=_("Service recovery recorded."))


@post_view
def handling_time(request, ticket_id: int):
    """Handling time for AHT: the minutes typed, or the seconds the page measured (``beacon``)."""
    if request.POST.get("beacon"):
        seconds = request.POST.get("seconds", "")
        if seconds.isdigit() and 0 < int(seconds) <= 4 * 3600:
            # only the owner and leads count time; others' visits are not counted
            with contextlib.suppress(ServiceError):
                services.add_handling_time(actor=request.user, ticket_id=ticket_id, seconds=int(seconds))
        return HttpResponse(status=204)
    form = HandlingTimeForm(request.POST)

    def call(d):
        services.add_handling_time(actor=request.user, ticket_id=ticket_id, seconds=d["minutes"] * 60)

    return run_action(request, ticket_id, key="handling", form=form, call=call, success=_("Handling time updated."))
