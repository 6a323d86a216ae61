"""What the report keys read as (translated when shown or written to Excel), and the display of coded values."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SECTIONS = {
    "headline": _("Summary"),
    "by_team": _("By team"),
    "by_shift": _("By shift"),
    "by_type": _("By ticket type"),
    "by_channel": _("By channel"),
    "stuck": _("Stuck tickets"),
    "difficult": _("Difficult cases"),
    "breaches": _("Time-limit breaches"),
    "logs_missing": _("3E daily log not filed"),
    "by_day": _("By day"),
    "supervised": _("Supervised tickets (督办)"),
    "handed": _("Handed over to departments"),
    "causes": _("Complaints by root cause"),
    "kpi_team": _("KPI by team"),
    "kpi_agent": _("KPI by agent"),
    "compare": _("Against the previous month"),
    "qa": _("QA scores"),
    "surveys": _("Satisfaction surveys"),
    "attendance": _("Attendance and violations"),
}

COLUMNS = {
    "team": _("Team"), "type": _("Ticket type"), "channel": _("Channel"), "created": _("Created"),
    "resolved": _("Resolved"), "open_end": _("Open at the end of the day"), "stuck": _("Stuck"),
    "escalated": _("Escalated"), "supervised": _("Supervised (督办)"), "complaints": _("Complaints"),
    "breaches": _("Time-limit breaches"), "callbacks": _("Callbacks made (number)"), "csat": _("Satisfaction (1–5)"),
    "logs_filed": _("3E logs filed"), "logs_missing": _("3E logs missing"), "number": _("Ticket number"),
    "title": _("Title"), "status": _("Status"), "owner": _("Owner"), "last_action_at": _("Last action"),
    "reason": _("Why"), "resolution_due": _("Resolution due"), "username": _("Username"), "name": _("Name"),
    "day": _("Day"), "handed": _("Handed over"), "handed_open": _("Handed over, open"),
    "handed_done": _("Handed over, done"), "handed_overdue": _("Handed over, overdue"),
    "callbacks_due": _("Callbacks due"), "callback_rate": _("Callbacks made (share)"),
    "satisfied_rate": _("Satisfied (4–5 points)"), "department": _("Department"), "open": _("Open"),
    "done": _("Done"), "returned": _("Returned"), "overdue": _("Overdue"), "root_cause": _("Root cause"),
    "handled": _("Handled"), "fcr_rate": _("First-contact resolution"), "aht_seconds": _("Average handling time (s)"),
    "sla_rate": _("Within the time limit"), "qa_score": _("QA score"),
    "followups_on_time_rate": _("Follow-ups on time"), "violations": _("Violations"),
    "assessment_score": _("Assessment score"), "kpi": _("KPI"), "month": _("Month"), "previous": _("Previous month"),
    "change": _("Difference"), "reviews": _("QA reviews"), "failed": _("Failed on a critical item"),
    "mystery": _("Mystery customer"), "rater_answers": _("RATER answers"), "rater_reliability": _("Reliability"),
    "rater_assurance": _("Assurance"), "rater_tangibles": _("Tangibles"), "rater_empathy": _("Empathy"),
    "rater_responsiveness": _("Responsiveness"), "shifts": _("Shifts"), "checked_in": _("Checked in"),
    "late": _("Late"), "absent": _("Absent (旷工)"), "violations_late": _("Violations: late"),
    "violations_away": _("Violations: away"), "violations_absence": _("Violations: absence"),
    "violations_other": _("Violations: other"), "qa_reviews": _("QA reviews"), "value": _("Value"),
    "figure": _("Figure"), "version": _("Version"), "weights_version": _("Assessment weights version"),
    "shift": _("Shift"), "hours": _("Hours"), "people": _("People on shift"), "difficult": _("Difficult cases"),
}

RATES = {"fcr_rate", "sla_rate", "callback_rate", "followups_on_time_rate", "satisfied_rate"}
REASONS = {"escalated": _("escalated"), "supervised": _("supervised"), "complaint": _("complaint")}


def column(key: str) -> str:
    """A column's heading; ``type:<code>`` is a ticket type's count ("Created: 咨询")."""
    if key.startswith("type:"):
        from kefu.tickets.choices import TicketType

        code = key.split(":", 1)[1]
        return _("Created: %(type)s") % {"type": TicketType(code).label if code in TicketType.values else code}
    return str(COLUMNS.get(key, key))


def section(key: str) -> str:
    return str(SECTIONS.get(key, key))


def value(key: str, raw):
    """A coded value (ticket type, channel, status, KPI name, reasons) as words; anything else as it is."""
    from kefu.tickets.choices import Channel, Status, TicketType

    if raw is None or raw == "":
        return raw
    if key == "type":
        return str(TicketType(raw).label) if raw in TicketType.values else raw
    if key == "channel":
        return str(Channel(raw).label) if raw in Channel.values else raw
    if key == "status":
        return str(Status(raw).label) if raw in Status.values else raw
    if key == "kpi":
        return column(raw)
    if key == "reason":
        return "、".join(str(REASONS.get(r, r)) for r in str(raw).split(","))
    return raw


def show(key: str, raw) -> str:
    """A value as text for a page: rates as percentages, empty as —."""
    if raw is None or raw == "":
        return "—"
    if key in RATES and isinstance(raw, int | float):
        return f"{raw * 100:.1f}%"
    return str(value(key, raw))
