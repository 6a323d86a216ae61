"""How the ticket page words each timeline event: a title, an icon, a colour, and whether it is
a message to the customer (reply), an internal note, or a system event."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from kefu.org.roles import Role
from kefu.tickets.choices import CompensationStatus, EventKind, Level, Status, TaskStatus

ICONS = {
    EventKind.CREATED: "ti-file-plus", EventKind.REPLY: "ti-message-forward", EventKind.NOTE: "ti-note",
    EventKind.TRANSITION: "ti-arrows-right-left", EventKind.HANDOVER: "ti-building-community",
    EventKind.TASK: "ti-checklist", EventKind.ESCALATION: "ti-arrow-big-up-lines",
    EventKind.COMPENSATION: "ti-coin-yuan", EventKind.CALLBACK: "ti-phone-call", EventKind.ASSIGNMENT: "ti-user-check",
    EventKind.SUPERVISION: "ti-eye", EventKind.REMINDER: "ti-bell-ringing", EventKind.SLA: "ti-clock-exclamation",
    EventKind.MERGE: "ti-git-merge",
}
COLOURS = {
    EventKind.ESCALATION: "red", EventKind.SLA: "red", EventKind.COMPENSATION: "orange",
    EventKind.HANDOVER: "purple", EventKind.TASK: "purple", EventKind.CALLBACK: "teal",
    EventKind.SUPERVISION: "orange", EventKind.REMINDER: "yellow", EventKind.TRANSITION: "blue",
}


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _when(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    return date_format(localtime(moment), "Y-m-d H:i") if moment else ""


def _title(e, names: dict) -> str:  # noqa: C901, PLR0911 - one branch per kind
    d = e.data if isinstance(e.data, dict) else {}
    kind = e.kind
    if kind == EventKind.CREATED:
        return _("Created the ticket")
    if kind == EventKind.REPLY:
        return _("Reply to the customer")
    if kind == EventKind.NOTE:
        if d.get("attachments"):
            return _("Attached files")
        if d.get("changed"):
            return _("Edited the ticket")
        if d.get("recovery"):
            return _("Service recovery (补救)")
        return _("Internal note")
    if kind == EventKind.TRANSITION:
        return _("Status: %(from)s → %(to)s") % {"from": _label(Status, d.get("from")), "to": _label(Status, d.get("to"))}
    if kind == EventKind.HANDOVER:
        return _("Handed over to %(department)s, due %(due)s") % {"department": d.get("department", ""),
                                                                 "due": _when(d.get("due"))}
    if kind == EventKind.TASK:
        return _("%(department)s: task %(status)s") % {"department": d.get("department", ""),
                                                       "status": _label(TaskStatus, d.get("status")).lower()}
    if kind == EventKind.ESCALATION:
        text = _("Escalated: %(from)s → %(to)s") % {"from": _label(Level, d.get("from")), "to": _label(Level, d.get("to"))}
        if d.get("emergency"):
            text += " · " + _("emergency")
        if d.get("skipped"):
            text += " · " + _("skipped: %(levels)s") % {"levels": ", ".join(_label(Level, s) for s in d["skipped"])}
        if d.get("automatic"):
            text += " · " + _("automatic")
        return text
    if kind == EventKind.COMPENSATION:
        text = _("Compensation ¥%(amount)s: %(status)s") % {"amount": d.get("amount", ""),
                                                            "status": _label(CompensationStatus, d.get("status"))}
        if d.get("required_role"):
            text += " · " + _("needs the %(role)s") % {"role": _label(Role, d["required_role"])}
        return text
    if kind == EventKind.CALLBACK:
        return _("Callback: satisfaction %(n)s/5, %(solved)s") % {
            "n": d.get("satisfaction", "?"), "solved": _("solved") if d.get("solved") else _("not solved")}
    if kind == EventKind.ASSIGNMENT:
        text = _("Assigned to %(person)s") % {"person": names.get(d.get("to"), "—")}
        return text + (" · " + _("automatic") if d.get("automatic") else "")
    if kind == EventKind.SUPERVISION:
        return _("Supervision (督办) started") if d.get("on") else _("Supervision (督办) ended")
    if kind == EventKind.REMINDER:
        return _("Reminder (催办) sent to the owner") + (" · " + _("automatic") if d.get("automatic") else "")
    if kind == EventKind.SLA:
        return _("Time limit")
    if kind == EventKind.MERGE:
        if d.get("into"):
            return _("Merged into %(number)s") % {"number": d["into"]}
        return _("%(number)s was merged into this ticket") % {"number": d.get("merged", "")}
    return _label(EventKind, kind)


def describe(e, names: dict) -> None:
    """Set ``title``, ``icon``, ``colour`` and ``style`` ("reply", "note" or "event") on an event."""
    d = e.data if isinstance(e.data, dict) else {}
    e.title = _title(e, names)
    e.icon = ICONS.get(e.kind, "ti-point")
    e.colour = COLOURS.get(e.kind, "secondary")
    if d.get("recovery"):
        e.icon, e.colour = "ti-heart-handshake", "pink"
    elif d.get("changed"):
        e.icon = "ti-edit"
    if e.kind == EventKind.REPLY:
        e.style = "reply"
    elif e.kind == EventKind.NOTE and not (d.get("attachments") or d.get("changed") or d.get("recovery")):
        e.style = "note"
    else:
        e.style = "event"
