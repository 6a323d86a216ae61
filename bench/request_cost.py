"""The fixed cost of every request (issue 13, task O; bench/notes/request.md), in-process.

    DATABASE_URL=postgres://… .venv/bin/python -m bench.request_cost --user bench-agent-0001 [--runs 200]

Three requests that do nothing of their own, each ``--runs`` times after ``--warmup`` calls, through the whole
WSGI handler and middleware (Django test client, ``DEBUG`` off):

- ``ping (session)``: ``/api/v1/ping`` logged in with a session cookie;
- ``ping (token)``: ``/api/v1/ping`` with ``Authorization: Bearer`` (a token issued for the run, revoked after);
- ``empty page``: a page whose view renders ``base.html`` with an empty content block (the layout, the
  context processors, the menu): what every page pays before its own work.

Printed per request: the median and p95 wall-clock time, the median time in SQL, the median CPU time of this
process and the number of queries, with the load average. ``--sql`` prints the queries of one call.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.desk_speed import SqlTimer, _setup

_EMPTY_PAGE = '{% extends "base.html" %}{% block content %}{% endblock %}'


def _empty_page(request):
    from django.contrib.auth.decorators import login_required
    from django.template import engines

    @login_required
    def view(request):
        from django.http import HttpResponse

        template = engines["django"].from_string(_EMPTY_PAGE)
        return HttpResponse(template.render({}, request))

    return view(request)


def _urlconf():
    """The project's URLs plus ``/__empty__/``."""
    import types

    from django.urls import path

    from kefu import urls

    module = types.ModuleType("bench_request_cost_urls")
    module.urlpatterns = [path("__empty__/", _empty_page), *urls.urlpatterns]
    return module


def measure(client, path: str, *, runs: int, warmup: int, headers: dict) -> dict:
    from django.db import connection

    for _ in range(warmup):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)  # noqa: S101 - a benchmark's check
    totals, sqls, cpus, counts = [], [], [], []
    for _ in range(runs):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            start, cpu = time.perf_counter(), time.process_time()
            client.get(path, headers=headers)
            totals.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        sqls.append(timer.seconds)
        counts.append(len(timer.queries))
    totals.sort()
    return {"median": 1000 * statistics.median(totals), "p95": 1000 * totals[int(0.95 * (len(totals) - 1))],
            "sql": 1000 * statistics.median(sqls), "cpu": 1000 * statistics.median(cpus), "queries": max(counts)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="bench-agent-0001")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--only", default="session,token,page")
    args = parser.parse_args(argv)
    _setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from kefu.org.tokens import issue_token, revoke_token

    user = get_user_model().objects.get(username=args.user)
    token, secret = issue_token(user=user, name="bench.request_cost")
    session_client, bare_client = Client(), Client()
    session_client.force_login(user)
    cases = {"session": ("ping (session)", session_client, "/api/v1/ping", {}),
             "token": ("ping (token)", bare_client, "/api/v1/ping", {"Authorization": f"Bearer {secret}"}),
             "page": ("empty page", session_client, "/__empty__/", {})}
    try:
        with override_settings(DEBUG=False, ROOT_URLCONF=_urlconf()):
            for key in args.only.split(","):
                label, client, path, headers = cases[key]
                if args.sql:
                    timer = SqlTimer()
                    with connection.execute_wrapper(timer):
                        client.get(path, headers=headers)
                    for spent, sql in timer.queries:
                        print(f"{1000 * spent:7.2f} ms  {sql[:300]}")
                r = measure(client, path, runs=args.runs, warmup=args.warmup, headers=headers)
                with open("/proc/loadavg") as f:
                    load = f.read().split()[0]
                print(f"{label:<15} median {r['median']:5.2f} ms  p95 {r['p95']:5.2f} ms  sql {r['sql']:5.2f} ms  "
                      f"cpu {r['cpu']:5.2f} ms  {r['queries']} queries  load {load}  "
                      f"(sessions: {settings.SESSION_ENGINE.rsplit('.', 1)[-1]})")
    finally:
        revoke_token(actor=user, token_id=token.pk)


if __name__ == "__main__":
    main()
