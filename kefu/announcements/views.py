"""Announcement pages (R-TIC-10): the list (unconfirmed first, confirm by HTMX), the detail with who has
and has not confirmed (team leads and above, within their scope), publishing, withdrawing, and the banner
fragment of unconfirmed announcements. Thin: parse, call a service or selector, render.

Answers: 200 done, 422 invalid, 403 not allowed, 404 outside the scope, 409 stale version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.announcements import selectors, services
from kefu.announcements.access import access_announcement
from kefu.announcements.forms import AnnouncementForm, WithdrawForm
from kefu.announcements.models import Announcement
from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.org.scope import TEAM, scope_for

PAGE_SIZE = 25
# HX-Trigger after a confirmation: the bell re-reads its count, the banner re-reads the unconfirmed ones.
CHANGED_EVENTS = "notifications-changed, announcements-changed"



def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _fetch(request, announcement_id: int) -> Announcement:
    """The announcement with the list's annotations; withdrawn and expired ones only for managers."""
    try:
        return access_announcement(request.user, announcement_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None


# -- list ------------------------------------------------------------------------------------------

@login_required
@require_GET
def announcement_list(request):
    user = request.user
    manager = selectors.is_manager(user)
    show_all = manager and request.GET.get("all") == "1"
    page = Paginator(selectors.for_list(user, active_only=not show_all), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "announcements/list.html", {
        "page": page, "show_all": show_all, "can_publish": manager,
        "unconfirmed_count": selectors.unconfirmed_for(user).count(),
    })


# -- detail ----------------------------------------------------------------------------------------

def _detail_context(request, announcement: Announcement) -> dict:
    user = request.user
    manager = selectors.is_manager(user)
    return {
        "a": announcement,
        "status": selectors.read_status(user, announcement.pk) if manager else None,
        "can_withdraw": announcement.withdrawn_at is None and services.can_withdraw(user, announcement),
        "withdraw_form": WithdrawForm(initial={"version": announcement.version}),
    }


@login_required
@require_GET
def announcement_detail(request, announcement_id: int):
    announcement = _fetch(request, announcement_id)
    return render(request, "announcements/detail.html", _detail_context(request, announcement))


# -- confirm ---------------------------------------------------------------------------------------

@login_required
@require_POST
def confirm(request, announcement_id: int):
    """The confirm button (HTMX from the list or the detail; a plain POST also works). Idempotent."""
    try:
        services.confirm_read(actor=request.user, announcement_id=announcement_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    if _is_htmx(request):
        announcement = _fetch(request, announcement_id)
        template = ("announcements/detail.html#confirm" if request.headers.get("HX-Target") == "announcement-confirm"
                    else "announcements/list.html#row")
        response = render(request, template, {"a": announcement, "just_confirmed": True})
        response["HX-Trigger"] = CHANGED_EVENTS
        return response
    messages.success(request, _("Thank you: your confirmation is recorded."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return redirect("announcements:detail", announcement_id=announcement_id)
    return redirect(target)


# -- publish and withdraw --------------------------------------------------------------------------

@login_required
def announcement_create(request):
    user = request.user
    if not selectors.is_manager(user):
        raise PermissionDenied(_("Only team leads, department heads, centre directors and administrators may "
                                 "publish announcements."))
    scope = scope_for(user)
    form = AnnouncementForm(request.POST or None, teams=scope.teams().order_by("department_id", "name"),
                            everyone_allowed=scope.level != TEAM)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                announcement = services.publish(
                    actor=user, title=data["title"], body=data["body"], kind=data["kind"],
                    teams=[int(t) for t in data["teams"]], expires_at=data["expires_at"],
                    requires_confirmation=data["requires_confirmation"])
            except NotAllowed as exc:
                raise PermissionDenied(str(exc.detail)) from None
            except ServiceError as exc:
                apply_service_error(form, exc, request)
                status = page_status(exc)
            else:
                messages.success(request, _("Announcement published; its readers were notified."))
                return redirect("announcements:detail", announcement_id=announcement.pk)
        else:
            status = 422
    return render(request, "announcements/form.html", {"form": form}, status=status)


@login_required
@require_POST
def withdraw(request, announcement_id: int):
    announcement = _fetch(request, announcement_id)
    form = WithdrawForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.withdraw(actor=request.user, announcement_id=announcement.pk, version=version)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
        return render(request, "announcements/detail.html", _detail_context(request, announcement),
                      status=page_status(exc))
    messages.success(request, _("Announcement withdrawn: it no longer appears to its readers."))
    return redirect("announcements:detail", announcement_id=announcement.pk)


# -- banner ----------------------------------------------------------------------------------------

@require_GET
def banner(request):
    """The banner fragment (HTMX); an expired session gets an empty answer."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "announcements/_unconfirmed_banner.html", selectors.unconfirmed_summary(request.user))
