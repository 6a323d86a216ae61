"""Workforce pages (SPEC §4): the team week roster, my schedule, the leave form with its rule checks (HTMX),
the approval inbox, violations. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.org.scope import scope_for
from kefu.workforce import access, selectors, services
from kefu.workforce.forms import DecisionForm, LeaveForm, ShiftForm
from kefu.workforce.models import ShiftType


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def roster(request):
    """The team's week: people × days, shifts, holidays and 调休, gaps where approved leave freed a shift."""
    teams = list(selectors.teams_for_roster(request.user))
    if not teams:
        raise Http404(_("You belong to no team."))
    team_param = request.GET.get("team", "")
    team = next((t for t in teams if str(t.pk) == team_param), None) or next(
        (t for t in teams if t.pk == request.user.team_id), teams[0])
    monday = selectors.week_start(_date(request.GET.get("week"), timezone.localdate()))
    form = None
    status = 200
    may_roster = access.may_roster(request.user) and team.pk in scope_for(request.user).team_ids
    if may_roster:
        people = list(scope_for(request.user).people().filter(team=team).order_by("id"))
        shift_types = list(ShiftType.objects.filter(centre_id=request.user.centre_id, active=True))
        form = ShiftForm(request.POST or None, people=people, shift_types=shift_types,
                         initial={"date": monday})
        if request.method == "POST" and form.is_valid():
            try:
                services.create_shift(
                    actor=request.user, person=access.person_in_scope(request.user, form.cleaned_data["person"]),
                    date=form.cleaned_data["date"],
                    shift_type=next(t for t in shift_types if t.code == form.cleaned_data["shift_type"]))
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = page_status(exc)
            else:
                messages.success(request, _("The shift was added to the roster."))
                return redirect(f"{request.path}?team={team.pk}&week={monday:%Y-%m-%d}")
        elif request.method == "POST":
            status = 422
    elif request.method == "POST":
        raise PermissionDenied(_("Only team leads, department heads and directors change the roster."))
    week = selectors.week_roster(request.user, team, monday)
    today = timezone.localdate()
    day = _date(request.GET.get("day"), today if monday <= today < monday + dt.timedelta(days=7) else monday)
    if not monday <= day < monday + dt.timedelta(days=7):
        day = monday
    copy_form = None
    if may_roster:  # copying the week; the staffing advice of ``day`` loads by HTMX (workforce:staffing)
        from kefu.workforce.views.planning import CopyWeekForm

        copy_form = CopyWeekForm(initial={"team": team.pk, "from_week": monday,
                                          "to_week": monday + dt.timedelta(days=7)})
    return render(request, "workforce/roster.html", {
        "teams": teams, "team": team, "week": week, "monday": monday, "form": form,
        "prev_week": monday - dt.timedelta(days=7), "next_week": monday + dt.timedelta(days=7),
        "today": today, "may_roster": may_roster, "day": day, "copy_form": copy_form,
        "drafts": sum(1 for row in week.rows for cell in row.cells for s in cell if s.status == "draft"),
    }, status=status)


@login_required
def my_schedule(request):
    today = timezone.localdate()
    monday = selectors.week_start(_date(request.GET.get("week"), today))
    shifts = list(selectors.my_shifts(request.user, monday, monday + dt.timedelta(days=13)))
    leave = list(selectors.my_leave(request.user)[:20])
    return render(request, "workforce/my_schedule.html", {
        "shifts": shifts, "leave": leave, "monday": monday, "today": today, "now": timezone.now(),
        "prev_week": monday - dt.timedelta(days=14), "next_week": monday + dt.timedelta(days=14),
    })


def _leave_people(user):
    people = [user]
    if access.is_manager(user):
        people += list(scope_for(user).people().exclude(pk=user.pk).order_by("id"))
    return people


def _plan_from(request, form):
    """The rule checks for what the form holds so far (the leave is not saved)."""
    data = form.cleaned_data
    person = access.person_in_scope(request.user, data.get("person") or None)
    start, end = data.get("start"), data.get("end")
    return person, services.plan_leave(
        actor=request.user, person=person, kind=data.get("kind") or "", start_at=start, end_at=end,
        reason=data.get("reason") or "")


