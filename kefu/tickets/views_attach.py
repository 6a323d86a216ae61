"""Ticket attachments (upload and the only download route) and the standard-replies picker of the
ticket page (R-TIC-1, R-TIC-9)."""

from __future__ import annotations

import contextlib

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound, ServiceError
from kefu.core.http import client_ip
from kefu.tickets import attachments
from kefu.tickets.forms import AttachmentForm
from kefu.tickets.views_detail import post_view, run_action

# -- attachments ------------------------------------------------------------------------------------


@post_view
def attach(request, ticket_id: int):
    form = AttachmentForm(request.POST, request.FILES)

    def call(d):
        attachments.add_attachments(actor=request.user, ticket_id=ticket_id, uploads=d["attachments"])

    return run_action(request, ticket_id, key="attach", form=form, call=call, success=_("Attached."))


@login_required
def attachment(request, attachment_id: int):
    """Download: only through this view, after the ticket's scope check (404 outside it)."""
    try:
        att, path = attachments.open_attachment(actor=request.user, attachment_id=attachment_id,
                                                ip=client_ip(request))
    except NotFound:
        raise Http404 from None
    inline = att.content_type in attachments.INLINE_TYPES
    response = FileResponse(open(path, "rb"), as_attachment=not inline, filename=att.name,  # noqa: SIM115
                            content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"
    return response


# -- standard replies picker (R-TIC-9) ------------------------------------------------------------------


@login_required
def replies(request):
    """Approved standard replies matching ``q`` (kefu.knowledge, read only), for the reply picker."""
    from kefu.knowledge.selectors import search_articles

    q = request.GET.get("q", "").strip()
    found = list(search_articles(request.user, q, insertable=True)[:8]) if q else []
    return render(request, "tickets/detail.html#replies", {"articles": found, "q": q})


@post_view
def reply_used(request):
    """Count one insertion of a standard reply (kefu.knowledge.services.record_use)."""
    from kefu.knowledge.services import record_use

    article = request.POST.get("article", "")
    if article.isdigit():
        with contextlib.suppress(ServiceError):
            record_use(actor=request.user, article_id=int(article))
    return HttpResponse(status=204)
