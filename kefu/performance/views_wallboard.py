"""The wallboard page (大屏) for the department's TV: dark, big numbers, no menu. The page shows the figures at
once and ``kefu/wallboard.js`` refreshes them from GET /api/v1/wallboard every few seconds without reloading."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from kefu.core.errors import NotFound
from kefu.performance import wallboard

REFRESH_SECONDS = 10


@login_required
def wallboard_page(request):
    try:
        data = wallboard.board(request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "performance/wallboard.html", {"board": data, "refresh_seconds": REFRESH_SECONDS})
