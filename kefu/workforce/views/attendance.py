"""The attendance board (R-WFM-5): a team's month per person, team totals, the trend of the last months as
ECharts charts, and the month as an Excel download. Leads and up, the teams of their scope. Thin: parse, call
the selectors, render."""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.core.http import client_ip
from kefu.workforce.selectors import attendance
from kefu.workforce.services.attendance import record_board_export

COLUMNS = [
    ("shifts", gettext_lazy("Shifts")),
    ("worked", gettext_lazy("Worked")),
    ("late", gettext_lazy("Late arrivals")),
    ("late_minutes", gettext_lazy("Minutes late")),
    ("absences", gettext_lazy("Absences")),
    ("breaks", gettext_lazy("Breaks taken")),
    ("away_minutes", gettext_lazy("Minutes away")),
    ("leave_days", gettext_lazy("Leave days")),
    ("violations", gettext_lazy("Violations")),
    ("attendance_rate", gettext_lazy("Attendance rate %")),
]


class MonthForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}))

    def clean_month(self) -> dt.date:
        try:
            return attendance.parse_month(self.cleaned_data.get("month"))
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc.errors[0].message)) from None


@login_required
def attendance_board(request):
    try:
        team = attendance.team_for_board(request.user, request.GET.get("team"))
        teams = list(attendance.board_teams(request.user))
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except NotFound as exc:
        raise Http404(str(exc)) from None
    form = MonthForm(request.GET or None)
    status = 200
    if request.GET and not form.is_valid():
        month, status = attendance.parse_month(None), 422
    else:
        month = form.cleaned_data["month"] if form.is_bound else attendance.parse_month(None)
    now = timezone.now()
    board = attendance.monthly(request.user, team, month, now=now)
    if request.GET.get("format") == "xlsx" and status == 200:
        record_board_export(actor=request.user, team=team, month=month, people=len(board.rows),
                            ip=client_ip(request))
        return _xlsx(board)
    trend = attendance.trend(teams, month, now=now)
    trend["labels"] = {"rate": _("Attendance rate %"), "late": _("Late arrivals")}
    return render(request, "workforce/attendance_board.html", {
        "team": team, "teams": teams, "month": month, "board": board, "form": form, "trend": trend,
        "columns": COLUMNS, "prev_month": (month - dt.timedelta(days=1)).replace(day=1),
        "next_month": attendance.next_month(month),
    }, status=status)


def _xlsx(board) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"{board.month:%Y-%m}"
    sheet.append([str(pgettext("attendance board", "Person")), str(_("Username"))] + [str(label) for _key, label in COLUMNS])
    for row in [*board.rows, board.totals]:
        person = row.person
        sheet.append([str(person) if person else str(_("Team total")), person.username if person else ""]
                     + [getattr(row, key) for key, _label in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(
        True, f"attendance-{board.team.name}-{board.month:%Y-%m}.xlsx")
    return response
