"""The ticket page as it was rendered before issue 13's detail work (views_detail.py at e127494): the
context built per request with every form rendered through the templates, and detail.html as it was
(detail_reference.html beside this module). test_detail_html compares the page byte for byte with it."""

from __future__ import annotations

import functools
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.utils import timezone

from kefu.org.roles import Role
from kefu.org.selectors import departments_of_centre, people_in_scope
from kefu.tickets import attachments, selectors, services
from kefu.tickets.access import can_act_on
from kefu.tickets.choices import TRANSITIONS, CompensationStatus, Status
from kefu.tickets.forms import (
    AssignForm,
    AttachmentForm,
    CallbackForm,
    CompensationForm,
    EditForm,
    EscalateForm,
    HandlingTimeForm,
    HandoverForm,
    MergeForm,
    MessageForm,
    RecoveryForm,
    RemindForm,
    TransitionForm,
)
from kefu.tickets.views_desk import countdown_i18n, decorate, fetch, is_lead_or_above
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
    user = request.user
    forms = {
        "message": MessageForm(initial={"public": "reply" if perms["is_owner"] else "note"}),
        "transition": TransitionForm(),
        "escalate": EscalateForm(),
        "compensation": CompensationForm(),
        "callback": CallbackForm(),
        "remind": RemindForm(),
        "merge": MergeForm(),
        "handling": HandlingTimeForm(),
        "attach": AttachmentForm(),
        "edit": EditForm(ticket=ticket, initial=EditForm.initial_for(ticket)),
        "recovery": RecoveryForm(),
    }
    if perms["can_handover"]:
        forms["handover"] = HandoverForm(departments=departments_of_centre(user),
                                         own_department_id=user.department_id)
    if perms["can_assign"]:
        forms["assign"] = AssignForm(people=_assignable(user), initial={"owner": ticket.owner_id})
    return forms


def _context(request, ticket, *, forms: dict | None = None, open_action: str = "") -> dict:
    user = request.user
    now = timezone.now()
    ticket = selectors.ticket_detail(ticket)
    decorate(request, [ticket], now)
    events = selectors.timeline(ticket)
    people_ids = {e.data.get(k) for e in events for k in ("from", "to") if e.kind == "assignment"} - {None}
    names = {p.pk: str(p) for p in get_user_model().objects.filter(pk__in=people_ids)} if people_ids else {}
    attached = {a.pk: a for a in attachments.attachments_of(ticket)}
    for e in events:
        describe(e, names)
        e.files = [attached[i] for i in e.data.get("attachments", []) if i in attached] \
            if isinstance(e.data, dict) else []
    perms = _permissions(user, ticket)
    limit = services.authority_limit(user, ticket.shop.centre_id)
    compensations = list(ticket.compensations.all())
    for c in compensations:
        c.can_decide = c.status == CompensationStatus.PENDING and services.may_decide_compensation(user, c)
        c.required_role_label = Role(c.required_role).label if c.required_role in Role.values else c.required_role
        c.css = {"approved": "bg-green-lt", "pending": "bg-yellow-lt", "rejected": "bg-red-lt"}.get(c.status, "")
    callbacks = list(ticket.callbacks.all())
    all_forms = _default_forms(request, ticket, perms)
    all_forms.update(forms or {})
    targets = sorted(TRANSITIONS.get(ticket.status, ()), key=Status.values.index)
    return {
        "ticket": ticket,
        "events": events,
        "attachments": list(attached.values()),
        "tasks": list(ticket.tasks.all()),
        "escalations": sorted(ticket.escalations.all(), key=lambda e: (e.at, e.pk)),
        "compensations": compensations,
        "callbacks": callbacks,
        "open_callback": next((c for c in callbacks if c.done_at is None), None),
        "targets": [(s, Status(s).label) for s in targets if s != Status.CALLBACK_DONE],
        "related": list(ticket.related.all()),
        "recovery_actions": list(ticket.recovery_actions.all()),
        "forms": all_forms,
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
    return HttpResponse(_template().render(_context(request, ticket), request))


@functools.cache
def _template():
    return engines["django"].from_string((Path(__file__).parent / "detail_reference.html").read_text())


@login_required
def refused(request, ticket_id: int, key: str):
    """The page after a form sent with errors (422), as ``views_detail._respond`` rendered it."""
    ticket = fetch(request, ticket_id)
    user = request.user
    form = {
        "escalate": lambda: EscalateForm(request.POST),
        "compensation": lambda: CompensationForm(request.POST),
        "edit": lambda: EditForm(request.POST, ticket=ticket),
        "handover": lambda: HandoverForm(request.POST, departments=departments_of_centre(user),
                                         own_department_id=user.department_id),
        "transition": lambda: TransitionForm(request.POST),
    }[key]()
    assert not form.is_valid()  # noqa: S101 - the reference is only for refused forms
    context = _context(request, ticket, forms={key: form}, open_action=key)
    return HttpResponse(_template().render(context, request), status=422)


# the project's pages, and the reference pages at /tickets/<id>/reference/ (and …/<form>/ for a refused form)
urlpatterns = [
    path("tickets/<int:ticket_id>/reference/", detail),
    path("tickets/<int:ticket_id>/reference/<str:key>/", refused),
    path("", include("kefu.urls")),
]
