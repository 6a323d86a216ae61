from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.navigation import is_department_staff
from kefu.home import selectors
from kefu.org.roles import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def home(request):
    user = request.user
    if is_department_staff(user):
        return render(request, "home/home.html", {
            "role": "department", "cards": selectors.department_staff_cards(user),
            "tasks": selectors.department_tasks(user),
            "department": user.department,
        })
    role = selectors.primary_role(user)
    export = request.GET.get("export")
    if export:
        return _export(user, role, export)
    if role in {Role.HEAD, Role.DIRECTOR} and request.GET.get("part") == "attention":
        return render(request, "home/attention.html", {"attention": selectors.attention(user)})
    context = {
        "role": role,
        "cards": selectors.cards_for(user),
        "calendar_warning": selectors.calendar_warning(user),
        "charts": selectors.manager_charts(user),
    }
    if role in {Role.HEAD, Role.DIRECTOR}:
        context["attention_lazy"] = True  # loaded after the page (htmx, ?part=attention): KPI take a few queries
    elif role == Role.LEAD:
        context["workload"] = selectors.team_workload(user)
        context["help_requests"] = selectors.open_help_requests(user)
    elif role == Role.AGENT:
        context["agent_day"] = selectors.agent_day(user)
    return render(request, "home/home.html", context)


def _percent(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _export(user, role: str, what: str) -> HttpResponse:
    """The home page's tables as Excel: ``?export=attention`` (heads, directors), ``?export=workload`` (leads),
    ``?export=kpi`` (an agent's own line)."""
    if what == "attention" and role in {Role.HEAD, Role.DIRECTOR}:
        headers = [_("Item"), _("Number"), _("Urgency"), _("Details")]
        tones = {"danger": _("urgent"), "warning": _("waiting"), "": ""}
        rows = [[str(a.label), a.value, str(tones.get(a.tone, a.tone)), str(a.detail)]
                for a in selectors.attention(user)]
    elif what == "workload" and role == Role.LEAD:
        headers = [_("Username"), _("Name"), _("Open tickets"), _("Resolved this month"), _("On-time rate"),
                   _("3E log today"), _("Open help requests")]
        filed = {True: _("filed"), False: _("missing"), None: _("no shift")}
        rows = [[r.username, r.name, r.open_tickets, r.handled, _percent(r.sla_rate), str(filed[r.filed_today]),
                 r.help_requests] for r in selectors.team_workload(user)]
    elif what == "kpi" and role == Role.AGENT:
        day = selectors.agent_day(user)
        headers = [_("Resolved this month"), _("First-contact resolution"), _("On-time rate"), _("CSAT"),
                   _("QA score"), _("Assessment score")]
        k = day.kpi or {}
        rows = [[k.get("handled", 0), _percent(k.get("fcr_rate")), _percent(k.get("sla_rate")), k.get("csat"),
                 k.get("qa_score"), k.get("assessment_score")]]
    else:
        raise Http404(_("No such export."))
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = what
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"kefu-{what}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