@login_required
def leave_new(request):
    people = _leave_people(request.user)
    form = LeaveForm(request.POST or None, people=people,
                     initial={"person": request.user.username, "kind": "personal"})
    plan = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            person, plan = _plan_from(request, form)
            services.request_leave(actor=request.user, person=person, kind=form.cleaned_data["kind"],
                                   start_at=form.cleaned_data["start"], end_at=form.cleaned_data["end"],
                                   reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_service_error(form, exc)
            status = page_status(exc)
        else:
            messages.success(request, _("Your leave request was sent."))
            return redirect("workforce:my_schedule")
    elif request.method == "POST":
        status = 422
    return render(request, "workforce/leave_form.html", {"form": form, "plan": plan}, status=status)


@login_required
def leave_check(request):
    """HTMX: the rule checks of the leave form as it stands, before submitting (R-WFM-4)."""
    form = LeaveForm(request.GET or None, people=_leave_people(request.user))
    plan = None
    error = ""
    form.is_valid()
    if all(form.cleaned_data.get(k) for k in ("kind", "start", "end")):
        try:
            _person, plan = _plan_from(request, form)
        except ServiceError as exc:
            error = str(exc.detail)
    return render(request, "workforce/_leave_checks.html", {"plan": plan, "error": error})


@login_required
@require_POST
def leave_cancel(request, leave_id: int):
    try:
        services.cancel_leave(actor=request.user, leave_id=leave_id)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The leave was cancelled."))
    return redirect("workforce:my_schedule")


@login_required
@require_POST
def attendance_button(request, action: str):
    """The check-in / check-out button of my schedule (R-WFM-5)."""
    if action not in ("in", "out"):
        raise Http404
    try:
        if action == "in":
            result = services.check_in(actor=request.user)
            if result.violation is not None:
                messages.warning(request, _("Checked in %(n)s minutes late: a violation was recorded.")
                                 % {"n": result.attendance.late_minutes})
            else:
                messages.success(request, _("Checked in."))
        else:
            services.check_out(actor=request.user)
            messages.success(request, _("Checked out."))
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
    return redirect("workforce:my_schedule")


@login_required
def approvals(request):
    """Leave to decide; leave handed over by an away approver (delegation); level applications; sick leave
    whose medical certificate is missing (R-WFM-4, R-ORG-3)."""
    from kefu.workforce.selectors import delegation as delegated
    from kefu.workforce.selectors import ladder

    user = request.user
    delegators = access.active_delegators(user)
    if not (user.role_codes & {"head", "director"} or delegators or access.approving_rank(user)):
        raise PermissionDenied(_("Leave is decided by department heads and the centre director."))
    inbox = list(selectors.approval_inbox(user)[:200]) if user.role_codes & {"head", "director"} else []
    return render(request, "workforce/approvals.html", {
        "inbox": inbox, "delegated": delegated.delegated_leave(user, delegators=delegators), "delegators": delegators,
        "applications": ladder.applications_to_decide(user, delegators=delegators),
        "missing_certificates": list(delegated.missing_certificates(user)[:100]) if access.is_manager(user) else [],
    })


@login_required
@require_POST
def decide(request, leave_id: int, decision: str):
    if decision not in ("approve", "reject"):
        raise Http404
    form = DecisionForm(request.POST)
    form.is_valid()
    service = services.approve_leave if decision == "approve" else services.reject_leave
    try:
        service(actor=request.user, leave_id=leave_id, version=form.cleaned_data.get("version"),
                note=form.cleaned_data.get("note") or "")
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Leave approved.") if decision == "approve" else _("Leave refused."))
    return redirect("workforce:approvals")


@login_required
def violations(request):
    rows = list(selectors.violations(request.user)[:200])
    return render(request, "workforce/violations.html", {"rows": rows})
