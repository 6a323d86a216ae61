"""Notification pages: the bell's badge and menu (HTMX partials), opening one, marking read, the full list.
Thin: call a selector or service, render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.notifications import selectors, services

PAGE_SIZE = 50
MENU_SIZE = 10
CHANGED_EVENT = "notifications-changed"  # HX-Trigger: the bell re-reads its count


def _partial_login_required(status: int):
    """For HTMX partials: an expired session answers ``status`` with no body instead of the login page
    (286 makes htmx stop polling)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return HttpResponse(status=status)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
@_partial_login_required(286)
def badge(request):
    """The bell's unread count (polled every 30 s)."""
    return render(request, "notifications/_badge.html", {"unread": selectors.unread_count(request.user)})


@require_GET
@_partial_login_required(204)
def menu(request):
    """The bell's menu: the latest notifications (loaded when the menu opens)."""
    return render(request, "notifications/_menu.html", {"notifications": selectors.recent(request.user, MENU_SIZE)})


@login_required
@require_GET
def open_notification(request, notification_id: int):
    """Mark one of the caller's notifications read and go where it points."""
    notification = selectors.own(request.user, notification_id)
    if notification is None:
        raise Http404
    services.mark_read(actor=request.user, ids=[notification.pk])
    if is_local_path(notification.url):
        return redirect(notification.url)
    return redirect("notifications:list")


def is_local_path(url: str) -> bool:
    """Only a path of this site (``/tickets/1/``): never another host, scheme or protocol-relative URL."""
    return bool(url) and url.startswith("/") and not url.startswith(("//", "/\\")) and \
        url_has_allowed_host_and_scheme(url, allowed_hosts=set())


@login_required
@require_POST
def mark_read(request):
    """Mark the posted ``ids`` of the caller's notifications read; no ``ids`` field at all: every one.
    Ids that are not numbers or not the caller's are ignored."""
    ids = None
    if "ids" in request.POST:
        ids = [int(i) for i in request.POST.getlist("ids") if str(i).strip().isdigit()]
    count = services.mark_read(actor=request.user, ids=ids)
    if _is_htmx(request):
        response = render(request, "notifications/_menu.html",
                          {"notifications": selectors.recent(request.user, MENU_SIZE)})
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    if count:
        messages.success(request, _("Marked as read."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "notifications:list"
    return redirect(target)


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.for_user(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "unread_only": unread_only, "unread": selectors.unread_count(request.user)})
