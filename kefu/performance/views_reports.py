"""Report pages (R-KPI-2): the index, and the daily, weekly and monthly report pages — the period's snapshot
(published version, else the newest) with charts, its tables, the versions and what changed between them,
"generate/recompute" (a background job whose progress the page polls with HTMX), "publish", and the Excel
download. Thin: parse, call a service or selector, render. Agents get 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kefu.core.errors import NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.performance.models import ReportSnapshot
from kefu.performance.reports import coverage, excel, labels, parse_period, snapshots

PERIOD_FIELD = {"daily": "date", "weekly": "week", "monthly": "month"}
TITLES = {"daily": gettext_lazy("Daily report"), "weekly": gettext_lazy("Weekly report"),
          "monthly": gettext_lazy("Monthly service quality analysis")}
PLACEHOLDERS = {"daily": "2026-12-08", "weekly": "2026-W50", "monthly": "2026-12"}


class ReportForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Report period"), required=False, max_length=10)
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, kind: str, teams: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.attrs["placeholder"] = PLACEHOLDERS[kind]
        self.fields["team"].choices = [("", _("All my teams")), *teams.items()]


def _cover_or_404(user, team_id=None):
    try:
        return coverage(user, team_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None


@login_required
def index(request):
    cover = _cover_or_404(request.user)
    recent = list(ReportSnapshot.objects.filter(scope=cover.scope, state=ReportSnapshot.State.DONE)
                  .select_related("generated_by").order_by("-generated_at")[:20])
    return render(request, "performance/reports.html", {
        "cover": cover, "recent": recent, "titles": TITLES,
        "kinds": [(k, TITLES[k], reverse(f"performance:report_{k}")) for k in PERIOD_FIELD],
    })


def report_daily(request):
    return _report(request, "daily")


def report_weekly(request):
    return _report(request, "weekly")


def report_monthly(request):
    return _report(request, "monthly")


@login_required
@require_http_methods(["GET", "POST"])
def _report(request, kind: str):
    user = request.user
    base = _cover_or_404(user)
    # "generate" posts to the page's own address: the period and team are in its query string
    def param(name):
        return (request.POST.get(name) if request.method == "POST" else None) or request.GET.get(name) or ""

    data = {"period": param(PERIOD_FIELD[kind]) or param("period"), "team": param("team")}
    form = ReportForm(data, kind=kind, teams=base.names)
    team_id, value = None, None
    if form.is_valid():
        team_id, value = form.cleaned_data["team"], form.cleaned_data["period"]
    cover = _cover_or_404(user, team_id)
    status = 200 if form.is_valid() else 422
    try:
        period = parse_period(kind, value)
    except ServiceError as exc:
        apply_service_error(form, _renamed(exc), request)
        period, status = parse_period(kind, None), page_status(exc)
    query = f"?{PERIOD_FIELD[kind]}={period.key}" + (f"&team={team_id}" if team_id else "")
    here = reverse(f"performance:report_{kind}") + query
    if request.method == "POST" and status == 200:
        try:
            snapshots.request_report(actor=user, kind=kind, period=period.key, team_id=team_id)
            messages.success(request, _("The report is being computed."))
        except NotFound as exc:
            raise Http404(str(exc.detail)) from None
        except ServiceError as exc:
            messages.error(request, str(exc.detail))
        return redirect(here)
    snaps = snapshots.versions(period, cover)
    shown = _pick(snaps, request.GET.get("version")) or snapshots.current(snaps)
    if request.GET.get("format") == "xlsx" and shown is not None:
        response = HttpResponse(excel.workbook_bytes(shown.data | {"snapshot": snapshots.meta(shown)}),
                                content_type=excel.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{excel.filename(shown.data)}"'
        return response
    other = _compare_with(snaps, shown)
    changes = []
    if shown is not None and other is not None:
        old, new = (other, shown) if other.version < shown.version else (shown, other)
        changes = [c | {"label": labels.column(c["key"]), "before_text": labels.show(c["key"], c["before"]),
                        "after_text": labels.show(c["key"], c["after"])} for c in snapshots.diff(old.data, new.data)]
    report = shown.data if shown is not None else None
    return render(request, "performance/report.html", {
        "kind": kind, "title": TITLES[kind], "form": form, "period": period, "cover": cover, "here": here,
        "query": query, "versions": snaps, "shown": shown, "other": other, "changes": changes,
        "pending": snapshots.pending(snaps), "headline": _headline(report), "sections": _sections(report),
        "chart": {"kind": kind, "charts": report.get("charts", {}) if report else {}, "labels": _chart_labels(kind)},
        "field": PERIOD_FIELD[kind],
    }, status=status)


@login_required
def report_status(request, snapshot_id: int):
    """The progress block the page polls; once the job is over the page reloads (HX-Refresh)."""
    try:
        snap = snapshots.get(request.user, snapshot_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    response = render(request, "performance/report_progress.html", {"snap": snap})
    if snap.state in (ReportSnapshot.State.DONE, ReportSnapshot.State.FAILED):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def report_publish(request, snapshot_id: int):
    try:
        snap = snapshots.publish(actor=request.user, snapshot_id=snapshot_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
        return redirect("performance:reports")
    messages.success(request, _("Published: this version is now the period's report."))
    field = PERIOD_FIELD[snap.kind]
    return redirect(reverse(f"performance:report_{snap.kind}") + f"?{field}={snap.period}"
                    + (f"&team={snap.team_id}" if snap.team_id else ""))


def _renamed(exc: ServiceError) -> ServiceError:
    """The period's field error is shown on the form's ``period`` field."""
    for err in exc.errors:
        err.field = "period"
    return exc


def _pick(snaps, version):
    if not version or not str(version).isdigit():
        return None
    return next((s for s in snaps if s.version == int(version) and s.state == ReportSnapshot.State.DONE), None)


def _compare_with(snaps, shown):
    """The version the shown one is compared with: a newer finished one if there is (a recomputation after the
    publication), else the finished one before it."""
    if shown is None:
        return None
    done = [s for s in snaps if s.state == ReportSnapshot.State.DONE and s.pk != shown.pk]
    newer = [s for s in done if s.version > shown.version]
    if newer:
        return newer[0]
    older = [s for s in done if s.version < shown.version]
    return older[0] if older else None


def _headline(report):
    if not report:
        return []
    return [{"key": k, "label": labels.column(k), "value": labels.show(k, v)} for k, v in report["headline"].items()]


def _sections(report):
    if not report:
        return []
    return [{"key": s["key"], "title": labels.section(s["key"]),
             "columns": [{"key": c, "label": labels.column(c)} for c in s["columns"]],
             "rows": [[labels.show(c, row.get(c)) for c in s["columns"]] for row in s["rows"]]}
            for s in report["sections"]]


def _chart_labels(kind: str) -> dict:
    from kefu.tickets.choices import Channel, TicketType

    return {"created": _("Created"), "resolved": _("Resolved"), "supervised": labels.column("supervised"),
            "handed": labels.column("handed"), "complaints": labels.column("complaints"),
            "callbacks": labels.column("callbacks"), "assessment": labels.column("assessment_score"),
            "previous": labels.column("previous"), "csat": labels.column("csat"),
            "satisfied": labels.column("satisfied_rate"), "stuck": labels.column("stuck"),
            "difficult": labels.column("difficult"),
            "types": {c: str(label) for c, label in TicketType.choices},
            "channels": {c: str(label) for c, label in Channel.choices}}
