"""The person's schedule as an .ics feed for the phone's calendar: served without login at a secret
address; the my-schedule page creates and renews the address (a small HTMX block)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from kefu.workforce.selectors import feed as selectors
from kefu.workforce.services import feed as services


@require_GET
def feed_ics(request, token: str):
    """The iCalendar text of the feed with this token; 404 for an unknown token."""
    feed = selectors.feed_for_token(token)
    if feed is None:
        raise Http404
    response = HttpResponse(selectors.calendar_text(feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def feed_block(request):
    """GET: the block of my schedule; POST: create the address or renew it (``renew``)."""
    feed = selectors.feed_of(request.user)
    if request.method == "POST":
        feed = (services.regenerate_feed(actor=request.user) if request.POST.get("action") == "renew"
                else services.create_feed(actor=request.user))
        if not request.headers.get("HX-Request"):
            return redirect("workforce:my_schedule")
    url = request.build_absolute_uri(reverse("workforce:feed", args=[feed.token])) if feed else ""
    return render(request, "workforce/feed_block.html", {"feed": feed, "url": url})
